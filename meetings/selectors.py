"""Reads that the meeting pages, the API and the minutes share."""

from dataclasses import dataclass

from django.http import Http404

from buckets.models import Bucket
from groups import selectors as group_selectors
from groups.models import Membership, Role
from meetings.models import AgendaItem, Attendance, Decision, Meeting
from proposals import counting
from proposals import selectors as proposal_selectors
from proposals.models import Proposal


def get_meeting_for(user, pk) -> tuple[Meeting, Membership]:
    """The meeting and the user's membership of its group; 404 for anyone outside it."""
    meeting = Meeting.objects.select_related("group", "corrects", "sealed_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    membership = group_selectors.membership_of(user, meeting.group)
    if membership is None:
        raise Http404
    return meeting, membership


def can_run(membership) -> bool:
    """Admins prepare and run meetings and seal their minutes."""
    return membership is not None and membership.role == Role.ADMIN


def meetings_of(group):
    return Meeting.objects.filter(group=group).order_by("-starts_at", "-id")


def upcoming_meetings(group, now, limit=5):
    return Meeting.objects.filter(group=group, sealed_at=None, starts_at__gte=now).order_by("starts_at")[:limit]


def voting_members(meeting):
    """Who sits and votes at the meeting, whom its quorum is counted against: the group's
    admins and members, or the people named (the board) while they are in the group."""
    memberships = Membership.objects.filter(group_id=meeting.group_id)
    if meeting.voters_are_members:
        memberships = memberships.filter(role__in=proposal_selectors.VOTING_ROLES)
    else:
        memberships = memberships.filter(user__in=meeting.named_voters.all())
    return memberships.select_related("user").order_by("user__name", "user__email")


def members_of(group):
    return Membership.objects.filter(group=group).select_related("user").order_by("user__name", "user__email")


@dataclass
class MeetingQuorum:
    voters: int
    present: int
    represented: int
    quorum_percent: int

    @property
    def taking_part(self) -> int:
        return self.present + self.represented

    @property
    def needed(self) -> int:
        return counting.votes_needed(voters_count=self.voters, quorum_percent=self.quorum_percent)

    @property
    def met(self) -> bool:
        return counting.quorum_met(voters_count=self.voters, voted=self.taking_part, quorum_percent=self.quorum_percent)


def attendance_of(meeting):
    return list(Attendance.objects.filter(meeting=meeting).select_related("user", "proxy")
                .order_by("user__name", "user__email"))


def quorum_of(meeting, attendance=None) -> MeetingQuorum:
    attendance = attendance_of(meeting) if attendance is None else attendance
    voters = set(voting_members(meeting).values_list("user_id", flat=True))
    present = sum(1 for a in attendance if a.status == Attendance.Status.PRESENT and a.user_id in voters)
    represented = sum(1 for a in attendance if a.status == Attendance.Status.REPRESENTED and a.user_id in voters)
    return MeetingQuorum(voters=len(voters), present=present, represented=represented,
                         quorum_percent=meeting.quorum_percent)


def agenda_of(meeting):
    """The agenda items with what the room needs to see: a bucket's numbers, a proposal's
    live tally, and the decision already taken on a bucket, if any."""
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("bucket", "bucket__round", "proposal")
                 .order_by("position", "id"))
    proposals = [item.proposal for item in items if item.proposal is not None]
    tallies = proposal_selectors.tallies(proposals)
    decided = {d.bucket_id: d for d in Decision.objects.filter(meeting=meeting).exclude(bucket=None)}
    bucket_proposals = {}
    bucket_ids = [item.bucket_id for item in items if item.bucket_id]
    for proposal in Proposal.objects.filter(bucket_id__in=bucket_ids, settles_bucket=True).order_by("created_at"):
        bucket_proposals[proposal.bucket_id] = proposal
    bucket_tallies = proposal_selectors.tallies(list(bucket_proposals.values()))
    for item in items:
        item.tally = tallies.get(item.proposal_id) if item.proposal_id else None
        item.decision = decided.get(item.bucket_id) if item.bucket_id else None
        item.bucket_proposal = bucket_proposals.get(item.bucket_id)
        item.bucket_tally = bucket_tallies.get(item.bucket_proposal.pk) if item.bucket_proposal else None
    return items


def decisions_of(meeting):
    return list(Decision.objects.filter(meeting=meeting).select_related("bucket", "recorded_by").order_by("position", "id"))


def to_decide_buckets(group):
    return (Bucket.objects.filter(round__group=group, status=Bucket.Status.TO_DECIDE)
            .select_related("round").order_by("round__funding_closes_at", "title", "pk"))


def previous_minutes(meeting) -> Meeting | None:
    """The group's sealed minutes just before these (by register number), or the last sealed
    ones for minutes not sealed yet."""
    qs = Meeting.objects.filter(group_id=meeting.group_id).exclude(sealed_at=None)
    if meeting.number:
        qs = qs.filter(number__lt=meeting.number)
    return qs.order_by("-number").first()
