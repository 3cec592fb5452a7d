"""The co-leads' notice of an allocation goes through an outbox (bench target 1): the
allocation writes a notice row in its own transaction and never talks to the broker; the
sweep turns the rows into notifications, once each, and gathers one member's changes to one
bucket; a refused or rolled-back allocation leaves nothing to tell."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from allocations.models import Allocation, AllocationNotice
from cobudget.celery import app
from cobudget.errors import DomainError
from notifications.models import Kind, Notification
from results.sweep import sweep
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import on_postgres, requires_postgres


@pytest.fixture
def with_broker(monkeypatch):
    """As in production: tasks are queued for a worker (not run in-process), and a broker that
    is used at all fails the test."""
    monkeypatch.setattr(app.conf, "task_always_eager", False)

    def no_broker(*args, **kwargs):
        raise AssertionError("the allocation request talked to the broker")

    monkeypatch.setattr(app, "send_task", no_broker)


def told(bucket):
    return Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION, url=f"/buckets/{bucket.pk}/")


def test_the_allocation_writes_its_notice_and_the_sweep_tells_the_coleads(
        group, admin_user, member, member2, with_broker, django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    with django_capture_on_commit_callbacks(execute=True):
        allocate(member, bucket, "12.50")
    assert AllocationNotice.objects.count() == 1
    assert not told(bucket).exists()  # the request told no one
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep()
    assert result["allocation_notices"] == 1
    assert list(told(bucket).values_list("user_id", flat=True)) == [member2.pk]
    assert "12,50" in told(bucket).get().title or "12.50" in told(bucket).get().title
    assert not AllocationNotice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["allocation_notices"] == 0  # told once
    assert told(bucket).count() == 1


def test_one_members_changes_before_a_sweep_make_one_notice(
        group, admin_user, member, member2, with_broker, django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    back = make_bucket(round, member2, title="Back where it was")
    for amount in ("10.00", "25.00", "40.00"):
        allocate(member, bucket, amount)
    allocate(member, back, "5.00")
    allocate(member, back, "0")
    assert AllocationNotice.objects.count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["allocation_notices"] == 1
    notice = told(bucket).get()
    assert "40" in notice.title
    assert not told(back).exists()  # 0 → 5 → 0: nothing changed for its co-leads
    assert not AllocationNotice.objects.exists()


def test_a_refused_or_rolled_back_allocation_leaves_no_notice(group, admin_user, member, member2, with_broker):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    with pytest.raises(DomainError):
        allocate(member, bucket, "431.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate(member, bucket, "20.00")
        raise RuntimeError("the caller's transaction fails after the allocation")
    assert not Allocation.objects.exists()
    assert not AllocationNotice.objects.exists()


def test_without_a_broker_the_coleads_are_told_right_after_the_commit(
        group, admin_user, member, member2, django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process (make run, tests)
        allocate(member, bucket, "20.00")
    assert list(told(bucket).values_list("user_id", flat=True)) == [member2.pk]
    assert not AllocationNotice.objects.exists()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_coleads_once(group, admin_user, member, member2, with_broker):
    round = make_round(group, admin_user)
    buckets = [make_bucket(round, member2, title=f"Bucket {n}") for n in range(12)]
    for bucket in buckets:
        allocate(member, bucket, "3.00")
    assert AllocationNotice.objects.count() == 12
    barrier, errors = threading.Barrier(2), []

    def sweep():
        try:
            barrier.wait()
            from allocations import outbox

            outbox.tell_coleads(batch=5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION, user=member2).count() == 12
    assert sorted(Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION).values_list("url", flat=True)) == sorted(
        f"/buckets/{b.pk}/" for b in buckets
    )
    assert not AllocationNotice.objects.exists()
    assert Decimal(sum(a.amount for a in Allocation.objects.all())) == Decimal("36.00")


def test_a_notice_that_fails_after_the_commit_never_fails_the_allocation(
        group, admin_user, member, member2, monkeypatch, django_capture_on_commit_callbacks):
    from allocations import outbox

    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)

    def broken(**kwargs):
        raise RuntimeError("the notifications table is unreachable")

    monkeypatch.setattr(outbox, "tell_coleads", broken)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process: told after the commit
        result = allocate(member, bucket, "15.00")
    assert result.amount == Decimal("15.00")
    assert Allocation.objects.get(bucket=bucket).amount == Decimal("15.00")
    assert AllocationNotice.objects.count() == 1  # kept for the next try


def test_the_allocation_statements_are_seen_by_query_counting(group, admin_user, member, member2):
    from django.test.utils import CaptureQueriesContext

    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    with CaptureQueriesContext(connection) as captured:
        allocate(member, bucket, "9.00")
    statements = [q["sql"] for q in captured.captured_queries]
    if on_postgres():  # one call of the function of migration allocations/0006
        assert any("allocations_set_allocation(" in s for s in statements)
    else:
        assert any("allocations_envelope" in s for s in statements)
        assert any("INSERT INTO" in s and "allocations_ledgerentry" in s for s in statements)
    assert all(float(q["time"]) >= 0 for q in captured.captured_queries)
