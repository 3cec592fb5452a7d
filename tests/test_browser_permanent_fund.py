"""A permanent fund in the browser, in French: a co-lead accepts the funding of a bucket
without JavaScript, reading the amount first; the bucket page then says « Financé le … » and
the round and results pages show the fund's figures, the fundings by date and the top-ups,
for an admin, a member and the accountant, on a phone and on a laptop, without overflowing.
(SHOTS_DIR=/some/dir keeps screenshots of every page seen.)"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from allocations import services as allocation_services
from buckets import services as bucket_services
from buckets.models import Bucket
from groups.models import User
from tests.conftest import PASSWORD
from tests.funding_helpers import allocate, make_bucket, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


def _login(_browser, live_server, user, *, size=(1280, 800), javascript=True):
    context = _browser.new_context(locale="fr-FR", java_script_enabled=javascript,
                                   viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return context, page


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_fund_in_the_browser(_browser, live_server, group, admin_user, member, member2, accountant):
    User.objects.update(language="fr")
    fund = make_round(group, admin_user, title="Bourse OPTEOS", kind="permanent", envelope="500.00",
                      funded_if_percent_of_min=80)
    bucket_services.update_round(round=fund, actor=admin_user, expires_after_days=90)
    allocation_services.grant_topup(round=fund, amount="100.00", period="2026", actor=admin_user)
    old = make_bucket(fund, member, title="Four à pain", min_amount="300.00", max_amount="400.00")
    allocate(member2, old, "320.00")
    bucket_services.accept_funding(bucket=old, actor=member, now=timezone.now() - timedelta(days=45))
    bucket = make_bucket(fund, member, title="Atelier vélo partagé", min_amount="1000.00", max_amount="1500.00")
    allocate(member2, bucket, "250.00")
    allocate(admin_user, bucket, "550.00")
    still = make_bucket(fund, member2, title="Ruches", min_amount="200.00", max_amount="300.00")
    allocate(member, still, "60.00")

    # The co-lead accepts, without JavaScript, after reading the figures.
    context, page = _login(_browser, live_server, member, javascript=False)
    page.goto(f"{live_server.url}/buckets/{bucket.pk}/")
    _shot(page, "bucket-colead-laptop")
    page.get_by_role("button", name="Accepter le financement…").click()
    assert page.get_by_text("80\u00a0% de son objectif minimum").count() >= 1
    _shot(page, "accept-confirm-laptop")
    assert Bucket.objects.get(pk=bucket.pk).status == "open"
    page.get_by_role("button", name="Accepter le financement", exact=True).click()
    page.wait_for_url(f"{live_server.url}/buckets/{bucket.pk}/")
    assert Bucket.objects.get(pk=bucket.pk).status == "funded"
    assert page.locator(".funded-on").inner_text().startswith("Financé le ")
    _shot(page, "bucket-funded-laptop")
    context.close()

    for role, user in (("admin", admin_user), ("member", member2), ("accountant", accountant)):
        for size_name, size in SIZES.items():
            context, page = _login(_browser, live_server, user, size=size)
            page.goto(f"{live_server.url}/rounds/{fund.pk}/")
            summary = page.locator(".fund-summary")
            assert summary.locator("[data-total=funded]").inner_text().replace("\u202f", "\u00a0").startswith("1\u00a0120,00")
            assert summary.locator("li").first.inner_text().startswith("Atelier vélo partagé")
            _no_horizontal_overflow(page)
            _shot(page, f"round-{role}-{size_name}")
            page.goto(f"{live_server.url}/rounds/{fund.pk}/results/")
            assert page.locator(".results-topups tbody th").inner_text() == "2026"
            _no_horizontal_overflow(page)
            _shot(page, f"results-{role}-{size_name}")
            if role == "member":
                page.goto(f"{live_server.url}/buckets/{bucket.pk}/")
                _shot(page, f"bucket-member-{size_name}")
            context.close()
