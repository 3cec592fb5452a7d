"""Thin Celery tasks: the round mails, queued by results.services after commit (a failure to
send never propagates).

Registered under the names messages already queued carry.
"""

from celery import shared_task
from django.db import transaction

from allocations.models import Envelope
from buckets.models import Round
from groups.models import Membership
from notifications.models import Kind, Mode, Preference
from notifications.services import notify
from proposals.models import Proposal
from proposals.selectors import voters_of
from results.selectors import round_results


@shared_task(name="allocations.tasks.send_round_results", ignore_result=True)
def send_round_results(round_id: int) -> int:
    """Tell everyone in the group the results of a closed round, in ONE message each (in the
    app, and by mail as each chose): the results, and for the voters the proposals that
    closing opened for the buckets to decide (closing does not announce those separately).

    A voter who turned off the round mails but not the proposal mails still gets this one
    message, as a proposal mail, since it asks for their vote. Returns how many people were
    notified."""
    round = Round.objects.select_related("group").filter(pk=round_id).first()
    if round is None or round.closed_at is None:
        return 0
    results = round_results(round)
    proposals = list(
        Proposal.objects.filter(bucket__round=round, settles_bucket=True, closed_at=None).select_related("bucket")
        .order_by("closes_at", "pk")
    )
    voter_ids = set()
    for proposal in proposals:
        voter_ids.update(voter.pk for voter in voters_of(proposal))
    people = [m.user for m in Membership.objects.filter(group=round.group, user__is_active=True)
              .select_related("user").order_by("pk")]
    voters = [person for person in people if person.pk in voter_ids]
    by_proposal_mail = _prefer_proposal_mails(voters)
    context = {"round": round, "results": results, "results_path": f"/rounds/{round.pk}/results/"}
    sent = 0
    for kind, users, asked in (
        (Kind.ROUND_PHASE, [p for p in people if p.pk not in voter_ids], []),
        (Kind.ROUND_PHASE, [p for p in voters if p.pk not in by_proposal_mail], proposals),
        (Kind.PROPOSAL, [p for p in voters if p.pk in by_proposal_mail], proposals),
    ):
        if users:
            sent += len(notify(users=users, kind=kind, template="results/email/round_results",
                               context={**context, "proposals": asked}, url=f"/rounds/{round.pk}/results/",
                               group=round.group))
    return sent


def _prefer_proposal_mails(users) -> set[int]:
    """The people who get no round mails but do get proposal mails."""
    modes = {(user_id, kind): mode for user_id, kind, mode in Preference.objects.filter(
        user__in=users, kind__in=[Kind.ROUND_PHASE, Kind.PROPOSAL]).values_list("user_id", "kind", "mode")}
    return {
        user.pk for user in users
        if modes.get((user.pk, Kind.ROUND_PHASE)) == Mode.NEVER and modes.get((user.pk, Kind.PROPOSAL)) != Mode.NEVER
    }


@shared_task(name="allocations.tasks.send_closing_reminder", ignore_result=True)
def send_closing_reminder(round_id: int) -> int:
    """Tell every member with an envelope in the round: funding closes in 48 hours."""
    round = Round.objects.select_related("group").filter(pk=round_id).first()
    if round is None or round.closed_at is not None:
        return 0
    sent = 0
    envelopes = Envelope.objects.filter(round=round, user__is_active=True).select_related("user").order_by("pk")
    with transaction.atomic():
        for envelope in envelopes:
            sent += len(notify(
                users=[envelope.user],
                kind=Kind.ROUND_PHASE,
                template="results/email/closing_reminder",
                context={"round": round, "envelope": envelope, "round_path": f"/rounds/{round.pk}/"},
                url=f"/rounds/{round.pk}/",
                group=round.group,
            ))
    return sent
