"""Not builders: a person's way through a confirmation page, asserting it is one (the tests of
confirm.py's pages share it).

Posting a form that asks for confirmation first, as a person does: post, read the page,
press its confirm button (the same fields again, with the page's token)."""

import re

CONFIRM = re.compile(r'name="confirm" value="([^"]+)"')


def confirmation_token(response) -> str:
    """The token of a confirmation page (it must be one)."""
    assert response.status_code in (200, 409), response.status_code
    found = CONFIRM.search(response.content.decode())
    assert found, "not a confirmation page"
    return found.group(1)


def confirm_post(client, url: str, data: dict | None = None, **extra):
    """Post `data` to `url`, then confirm on the page that answers; returns the second answer."""
    first = client.post(url, data or {})
    return client.post(url, {**(data or {}), "confirm": confirmation_token(first)}, **extra)
