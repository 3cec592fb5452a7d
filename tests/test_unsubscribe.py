"""Every mail carries a signed one-click unsubscribe link for its kind: no login, no forgery."""

import pytest
from django.core import signing
from django.test import Client

from notifications.delivery import unsubscribe_token
from notifications.models import Kind, Mode, Preference
from notifications.services import preferences_of
from tests.notify_helpers import send, unsubscribe_path


@pytest.fixture
def link(member, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_COMMENT, title="New comment")
    path = unsubscribe_path(mailoutbox[0])
    assert path in mailoutbox[0].body
    return path


@pytest.mark.django_db
def test_the_link_works_without_login_after_a_confirmation(link, member, django_capture_on_commit_callbacks, mailoutbox):
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(link)
    assert page.status_code == 200
    assert member.email in page.content.decode()
    assert preferences_of(member)[Kind.BUCKET_COMMENT] == Mode.IMMEDIATE, "a GET changes nothing"

    done = anonymous.post(link)
    assert done.status_code == 200
    assert preferences_of(member)[Kind.BUCKET_COMMENT] == Mode.NEVER
    # Only that kind is stopped.
    assert preferences_of(member)[Kind.PROPOSAL] == Mode.IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        send([member], kind=Kind.BUCKET_COMMENT, title="Another comment")
        send([member], kind=Kind.PROPOSAL, title="A proposal")
    assert [m.subject for m in mailoutbox] == ["New comment", "A proposal"]


@pytest.mark.django_db
def test_mail_clients_one_click_post_works(link, member):
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=member, kind=Kind.BUCKET_COMMENT).mode == Mode.NEVER


@pytest.mark.django_db
def test_a_tampered_or_forged_token_is_refused(link, member, member2, client):
    token = link.split("/")[-2]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    # Someone who knows the format but not the key, or a token signed for another purpose.
    forged = signing.dumps([member2.pk, Kind.BUCKET_COMMENT], salt="notifications.unsubscribe", key="guessed")
    other_salt = signing.dumps([member2.pk, Kind.BUCKET_COMMENT])
    swapped = token.replace(token.split(":")[0], signing.dumps([member2.pk, Kind.BUCKET_COMMENT], salt="x").split(":")[0])
    for bad in (tampered, forged, other_salt, swapped, "nonsense"):
        for method in (client.get, client.post):
            response = method(f"/notifications/unsubscribe/{bad}/")
            assert response.status_code == 400, bad
            assert "not valid" in response.content.decode()
    assert not Preference.objects.filter(mode=Mode.NEVER).exists()


@pytest.mark.django_db
def test_a_token_for_an_unknown_kind_is_refused(member, client):
    token = unsubscribe_token(user=member, kind="everything")
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 400


@pytest.mark.django_db
def test_the_body_and_the_header_carry_the_same_link_when_the_mail_is_sent_later(
    member, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    """The mail is written when the notification is made and sent by a worker later: the
    link in its footer and the one in its List-Unsubscribe header must still be one link."""
    import time

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([member], kind=Kind.BUCKET_COMMENT, title="New comment")
    later = time.time() + 65
    monkeypatch.setattr(time, "time", lambda: later)
    for callback in callbacks:
        callback()
    path = unsubscribe_path(mailoutbox[0])
    assert path in mailoutbox[0].body
    assert Client().post(path).status_code == 200
    assert preferences_of(member)[Kind.BUCKET_COMMENT] == Mode.NEVER
