"""Reads that pages and the API share for proposals and decisions.

Who votes is derived at read time, never stored as a flag: with `voters_are_members` every
admin and member of the group (VOTING_ROLES) votes; with a named list, the named people vote
while they are still in the group (whatever their role). Someone who leaves the group stops
counting at once: their stance no longer counts and they leave `voters_count`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from cobudget.search import matching
from groups import selectors as group_selectors
from groups.models import Membership, Role, User
from proposals.models import Proposal, ProposalComment, ProposalView, Stance

# Roles that vote when a proposal's voters are "all members". Contributors and accountants
# vote only where they are named.
VOTING_ROLES = (Role.ADMIN, Role.MEMBER)
CHOICES = tuple(Stance.Choice.values)  # agree, abstain, disagree, block


def voter_filter(user) -> Q:
    """Proposals on which `user` is a voter: the named list, or every member of the group."""
    member_groups = Membership.objects.filter(user=user, role__in=VOTING_ROLES).values("group_id")
    return Q(voters_are_members=False, named_voters=user) | Q(voters_are_members=True, group_id__in=member_groups)


def awaiting_vote(user):
    if not user.is_authenticated:
        return Proposal.objects.none()
    voted = Stance.objects.filter(proposal=OuterRef("pk"), user=user, is_latest=True)
    return (
        Proposal.objects.filter(closed_at=None, closes_at__gt=timezone.now())
        .filter(voter_filter(user))
        .filter(group__memberships__user=user)
        .exclude(Exists(voted))
        .select_related("group")
        .distinct()
        .order_by("closes_at")[:20]
    )


def open_proposals(*, group, user):
    return Proposal.objects.filter(group=group, closed_at=None).select_related("author").order_by("closes_at")


# --- access -------------------------------------------------------------------------------


def get_proposal_for(user, pk) -> tuple[Proposal, Membership]:
    """The proposal and the user's membership of its group; 404 for anyone outside the group."""
    proposal = (
        Proposal.objects.select_related("group", "author", "bucket", "bucket__round").filter(pk=pk).first()
    )
    if proposal is None:
        raise Http404
    membership = group_selectors.membership_of(user, proposal.group)
    if membership is None:
        raise Http404
    return proposal, membership


def can_manage(user, proposal, membership) -> bool:
    """The author and the group's admins close a proposal early and write its outcome."""
    return membership is not None and (membership.role == Role.ADMIN or proposal.author_id == user.id)


def can_propose(membership) -> bool:
    return membership is not None and membership.role in VOTING_ROLES


# --- voters -------------------------------------------------------------------------------


def voters_of(proposal) -> "list[User]":
    """The people who vote on `proposal` now (see the module docstring)."""
    if proposal.voters_are_members:
        qs = User.objects.filter(
            memberships__group_id=proposal.group_id, memberships__role__in=VOTING_ROLES
        )
    else:
        qs = proposal.named_voters.filter(memberships__group_id=proposal.group_id)
    return list(qs.order_by("name", "email").distinct())


def is_voter(user, proposal) -> bool:
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.filter(group_id=proposal.group_id, user=user)
    if proposal.voters_are_members:
        return memberships.filter(role__in=VOTING_ROLES).exists()
    return memberships.exists() and proposal.named_voters.filter(pk=user.pk).exists()


def _voter_ids_for(proposals) -> dict[int, set[int]]:
    """{proposal id: ids of its current voters}, in three queries whatever the number."""
    proposals = list(proposals)
    group_ids = {p.group_id for p in proposals}
    members: dict[int, set[int]] = defaultdict(set)
    voting_members: dict[int, set[int]] = defaultdict(set)
    for group_id, user_id, role in Membership.objects.filter(group_id__in=group_ids).values_list(
        "group_id", "user_id", "role"
    ):
        members[group_id].add(user_id)
        if role in VOTING_ROLES:
            voting_members[group_id].add(user_id)
    named_ids = [p.pk for p in proposals if not p.voters_are_members]
    named: dict[int, set[int]] = defaultdict(set)
    if named_ids:
        through = Proposal.named_voters.through
        for proposal_id, user_id in through.objects.filter(proposal_id__in=named_ids).values_list(
            "proposal_id", "user_id"
        ):
            named[proposal_id].add(user_id)
    result = {}
    for p in proposals:
        if p.voters_are_members:
            result[p.pk] = voting_members[p.group_id]
        else:
            result[p.pk] = named[p.pk] & members[p.group_id]
    return result


