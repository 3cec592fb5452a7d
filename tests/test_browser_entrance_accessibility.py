"""The pages a newcomer meets before being signed in (logging in, asking for a code, joining
from a link, the welcome of an e-mail invitation) pass axe-core with no serious or critical
violation, as the signed-in pages do (tests/test_browser_accessibility.py)."""

import pytest
from django.core import mail

from groups import services
from groups.models import Invitation
from tests.test_browser_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_page(_browser, live_server):
    """Signed out, with axe's injected script let past the CSP (as in test_browser_accessibility)."""
    context = _browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_every_entrance_page_passes_axe(axe_page, live_server, group, admin_user):
    link = services.create_invite_link(group=group, actor=admin_user)
    services.add_member(group=group, email="zoe@example.org", actor=admin_user, send_invitation=False)
    welcome = services.welcome_token(Invitation.objects.get(email="zoe@example.org"))
    pages = {
        "login": "/accounts/login/",
        "login code": "/accounts/login/code/",
        "join link": f"/join/{link.token}/",
        "welcome": f"/welcome/{welcome}/",
    }
    found = {}
    for name, path in pages.items():
        response = axe_page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        problems = violations(axe_page)
        if problems:
            found[name] = problems
    assert found == {}
    assert mail.outbox == []
