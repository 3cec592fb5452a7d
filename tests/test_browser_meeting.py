"""In the browser, the secretary runs the board meeting: records who is present (one member
represented by another), records the board's decision on the bucket left to decide from the
projector page using the keyboard, and seals the minutes."""

import pytest

from buckets.models import Bucket
from meetings.models import Meeting
from tests.builders import member_id, plan_meeting, round_with_bucket_to_decide
from tests.conftest import browser_login

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretary_runs_the_meeting_and_seals_the_minutes(page, live_server, group, admin_user, member, member2):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    meeting = plan_meeting(group, admin_user, title="Board meeting of March", voters=[admin_user, member, member2],
                   items=["Any other business"])
    browser_login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")

    page.check(f"#st-{member_id(group, admin_user)}-p")
    page.check(f"#st-{member_id(group, member)}-p")
    page.check(f"#st-{member_id(group, member2)}-r")
    page.select_option(f"#px-{member_id(group, member2)}", str(member_id(group, member)))
    page.get_by_role("button", name="Save the attendance").click()
    expect(page.get_by_text("The attendance is saved.")).to_be_visible()
    expect(page.locator("#meeting-quorum")).to_contain_text(
        "3 of 3 voting members present or represented (present: 2, represented: 1)")

    page.get_by_role("link", name="Run the meeting on the projector").click()
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(page.get_by_role("heading", name="Training", exact=True)).to_be_visible()
    page.get_by_label("For").fill("2")
    page.get_by_label("Against").fill("1")
    page.get_by_role("button", name="Adopted: fund it").click()
    expect(page.get_by_text("The decision is recorded.")).to_be_visible()
    expect(page.locator(".projector-side")).to_contain_text("2 for, 1 against, 0 abstaining")
    assert "/projector/" in page.url  # back on the projector, at the same item
    training.refresh_from_db()
    assert training.status == Bucket.Status.FUNDED

    page.keyboard.press("ArrowRight")  # the next item, by keyboard
    expect(page.locator(".projector-count")).to_contain_text("Item 2 of 2")
    expect(page.get_by_role("heading", name="Any other business")).to_be_visible()

    page.get_by_role("link", name="Leave projector mode").click()
    page.check("#seal-confirm")
    page.get_by_role("button", name="Seal the minutes").click()
    expect(page.get_by_text("The minutes are sealed.")).to_be_visible()
    sealed = Meeting.objects.get(pk=meeting.pk)
    expect(page.locator(".hashes")).to_contain_text(sealed.sha256)
    assert "Member2, represented by Member" in sealed.minutes_html
    # sealed: no more forms to change anything
    assert page.get_by_role("button", name="Save the attendance").count() == 0
