"""Thin Celery tasks: the round mails, queued by results.services after commit (a failure to
send never propagates).

Registered under the names messages already queued carry.
"""

from celery import shared_task
from django.db import transaction

from allocations.models import Envelope
from buckets.models import Round
from groups.models import Membership
from notifications.models import Kind
from notifications.services import notify
from results.selectors import round_results


@shared_task(name="allocations.tasks.send_round_results", ignore_result=True)
def send_round_results(round_id: int) -> int:
    """Tell everyone in the group the results of a closed round (notify: in the app, and by
    mail as each chose). Returns how many people were notified."""
    round = Round.objects.select_related("group").filter(pk=round_id).first()
    if round is None or round.closed_at is None:
        return 0
    results = round_results(round)
    memberships = Membership.objects.filter(group=round.group, user__is_active=True).select_related("user").order_by("pk")
    return len(notify(
        users=[membership.user for membership in memberships],
        kind=Kind.ROUND_PHASE,
        template="results/email/round_results",
        context={"round": round, "results": results, "results_path": f"/rounds/{round.pk}/results/"},
        url=f"/rounds/{round.pk}/results/",
        group=round.group,
    ))


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
