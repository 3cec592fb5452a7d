"""Closing happens once, whatever happens: twice in a row, an admin's close and a sweep,
sixteen threads at once on PostgreSQL — one and the same result, the ledger untouched."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from allocations.models import LedgerEntry
from allocations.selectors import round_totals
from buckets.models import Bucket, Round
from proposals.models import Proposal
from results import services as closing
from tests.builders import (
    allocate,
    assert_ledger_clean,
    make_bucket,
    make_round,
    open_funding,
    pass_deadline,
    statuses,
)
from tests.conftest import requires_postgres

EXPECTED = {"Funded": "funded", "To decide": "to_decide", "Lost": "not_funded"}


def _round(group, admin_user, member, member2):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round, member, title="Funded", min_amount="300.00", max_amount="600.00")
    decide = make_bucket(round, member, title="To decide", min_amount="400.00", max_amount="800.00")
    lost = make_bucket(round, member2, title="Lost", min_amount="1000.00", max_amount="2000.00")
    open_funding(round)
    allocate(member, funded, "300.00")
    allocate(member2, decide, "250.00")
    allocate(member2, lost, "10.00")
    return round


def _snapshot(round):
    round.refresh_from_db()
    return {
        "closed_at": round.closed_at,
        "statuses": statuses(round),
        "decided_at": dict(Bucket.objects.filter(round=round).values_list("title", "decided_at")),
        "proposals": list(Proposal.objects.filter(bucket__round=round).values_list("bucket__title", "closes_at")),
        "totals": round_totals(round),
        "ledger": LedgerEntry.objects.filter(round=round).count(),
    }


@pytest.mark.django_db
def test_closing_twice_gives_the_same_result(group, admin_user, member, member2):
    round = _round(group, admin_user, member, member2)
    ledger_before = LedgerEntry.objects.filter(round=round).count()
    assert closing.close_round(round=round, actor=admin_user) is True
    first = _snapshot(round)
    assert closing.close_round(round=round, actor=admin_user) is False
    assert closing.close_due_rounds() == 0
    assert _snapshot(round) == first
    assert first["statuses"] == EXPECTED
    assert first["ledger"] == ledger_before  # closing moves no money
    assert len(first["proposals"]) == 1
    assert_ledger_clean(round)


@pytest.mark.django_db
def test_an_admins_early_close_then_the_sweep_at_the_deadline(group, admin_user, member, member2):
    round = _round(group, admin_user, member, member2)
    closing.close_round(round=round, actor=admin_user)
    first = _snapshot(round)
    pass_deadline(round)
    assert closing.close_due_rounds() == 0
    after = _snapshot(round)
    assert after["closed_at"] == first["closed_at"]
    assert after["statuses"] == first["statuses"] and after["proposals"] == first["proposals"]


@pytest.mark.django_db
def test_a_closed_round_refuses_allocations(group, admin_user, member, member2):
    from cobudget.errors import DomainError

    round = _round(group, admin_user, member, member2)
    closing.close_round(round=round, actor=admin_user)
    with pytest.raises(DomainError) as refused:
        allocate(member2, Bucket.objects.get(round=round, title="Funded"), "1.00")
    assert refused.value.code in ("round_closed", "bucket_not_open")


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_closers_close_once(group, admin_user, member, member2):
    round = _round(group, admin_user, member, member2)
    pass_deadline(round)
    barrier = threading.Barrier(16)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            if i % 2:
                results.append(closing.close_round(round=Round.objects.get(pk=round.pk), actor=admin_user))
            else:
                results.append(closing.close_due_rounds())
        except Exception as exc:  # pragma: no cover — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == 16
    assert sum(int(r) for r in results) == 1  # one True (or one sweep counting 1), all others 0/False
    snapshot = _snapshot(round)
    assert snapshot["statuses"] == EXPECTED
    assert len(snapshot["proposals"]) == 1
    assert snapshot["totals"]["funded"] == Decimal("300.00")
    assert_ledger_clean(round)


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_allocations_racing_an_early_close_are_either_counted_or_refused(group, admin_user, member, member2):
    """An allocation in flight while the admin closes either lands before the totals are read
    (and counts in the result) or is refused: never a change after the statuses are set."""
    from cobudget.errors import DomainError

    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, title="Edge", min_amount="400.00", max_amount="800.00")
    open_funding(round)
    allocate(member, bucket, "399.00")
    barrier = threading.Barrier(9)
    outcomes = []

    def give(amount):
        try:
            barrier.wait(timeout=10)
            allocate(member2, Bucket.objects.get(pk=bucket.pk), amount)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    def close():
        try:
            barrier.wait(timeout=10)
            closing.close_round(round=Round.objects.get(pk=round.pk), actor=admin_user)
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(f"{i + 1}.00",)) for i in range(8)]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert set(outcomes) <= {"ok", "round_closed", "bucket_not_open"}
    bucket.refresh_from_db()
    # The status agrees with the final total: the rule saw the last committed allocation.
    assert bucket.status == ("funded" if bucket.total >= Decimal("400.00") else "not_funded")
    assert_ledger_clean(round)
