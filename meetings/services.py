"""Every write on meetings: plan one (its agenda), record the attendance and the decisions
taken in the room, seal the minutes, correct sealed minutes with new ones.

- A sealed meeting refuses every change (409 minutes_sealed); sealing twice is refused too.
- Sealing is serialised per group (the group row is locked, then the meeting row), so that two
  minutes sealed at once still form one chain: each gets the next number and the hash of the
  one before. A conditional update (`sealed_at IS NULL`) makes sure a meeting is sealed once.
- A decision on a bucket left `to_decide` settles it through buckets.services.settle_to_decide,
  in the same transaction as the decision.
- Proxies at a meeting follow the group's `max_proxies_per_voter`, like proxies on proposals;
  whoever carries a proxy is present.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from buckets import services as bucket_services
from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from groups.models import Group, Membership, Role, User
from meetings import minutes, selectors
from meetings.models import AgendaItem, Attendance, Decision, Meeting
from proposals.models import Proposal

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_ITEMS = 100


def _require_admin(actor: User | None, group: Group) -> None:
    if actor is not None and not Membership.objects.filter(group=group, user=actor, role=Role.ADMIN).exists():
        raise DomainError("forbidden", _("Only an admin of the group may do this."), status=403)


def _sealed():
    return DomainError("minutes_sealed", _("These minutes are sealed: they can no longer change. Write a correction."))


def _locked(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if locked.sealed_at is not None:
        raise _sealed()
    return locked


def _text(value: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("invalid", _("This field is required."), status=400, field=field)
    if len(value) > limit:
        raise DomainError("invalid", _("This text is too long."), status=400, field=field)
    return value


def _starts_at(value) -> datetime:
    if value is None:
        raise DomainError("invalid", _("Give the date and time of the meeting."), status=400, field="starts_at")
    if not 2000 <= value.year <= 2199:
        raise DomainError("invalid", _("A meeting takes place between the years 2000 and 2199."), status=400,
                          field="starts_at")
    return value


def _quorum(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise DomainError("invalid_quorum", _("The quorum is a percentage from 0 to 100."), status=400,
                          field="quorum_percent")
    return value


# --- planning -----------------------------------------------------------------------------


def _voters(group: Group, voters) -> list[User] | None:
    """None for "members", else the named users, each in the group."""
    if voters == "members":
        return None
    named = list(voters)
    if not named:
        raise DomainError("invalid_voters", _("Name at least one person who sits, or let every member sit."),
                          status=400, field="voters")
    in_group = set(Membership.objects.filter(group=group, user__in=named).values_list("user_id", flat=True))
    if any(u.pk not in in_group for u in named):
        raise DomainError("unknown_voter", _("Everyone who sits must be in the group."), status=400, field="voters")
    return named


def _agenda(group: Group, *, round: Round | None, buckets, proposals, items) -> list[AgendaItem]:
    """Agenda items: buckets left to decide, open proposals, then other items. `buckets` None
    means every bucket left to decide (of `round` when given, else of the group); `proposals`
    None means every open proposal of the group; an empty list means none."""
    if round is not None and round.group_id != group.pk:
        raise DomainError("invalid_agenda", _("This round is not in the group."), status=400, field="round")
    if buckets is None:
        bucket_rows = list(selectors.to_decide_buckets(group).filter(**({"round": round} if round else {})))
    else:
        bucket_ids = list(dict.fromkeys(buckets))
        found = {b.pk: b for b in Bucket.objects.filter(pk__in=bucket_ids, round__group=group,
                                                         status=Bucket.Status.TO_DECIDE)}
        if len(found) != len(bucket_ids):
            raise DomainError("invalid_agenda", _("Only buckets of the group left to decide go on the agenda."),
                              status=400, field="buckets")
        bucket_rows = [found[i] for i in bucket_ids]
    if proposals is None:
        # The vote a round's closing opened for a bucket on the agenda is shown with the bucket.
        on_agenda = {b.pk for b in bucket_rows}
        proposal_rows = [p for p in Proposal.objects.filter(group=group, closed_at=None).order_by("closes_at", "pk")
                         if not (p.settles_bucket and p.bucket_id in on_agenda)]
    else:
        proposal_ids = list(dict.fromkeys(proposals))
        found = {p.pk: p for p in Proposal.objects.filter(pk__in=proposal_ids, group=group, closed_at=None)}
        if len(found) != len(proposal_ids):
            raise DomainError("invalid_agenda", _("Only open proposals of the group go on the agenda."),
                              status=400, field="proposals")
        proposal_rows = [found[i] for i in proposal_ids]
    rows = [AgendaItem(kind=AgendaItem.Kind.BUCKET, bucket=b, title=b.title[:300]) for b in bucket_rows]
    rows += [AgendaItem(kind=AgendaItem.Kind.PROPOSAL, proposal=p, title=p.title[:300]) for p in proposal_rows]
    for text in items or []:
        title = _text(text, "items", required=True, limit=300)
        rows.append(AgendaItem(kind=AgendaItem.Kind.OTHER, title=title))
    if len(rows) > MAX_ITEMS:
        raise DomainError("invalid_agenda", _("An agenda holds at most 100 items."), status=400, field="items")
    for position, row in enumerate(rows):
        row.position = position
    return rows


def create_meeting(
    *,
    group: Group,
    actor: User | None,
    title: str,
    starts_at: datetime,
    place: str = "",
    quorum_percent: int = 50,
    notes: str = "",
    round: Round | None = None,
    buckets=None,
    proposals=None,
    items=None,
    corrects: Meeting | None = None,
    correction_text: str = "",
    voters="members",
) -> Meeting:
    """Plan a meeting with its agenda (admins). `voters`: "members" (every admin and member
    of the group sits) or the users who sit (the board). `corrects`: sealed minutes of the
    group that these new minutes correct (`correction_text` says what)."""
    _require_admin(actor, group)
    title = _text(title, "title", required=True, limit=MAX_TITLE)
    starts_at = _starts_at(starts_at)
    if corrects is not None:
        if corrects.group_id != group.pk or corrects.sealed_at is None:
            raise DomainError("invalid_correction", _("Only sealed minutes of the group can be corrected."),
                              status=400, field="corrects")
        correction_text = _text(correction_text, "correction_text", required=True)
    agenda = _agenda(group, round=round, buckets=buckets, proposals=proposals, items=items)
    named = _voters(group, voters)
    with transaction.atomic(durable=True):
        meeting = Meeting.objects.create(
            group=group, title=title, starts_at=starts_at, place=_text(place, "place", limit=200),
            quorum_percent=_quorum(quorum_percent), notes=_text(notes, "notes"), created_by=actor,
            corrects=corrects, correction_text=correction_text or "", voters_are_members=named is None,
        )
        if named:
            meeting.named_voters.set(named)
        for row in agenda:
            row.meeting = meeting
        AgendaItem.objects.bulk_create(agenda)
        audit.record(actor=actor, group=group, action="meeting.planned", obj=meeting,
                     after={"title": title, "starts_at": starts_at, "agenda": [row.title for row in agenda]})
    return meeting


def update_meeting(*, meeting: Meeting, actor: User | None, **fields) -> Meeting:
    """Change the title, time, place, quorum or notes of a meeting not sealed yet (admins)."""
    _require_admin(actor, meeting.group)
    with transaction.atomic(durable=True):
        locked = _locked(meeting)
        if "title" in fields:
            locked.title = _text(fields["title"], "title", required=True, limit=MAX_TITLE)
        if fields.get("starts_at") is not None:
            locked.starts_at = _starts_at(fields["starts_at"])
        if "place" in fields:
            locked.place = _text(fields["place"], "place", limit=200)
        if "quorum_percent" in fields:
            locked.quorum_percent = _quorum(fields["quorum_percent"])
        if "notes" in fields:
            locked.notes = _text(fields["notes"], "notes")
        named = _voters(locked.group, fields["voters"]) if "voters" in fields else None
        if "voters" in fields:
            locked.voters_are_members = named is None
        locked.save()
        if "voters" in fields:
            locked.named_voters.set(named or [])
        audit.record(actor=actor, group=locked.group_id, action="meeting.updated", obj=locked,
                     after={k: v for k, v in fields.items() if k != "voters"})
    return locked


def correct_minutes(*, meeting: Meeting, actor: User | None, text: str, now: datetime | None = None) -> Meeting:
    """New minutes that correct sealed ones; the sealed ones never change."""
    return create_meeting(
        group=meeting.group, actor=actor, corrects=meeting, correction_text=text, items=[], buckets=[], proposals=[],
        title=_("Correction of minutes no. %(n)s") % {"n": meeting.number}, starts_at=now or timezone.now(),
        place=meeting.place, quorum_percent=0,
    )


# --- in the room --------------------------------------------------------------------------


def _memberships(group: Group, ids, field: str) -> dict[int, Membership]:
    ids = list(ids)
    found = {m.pk: m for m in Membership.objects.filter(group=group, pk__in=ids).select_related("user")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError("unknown_member", _("No member of the group has the id %(id)s.") % {"id": missing[0]},
                          status=400, field=field)
    return found


def set_attendance(*, meeting: Meeting, actor: User | None, present, represented: dict) -> Meeting:
    """Who is present, and who is represented by whom (member ids of the group). Replaces the
    attendance recorded before. Whoever carries a proxy is present; nobody carries their own;
    a voter carries at most the group's `max_proxies_per_voter`."""
    _require_admin(actor, meeting.group)
    group = meeting.group
    sitting = set(selectors.voting_members(meeting).values_list("pk", flat=True))
    present = list(dict.fromkeys(present))
    represented = dict(represented)
    people = _memberships(group, present, "present")
    people.update(_memberships(group, list(represented) + list(represented.values()), "represented"))
    both = set(present) & set(represented)
    if both:
        raise DomainError("invalid_attendance", _("%(name)s cannot be both present and represented.")
                          % {"name": people[both.pop()].user.display_name}, status=400, field="represented")
    carried: dict[int, int] = {}
    for giver, holder in represented.items():
        if giver == holder:
            raise DomainError("invalid_proxy", _("Nobody carries their own proxy."), status=400, field="represented")
        if giver not in sitting:
            raise DomainError("invalid_proxy", _("%(name)s does not vote at this meeting: nobody represents them.")
                              % {"name": people[giver].user.display_name}, status=400, field="represented")
        if holder not in present or holder not in sitting:
            raise DomainError("invalid_proxy", _("%(name)s carries a proxy and must be present and vote at this meeting.")
                              % {"name": people[holder].user.display_name}, status=400, field="represented")
        carried[holder] = carried.get(holder, 0) + 1
    for holder, count in carried.items():
        if count > group.max_proxies_per_voter:
            raise DomainError("proxy_limit_reached", ngettext(
                "%(name)s would carry %(n)s proxy; this group allows %(max)s per voter.",
                "%(name)s would carry %(n)s proxies; this group allows %(max)s per voter.", count,
            ) % {"name": people[holder].user.display_name, "n": count, "max": group.max_proxies_per_voter})
    with transaction.atomic(durable=True):
        locked = _locked(meeting)
        Attendance.objects.filter(meeting=locked).delete()
        Attendance.objects.bulk_create(
            [Attendance(meeting=locked, user=people[m].user, status=Attendance.Status.PRESENT) for m in present]
            + [Attendance(meeting=locked, user=people[g].user, status=Attendance.Status.REPRESENTED,
                          proxy=people[h].user) for g, h in represented.items()]
        )
        audit.record(actor=actor, group=locked.group_id, action="meeting.attendance_recorded", obj=locked,
                     after={"present": len(present), "represented": len(represented)})
    return locked


