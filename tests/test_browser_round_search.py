"""In Debian's Chromium: on the round page, typing in "Find a bucket" narrows the cards as one
types (no reload, accents and capitals aside), the address keeps the search, and a tag
filters the cards."""

import pytest

from buckets import services as bucket_services
from tests.builders import make_bucket, make_round
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_finds_a_bucket_as_they_type(page, live_server, group, admin_user, member):
    round = make_round(group, admin_user)
    coop = make_bucket(round, member, title="Fête de la Coopérative")
    bikes = make_bucket(round, member, title="Abri vélos")
    bucket_services.update_bucket(bucket=bikes, actor=member, tags=["Matériel"])
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/rounds/{round.id}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Find a bucket").fill("COOPERATIVE")
    page.locator(f"#bucket-card-{bikes.id}").wait_for(state="detached")
    assert page.locator(f"#bucket-card-{coop.id}").is_visible()
    assert page.evaluate("window.notReloaded") is True  # narrowed in place
    assert "q=COOPERATIVE" in page.url
    page.get_by_label("Find a bucket").fill("")
    page.locator(f"#bucket-card-{bikes.id}").wait_for()
    page.get_by_role("navigation", name="Filter by tag").get_by_role("link", name="Matériel").click()
    page.locator(f"#bucket-card-{coop.id}").wait_for(state="detached")
    assert page.locator(f"#bucket-card-{bikes.id}").is_visible()
