"""Allocations to my bucket reach its co-leads after commit, gathered at most hourly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cobudget.errors import DomainError
from notifications.delivery import flush_batches
from notifications.models import Kind, Notification
from tests.builders import allocate, make_bucket, make_round


@pytest.fixture
def bucket(group, admin_user, member2):
    round = make_round(group, admin_user, phase="funding")
    return make_bucket(round, member2, title="Shared garden")


@pytest.mark.django_db
def test_coleads_get_one_mail_an_hour_for_allocations(bucket, member, admin_user, member2, django_capture_on_commit_callbacks, mailoutbox):
    for person, amount in ((member, "20.00"), (admin_user, "30.00"), (member, "25.00")):
        with django_capture_on_commit_callbacks(execute=True):  # each allocation its own commit
            allocate(person, bucket, amount)
    assert [m.to for m in mailoutbox] == [[member2.email]]
    assert Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION, user=member2).count() == 3
    assert "Shared garden" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        flush_batches(now=timezone.now() + timedelta(minutes=61))
    # The sweep also sends set-up mails whose after-commit task never ran in this test
    # (publishing announcements); count the allocation mails only.
    allocation_mails = [m for m in mailoutbox if "allocation" in m.subject.lower()]
    assert len(allocation_mails) == 2 and "2 new allocations" in allocation_mails[1].subject


@pytest.mark.django_db
def test_a_refused_allocation_tells_nobody(bucket, member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        allocate(member, bucket, "431.00")
    assert mailoutbox == [] and not Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION).exists()


@pytest.mark.django_db
def test_allocating_to_my_own_bucket_does_not_notify_me(bucket, member2, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        allocate(member2, bucket, "10.00")
    assert mailoutbox == []
