"""In the browser: a member votes with a reason and sees the count change in place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from tests.conftest import browser_login

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_votes_with_a_reason_and_sees_the_count_change(page, live_server, group, admin_user, member, member2):
    proposal = services.open_proposal(
        group=group, title="Adopt remote decisions", author=admin_user, notify=False, quorum_percent=50,
        closes_at=timezone.now() + timedelta(days=3),
    )
    services.set_stance(proposal=proposal, user=member2, choice="agree")
    browser_login(page, live_server, member)

    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert page.locator("#count-agree").inner_text() == "1"
    assert "Seen by 2 of 3 voters" in page.locator(".seen-line").inner_text()

    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Why (optional)").fill("Meetings are for contested topics.")
    page.get_by_role("button", name="Save my stance").click()

    expect(page.locator("#count-agree")).to_have_text("2")
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    assert "Meetings are for contested topics." in page.locator(".stance-list").inner_text()
    assert page.url.endswith(f"/proposals/{proposal.pk}/")  # updated in place, no reload

    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_label("Disagree", exact=True).check()
    page.get_by_role("button", name="Save my stance").click()
    expect(page.locator("#count-disagree")).to_have_text("1")
    expect(page.locator("#count-agree")).to_have_text("1")
