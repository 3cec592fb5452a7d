"""In Debian's Chromium, on a desktop and on a phone: a member opens the allocation sheet from
the round page, sees the envelope left follow what they type before saving, saves one line in
place, then the whole sheet from the keyboard, and reads the refusal of a bad amount."""

from decimal import Decimal

import pytest

from allocations.models import Allocation, Envelope
from tests.builders import make_bucket, make_round
from tests.conftest import browser_login


def _mine(member):
    return {title: amount for title, amount in
            Allocation.objects.filter(envelope__user=member).values_list("bucket__title", "amount")}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_member_fills_the_allocation_sheet(page, live_server, group, admin_user, member, width, height):
    round = make_round(group, admin_user)
    garden = make_bucket(round, member, title="Garden", min_amount="100.00", max_amount="300.00")
    bikes = make_bucket(round, member, title="Bikes", min_amount="100.00", max_amount="150.00")
    oven = make_bucket(round, member, title="Oven", min_amount="100.00", max_amount="300.00")
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, live_server, member)

    page.goto(f"{live_server.url}/rounds/{round.id}/")
    page.click("text=Allocate on one sheet")
    page.wait_for_url(f"**/rounds/{round.id}/allocate/")
    left = page.locator("#sheet-left")
    assert left.inner_text() == "€430.00"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways

    # The envelope left follows what is typed, before anything is saved.
    page.fill(f"#amount-{garden.id}", "100")
    assert left.inner_text() == "€330.00"
    assert page.locator("#sheet-unsaved").is_visible()
    assert _mine(member) == {}

    # One line saved in place.
    page.click(f"#line-{garden.id} button.sheet-line-save")
    page.locator(f"#line-{garden.id} .saved").wait_for()
    assert page.url.endswith(f"/rounds/{round.id}/allocate/")
    assert _mine(member) == {"Garden": Decimal("100.00")}
    assert left.inner_text() == "€330.00"
    assert "€100.00" in page.locator(f"#line-{garden.id} .funding-text").inner_text()

    # Over the envelope: said at once.
    page.fill(f"#amount-{bikes.id}", "400")
    assert page.locator("#sheet-over").is_visible()
    assert "€70.00 more than your envelope" in page.locator("#sheet-over").inner_text()

    # The whole sheet from the keyboard: Enter in an amount saves every line.
    page.focus(f"#amount-{bikes.id}")
    page.keyboard.press("Control+A")
    page.keyboard.type("150")
    page.keyboard.press("Tab")
    assert not page.locator("#sheet-over").is_visible()
    page.focus(f"#amount-{oven.id}")
    page.keyboard.type("30,50")
    page.keyboard.press("Enter")
    page.locator(".message-success").wait_for()
    assert "2 lines saved." in page.locator(".messages").inner_text()
    assert _mine(member) == {"Garden": Decimal("100.00"), "Bikes": Decimal("150.00"), "Oven": Decimal("30.50")}
    assert page.locator("#sheet-left").inner_text() == "€149.50"

    # A bad amount: nothing saved, the line named.
    page.fill(f"#amount-{garden.id}", "50")
    page.fill(f"#amount-{oven.id}", "abc")
    page.keyboard.press("Enter")
    page.locator("#sheet-refused").wait_for()
    assert "Nothing was saved." in page.locator("#sheet-refused").inner_text()
    assert page.locator(f"#amount-{oven.id}").get_attribute("aria-invalid") == "true"
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("280.50")
    page.click("#sheet-refused a")
    assert page.evaluate("document.activeElement.id") == f"amount-{oven.id}" or page.url.endswith(f"#amount-{oven.id}")
