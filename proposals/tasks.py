"""Thin Celery tasks: the proposal's mails, queued by the services after commit."""

from celery import shared_task

from cobudget.mail import send_templated
from groups.models import User
from proposals import selectors
from proposals.models import Proposal


def _proposal(proposal_id: int) -> Proposal | None:
    return Proposal.objects.select_related("group", "author").filter(pk=proposal_id).first()


@shared_task(ignore_result=True)
def notify_opened(proposal_id: int) -> int:
    """Tell every voter that a proposal awaits their vote."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is not None:
        return 0
    sent = 0
    for voter in selectors.voters_of(proposal):
        sent += send_templated(user=voter, template="proposals/email/opened", context={"proposal": proposal})
    return sent


@shared_task(ignore_result=True)
def send_reminder(proposal_id: int) -> int:
    """Remind the voters who have not voted yet (sent once, 24 hours before close)."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is not None:
        return 0
    voted = selectors.live_tallies([proposal])[proposal.pk].voted_ids
    sent = 0
    for voter in selectors.voters_of(proposal):
        if voter.pk not in voted:
            sent += send_templated(user=voter, template="proposals/email/reminder", context={"proposal": proposal})
    return sent


@shared_task(ignore_result=True)
def notify_closed(proposal_id: int) -> int:
    """Tell everyone in the group the outcome."""
    proposal = _proposal(proposal_id)
    if proposal is None or proposal.closed_at is None:
        return 0
    tally = selectors.frozen_tally(proposal)
    sent = 0
    for person in User.objects.filter(memberships__group_id=proposal.group_id).order_by("pk"):
        sent += send_templated(
            user=person, template="proposals/email/closed", context={"proposal": proposal, "tally": tally}
        )
    return sent
