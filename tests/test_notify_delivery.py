"""notify: one in-app row per person, one mail after commit, as each person chose."""

import pytest
from django.db import transaction

from notifications.models import Kind, Mode, Notification
from notifications.services import set_preference
from tests.notify_helpers import html_of, send


@pytest.mark.django_db
def test_it_notifies_each_person_once_and_mails_after_commit(member, member2, group, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        rows = send([member, member2, member], kind=Kind.BUCKET_COMMENT, title="New comment on Garden",
                    url="/buckets/1/", group=group)
    assert len(rows) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, member2.email])
    message = mailoutbox[0]
    assert message.subject == "New comment on Garden"
    assert "Details of what happened." in message.body
    assert "http://127.0.0.1:8000/buckets/1/" in message.body
    assert "Details of what happened." in html_of(message)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/notifications/unsubscribe/" in message.body
    assert Notification.objects.filter(user=member, title="New comment on Garden", read_at=None).count() == 1
    assert Notification.objects.filter(emailed_at=None).count() == 0


@pytest.mark.django_db
def test_nothing_is_sent_nor_kept_when_the_transaction_rolls_back(member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send([member], kind=Kind.BUCKET_FLAG)
                raise RuntimeError("the caller's rule refused")
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_no_mail_leaves_before_the_commit(member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([member], kind=Kind.PROPOSAL)
        assert mailoutbox == []
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_never_and_digest_keep_the_mail_but_not_the_bell(member, member2, django_capture_on_commit_callbacks, mailoutbox):
    set_preference(user=member, kind=Kind.ROUND_PHASE, mode=Mode.NEVER)
    set_preference(user=member2, kind=Kind.ROUND_PHASE, mode=Mode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        send([member, member2], kind=Kind.ROUND_PHASE, title="Funding is open")
    assert mailoutbox == []
    assert Notification.objects.filter(title="Funding is open").count() == 2
    # The preference is per kind: another kind still comes at once.
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.PROPOSAL, title="A proposal is open")
    assert [m.subject for m in mailoutbox] == ["A proposal is open"]


@pytest.mark.django_db
def test_the_mail_is_written_in_the_recipients_language(member, member2, django_capture_on_commit_callbacks, mailoutbox):
    member.language = "fr"
    member.save()
    member2.language = "en"
    member2.save()
    with django_capture_on_commit_callbacks(execute=True):
        send([member, member2], kind=Kind.MENTION)
    by_person = {m.to[0]: html_of(m) for m in mailoutbox}
    assert '<html lang="fr">' in by_person[member.email]
    assert '<html lang="en">' in by_person[member2.email]


@pytest.mark.django_db
def test_inactive_people_are_not_notified(member, django_capture_on_commit_callbacks, mailoutbox):
    member.is_active = False
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send([member], kind=Kind.MENTION) == []
    assert mailoutbox == []
