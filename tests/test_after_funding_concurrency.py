"""Completion and cancellation on PostgreSQL with real threads: they take the round, the
funders' envelopes, then the bucket — the order of every allocation — so that funders
allocating elsewhere at the same moment never deadlock with them; and two people completing
or cancelling the same bucket at once do it exactly once."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from allocations import after_funding
from allocations.models import Envelope, LedgerEntry
from buckets.models import Bucket
from tests.builders import allocate, funded_in_fund, make_bucket, permanent_round, record_paid
from tests.conftest import requires_postgres
from tests.test_allocation_concurrency import people, run_concurrently

D = Decimal
FUNDERS = 12


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cancelling_while_its_funders_allocate_elsewhere(group, admin_user, member):
    round = permanent_round(group, admin_user, envelope="100.00")
    funders = people(group, admin_user, FUNDERS)
    bucket = funded_in_fund(round, member, {u: "60.00" for u in funders}, max_amount="2000.00")
    other = make_bucket(round, member, title="Atelier", min_amount="10.00", max_amount="5000.00")
    # Each funder asks for 70 on the other bucket: 40 fit before the cancellation, 70 after it.
    jobs = [lambda: after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="Abandonné")]
    jobs += [lambda u=u: allocate(u, other, "70.00") for u in funders]
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert {r[1] for r in results if r[0] == "refused"} <= {"envelope_exceeded"}
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.NOT_FUNDED and bucket.total == D("0.00")
    assert bucket.returned_amount == D("60.00") * FUNDERS
    assert LedgerEntry.objects.filter(bucket=bucket, kind=LedgerEntry.Kind.RETURN).count() == FUNDERS
    for envelope in Envelope.objects.filter(round=round, user__in=funders):
        assert envelope.allocated <= envelope.amount
    call_command("check_ledger")


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_completing_and_cancelling_the_same_bucket_at_once_happens_once(group, admin_user, accountant, member):
    round = permanent_round(group, admin_user)
    funders = people(group, admin_user, 4)
    for attempt in range(3):
        bucket = funded_in_fund(round, member, {u: "10.00" for u in funders}, title=f"Serre {attempt}")
        record_paid(bucket, "0.00")
        jobs = [lambda b=bucket: after_funding.complete_bucket(bucket=b, actor=accountant)] * 4
        jobs += [lambda b=bucket: after_funding.cancel_funding(bucket=b, actor=admin_user, reason="Doublon")] * 4
        results, unexpected = run_concurrently(jobs)
        assert unexpected == []
        assert len([r for r in results if r[0] == "ok"]) == 1
        assert {r[1] for r in results if r[0] == "refused"} <= {"bucket_completed", "funding_cancelled"}
        bucket.refresh_from_db()
        assert bucket.returned_amount == D("40.00")
        assert LedgerEntry.objects.filter(bucket=bucket, kind=LedgerEntry.Kind.RETURN).count() == 4
    call_command("check_ledger")
