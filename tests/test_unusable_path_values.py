"""A path parameter holding a NUL or another character no route can use is a 404, never a
500 (PostgreSQL refuses NUL in text; a token looked up with one used to crash the page).

Every URL pattern of the URL configuration, Django's admin and allauth's included, is walked:
each of its parameters in turn receives each unusable value, the others a plain one, and the
request is sent anonymously and as a staff admin, with GET and POST. Tokens (invite links,
unsubscribe links) also refuse printable characters outside their alphabet. A NUL in a
query string is a 400.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from tests.conftest import make_user

# Percent-encoded as they travel: control characters, invalid UTF-8 (a lone continuation
# byte, an overlong "/", a UTF-16 surrogate), and a NUL inside an otherwise good token.
UNUSABLE = ["%00", "a%00b", "%1F", "%7F", "%0A", "%FF", "%C0%AF", "%ED%A0%80", "abc%00def%00"]
# Printable, but in no token's alphabet.
FOREIGN = ["%C3%A9", "a%20b", "%27%22", "%3Cscript%3E", "%2F%2E%2E", "%E2%80%AE", "%EF%BF%BD"]

TOKEN_ROUTES = {"join-link", "notification-unsubscribe", "invitation-welcome", "calendar-feed"}

_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _patterns(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):
            text = text.lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + text)
        else:
            yield prefix + text, pattern.name


def _params(route: str) -> list[str]:
    regex_params = [m.group(1) for m in _REGEX_PARAM.finditer(route)]
    return regex_params + [m.group(2) for m in _ROUTE_PARAM.finditer(_REGEX_PARAM.sub("", route))]


def _url(route: str, bad_param: str, bad_value: str) -> str:
    def plain(name):
        return bad_value if name == bad_param else "1"

    url = _REGEX_PARAM.sub(lambda m: plain(m.group(1)), route)
    url = _ROUTE_PARAM.sub(lambda m: plain(m.group(2)), url)
    return "/" + url.replace("\\", "")


def _cases(values):
    for route, name in _patterns():
        for param in _params(route):
            for value in values:
                yield name, _url(route, param, value)


@pytest.fixture
def clients(db):
    staff = make_user("staff@example.org")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    logged_in = Client(raise_request_exception=False)
    logged_in.force_login(staff)
    return {"anonymous": Client(raise_request_exception=False), "staff": logged_in}


def test_every_pattern_is_walked():
    cases = list(_cases(["x"]))
    assert len({name for name, _url in cases}) > 60  # the walk really reaches the project's routes
    assert any(url.startswith("/join/") for _name, url in cases)
    assert any(url.startswith("/accounts/password/reset/key/") for _name, url in cases)


def test_an_unusable_character_in_any_path_parameter_is_a_404(clients):
    wrong = []
    for who, client in clients.items():
        for name, url in _cases(UNUSABLE):
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    wrong.append(f"{who} {method.upper()} {url} ({name}): {status}")
    assert not wrong, "\n".join(wrong[:40])


def test_a_token_outside_its_alphabet_is_a_404(clients):
    wrong = []
    for who, client in clients.items():
        for name, url in _cases(FOREIGN + ["x" * 3000]):
            if name not in TOKEN_ROUTES:
                continue
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    wrong.append(f"{who} {method.upper()} {url} ({name}): {status}")
    assert not wrong, "\n".join(wrong[:40])


def test_no_printable_value_in_any_path_parameter_is_a_server_error(clients):
    wrong = []
    for who, client in clients.items():
        for name, url in _cases(FOREIGN + [quote("9" * 40), "x" * 3000]):
            status = client.get(url).status_code
            if status >= 500:
                wrong.append(f"{who} GET {url} ({name}): {status}")
    assert not wrong, "\n".join(wrong[:40])


def test_a_nul_in_a_query_string_is_a_400(clients, admin_user, group):
    client = clients["staff"]
    client.force_login(admin_user)
    for url in (f"/g/{group.slug}/decisions/?q=a%00b", f"/api/groups/{group.slug}/decisions/?q=%00",
                "/?page=%00", f"/g/{group.slug}/members/?page=1%00"):
        response = client.get(url)
        assert response.status_code == 400, (url, response.status_code)
    api = client.get(f"/api/groups/{group.slug}/decisions/?q=%00")
    assert api.json()["code"] == "invalid"
