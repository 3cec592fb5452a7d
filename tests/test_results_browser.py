"""The results page in Chromium: projected at the meeting, and on a phone."""

import pytest

from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_board_reads_the_results_on_the_projector_and_on_a_phone(page, live_server, group, admin_user, member, member2):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    a = make_bucket(round, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    b = make_bucket(round, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    c = make_bucket(round, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    open_funding(round)
    allocate(member, a, "300.00")
    allocate(member2, a, "50.00")
    allocate(member, b, "130.00")
    allocate(member2, b, "100.00")
    allocate(member2, c, "100.00")

    browser_login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/rounds/{round.pk}/results/")
    assert page.locator(".badge", has_text="Live").count() == 1
    page.screenshot(path="/tmp/results_live.png", full_page=True)
    # The admin closes now: a page says what closing does, in numbers; confirmed from the keyboard.
    page.click("text=Close now…")
    assert page.locator(".consequences li", has_text="1 project funded at the amount reached: €350.00.").count() == 1
    page.focus("button:has-text('Close the round now')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Final results")
    titles = page.locator(".result-title").all_inner_texts()
    assert titles == ["Four solaire", "Vélo cargo", "Serre"]
    assert page.locator("progress").count() == 3
    assert page.locator("a", has_text="Vote on funding it at the amount reached").count() == 1

    page.goto(f"{live_server.url}/rounds/{round.pk}/results/?projector=1")
    assert not page.locator(".site-header").is_visible()
    size = page.eval_on_selector("h1", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 40
    page.screenshot(path="/tmp/results_projector.png", full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/rounds/{round.pk}/results/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.screenshot(path="/tmp/results_phone.png", full_page=True)
    assert closing.close_round(round=round) is False
