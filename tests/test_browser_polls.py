"""In the browser, every kind of vote is cast on the proposal page, with the keyboard or on a
phone, and the page updates in place."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Stance
from tests.builders import option_ids
from tests.conftest import browser_login

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _poll(group, author, **kwargs):
    return services.open_proposal(group=group, author=author, notify=False,
                                  closes_at=timezone.now() + timedelta(days=3), **kwargs)


def test_a_score_poll_is_voted_with_the_keyboard(page, live_server, group, admin_user, member):
    poll = _poll(group, admin_user, title="Rate the venues", kind="score", score_max=5,
                 options=["La Fabrique", "Le Labo"])
    fab, labo = option_ids(poll)
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/{poll.pk}/")
    page.focus(f"#score-{fab}-0")
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # radios of one option move with the arrows
    expect(page.locator(f"#score-{fab}-4")).to_be_checked()
    page.focus(f"#score-{labo}-0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Save my stance").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    assert Stance.objects.get(proposal=poll, user=member).data == {"scores": {str(fab): 4, str(labo): 2}}
    assert "La Fabrique: 4" in page.locator(".stance-list").inner_text()


def test_a_ranked_choice_is_voted_on_a_phone_and_a_duplicate_rank_is_refused(page, live_server, group, admin_user,
                                                                             member):
    poll = _poll(group, admin_user, title="Which project first?", kind="ranked_choice",
                 options=["Garden", "Bikes", "Solar roof"])
    garden, bikes, solar = option_ids(poll)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/{poll.pk}/")
    page.get_by_label("Garden").select_option("1")
    page.get_by_label("Bikes").select_option("1")
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_role("alert")).to_contain_text("Give each rank to one option only.")
    assert not Stance.objects.exists()
    expect(page.get_by_label("Garden")).to_have_value("1")  # what was chosen is kept
    page.get_by_label("Bikes").select_option("2")
    page.get_by_label("Solar roof").select_option("3")
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    assert Stance.objects.get(proposal=poll).data == {"ranking": [garden, bikes, solar]}
    expect(page.locator(".runoff")).to_contain_text("Round 1")


def test_a_dot_vote_counts_the_dots_left_and_refuses_too_many(page, live_server, group, admin_user, member):
    poll = _poll(group, admin_user, title="Spread the budget", kind="dot_vote", dots_per_voter=5,
                 options=["Website", "Training"])
    web, training = option_ids(poll)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/{poll.pk}/")
    page.get_by_label("Website").fill("4")
    page.get_by_label("Training").fill("3")
    expect(page.locator(".dots-left")).to_have_text("Dots left: -2")
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_role("alert")).to_contain_text("You placed 7 dots; each voter has 5.")
    assert not Stance.objects.exists()
    page.get_by_label("Training").fill("1")
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    assert Stance.objects.get(proposal=poll).data == {"dots": {str(web): 4, str(training): 1}}


def test_a_meeting_time_poll_is_answered_slot_by_slot(page, live_server, group, admin_user, member):
    tuesday = datetime(2099, 3, 10, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    poll = _poll(group, admin_user, title="Next board meeting", kind="meeting_time",
                 options=[{"starts_at": tuesday}, {"starts_at": tuesday + timedelta(days=1)}])
    first, second = option_ids(poll)
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/{poll.pk}/")
    page.check(f"#avail-{first}-yes")
    page.check(f"#avail-{second}-maybe")
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    assert Stance.objects.get(proposal=poll).data == {"availability": {str(first): "yes", str(second): "maybe"}}
    expect(page.locator(".poll-results")).to_contain_text("most available")


def test_a_secret_ballot_shows_who_voted_and_never_what(page, live_server, group, admin_user, member, member2):
    poll = _poll(group, admin_user, title="Elect the treasurer", anonymous=True)
    services.set_stance(proposal=poll, user=member2, choice="disagree")
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/proposals/{poll.pk}/")
    expect(page.locator("#who-voted")).to_contain_text("Member2")
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save my stance").click()
    expect(page.get_by_text("Your stance is saved.")).to_be_visible()
    expect(page.get_by_text("Your secret ballot is cast; it cannot be changed.")).to_be_visible()
    expect(page.locator("#who-voted")).to_contain_text("Member")
    assert page.locator("#vote-panel .stance-badge").count() == 0