def record_decision(
    *,
    meeting: Meeting,
    actor: User | None,
    title: str = "",
    text: str = "",
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    outcome: str,
    bucket: Bucket | None = None,
    now: datetime | None = None,
) -> Decision:
    """A decision taken in the room, with its show of hands, once the quorum is reached (a
    meeting without it cannot decide, as statutes say). The votes cannot exceed the voters
    present or represented. On a bucket left to decide, `adopted` funds it at the
    amount reached and `rejected` leaves it unfunded, in the same transaction."""
    _require_admin(actor, meeting.group)
    counts = {"for": votes_for, "against": votes_against, "abstain": votes_abstain}
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError("invalid_counts", _("Votes are whole numbers, 0 or more."), status=400, field=name)
    if outcome not in Decision.Outcome.values:
        raise DomainError("invalid_outcome", _("A decision is adopted or rejected."), status=400, field="outcome")
    if bucket is not None and bucket.round.group_id != meeting.group_id:
        raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")
    title = _text(title, "title", limit=300)
    if not title and bucket is not None:
        title = (_("Fund “%(title)s” at the amount reached") % {"title": bucket.title})[:300]
    if not title:
        raise DomainError("invalid", _("A decision needs a title."), status=400, field="title")
    text = _text(text, "text")
    with transaction.atomic(durable=True):
        locked = _locked(meeting)
        quorum = selectors.quorum_of(locked)
        if quorum.taking_part == 0:
            raise DomainError("no_attendance", _("Record who is present first: the votes are checked against it."))
        if not quorum.met:
            raise DomainError("meeting_no_quorum", _(
                "The quorum is not reached (%(taking)s of the %(needed)s needed): the meeting cannot decide."
            ) % {"taking": quorum.taking_part, "needed": quorum.needed})
        if sum(counts.values()) > quorum.taking_part:
            raise DomainError("invalid_counts", _(
                "There are more votes (%(votes)s) than voters present or represented (%(n)s)."
            ) % {"votes": sum(counts.values()), "n": quorum.taking_part}, status=400, field="for")
        if bucket is not None:
            bucket_services.settle_to_decide(bucket_id=bucket.pk, funded=outcome == Decision.Outcome.ADOPTED, now=now)
        position = Decision.objects.filter(meeting=locked).count()
        decision = Decision.objects.create(
            meeting=locked, position=position, title=title, text=text, votes_for=votes_for,
            votes_against=votes_against, votes_abstain=votes_abstain, bucket=bucket, outcome=outcome,
            recorded_by=actor, created_at=now or timezone.now(),
        )
        audit.record(actor=actor, group=locked.group_id, action="meeting.decision_recorded", obj=locked,
                     after={"decision": title, "for": votes_for, "against": votes_against, "abstain": votes_abstain,
                            "outcome": outcome, "bucket": bucket.pk if bucket else None})
        return decision


