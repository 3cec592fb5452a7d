"""Thin Celery tasks: the proposal's mails, queued by the services after commit."""

from celery import shared_task

from groups.models import User
from notifications.models import Kind
from notifications.services import notify
from proposals import selectors
from proposals.models import Proposal


def _proposal(proposal_id: int) -> Proposal | None:
    return Proposal.objects.select_related("group", "author", "winner").filter(pk=proposal_id).first()


def _notify(proposal: Proposal, users, template: str, context: dict) -> int:
    """In the app, and by mail as each person chose (notifications.notify)."""
    return len(notify(users=users, kind=Kind.PROPOSAL, template=template, context=context,
                      url=f"/proposals/{proposal.pk}/", group=proposal.group))


@shared_task(ignore_result=True)
def notify_opened(proposal_id: int) -> int:
    """Tell every voter that a proposal awaits their vote."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is not None:
        return 0
    return _notify(proposal, selectors.voters_of(proposal), "proposals/email/opened", {"proposal": proposal})


@shared_task(ignore_result=True)
def notify_opened_many(proposal_ids: list[int]) -> int:
    """notify_opened for proposals opened together (a round's buckets to decide)."""
    return sum(notify_opened(proposal_id) for proposal_id in proposal_ids)


@shared_task(ignore_result=True)
def send_reminder(proposal_id: int) -> int:
    """Remind the voters who have not voted yet (sent once, 24 hours before close)."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is not None:
        return 0
    voted = selectors.live_tallies([proposal])[proposal.pk].voted_ids
    waiting = [voter for voter in selectors.voters_of(proposal) if voter.pk not in voted]
    return _notify(proposal, waiting, "proposals/email/reminder", {"proposal": proposal})


@shared_task(ignore_result=True)
def notify_closed(proposal_id: int) -> int:
    """Tell everyone in the group the outcome."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is None:
        return 0
    tally = selectors.frozen_tally(proposal)
    winner = proposal.winner.label if proposal.winner_id else None
    people = User.objects.filter(memberships__group_id=proposal.group_id).order_by("pk")
    return _notify(proposal, people, "proposals/email/closed", {"proposal": proposal, "tally": tally, "winner": winner})
