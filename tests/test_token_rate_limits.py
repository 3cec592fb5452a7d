"""The token endpoint is limited like the login form, and cannot be talked out of it.

- Clients are told apart by the address the connection came from (REMOTE_ADDR): a forged
  X-Forwarded-For changes nothing, unless NUM_PROXIES says how many proxies of ours add it.
- Failed passwords count against the account whichever door they knock on: failures on the
  login form lock the token endpoint for that account, and failures on the token endpoint lock
  the login form.
"""

import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, make_user

URL = "/api/auth/token/"


@pytest.fixture
def claire(db):
    return make_user("claire@example.org")


def _post(client, password, **extra):
    return client.post(URL, {"email": "claire@example.org", "password": password}, format="json", **extra)


def test_a_rotating_forwarded_for_header_does_not_escape_the_limit(claire):
    client = APIClient()
    statuses = [
        _post(client, f"wrong{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(30)
    ]
    assert statuses[0] == 400
    assert statuses.count(429) >= 10, statuses


def test_with_one_proxy_the_address_it_adds_identifies_the_client(claire, settings):
    settings.NUM_PROXIES = 1
    client = APIClient()
    # One client sending 25 requests through the proxy, with a forged address in front:
    # the proxy's own entry (the last one) is what counts, so the limit holds.
    statuses = [
        _post(client, "wrong", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7", REMOTE_ADDR="127.0.0.1").status_code
        for n in range(25)
    ]
    assert 429 in statuses


def test_failures_on_the_login_form_lock_the_token_endpoint(client, claire):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "claire@example.org", "password": "wrong"})
    response = _post(APIClient(), PASSWORD)
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "too_many_login_attempts"
    assert "token" not in response.json()


def test_failures_on_the_token_endpoint_lock_the_login_form(client, claire):
    api = APIClient()
    for _ in range(5):
        assert _post(api, "wrong").status_code == 400
    client.post("/accounts/login/", {"login": "claire@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_right_password_still_gets_a_token_below_the_limit(claire):
    api = APIClient()
    for _ in range(3):
        _post(api, "wrong")
    response = _post(api, PASSWORD)
    assert response.status_code == 200 and response.json()["token"]


def test_the_login_form_ignores_a_forged_forwarded_for_header(client, claire):
    for n in range(5):
        client.post("/accounts/login/", {"login": "claire@example.org", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    for n in range(10):
        client.post("/accounts/login/", {"login": f"other{n}@example.org", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # Ten failures a minute from one address (whatever the header says): even another
    # account's right password is refused from there.
    make_user("dan@example.org")
    client.post("/accounts/login/", {"login": "dan@example.org", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert "_auth_user_id" not in client.session
