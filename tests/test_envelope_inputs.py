"""The envelopes page writes amounts the local way in its inputs too (645,00 beside
645,00 €), shows the amount a member has as the placeholder of an empty field, and its
totals, like a draft round's, count the default envelopes."""

from decimal import Decimal

import pytest

from allocations import services
from allocations.models import Envelope
from buckets import services as bucket_services
from groups.models import Membership
from tests.builders import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def french_admin(client, admin_user, settings):
    settings.LANGUAGE_CODE = "fr"
    admin_user.language = "fr"
    admin_user.save()
    client.force_login(admin_user)
    return client


def field(html, membership):
    start = html.index(f'name="amount-{membership.pk}"')
    return html[start:html.index(">", start)]


def test_inputs_are_written_the_local_way_with_the_default_as_placeholder(french_admin, group, admin_user, member, member2):
    round = make_round(group, admin_user, envelope="430.00", phase="proposals")
    services.set_envelope_amount(round=round, user=member, amount=Decimal("645.00"), actor=admin_user)
    html = french_admin.get(f"/rounds/{round.pk}/envelopes/").content.decode()
    custom = field(html, Membership.objects.get(group=group, user=member))
    default = field(html, Membership.objects.get(group=group, user=member2))
    assert 'value="645,00"' in custom and "645.00" not in html
    assert 'value=""' in default and 'placeholder="430,00"' in default


def test_a_local_amount_is_saved_and_an_empty_field_changes_nothing(french_admin, group, admin_user, member, member2):
    round = make_round(group, admin_user, envelope="430.00", phase="proposals")
    m1, m2 = Membership.objects.get(group=group, user=member), Membership.objects.get(group=group, user=member2)
    french_admin.post(f"/rounds/{round.pk}/envelopes/", {f"amount-{m1.pk}": "1 645,50", f"amount-{m2.pk}": ""})
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("1645.50")
    assert Envelope.objects.get(round=round, user=member2).amount == Decimal("430.00")
    assert not Envelope.objects.get(round=round, user=member2).is_custom


def test_a_draft_rounds_totals_count_the_default_envelopes(french_admin, group, admin_user, member, member2):
    draft = bucket_services.create_round(group=group, actor=admin_user, title="2027", kind="fixed",
                                         envelope_amount=Decimal("430.00"))
    html = french_admin.get(f"/rounds/{draft.pk}/envelopes/").content.decode()
    assert "1\xa0290,00\xa0€" in html  # admin, member and member2 will each receive 430
    page = french_admin.get(f"/rounds/{draft.pk}/").content.decode()
    assert "1\xa0290,00\xa0€" in page
