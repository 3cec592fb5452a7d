"""The daily digest: once, at 07:00-07:59 in the group's time zone, then never again."""

import zoneinfo
from datetime import datetime, timedelta

import pytest

from notifications.delivery import send_due_digests
from notifications.models import Kind, Mode, Notification
from notifications.services import set_preference
from tests.notify_helpers import html_of, send


def at(hour, minute, tz="Europe/Paris"):
    return datetime(2030, 3, 12, hour, minute, tzinfo=zoneinfo.ZoneInfo(tz))


@pytest.fixture
def digest_member(member):
    for kind in (Kind.BUCKET_COMMENT, Kind.PROPOSAL):
        set_preference(user=member, kind=kind, mode=Mode.DIGEST)
    return member


@pytest.mark.django_db
def test_one_digest_at_seven_in_the_groups_time_zone(digest_member, group, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([digest_member], kind=Kind.BUCKET_COMMENT, title="New comment on Garden", url="/buckets/7/", group=group)
        send([digest_member], kind=Kind.PROPOSAL, title="Vote on the budget", group=group)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests(now=at(6, 0)) == 0
        assert send_due_digests(now=at(8, 0)) == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests(now=at(7, 0)) == 1
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == [digest_member.email]
    assert "2 new items" in digest.subject
    assert "New comment on Garden" in digest.body and "Vote on the budget" in digest.body
    assert "http://127.0.0.1:8000/buckets/7/" in html_of(digest)
    assert "Artefacts" in digest.body
    assert "/notifications/unsubscribe/" in digest.extra_headers["List-Unsubscribe"]
    assert not Notification.objects.filter(digested_at=None).exists()

    # Run again in the same hour, or the next hour: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests(now=at(7, 30)) == 0
        assert send_due_digests(now=at(7, 59)) == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_item_arriving_later_waits_for_the_next_morning(digest_member, group, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([digest_member], kind=Kind.PROPOSAL, title="first", group=group)
        send_due_digests(now=at(7, 0))
        send([digest_member], kind=Kind.PROPOSAL, title="second", group=group)
        assert send_due_digests(now=at(7, 40)) == 0
        assert send_due_digests(now=at(7, 5) + timedelta(days=1)) == 1
    assert [("second" in m.body) for m in mailoutbox] == [False, True]


@pytest.mark.django_db
def test_the_digest_follows_the_groups_own_time_zone(digest_member, group, django_capture_on_commit_callbacks, mailoutbox):
    group.time_zone = "America/Montreal"
    group.save()
    with django_capture_on_commit_callbacks(execute=True):
        send([digest_member], kind=Kind.PROPOSAL, title="Montreal vote", group=group)
        assert send_due_digests(now=at(7, 10)) == 0  # 07:10 in Paris is 02:10 in Montreal
        assert send_due_digests(now=at(7, 10, "America/Montreal")) == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_immediate_and_never_items_stay_out_of_the_digest(digest_member, group, django_capture_on_commit_callbacks, mailoutbox):
    set_preference(user=digest_member, kind=Kind.ROUND_PHASE, mode=Mode.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        send([digest_member], kind=Kind.ROUND_PHASE, title="Funding is open", group=group)
        send([digest_member], kind=Kind.MENTION, title="Ana mentioned you", group=group)
    assert [m.subject for m in mailoutbox] == ["Ana mentioned you"]
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests(now=at(7, 0)) == 0
    assert len(mailoutbox) == 1
