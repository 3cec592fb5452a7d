"""Allocations to my bucket: at most one mail an hour, gathering what came meanwhile."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.delivery import flush_batches
from notifications.models import Kind, Mode, Notification
from notifications.services import set_preference
from tests.notify_helpers import send


@pytest.mark.django_db
def test_at_most_one_allocation_mail_an_hour(member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_ALLOCATION, title="Bob allocated €10.00 to Garden")
    assert len(mailoutbox) == 1
    assert "Bob allocated €10.00 to Garden" in mailoutbox[0].body
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_ALLOCATION, title="Carol allocated €20.00 to Garden")
        send([member], kind=Kind.BUCKET_ALLOCATION, title="Dan allocated €5.00 to Garden")
    assert len(mailoutbox) == 1, "a second mail within the hour"
    with django_capture_on_commit_callbacks(execute=True):
        assert flush_batches(now=timezone.now() + timedelta(minutes=30)) == 0
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert flush_batches(now=timezone.now() + timedelta(minutes=61)) == 1
    assert len(mailoutbox) == 2
    batch = mailoutbox[1]
    assert "2 new allocations" in batch.subject
    assert "Carol allocated €20.00 to Garden" in batch.body and "Dan allocated €5.00 to Garden" in batch.body
    assert "Bob" not in batch.body
    # Everything is out: a later flush sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert flush_batches(now=timezone.now() + timedelta(hours=3)) == 0
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(user=member, kind=Kind.BUCKET_ALLOCATION).count() == 3


@pytest.mark.django_db
def test_the_hour_is_counted_per_person(member, member2, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_ALLOCATION)
        send([member2], kind=Kind.BUCKET_ALLOCATION)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, member2.email])


@pytest.mark.django_db
def test_allocations_follow_digest_and_never(member, member2, django_capture_on_commit_callbacks, mailoutbox):
    set_preference(user=member, kind=Kind.BUCKET_ALLOCATION, mode=Mode.NEVER)
    set_preference(user=member2, kind=Kind.BUCKET_ALLOCATION, mode=Mode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        send([member, member2], kind=Kind.BUCKET_ALLOCATION)
        flush_batches(now=timezone.now() + timedelta(hours=2))
    assert mailoutbox == []


@pytest.mark.django_db
def test_turning_allocations_off_drops_what_waits(member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_ALLOCATION)
        send([member], kind=Kind.BUCKET_ALLOCATION, title="waiting")
    set_preference(user=member, kind=Kind.BUCKET_ALLOCATION, mode=Mode.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        flush_batches(now=timezone.now() + timedelta(hours=2))
    assert len(mailoutbox) == 1
