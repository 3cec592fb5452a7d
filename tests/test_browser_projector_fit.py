"""The results page projected at the board meeting fits the screen: at 1280×720 and at
1920×1080, in French, with five-figure totals, no element leaves its box and nothing needs
a horizontal scroll."""

import pytest

from groups import services as group_services
from groups.models import Role
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element whose content is wider than its box, unless the box clips or scrolls it on
# purpose (an ellipsis, a scrolling table); and every amount wider than its card.
OVERFLOWS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.overflowX !== 'visible') continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) found.push(el.tagName + '.' + el.className + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  for (const amount of document.querySelectorAll('.results-totals dd')) {
    const card = amount.closest('.total').getBoundingClientRect(), box = amount.getBoundingClientRect();
    const range = document.createRange(); range.selectNodeContents(amount);
    const text = range.getBoundingClientRect();
    if (text.right > card.right || text.left < card.left) found.push('amount ' + amount.textContent + ' leaves its card');
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) found.push('page: ' + root.scrollWidth + ' > ' + root.clientWidth);
  return found;
}"""


@pytest.fixture
def big_round(group, admin_user, member):
    people = [member]
    for i in range(59):
        person = make_user(f"m{i}@example.org", language="fr")
        group_services.add_member(group=group, email=person.email, role=Role.MEMBER, actor=None, send_invitation=False)
        people.append(person)
    round = make_round(group, admin_user, title="Budget participatif 2026 de la coopérative", envelope="430.00", decide="50", phase="proposals")
    titles = ["Journée coopérative d'été, avec ateliers et conférences ouvertes au public", "Site vitrine", "Serre"]
    buckets = [make_bucket(round, member, title=title, min_amount="9000.00", max_amount="20000.00") for title in titles]
    open_funding(round)
    for i, person in enumerate(people):
        allocate(person, buckets[i % 3], "430.00")
    closing.close_round(round=round, actor=admin_user, notify=False)
    return round


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_projector_mode_fits_the_screen(_browser, live_server, big_round, admin_user, width, height):
    admin_user.language = "fr"
    admin_user.save()
    context = _browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", admin_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.goto(f"{live_server.url}/rounds/{big_round.pk}/results/?projector=1")
    assert page.locator("[data-total=envelopes]").inner_text() == "26\u202f230,00\u00a0€" or \
        page.locator("[data-total=envelopes]").inner_text().replace("\u202f", " ").replace("\u00a0", " ") == "26 230,00 €"
    assert page.evaluate(OVERFLOWS) == []
    page.screenshot(path=f"/tmp/projector-{width}.png")
    context.close()
