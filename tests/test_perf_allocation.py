"""The co-leads' notice of an allocation is a queued task, not the request's work (bench
target 1): the allocation commits, then the task is queued; a broker that is down never
makes the allocation fail; run by a worker, it still tells the co-leads."""

import logging
from decimal import Decimal

from allocations import tasks
from allocations.models import Allocation
from notifications.models import Notification
from tests.funding_helpers import allocate, make_bucket, make_round


def test_the_notice_is_queued_after_commit_with_the_amounts(group, admin_user, member, member2, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    queued = []
    monkeypatch.setattr(tasks.notify_allocation_changed, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        allocate(member, bucket, "12.50")
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [(bucket.pk, member.pk, "0.00", "12.50")]
    assert not Notification.objects.filter(url=f"/buckets/{bucket.pk}/").exists()  # the request told no one


def test_a_broker_down_never_fails_the_allocation(group, admin_user, member, member2, monkeypatch, caplog,
                                                  django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)

    def broker_down(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.notify_allocation_changed, "delay", broker_down)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        result = allocate(member, bucket, "30.00")
    assert result.amount == Decimal("30.00")
    assert Allocation.objects.get(bucket=bucket).amount == Decimal("30.00")
    assert "allocation notice of bucket" in caplog.text


def test_the_worker_tells_the_coleads(group, admin_user, member, member2, django_capture_on_commit_callbacks):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process in the tests
        allocate(member, bucket, "20.00")
    told = Notification.objects.filter(url=f"/buckets/{bucket.pk}/")
    assert list(told.values_list("user_id", flat=True)) == [member2.pk]