# --- sealing ------------------------------------------------------------------------------


def seal_minutes(*, meeting: Meeting, actor: User | None, now: datetime | None = None) -> Meeting:
    """Fix the minutes for good: render them, hash them with the previous minutes' hash
    inside, number them in the group's register. Sealing again is refused (minutes_sealed)."""
    _require_admin(actor, meeting.group)
    with transaction.atomic(durable=True):
        # One chain per group: whoever seals holds the group row until the minutes are written.
        Group.objects.select_for_update(no_key=True).filter(pk=meeting.group_id).first()
        locked = _locked(meeting)
        now = now or timezone.now()
        previous = (Meeting.objects.filter(group_id=locked.group_id).exclude(sealed_at=None)
                    .order_by("-number").first())
        number = (previous.number if previous is not None else 0) + 1
        html = minutes.render(locked, until=now, number=number, previous=previous, sealed_at=now, sealed_by=actor)
        sealed = Meeting.objects.filter(pk=locked.pk, sealed_at=None).update(
            sealed_at=now, sealed_by=actor, number=number, minutes_html=html, sha256=minutes.sha256_of(html),
            previous_sha256=previous.sha256 if previous is not None else "",
        )
        if sealed != 1:
            raise _sealed()
        locked.refresh_from_db()
        audit.record(actor=actor, group=locked.group_id, action="meeting.minutes_sealed", obj=locked,
                     after={"number": number, "sha256": locked.sha256, "previous_sha256": locked.previous_sha256})
    return locked
