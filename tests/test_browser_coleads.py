"""In Debian's Chromium, from the keyboard: a member proposing a bucket types part of a name
in "Add a co-lead", picks the person with the arrow keys and Enter (no address shown), and
the bucket is saved with that co-lead."""

import re

import pytest

from groups import services as group_services
from groups.models import Role
from tests.builders import make_round
from tests.conftest import browser_login, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_adds_a_co_lead_by_name_from_the_keyboard(page, live_server, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    for email, name in (("e.dubois@example.org", "Emmanuel Dubois"), ("e.martin@example.org", "Élodie Martin")):
        make_user(email, name)
        group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None, send_invitation=False)
    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/rounds/{round.id}/buckets/new/")
    page.get_by_label("Title").fill("Atelier vélo")
    page.fill("input[name='item-0-description']", "Outils")
    page.fill("input[name='item-0-min']", "100")
    page.fill("input[name='item-0-max']", "200")

    combo = page.get_by_role("combobox", name="Add a co-lead")
    combo.focus()
    page.keyboard.type("emmanuel dub")
    listbox = page.get_by_role("listbox", name="Members of the group")
    options = listbox.get_by_role("option")
    options.first.wait_for()
    assert options.count() == 1 and options.first.inner_text() == "Emmanuel Dubois"  # no address
    assert combo.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert combo.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("Enter")  # chooses; does not send the form
    assert page.get_by_role("checkbox", name="Emmanuel Dubois").is_checked()
    assert combo.input_value() == "" and "/buckets/new/" in page.url
    assert "added as a co-lead" in page.locator("#colead-status").inner_text()

    page.keyboard.type("elodie")
    listbox.get_by_role("option", name="Élodie Martin").wait_for()
    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")

    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/buckets/[0-9]+/$"))
    bucket = member.led_buckets.get()
    assert sorted(u.name for u in bucket.coleads.all()) == ["Emmanuel Dubois", "Member"]