@dataclass
class Tally:
    """Counts of the latest stances of current voters. For a closed proposal, the frozen tally."""

    voters_count: int = 0
    voted_count: int = 0
    seen_count: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(CHOICES, 0))
    voted_ids: set = field(default_factory=set)

    @property
    def participation_percent(self):
        from decimal import Decimal

        if not self.voters_count:
            return Decimal(0)
        return Decimal(self.voted_count * 100) / Decimal(self.voters_count)


def live_tallies(proposals) -> dict[int, Tally]:
    """The live tally of each proposal, in five queries whatever their number."""
    proposals = list(proposals)
    if not proposals:
        return {}
    voter_ids = _voter_ids_for(proposals)
    ids = [p.pk for p in proposals]
    tallies = {p.pk: Tally(voters_count=len(voter_ids[p.pk])) for p in proposals}
    for proposal_id, user_id, choice in Stance.objects.filter(proposal_id__in=ids, is_latest=True).values_list(
        "proposal_id", "user_id", "choice"
    ):
        if user_id in voter_ids[proposal_id]:
            tally = tallies[proposal_id]
            tally.counts[choice] += 1
            tally.voted_count += 1
            tally.voted_ids.add(user_id)
    for proposal_id, user_id in ProposalView.objects.filter(proposal_id__in=ids).values_list("proposal_id", "user_id"):
        if user_id in voter_ids[proposal_id]:
            tallies[proposal_id].seen_count += 1
    return tallies


def tallies(proposals) -> dict[int, Tally]:
    """Live tallies for open proposals, the frozen ones for closed proposals."""
    proposals = list(proposals)
    result = live_tallies([p for p in proposals if p.closed_at is None])
    for p in proposals:
        if p.closed_at is not None:
            result[p.pk] = frozen_tally(p)
    return result


def frozen_tally(proposal) -> Tally:
    return Tally(
        voters_count=proposal.final_voters or 0,
        voted_count=proposal.final_voted or 0,
        seen_count=proposal.final_seen or 0,
        counts={
            "agree": proposal.final_agree or 0,
            "abstain": proposal.final_abstain or 0,
            "disagree": proposal.final_disagree or 0,
            "block": proposal.final_block or 0,
        },
    )


def tally_of(proposal) -> Tally:
    return tallies([proposal])[proposal.pk]


def results_visible(proposal) -> bool:
    """Hidden results stay hidden from everyone (admins and author included) until close."""
    return proposal.closed_at is not None or not proposal.results_hidden_until_close


# --- stances, views, comments -------------------------------------------------------------


def latest_stances(proposal):
    """Latest stance of each current voter, with the number of earlier stances (history)."""
    voter_ids = _voter_ids_for([proposal])[proposal.pk] if proposal.closed_at is None else None
    stances = list(
        Stance.objects.filter(proposal=proposal).select_related("user").order_by("user_id", "created_at", "id")
    )
    history: dict[int, list[Stance]] = defaultdict(list)
    for stance in stances:
        history[stance.user_id].append(stance)
    result = []
    for user_id, items in history.items():
        latest = [s for s in items if s.is_latest]
        if not latest or (voter_ids is not None and user_id not in voter_ids):
            continue
        stance = latest[0]
        stance.earlier = [s for s in items if not s.is_latest]
        result.append(stance)
    result.sort(key=lambda s: s.created_at, reverse=True)
    return result


def stance_history(proposal):
    return Stance.objects.filter(proposal=proposal).select_related("user").order_by("-created_at", "-id")


def my_stance(proposal, user) -> Stance | None:
    if not user.is_authenticated:
        return None
    return Stance.objects.filter(proposal=proposal, user=user, is_latest=True).first()


def voters_seen(proposal):
    """The current voters with when they first saw the proposal (None: not yet)."""
    seen = dict(ProposalView.objects.filter(proposal=proposal).values_list("user_id", "first_seen_at"))
    return [(voter, seen.get(voter.pk)) for voter in voters_of(proposal)]


def comments_of(proposal):
    return ProposalComment.objects.filter(proposal=proposal).select_related("author").order_by("created_at", "id")


def proposals_of(*, group, status: str | None = None):
    qs = Proposal.objects.filter(group=group).select_related("author", "group").prefetch_related("named_voters")
    if status == "open":
        qs = qs.filter(closed_at=None)
    elif status == "closed":
        qs = qs.exclude(closed_at=None)
    return qs.order_by("-created_at", "-id")


def decisions(*, group, q: str = ""):
    """Closed proposals of the group, newest first; every word of `q` must appear in the
    title, the details or the outcome statement."""
    qs = Proposal.objects.filter(group=group).exclude(closed_at=None).select_related("author", "group")
    qs = matching(qs, q, ["title", "details", "statement"])  # accents and case aside
    return qs.order_by("-closed_at", "-id")
