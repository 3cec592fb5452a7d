"""Rule 6 on PostgreSQL with real threads on separate connections: many requests aiming at
the same envelope and the same nearly full bucket break no rule, never deadlock, never fail
with a server error, and leave check_ledger clean."""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from allocations import services
from allocations.models import Envelope
from buckets.models import Bucket
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import User
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import requires_postgres

THREADS = 16


def run_concurrently(jobs):
    """Start every job at once (a barrier); return (results, unexpected exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results, unexpected = [], []
    lock = threading.Lock()

    def worker(job):
        try:
            barrier.wait(timeout=30)
            outcome = job()
            with lock:
                results.append(("ok", outcome))
        except DomainError as exc:
            with lock:
                results.append(("refused", exc.code))
        except Exception as exc:  # a deadlock or a server error: the test fails
            with lock:
                unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results, unexpected


def people(group, admin, n):
    users = []
    for i in range(n):
        email = f"racer{i:02d}@example.org"
        group_services.add_member(group=group, email=email, actor=admin, send_invitation=False)
        users.append(User.objects.get(email=email))
    return users


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_many_members_racing_for_the_last_euros_of_a_bucket(group, admin_user, member):
    round = make_round(group, admin_user)
    racers = people(group, admin_user, THREADS)
    bucket = make_bucket(round, member, max_amount="300.00")
    allocate(member, bucket, "290.00")  # nearly full: 10.00 left
    results, unexpected = run_concurrently([lambda u=u: allocate(u, bucket, "4.00") for u in racers])
    assert unexpected == []
    oks = [r for r in results if r[0] == "ok"]
    assert len(oks) == 2
    assert {r[1] for r in results if r[0] == "refused"} == {"bucket_max_exceeded"}
    bucket.refresh_from_db()
    assert bucket.total == Decimal("298.00") and bucket.contributors_count == 3
    call_command("check_ledger")


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_member_racing_with_themself_over_one_envelope(group, admin_user, member):
    round = make_round(group, admin_user)
    buckets = [make_bucket(round, member, title=f"B{i}", max_amount="1000.00") for i in range(THREADS)]
    results, unexpected = run_concurrently([lambda b=b: allocate(member, b, "100.00") for b in buckets])
    assert unexpected == []
    assert sum(1 for r in results if r[0] == "ok") == 4
    assert {r[1] for r in results if r[0] == "refused"} == {"envelope_exceeded"}
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("400.00")
    call_command("check_ledger")


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_allocations_withdrawals_merges_and_envelope_changes_at_once(group, admin_user, member):
    round = make_round(group, admin_user, max_per_member_per_bucket="150.00")
    racers = people(group, admin_user, THREADS)
    full = make_bucket(round, member, title="Nearly full", max_amount="300.00")
    a = make_bucket(round, member, title="A", max_amount="2000.00")
    b = make_bucket(round, member, title="B", max_amount="2000.00")
    allocate(member, full, "150.00")
    allocate(admin_user, full, "145.00")  # nearly full: 5.00 left
    for u in racers[:8]:
        allocate(u, a, "50.00")
    jobs = []
    for i, u in enumerate(racers):
        jobs.append(lambda u=u: allocate(u, full, "3.00"))
        jobs.append(lambda u=u, i=i: allocate(u, a if i % 2 else b, "150.00"))
        jobs.append(lambda u=u: allocate(u, b, "140.00"))
        jobs.append(lambda u=u: services.set_envelope_amount(round=round, user=u, amount=Decimal("200.00"), actor=admin_user))
    jobs.append(lambda: services.merge_bucket(bucket=a, into=b, actor=member))
    jobs.append(lambda: services.withdraw_bucket(bucket=full, actor=member))
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    allowed = {"bucket_max_exceeded", "envelope_exceeded", "bucket_not_open", "envelope_below_allocated"}
    assert {r[1] for r in results if r[0] == "refused"} <= allowed
    for envelope in Envelope.objects.filter(round=round):
        assert envelope.allocated <= envelope.amount
    for bucket in Bucket.objects.filter(round=round):
        assert bucket.total <= bucket.max_goal
    call_command("check_ledger")
