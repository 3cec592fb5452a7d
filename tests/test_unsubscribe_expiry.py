"""Unsubscribe links are signed AND expire: a link signed more than 90 days ago is refused
(400, pointing to the preferences page) and changes nothing; a recent one still works with
the mail client's one-click POST."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from notifications.delivery import UNSUBSCRIBE_MAX_AGE, unsubscribe_token
from notifications.models import Kind, Mode, Preference
from notifications.services import preferences_of


def _token_signed_ago(monkeypatch, *, user, kind, age: timedelta) -> str:
    """A token as the mail written `age` ago carried (the signer stamps the current time)."""
    then = int(time.time() - age.total_seconds())
    with monkeypatch.context() as m:
        m.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then))
        return unsubscribe_token(user=user, kind=kind)


def test_links_last_ninety_days():
    assert UNSUBSCRIBE_MAX_AGE == timedelta(days=90)


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_changes_nothing(monkeypatch, member):
    token = _token_signed_ago(monkeypatch, user=member, kind=Kind.BUCKET_COMMENT, age=timedelta(days=91))
    client = Client(enforce_csrf_checks=True)
    for method in (client.get, client.post):
        response = method(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        text = response.content.decode()
        assert "expired" in text and "/notifications/preferences/" in text
    one_click = client.post(f"/notifications/unsubscribe/{token}/", "List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 400
    assert preferences_of(member)[Kind.BUCKET_COMMENT] == Mode.IMMEDIATE
    assert not Preference.objects.filter(mode=Mode.NEVER).exists()


@pytest.mark.django_db
def test_a_link_from_a_mail_of_last_month_still_works_in_one_click(monkeypatch, member):
    token = _token_signed_ago(monkeypatch, user=member, kind=Kind.BUCKET_COMMENT, age=timedelta(days=89))
    response = Client(enforce_csrf_checks=True).post(
        f"/notifications/unsubscribe/{token}/", "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=member, kind=Kind.BUCKET_COMMENT).mode == Mode.NEVER
