"""On PostgreSQL the allocation rules run in the database (allocations_set_allocation, migration
allocations/0006); on SQLite in Python. Here both run on PostgreSQL, on the same random
operations from the same state, and every outcome must be the same: the result, the refusal
(code and message), and every row written."""

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.utils import timezone

from allocations import services
from allocations.models import Allocation, AllocationNotice, Envelope, LedgerEntry
from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from tests.builders import make_bucket, make_round
from tests.conftest import requires_postgres

pytestmark = [requires_postgres]


def _state(round):
    return (
        list(Allocation.objects.filter(bucket__round=round).order_by("envelope_id", "bucket_id")
             .values_list("envelope_id", "bucket_id", "amount")),
        list(Envelope.objects.filter(round=round).order_by("id").values_list("id", "allocated")),
        list(Bucket.objects.filter(round=round).order_by("id").values_list("id", "total", "contributors_count")),
        list(LedgerEntry.objects.filter(round=round).order_by("id")
             .values_list("member_id", "actor_id", "bucket_id", "kind", "before", "after", "note")),
        AllocationNotice.objects.filter(entry__round=round).count(),
    )


def _run(implementation, **kwargs):
    try:
        result = implementation(**kwargs)
    except DomainError as exc:
        return ("refused", exc.code, str(exc.detail), exc.status)
    # As text: a sign or a scale that differs shows (Decimal("-0") == Decimal("0.00")).
    return ("done", str(result.amount), str(result.bucket_total), str(result.envelope_remaining))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["fixed", "permanent"])
def test_the_database_function_decides_as_the_python_rules(kind, group, admin_user, member, member2, contributor):
    round = make_round(group, admin_user, kind=kind, envelope="100.00", max_per_member_per_bucket="60.00")
    buckets = [
        make_bucket(round, member2, title="Small", min_amount="10.00", max_amount="50.00"),
        make_bucket(round, member2, title="Large", min_amount="10.00", max_amount="150.00"),
        make_bucket(round, member2, title="Draft", publish=False),
    ]
    people = [member, member2, admin_user, contributor]
    rng = random.Random(f"allocations-{kind}")
    now = timezone.now()
    outcomes = set()
    for step in range(400):
        if step == 300 and kind == "fixed":  # the last steps after the deadline, not yet closed by the worker
            when = now + timedelta(days=30)
        elif step == 350:  # then closed
            Round.objects.filter(pk=round.pk).update(closed_at=now)
            when = None
        else:
            when = None
        if rng.random() < 0.03:  # a bucket leaves funding meanwhile
            Bucket.objects.filter(pk=rng.choice(buckets[:2]).pk).update(status=rng.choice(["funded", "open"]))
        who = rng.choice(people)
        actor = admin_user if rng.random() < 0.1 else who
        bucket = rng.choice(buckets)
        amount = Decimal(rng.choice([0, 0, 1, 5, 10, 20, 35, 49.99, 50, 60, 60.01, 100, 150]))
        amount = amount.quantize(Decimal("0.01"))
        kwargs = dict(member=who, bucket=bucket, amount=amount, actor=actor, now=when)
        sid = transaction.savepoint()
        by_python = _run(services._set_allocation_python, **kwargs), _state(round)
        transaction.savepoint_rollback(sid)
        by_database = _run(services._set_allocation_postgres, **kwargs), _state(round)
        assert by_database == by_python, (step, kwargs)
        outcomes.add(by_database[0][1] if by_database[0][0] == "refused" else "done")
    # The walk went through every rule, so that each was compared.
    expected = {"done", "envelope_exceeded", "per_bucket_cap_exceeded", "bucket_max_exceeded", "no_envelope",
                "bucket_not_open", "round_closed"}
    assert expected <= outcomes, outcomes


@pytest.mark.django_db
def test_before_funding_both_say_not_yet(group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member2)
    for implementation in (services._set_allocation_python, services._set_allocation_postgres):
        assert _run(implementation, member=member, bucket=bucket, amount=Decimal("1.00"), actor=member, now=None)[1] \
            == "round_not_funding"
    unpublished = make_round(group, admin_user, publish=False, phase="draft")
    Round.objects.filter(pk=unpublished.pk).update(funding_opens_at=timezone.now() - timedelta(days=1))
    bucket.round = unpublished
    for implementation in (services._set_allocation_python, services._set_allocation_postgres):
        assert _run(implementation, member=member, bucket=bucket, amount=Decimal("1.00"), actor=member, now=None)[1] \
            == "round_not_funding"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("implementation", ["_set_allocation_postgres", "_set_allocation_python"])
def test_a_request_that_waited_for_a_busy_bucket_past_the_deadline_is_refused(implementation, group, admin_user,
                                                                              member, member2):
    """The clock is read after the locks: in the last seconds of a round, a request queued
    behind others on a popular bucket and let through after the deadline is too late (rule 8)."""
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    deadline = timezone.now() + timedelta(seconds=1.5)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=deadline, meeting_at=deadline + timedelta(days=1))
    locked, release = threading.Event(), threading.Event()

    def hold_the_bucket():
        try:
            with transaction.atomic():
                Bucket.objects.select_for_update().get(pk=bucket.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_bucket)
    holder.start()
    assert locked.wait(10)
    threading.Timer((deadline - timezone.now()).total_seconds() + 0.3, release.set).start()
    started = timezone.now()
    outcome = _run(getattr(services, implementation), member=member, bucket=bucket, amount=Decimal("5.00"),
                   actor=member, now=None)
    holder.join(10)
    assert started < deadline < timezone.now()  # it was sent before the deadline, answered after
    assert outcome[:2] == ("refused", "round_closed")
    assert not Allocation.objects.filter(bucket=bucket).exists()
