"""Reads that pages and the API share for proposals and decisions.

Who votes is derived at read time, never stored as a flag: with `voters_are_members` every
admin and member of the group (VOTING_ROLES) votes; with a named list, the named people vote
while they are still in the group (whatever their role). Someone who leaves the group stops
counting at once: their stance no longer counts and they leave `voters_count`.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cobudget.search import matching
from groups import selectors as group_selectors
from groups.models import Membership, Role, User
from proposals import counting
from proposals.models import (
    AnonymousBallot,
    AnonymousReason,
    Proposal,
    ProposalComment,
    ProposalEvent,
    ProposalOption,
    ProposalView,
    Proxy,
    Stance,
)

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
    """Counts of the latest stances of current voters. For a closed proposal, the frozen tally.
    `results` (polls): per-option totals, the runoff rounds and the winner."""

    voters_count: int = 0
    voted_count: int = 0
    seen_count: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(CHOICES, 0))
    voted_ids: set = field(default_factory=set)
    results: dict | None = None
    quorum_percent: int = 0

    @property
    def participation_percent(self):
        from decimal import Decimal

        if not self.voters_count:
            return Decimal(0)
        return Decimal(self.voted_count * 100) / Decimal(self.voters_count)

    @property
    def votes_needed(self) -> int:
        """Voters who must take part for the quorum (60 voters at 25 %: 15)."""
        return counting.votes_needed(voters_count=self.voters_count, quorum_percent=self.quorum_percent)

    @property
    def quorum_met(self) -> bool:
        return counting.quorum_met(voters_count=self.voters_count, voted=self.voted_count,
                                   quorum_percent=self.quorum_percent)

    @property
    def winner(self) -> int | None:
        return (self.results or {}).get("winner")


def _options_by_proposal(ids) -> dict[int, list]:
    options: dict[int, list] = defaultdict(list)
    for option in ProposalOption.objects.filter(proposal_id__in=ids).order_by("position", "id"):
        options[option.proposal_id].append(counting.Option(id=option.pk, label=option.label))
    return options


def live_tallies(proposals) -> dict[int, Tally]:
    """The live tally of each proposal, in a handful of queries whatever their number. On a
    secret ballot, who voted comes from the stances and what was chosen from the ballot
    counts (a ballot in the urn stays counted even if its voter later leaves the group)."""
    proposals = list(proposals)
    if not proposals:
        return {}
    voter_ids = _voter_ids_for(proposals)
    ids = [p.pk for p in proposals]
    by_id = {p.pk: p for p in proposals}
    tallies = {p.pk: Tally(voters_count=len(voter_ids[p.pk]), quorum_percent=p.quorum_percent) for p in proposals}
    poll_ballots: dict[int, list] = defaultdict(list)
    for proposal_id, user_id, choice, data in Stance.objects.filter(proposal_id__in=ids, is_latest=True).values_list(
        "proposal_id", "user_id", "choice", "data"
    ):
        if user_id in voter_ids[proposal_id]:
            tally = tallies[proposal_id]
            tally.voted_count += 1
            tally.voted_ids.add(user_id)
            if by_id[proposal_id].anonymous:
                continue
            if choice in tally.counts:
                tally.counts[choice] += 1
            if data is not None:
                poll_ballots[proposal_id].append((data, 1))
    secret = [p.pk for p in proposals if p.anonymous]
    if secret:
        for proposal_id, content, count in AnonymousBallot.objects.filter(proposal_id__in=secret).values_list(
            "proposal_id", "content", "count"
        ):
            ballot = json.loads(content)
            if "choice" in ballot:
                tallies[proposal_id].counts[ballot["choice"]] += count
            else:
                poll_ballots[proposal_id].append((ballot, count))
    for proposal_id, user_id in ProposalView.objects.filter(proposal_id__in=ids).values_list("proposal_id", "user_id"):
        if user_id in voter_ids[proposal_id]:
            tallies[proposal_id].seen_count += 1
    polls = [p for p in proposals if p.is_poll]
    if polls:
        options = _options_by_proposal([p.pk for p in polls])
        for p in polls:
            tally = tallies[p.pk]
            tally.results = counting.poll_results(p.kind, options[p.pk], poll_ballots[p.pk], quorum=tally.quorum_met)
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
        results=proposal.final_results,
        quorum_percent=proposal.quorum_percent,
    )


def tally_of(proposal) -> Tally:
    return tallies([proposal])[proposal.pk]


def results_visible(proposal) -> bool:
    """Hidden results stay hidden from everyone (admins and author included) until close."""
    return proposal.closed_at is not None or not proposal.results_hidden_until_close


# --- stances, views, comments -------------------------------------------------------------


def ballot_summary(kind: str, data: dict | None, labels: dict) -> str:
    """A poll ballot in words, for the list of who voted what ("1. Tuesday, 2. Monday")."""
    if not data:
        return ""
    def pair(key, value) -> str:
        return _("%(option)s: %(value)s") % {"option": labels.get(int(key), "?"), "value": value}

    if kind == "ranked_choice":
        return ", ".join(f"{i}. {labels.get(int(k), '?')}" for i, k in enumerate(data.get("ranking", []), start=1))
    if kind in ("score", "dot_vote"):
        return ", ".join(pair(k, v) for k, v in data.get("scores" if kind == "score" else "dots", {}).items())
    if kind == "meeting_time":
        words = {"yes": _("yes"), "maybe": _("maybe"), "no": _("no")}
        return ", ".join(pair(k, words.get(v, v)) for k, v in data.get("availability", {}).items())
    return ""


def latest_stances(proposal):
    """Latest stance of each current voter, with the number of earlier stances (history).
    On a secret ballot the rows only say who voted (their choice is not stored with them)."""
    voter_ids = _voter_ids_for([proposal])[proposal.pk] if proposal.closed_at is None else None
    stances = list(
        Stance.objects.filter(proposal=proposal).select_related("user", "cast_by").order_by("user_id", "created_at", "id")
    )
    labels = dict(ProposalOption.objects.filter(proposal=proposal).values_list("id", "label")) if proposal.is_poll else {}
    history: dict[int, list[Stance]] = defaultdict(list)
    for stance in stances:
        stance.summary = ballot_summary(proposal.kind, stance.data, labels)
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
    return Stance.objects.filter(proposal=proposal).select_related("user", "cast_by").order_by("-created_at", "-id")


def anonymous_reasons(proposal):
    """The reasons given with secret ballots, without their authors, in no telling order."""
    return AnonymousReason.objects.filter(proposal=proposal).order_by("choice", "text")


def options_of(proposal):
    return list(ProposalOption.objects.filter(proposal=proposal).order_by("position", "id"))


def proxies_of(proposal):
    """Every proxy given on the proposal, in force or ended, oldest first."""
    return Proxy.objects.filter(proposal=proposal).select_related("giver", "holder", "recorded_by").order_by("given_at", "id")


def proxies_carried(proposal, user) -> list:
    """The proxies `user` carries now: the voters they may vote for."""
    if not user.is_authenticated:
        return []
    return list(Proxy.objects.filter(proposal=proposal, holder=user, ended_at=None).select_related("giver"))


def proxy_given(proposal, user):
    if not user.is_authenticated:
        return None
    return Proxy.objects.filter(proposal=proposal, giver=user, ended_at=None).select_related("holder").first()


def events_of(proposal):
    return ProposalEvent.objects.filter(proposal=proposal).select_related("actor").order_by("at", "id")


def voter_memberships(proposal):
    """The current voters' memberships (their ids are the API's member ids), by name."""
    ids = _voter_ids_for([proposal])[proposal.pk]
    return list(
        Membership.objects.filter(group_id=proposal.group_id, user_id__in=ids).select_related("user")
        .order_by("user__name", "user__email")
    )


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
    qs = Proposal.objects.filter(group=group).exclude(closed_at=None).select_related("author", "group", "winner")
    qs = matching(qs, q, ["title", "details", "statement"])  # accents and case aside
    return qs.order_by("-closed_at", "-id")
