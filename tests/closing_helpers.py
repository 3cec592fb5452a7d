"""Set-up shared by the closing, results and export tests.

Money moves only through helper A's services (publish_round, set_allocation); time passing
is simulated by moving the round's timestamps with plain ORM writes.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from allocations import services as allocation_services
from allocations.ledger import ledger_differences
from buckets import services as bucket_services
from buckets.models import Bucket, Round


def make_round(group, admin, *, title="Round 2026", envelope="430.00", funded="100", decide=None, **extra) -> Round:
    """A published fixed round in its proposals phase (buckets can be created)."""
    now = timezone.now()
    fields = {
        "title": title,
        "kind": "fixed",
        "envelope_amount": Decimal(envelope),
        "proposals_open_at": now - timedelta(days=10),
        "funding_opens_at": now + timedelta(days=5),
        "funding_closes_at": now + timedelta(days=15),
        "meeting_at": now + timedelta(days=16),
        "funded_if_percent_of_min": Decimal(funded),
        "decide_if_percent_of_min": Decimal(decide) if decide is not None else None,
    }
    fields.update(extra)
    round = bucket_services.create_round(group=group, actor=admin, **fields)
    allocation_services.publish_round(round=round, actor=admin)
    round.refresh_from_db()
    return round


def open_funding(round) -> Round:
    """As if the clock had reached funding_opens_at."""
    Round.objects.filter(pk=round.pk).update(funding_opens_at=timezone.now() - timedelta(minutes=1))
    round.refresh_from_db()
    return round


def pass_deadline(round, *, seconds_ago=1) -> Round:
    """As if the clock had passed funding_closes_at (no worker has closed the round yet)."""
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        funding_opens_at=now - timedelta(days=2),
        funding_closes_at=now - timedelta(seconds=seconds_ago),
        meeting_at=now + timedelta(days=1),
    )
    round.refresh_from_db()
    return round


def make_bucket(round, creator, *, title="Bucket", min_amount="200.00", max_amount=None) -> Bucket:
    """A published bucket (the round must be in its proposals phase)."""
    bucket = bucket_services.create_bucket(
        round=round,
        actor=creator,
        title=title,
        summary="A summary",
        budget_items=[
            {
                "description": "Everything",
                "min_amount": Decimal(min_amount),
                "max_amount": Decimal(max_amount or Decimal(min_amount) * 2 or "100.00"),
            }
        ],
    )
    bucket_services.publish_bucket(bucket=bucket, actor=creator)
    bucket.refresh_from_db()
    return bucket


def allocate(member, bucket, amount, actor=None):
    return allocation_services.set_allocation(
        member=member, bucket=bucket, amount=Decimal(amount), actor=actor or member
    )


def statuses(round) -> dict[str, str]:
    return dict(Bucket.objects.filter(round=round).values_list("title", "status"))


def assert_ledger_clean(round=None):
    problems = ledger_differences(round_ids=[round.pk] if round is not None else None)
    assert problems == []


# --- the child process of the SIGKILL test ----------------------------------------------------

CHILD_CODE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobudget.settings")
import django
django.setup()
from tests.closing_helpers import close_and_hang
close_and_hang(int(sys.argv[1]))
"""


def close_and_hang(round_id: int) -> None:
    """Start closing the round; once every status is updated and every proposal opened,
    inside the still-open transaction, print PAUSED and sleep until killed."""
    import time

    from results import services as closing

    original = closing._open_decision_proposals

    def open_then_hang(**kwargs):
        original(**kwargs)
        print("PAUSED", flush=True)
        time.sleep(600)

    closing._open_decision_proposals = open_then_hang
    closing.close_round(round=Round.objects.get(pk=round_id))
    print("NOT KILLED", flush=True)
