"""Invitations go through notify: a mail after commit, in the app, none on rollback."""

import pytest

from groups import services as group_services
from notifications.models import Kind, Mode, Notification
from notifications.services import set_preference


@pytest.mark.django_db
def test_an_invited_person_gets_one_mail_and_a_notification(group, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        group_services.add_member(group=group, email="zoe@example.org", actor=admin_user)
    assert [m.to for m in mailoutbox] == [["zoe@example.org"]]
    assert "Artefacts" in mailoutbox[0].subject
    assert "/welcome/" in mailoutbox[0].body and "/accounts/password/reset/" not in mailoutbox[0].body
    assert "/notifications/unsubscribe/" in mailoutbox[0].extra_headers["List-Unsubscribe"]
    note = Notification.objects.get(user__email="zoe@example.org")
    assert note.kind == Kind.INVITATION and note.group == group and note.url.startswith("/welcome/")


@pytest.mark.django_db
def test_no_invitation_when_the_transaction_rolls_back(group, admin_user, django_capture_on_commit_callbacks, mailoutbox,
                                                      monkeypatch):
    def fail(**kwargs):  # a later step of add_member's own transaction, after the invitation was queued
        raise RuntimeError("a later step failed")

    monkeypatch.setattr(group_services, "MEMBERSHIP_HOOKS", [*group_services.MEMBERSHIP_HOOKS, fail])
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError, match="a later step failed"):
            group_services.add_member(group=group, email="zoe@example.org", actor=admin_user)
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_imported_members_are_invited_once_each(group, admin_user, member, django_capture_on_commit_callbacks, mailoutbox):
    data = "email,name\nann@example.org,Ann\nben@example.org,Ben\nmember@example.org,\n"
    with django_capture_on_commit_callbacks(execute=True):
        group_services.import_members(group=group, data=data, actor=admin_user)
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.org", "ben@example.org"]


@pytest.mark.django_db
def test_an_existing_person_may_turn_invitation_mails_off(group, admin_user, outsider, django_capture_on_commit_callbacks, mailoutbox):
    set_preference(user=outsider, kind=Kind.INVITATION, mode=Mode.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        group_services.add_member(group=group, email=outsider.email, actor=admin_user)
    assert mailoutbox == []
    assert Notification.objects.filter(user=outsider, kind=Kind.INVITATION).count() == 1
