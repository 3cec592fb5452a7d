"""Login by a code sent by e-mail, beside the password (allauth's login by code): the code
logs in once; three wrong codes make it void, said in French; an unknown address logs no one
in and reveals nothing."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _code(mailoutbox):
    return re.search(r"^ {4}(\S+)$", mailoutbox[-1].body, re.M).group(1)


def _ask(client, email):
    return client.post("/accounts/login/code/", {"email": email}, HTTP_ACCEPT_LANGUAGE="fr")


def test_the_login_page_offers_a_code_beside_the_password(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'name="login"' in html and 'name="password"' in html
    assert 'href="/accounts/login/code/"' in html and "Recevoir un code de connexion par e-mail" in html


def test_a_code_sent_by_e_mail_logs_the_member_in(client, member, mailoutbox):
    response = _ask(client, member.email)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/code/confirm/")
    assert mailoutbox[-1].to == [member.email]
    response = client.post("/accounts/login/code/confirm/", {"code": _code(mailoutbox)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert int(client.session["_auth_user_id"]) == member.pk


def test_three_wrong_codes_void_the_code_and_say_so_in_french(client, member, mailoutbox):
    _ask(client, member.email)
    good = _code(mailoutbox)
    for _attempt in range(2):
        html = client.post("/accounts/login/code/confirm/", {"code": "AAAAAA"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Ce n’est pas le code envoyé" in html
    response = client.post("/accounts/login/code/confirm/", {"code": "AAAAAA"}, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Trois codes erronés" in response.content.decode()
    response = client.post("/accounts/login/code/confirm/", {"code": good})
    assert "_auth_user_id" not in client.session  # the right code no longer works
    assert client.get("/").status_code == 302


def test_an_unknown_address_logs_no_one_in_and_reveals_nothing(client, member, mailoutbox):
    response = _ask(client, "nobody@example.org")
    assert response.status_code == 302  # the same answer as for a known address
    body = mailoutbox[-1].body.lower()
    assert mailoutbox[-1].to == ["nobody@example.org"] and ("no account" in body or "aucun compte" in body)
    assert "_auth_user_id" not in client.session
