"""In Debian's Chromium: a person turns on two-factor authentication (reading the secret on
the page and computing the app's code, as an authenticator app would), logs out, and logs in
again with their password and then a code; an admin of a group that requires it is sent to
set it up first."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from groups.models import Group
from tests.conftest import PASSWORD, browser_login


def _code(secret: str, shift: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_turn_on_totp_log_out_and_log_in_with_a_code(page, live_server, member, settings):
    # One step of clock drift either way, as phones have; each code still serves once.
    settings.MFA_TOTP_TOLERANCE = 1
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/reauthenticate/**")  # allauth asks for the password again first
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", _code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/totp/activate" not in url)
    assert Authenticator.objects.filter(user=member, type="totp").exists()
    assert Authenticator.objects.filter(user=member, type="recovery_codes").exists()

    page.click("header form[action='/accounts/logout/'] button")  # log out
    page.wait_for_url(lambda url: "/accounts/logout" not in url)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    sign_in = "form[action='/accounts/2fa/authenticate/'] button[type=submit]"
    page.fill("input[name=code]", "123456" if _code(secret, 1) != "123456" else "654321")
    page.click(sign_in)
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/2fa/authenticate/") and page.locator(".nav-user").count() == 0  # still out
    page.fill("input[name=code]", _code(secret, 1))
    page.click(sign_in)
    page.wait_for_url(f"{live_server.url}/")
    assert member.display_name in page.locator("header").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_of_a_requiring_group_is_sent_to_set_it_up(page, live_server, group, admin_user):
    Group.objects.filter(pk=group.pk).update(require_mfa_for_officers=True)
    browser_login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/g/{group.slug}/")
    page.wait_for_url("**/accounts/2fa/")
    assert "asks its admins and accountants to use two-factor authentication" in page.content()
