"""In Debian's Chromium, as a newcomer would: join from an invite link without an account,
enter from an e-mail invitation by choosing a password, and log in with a code sent by
e-mail (the e-mails read from the outbox: the live server runs in the test's process)."""

import re

import pytest
from django.core import mail

from groups import services
from groups.models import Membership, User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_newcomer_joins_from_an_invite_link_without_an_account(page, live_server, settings, group, admin_user):
    settings.SIGNUP_OPEN = False
    link = services.create_invite_link(group=group, actor=admin_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/join/{link.token}/")
    page.get_by_label("Your name").fill("Nadia Benali")
    page.get_by_label("E-mail address").fill("nadia@example.org")
    page.get_by_label("Password").fill("un potager partagé 2026")
    page.get_by_role("button", name="Create my account and join Artefacts").click()
    page.wait_for_url(f"**/g/{group.slug}/")
    assert "Welcome to Artefacts" in page.locator(".messages").inner_text()
    assert Membership.objects.filter(group=group, user__email="nadia@example.org").exists()


def test_an_e_mail_invitation_opens_a_welcome_page_to_choose_a_password(page, live_server, group, admin_user):
    mail.outbox.clear()
    services.add_member(group=group, email="zoe@example.org", name="Zoé", actor=admin_user)
    body = mail.outbox[-1].body
    welcome = re.search(r"https?://\S+/welcome/\S+/", body).group(0)
    assert "/accounts/password/reset/" not in body
    page.goto(live_server.url + _path(welcome))
    assert "Welcome to Artefacts" in page.locator("h1").inner_text()
    page.get_by_label("Password").fill("un potager partagé 2026")
    page.get_by_role("button", name="Save my password and enter").click()
    page.wait_for_url(f"**/g/{group.slug}/")
    assert User.objects.get(email="zoe@example.org").check_password("un potager partagé 2026")


def test_a_member_logs_in_with_a_code_sent_by_e_mail(page, live_server, member):
    mail.outbox.clear()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Receive a login code by e-mail").click()
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/accounts/login/code/confirm/**")
    code = re.search(r"^ {4}(\S+)$", mail.outbox[-1].body, re.M).group(1)
    page.get_by_label("Code").fill("WRONG-CODE")
    page.get_by_role("button", name="Log in").click()
    assert "This is not the code we sent" in page.locator("#id_code_error").inner_text()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Hello" in page.locator("h1").inner_text()
    assert mail.outbox[-1].to == [member.email] and PASSWORD not in mail.outbox[-1].body
