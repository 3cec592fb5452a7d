"""Granting a top-up asks first: "N envelopes × amount = total" for its period; nothing
changes until confirmed; the same confirmation sent twice grants once."""

from decimal import Decimal

import pytest

from allocations.models import Envelope, LedgerEntry, Topup
from groups import services as group_services
from groups.models import Role
from tests.builders import make_round
from tests.confirm_helpers import confirmation_token
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(group, admin_user, member, member2):
    return make_round(group, admin_user, title="Bourse", kind="permanent", envelope="100.00")


def state():
    return sorted(Envelope.objects.values_list("amount", flat=True)), LedgerEntry.objects.count(), Topup.objects.count()


def test_the_page_states_envelopes_times_amount_and_changes_nothing(client, fund, admin_user):
    before = state()
    client.force_login(admin_user)
    response = client.post(f"/rounds/{fund.pk}/topup/", {"amount": "100,00", "period": "2027"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grant the top-up “2027”?" in html
    assert "Top-up “2027”: 3 envelopes × €100.00 = €300.00." in html
    assert state() == before


def test_two_clicks_on_the_confirmation_grant_once(client, fund, admin_user):
    client.force_login(admin_user)
    url, data = f"/rounds/{fund.pk}/topup/", {"amount": "100", "period": "2027"}
    token = confirmation_token(client.post(url, data))
    first = client.post(url, {**data, "confirm": token}, follow=True)
    assert "Granted. Top-up “2027”: 3 envelopes × €100.00 = €300.00." in first.content.decode()
    after = state()
    assert after[0] == [Decimal("200.00")] * 3
    second = client.post(url, {**data, "confirm": token}, follow=True)
    assert "The top-up “2027” was already granted on" in second.content.decode()
    assert state() == after


def test_a_member_joining_meanwhile_makes_the_confirmation_stale(client, fund, group, admin_user):
    client.force_login(admin_user)
    url, data = f"/rounds/{fund.pk}/topup/", {"amount": "100", "period": "2027"}
    token = confirmation_token(client.post(url, data))
    newcomer = make_user("newcomer@example.org")
    group_services.add_member(group=group, email=newcomer.email, role=Role.MEMBER, actor=None, send_invitation=False)
    before = state()
    response = client.post(url, {**data, "confirm": token})
    assert response.status_code == 409
    assert "4 envelopes × €100.00 = €400.00" in response.content.decode()
    assert state() == before


def test_bad_input_is_refused_before_any_page(client, fund, admin_user):
    client.force_login(admin_user)
    before = state()
    for data, message in (
        ({"amount": "-5", "period": "2027"}, "The amount cannot be negative."),
        ({"amount": "0", "period": "2027"}, "The top-up must be above zero."),
        ({"amount": "10", "period": "   "}, "Name the period of this top-up"),
        ({"amount": "10", "period": "x" * 40}, "The period is a short label"),
    ):
        response = client.post(f"/rounds/{fund.pk}/topup/", data, follow=True)
        html = response.content.decode()
        assert 'name="confirm"' not in html and message in html, data
    assert state() == before


def test_a_draft_fund_is_refused_before_any_page(client, group, admin_user):
    draft = make_round(group, admin_user, title="Bourse 2027", kind="permanent", envelope="100.00", publish=False)
    client.force_login(admin_user)
    response = client.post(f"/rounds/{draft.pk}/topup/", {"amount": "10", "period": "2027"}, follow=True)
    html = response.content.decode()
    assert 'name="confirm"' not in html and "Publish the round before granting a top-up." in html
    assert not Topup.objects.exists()
