"""Confirmations are plain HTML forms: with JavaScript turned off, an admin withdraws a bucket
and closes a round early, reading the consequence in numbers first."""

import pytest

from buckets.models import Bucket, Round
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_withdraw_and_close_without_javascript(_browser, live_server, group, admin_user, member, member2):
    round = make_round(group, admin_user, title="Budget 2026", phase="proposals")
    bucket = make_bucket(round, member, title="Atelier", min_amount="500.00", max_amount="1000.00")
    kept = make_bucket(round, member, title="Four", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(member, bucket, "400.00")
    allocate(member2, bucket, "270.00")
    allocate(member2, kept, "100.00")

    context = _browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", admin_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)

    page.goto(f"{live_server.url}/buckets/{bucket.pk}/")
    page.get_by_role("button", name="Withdraw (refunds every allocation)").click()
    assert page.get_by_text("2 contributions, €670.00 in all, go back to the envelopes").count() == 1
    assert Bucket.objects.get(pk=bucket.pk).status == "open"
    page.get_by_role("button", name="Withdraw the bucket").click()
    page.wait_for_url(f"{live_server.url}/buckets/{bucket.pk}/")
    assert Bucket.objects.get(pk=bucket.pk).status == "withdrawn"

    page.goto(f"{live_server.url}/rounds/{round.pk}/")
    page.locator(".round-hub").get_by_role("link", name="Close early").click()
    assert page.get_by_text("1 project funded at the amount reached: €100.00.").count() == 1
    assert Round.objects.get(pk=round.pk).closed_at is None
    page.get_by_role("button", name="Close the round now").click()
    page.wait_for_url(f"{live_server.url}/rounds/{round.pk}/results/")
    assert Round.objects.get(pk=round.pk).closed_at is not None
    context.close()
