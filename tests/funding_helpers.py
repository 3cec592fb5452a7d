"""Set-up shared by the funding tests: a round in a given phase, published buckets.

Time passing is simulated by moving the round's dates (plain ORM writes on the timestamps
only); every write of money goes through the services.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from allocations import services as allocation_services
from buckets import services as bucket_services
from buckets.models import Round


def make_round(group, admin, *, phase="funding", kind="fixed", envelope="430.00", publish=True, **extra):
    now = timezone.now()
    fields = {"title": "Round 2026", "kind": kind, "envelope_amount": Decimal(envelope)}
    if kind == "fixed":
        fields.update(
            proposals_open_at=now - timedelta(days=10),
            funding_opens_at=now + timedelta(days=5),
            funding_closes_at=now + timedelta(days=15),
            meeting_at=now + timedelta(days=16),
        )
    fields.update(extra)
    round = bucket_services.create_round(group=group, actor=admin, **fields)
    if publish:
        allocation_services.publish_round(round=round, actor=admin)
    round.refresh_from_db()
    if phase == "funding" and kind == "fixed":
        open_funding(round)
    return round


def open_funding(round):
    """As if the clock had reached funding_opens_at."""
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(funding_opens_at=now - timedelta(minutes=1))
    round.refresh_from_db()
    return round


def pass_deadline(round):
    """As if the clock had passed funding_closes_at (no worker has closed the round)."""
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        funding_opens_at=now - timedelta(days=2), funding_closes_at=now - timedelta(seconds=1), meeting_at=now + timedelta(days=1)
    )
    round.refresh_from_db()
    return round


def make_bucket(round, creator, *, title="Bucket", min_amount="100.00", max_amount="300.00", coleads=(), publish=True):
    """A bucket created and published while the round accepts it (funding is opened after)."""
    phase_before = round.phase
    if phase_before == "funding" and round.kind == "fixed" and not round.buckets_during_funding:
        Round.objects.filter(pk=round.pk).update(buckets_during_funding=True)
        round.refresh_from_db()
    bucket = bucket_services.create_bucket(
        round=round,
        actor=creator,
        title=title,
        summary="A summary",
        description="Some **Markdown**",
        budget_items=[{"description": "Everything", "min_amount": Decimal(min_amount), "max_amount": Decimal(max_amount)}],
        coleads=list(coleads),
    )
    if publish:
        bucket_services.publish_bucket(bucket=bucket, actor=creator)
    if phase_before == "funding" and round.kind == "fixed":
        Round.objects.filter(pk=round.pk).update(buckets_during_funding=False)
    bucket.refresh_from_db()
    round.refresh_from_db()
    return bucket


def allocate(member, bucket, amount, actor=None):
    return allocation_services.set_allocation(member=member, bucket=bucket, amount=Decimal(amount), actor=actor or member)
