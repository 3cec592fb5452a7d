"""On PostgreSQL the allocation rules run in the database (allocations_set_allocation, migrations
allocations/0006 and 0009); on SQLite in Python. Here both run on PostgreSQL, on the same random
operations from the same state, and every outcome must be the same: the result, the refusal
(code and message), and every row written, the funding of a bucket in a permanent round
included."""

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections, models, transaction
from django.utils import timezone

from allocations import services
from allocations.models import Allocation, AllocationNotice, Envelope, LedgerEntry
from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from tests.conftest import requires_postgres
from tests.funding_helpers import make_bucket, make_round

pytestmark = [requires_postgres]


def _rows(queryset, moments):
    """Every column of every row, in id order. The two implementations read the clock at
    different instants: a timestamp is compared as the ledger row written at that same instant
    (its place in the round's ledger), the clock of the allocation that wrote it."""
    fields = [f.attname for f in queryset.model._meta.concrete_fields]
    rows = []
    for row in queryset.order_by("pk").values_list(*fields):
        rows.append(tuple(("written with ledger row", moments[value]) if value in moments else value
                          for value in row))
    return rows


def _state(round):
    entries = LedgerEntry.objects.filter(round=round)
    moments = {when: place for place, when in enumerate(entries.order_by("id").values_list("created_at", flat=True))}
    ledger = [
        tuple(row[:-1]) + (("written with ledger row", moments[row[-1]]),)
        for row in entries.order_by("id").values_list("member_id", "actor_id", "bucket_id", "kind", "before", "after",
                                                      "note", "created_at")
    ]
    places = {pk: place for place, pk in enumerate(entries.order_by("id").values_list("pk", flat=True))}
    allocations = [row[1:] for row in _rows(Allocation.objects.filter(bucket__round=round), moments)]  # not the id
    return (
        sorted(allocations),
        _rows(Envelope.objects.filter(round=round), moments),
        _rows(Bucket.objects.filter(round=round), moments),
        ledger,
        sorted(places[pk] for pk in AllocationNotice.objects.filter(entry__round=round).values_list("entry_id", flat=True)),
    )


def _run(implementation, **kwargs):
    try:
        result = implementation(**kwargs)
    except DomainError as exc:
        return ("refused", exc.code, str(exc.detail), exc.status)
    # As text: a sign or a scale that differs shows (Decimal("-0") == Decimal("0.00")).
    return ("done", str(result.amount), str(result.bucket_total), str(result.envelope_remaining), result.funded)


def _both(**kwargs):
    """Each implementation from the same state (the Python one rolled back); the database's
    is kept."""
    sid = transaction.savepoint()
    by_python = _run(services._set_allocation_python, **kwargs), _state(kwargs["bucket"].round)
    transaction.savepoint_rollback(sid)
    by_database = _run(services._set_allocation_postgres, **kwargs), _state(kwargs["bucket"].round)
    return by_python, by_database


def _outcome(result):
    if result[0] == "refused":
        return result[1]
    return "funded" if result[-1] else "done"


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
        by_python, by_database = _both(**kwargs)
        assert by_database == by_python, (step, kwargs)
        outcomes.add(_outcome(by_database[0]))
    # The walk went through every rule, so that each was compared.
    expected = {"done", "envelope_exceeded", "per_bucket_cap_exceeded", "bucket_max_exceeded", "no_envelope",
                "bucket_not_open", "round_closed"}
    assert expected <= outcomes, outcomes
    if kind == "fixed":
        assert "funded" not in outcomes  # a fixed-dates round funds its buckets by closing only


@pytest.mark.django_db
def test_permanent_buckets_are_funded_alike_by_both(group, admin_user, member, member2, contributor):
    """A permanent round where buckets keep reaching their max goal: the allocation that fills
    one funds it, in both implementations alike (status, funded_at, decided_at, funded_amount,
    the announcement left to the sweep), and a funded bucket's allocations no longer change,
    neither raised nor lowered nor removed. A funded bucket is replaced by a new one, so that
    the walk keeps funding."""
    round = make_round(group, admin_user, kind="permanent", envelope="250.00", max_per_member_per_bucket="40.00")
    goals = ["30.00", "45.00", "60.00", "80.00"]
    buckets = [make_bucket(round, member2, title=f"Goal {goal}", min_amount="10.00", max_amount=goal) for goal in goals]
    people = [member, member2, admin_user, contributor]
    rng = random.Random("allocations-permanent")
    outcomes, funded, refused_on_funded = [], [], set()
    for step in range(400):
        who = rng.choice(people)
        actor = admin_user if rng.random() < 0.1 else who
        bucket = rng.choice(buckets + funded[-3:])  # now and then a funded one
        amount = Decimal(rng.choice([0, 5, 10, 15, 20, 25, 30, 40, 45])).quantize(Decimal("0.01"))
        mine = Allocation.objects.filter(bucket=bucket, envelope__user=who).values_list("amount", flat=True).first()
        by_python, by_database = _both(member=who, bucket=bucket, amount=amount, actor=actor, now=None)
        assert by_database == by_python, (step, who, bucket, amount)
        outcome = _outcome(by_database[0])
        outcomes.append(outcome)
        if bucket in funded:
            assert outcome == "bucket_not_open", outcome  # even the same amount again
            if outcome == "bucket_not_open" and mine is not None:
                refused_on_funded.add("removed" if amount == 0 else "lowered" if amount < mine else "raised")
        if outcome == "funded":
            buckets.remove(bucket)
            funded.append(bucket)
            buckets.append(make_bucket(round, member2, title=f"After {step}", min_amount="10.00",
                                       max_amount=rng.choice(goals)))
    assert outcomes.count("funded") >= 10, outcomes
    assert {"done", "envelope_exceeded", "per_bucket_cap_exceeded", "bucket_max_exceeded", "no_envelope"} <= set(outcomes)
    assert refused_on_funded == {"removed", "lowered", "raised"}, refused_on_funded
    rows = Bucket.objects.filter(pk__in=[b.pk for b in funded])
    for bucket in rows:
        assert bucket.status == Bucket.Status.FUNDED and bucket.total == bucket.max_goal == bucket.funded_amount
        assert bucket.funded_at == bucket.decided_at is not None and bucket.funding_announced_at is None
        last = LedgerEntry.objects.filter(bucket=bucket).order_by("id").last()
        assert last.created_at == bucket.funded_at  # funded by that allocation, in its transaction
    assert not Bucket.objects.filter(round=round, status=Bucket.Status.OPEN, total=models.F("max_goal")).exists()


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
