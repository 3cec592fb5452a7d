"""The paper form is a sheet: the chosen member's envelope, what is left and every open bucket
with their current amount on one page; the whole form is saved in one transaction (every
line or none, the line at fault named); the page stays on that member and offers the next."""

from decimal import Decimal

import pytest

from allocations.models import Allocation, LedgerEntry
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round, open_funding

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(group, admin_user, member, member2):
    round = make_round(group, admin_user, max_per_member_per_bucket=Decimal("200.00"), phase="proposals")
    buckets = {title: make_bucket(round, admin_user, title=title, min_amount="100.00", max_amount="500.00")
               for title in ("Four", "Serre", "Vélo")}
    open_funding(round)
    allocate(member, buckets["Four"], "120.50")
    return round, buckets, Membership.objects.get(group=group, user=member), Membership.objects.get(group=group, user=member2)


def url(round, membership=None):
    return f"/rounds/{round.pk}/paper/" + (f"?member={membership.pk}" if membership else "")


def mine(member):
    return dict(Allocation.objects.filter(envelope__user=member).values_list("bucket__title", "amount"))


def test_the_sheet_shows_the_envelope_and_every_open_bucket(client, sheet, admin_user, settings):
    settings.LANGUAGE_CODE = "fr"
    round, buckets, target, after = sheet
    client.force_login(admin_user)
    admin_user.language = "fr"
    admin_user.save()
    html = client.get(url(round, target)).content.decode()
    assert "Enveloppe <strong class=\"amount\">430,00\xa0€</strong>" in html
    assert "réparti <strong class=\"amount\">120,50\xa0€</strong>" in html
    assert "reste <strong class=\"amount\">309,50\xa0€</strong>" in html
    for bucket in buckets.values():
        assert f'name="amount-{bucket.pk}"' in html
    assert f'name="amount-{buckets["Four"].pk}" type="text" inputmode="decimal" class="amount-input" value="120,50"' in html
    assert f'href="?member={after.pk}"' in html  # the next member is offered


def test_the_whole_form_is_saved_at_once_and_the_page_stays_on_the_member(client, sheet, admin_user, member):
    round, buckets, target, _after = sheet
    client.force_login(admin_user)
    response = client.post(url(round), {
        "member": target.pk, f"amount-{buckets['Four'].pk}": "100", f"amount-{buckets['Serre'].pk}": "150,25",
        f"amount-{buckets['Vélo'].pk}": "",
    })
    assert response.status_code == 302 and response["Location"] == url(round, target)
    assert mine(member) == {"Four": Decimal("100.00"), "Serre": Decimal("150.25")}
    entries = LedgerEntry.objects.filter(kind="allocation", member=member, actor=admin_user)
    assert entries.count() == 2  # Four lowered, Serre added; Vélo unchanged at 0
    page = client.get(response["Location"]).content.decode()
    assert "Saved for Member: 2 lines changed. Allocated €250.25 of €430.00; €179.75 left." in page


def test_save_then_next_goes_to_the_next_member(client, sheet, admin_user):
    round, buckets, target, after = sheet
    client.force_login(admin_user)
    response = client.post(url(round), {"member": target.pk, f"amount-{buckets['Vélo'].pk}": "10", "then": "next"})
    assert response["Location"] == url(round, after)


@pytest.mark.parametrize("bad, message", [
    ("201", "Each member may give at most €200.00 to one bucket."),
    ("abc", "Enter the amount as a number"),
    ("-3", "The amount cannot be negative."),
])
def test_one_bad_line_saves_nothing_and_is_named(client, sheet, admin_user, member, bad, message):
    round, buckets, target, _after = sheet
    client.force_login(admin_user)
    before = (mine(member), LedgerEntry.objects.count())
    response = client.post(url(round), {
        "member": target.pk, f"amount-{buckets['Four'].pk}": "10", f"amount-{buckets['Serre'].pk}": "20",
        f"amount-{buckets['Vélo'].pk}": bad,
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in html and "“Vélo”" in html and message in html
    assert f'id="amount-{buckets["Vélo"].pk}" name="amount-{buckets["Vélo"].pk}"' in html
    assert 'aria-invalid="true" aria-describedby="err-' + str(buckets["Vélo"].pk) + '"' in html
    assert f'value="{bad}"' in html and 'value="20"' in html  # what was typed stays typed
    assert (mine(member), LedgerEntry.objects.count()) == before


def test_more_than_the_envelope_saves_nothing(client, sheet, admin_user, member):
    round, buckets, target, _after = sheet
    client.force_login(admin_user)
    before = (mine(member), LedgerEntry.objects.count())
    response = client.post(url(round), {
        "member": target.pk, **{f"amount-{bucket.pk}": "200" for bucket in buckets.values()},
    })
    assert "Nothing was saved." in response.content.decode() and "more than your envelope allows" in response.content.decode()
    assert (mine(member), LedgerEntry.objects.count()) == before


def test_an_unknown_member_is_refused(client, sheet, admin_user, outsider):
    round, buckets, _target, _after = sheet
    client.force_login(admin_user)
    response = client.post(url(round), {"member": "999999", f"amount-{buckets['Four'].pk}": "5"}, follow=True)
    assert "Choose a member of the list." in response.content.decode()
    assert LedgerEntry.objects.filter(actor=admin_user, kind="allocation").count() == 0
