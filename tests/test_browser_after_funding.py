"""Completing a bucket and cancelling its funding from the bucket page in a real browser with
JavaScript turned off, in French, on a phone and on a laptop: the confirmation says the
consequence in numbers, nothing changes before it is confirmed, and the page then says what
happened. Screenshots go to $SHOTS_DIR when it is set (to look at them)."""

import os

import pytest

from buckets.models import Bucket
from groups.models import User
from tests.builders import funded_in_fund, permanent_round, record_paid
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


def _login(context, live_server, user):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_complete_and_cancel_without_javascript_in_french(_browser, live_server, group, admin_user, accountant,
                                                          member, member2, size):
    User.objects.filter(pk__in=[admin_user.pk, accountant.pk, member.pk]).update(language="fr")
    round = permanent_round(group, admin_user)
    oven = funded_in_fund(round, member, {member: "200.00", member2: "100.00", admin_user: "112.50"},
                         title="Four solaire")
    record_paid(oven, "0.00")
    shed = funded_in_fund(round, member2, {member: "60.00", member2: "40.00"}, title="Abri vélos")
    width, height = SIZES[size]

    context = _browser.new_context(locale="fr-FR", java_script_enabled=False,
                                   viewport={"width": width, "height": height})
    page = _login(context, live_server, accountant)
    page.goto(f"{live_server.url}/buckets/{oven.pk}/")
    _shot(page, f"bucket-funded-{size}")
    page.get_by_role("button", name="Terminer le projet").click()
    assert page.get_by_text("412,50\u00a0€ reviennent dans les enveloppes de ses 3 financeurs").count() == 1
    _shot(page, f"confirm-complete-{size}")
    assert Bucket.objects.get(pk=oven.pk).completed_at is None
    page.get_by_role("button", name="Terminer le projet").click()
    page.wait_for_url(f"{live_server.url}/buckets/{oven.pk}/")
    assert Bucket.objects.get(pk=oven.pk).completed_at is not None
    assert page.locator("[data-completed]").count() == 1
    _shot(page, f"bucket-completed-{size}")

    context.close()
    context = _browser.new_context(locale="fr-FR", java_script_enabled=False,
                                   viewport={"width": width, "height": height})
    page = _login(context, live_server, admin_user)
    page.goto(f"{live_server.url}/buckets/{shed.pk}/")
    page.fill("textarea[name=reason]", "La cour est trop petite")
    page.get_by_role("button", name="Annuler le financement (tout est rendu)").click()
    assert page.get_by_text("100,00\u00a0€ reviennent dans les enveloppes de ses 2 financeurs").count() == 1
    _shot(page, f"confirm-cancel-{size}")
    page.get_by_role("button", name="Annuler le financement", exact=True).click()
    page.wait_for_url(f"{live_server.url}/buckets/{shed.pk}/")
    assert Bucket.objects.get(pk=shed.pk).status == "not_funded"
    assert "La cour est trop petite" in page.locator("[data-cancelled]").inner_text()
    _shot(page, f"bucket-cancelled-{size}")
    page.goto(f"{live_server.url}/rounds/{round.pk}/results/?members=1")
    assert page.locator("[data-returned]").count() == 2
    _shot(page, f"results-{size}")
    context.close()
