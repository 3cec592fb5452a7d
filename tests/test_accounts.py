"""Logging in by e-mail, the token endpoint and drf_create_token."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from groups.models import User
from tests.conftest import PASSWORD, make_user


@pytest.mark.django_db
def test_it_logs_in_by_email_on_the_allauth_form(client):
    make_user("Claire@Example.org")
    response = client.post("/accounts/login/", {"login": "claire@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_it_refuses_a_wrong_password_on_the_login_form(client):
    make_user("claire@example.org")
    response = client.post("/accounts/login/", {"login": "claire@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_token_endpoint_gives_a_token_for_the_right_password(api):
    user = make_user("claire@example.org")
    response = api(None).post("/api/auth/token/", {"email": "claire@example.org", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/groups/").status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_refuses_a_wrong_password_with_a_code(api):
    make_user("claire@example.org")
    response = api(None).post("/api/auth/token/", {"email": "claire@example.org", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"]
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_an_api_request_without_credentials_gets_401_with_a_challenge(api):
    response = api(None).get("/api/groups/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.django_db
def test_createsuperuser_noinput_uses_the_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password 42")
    call_command("createsuperuser", "--noinput", stdout=io.StringIO())
    user = User.objects.get(email="root@example.org")
    assert user.is_superuser and user.check_password("a long enough password 42")


@pytest.mark.django_db
def test_drf_create_token_prints_a_working_token(api):
    user = make_user("claire@example.org")
    out = io.StringIO()
    call_command("drf_create_token", "claire@example.org", stdout=out)
    key = Token.objects.get(user=user).key
    assert key in out.getvalue()


@pytest.mark.django_db
def test_signup_is_closed_by_default(client):
    response = client.get("/accounts/signup/")
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert 'name="password1"' not in response.content.decode()
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "x" * 20, "password2": "x" * 20})
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_signup_opens_when_the_instance_allows_it(client, settings):
    settings.SIGNUP_OPEN = True
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-Str0ng-passphrase!", "password2": "a-Str0ng-passphrase!"})
    assert User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_an_invited_person_sets_a_password_through_the_reset_mail(client, group, admin_user, mailoutbox):
    from groups import services

    services.add_member(group=group, email="nina@example.org", actor=admin_user, send_invitation=False)
    client.post("/accounts/password/reset/", {"email": "nina@example.org"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nina@example.org"]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/"):].strip()
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    client.post(action, {"password1": "a new long passphrase 7", "password2": "a new long passphrase 7"})
    assert User.objects.get(email="nina@example.org").check_password("a new long passphrase 7")


@pytest.mark.django_db
def test_signing_up_sends_an_email_verification(client, settings, mailoutbox):
    settings.SIGNUP_OPEN = True
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-Str0ng-passphrase!", "password2": "a-Str0ng-passphrase!"})
    assert any("new@example.org" in m.to for m in mailoutbox)
    assert any("/accounts/confirm-email/" in m.body for m in mailoutbox)
