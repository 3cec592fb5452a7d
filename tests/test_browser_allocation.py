"""In Debian's Chromium: a member logs in, opens a bucket, allocates, sees the progress bar
and the remaining envelope change in place, tries to overspend and reads the refusal."""

import pytest

from tests.builders import make_bucket, make_round
from tests.conftest import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_allocates_and_reads_the_refusal(page, live_server, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, title="Fablab", min_amount="200.00", max_amount="300.00")
    page.set_viewport_size({"width": 360, "height": 800})  # a phone
    browser_login(page, live_server, member)

    page.goto(f"{live_server.url}/rounds/{round.id}/")
    page.click("text=Fablab")
    page.wait_for_url(f"**/buckets/{bucket.id}/")
    progress = page.locator("#allocation progress").first
    assert progress.get_attribute("value") == "0.00"
    assert page.locator("#envelope-remaining").inner_text() == "€430.00"

    page.fill("input[name=amount]", "120")
    page.click("#allocation button[type=submit]")
    page.wait_for_selector("#allocation .saved")
    assert page.locator("#allocation progress").first.get_attribute("value") == "120.00"
    assert page.locator("#envelope-remaining").inner_text() == "€310.00"
    assert "60" in page.locator("#allocation .funding-text").inner_text()  # 60 % of the minimum
    assert page.url.endswith(f"/buckets/{bucket.id}/")  # updated in place, no reload

    page.fill("input[name=amount]", "431")
    page.click("#allocation button[type=submit]")
    alert = page.locator("#allocation [role=alert]")
    alert.wait_for()
    assert "more than your envelope" in alert.inner_text()
    assert page.locator("#envelope-remaining").inner_text() == "€310.00"
    assert page.locator("#allocation progress").first.get_attribute("value") == "120.00"

    page.goto(f"{live_server.url}/rounds/{round.id}/")
    card = page.locator(f"#bucket-card-{bucket.id}")
    assert card.locator("progress").get_attribute("value") == "120.00"
    assert "€120.00" in card.inner_text()
