"""The allocation sheet /rounds/{id}/allocate/: every open bucket on one page with the
member's amount in `amount-{bucket id}`, saved all at once (one transaction: every line or
none, the line at fault named) or one line in place (htmx)."""

import re
from decimal import Decimal

import pytest

from allocations.models import Allocation, Envelope, LedgerEntry
from allocations.services import withdraw_bucket
from buckets.models import Bucket
from tests.builders import allocate, make_bucket, make_round


@pytest.fixture
def round(group, admin_user, member):
    return make_round(group, admin_user)


@pytest.fixture
def buckets(round, member):
    return {
        "garden": make_bucket(round, member, title="Jardin partagé", min_amount="100.00", max_amount="300.00"),
        "bikes": make_bucket(round, member, title="Abri vélos", min_amount="100.00", max_amount="150.00"),
        "oven": make_bucket(round, member, title="Four à pain", min_amount="100.00", max_amount="300.00"),
    }


def state(round):
    return (
        sorted(Envelope.objects.filter(round=round).values_list("user_id", "allocated")),
        sorted(Allocation.objects.filter(bucket__round=round).values_list("bucket_id", "amount")),
        sorted(Bucket.objects.filter(round=round).values_list("id", "total")),
        LedgerEntry.objects.filter(round=round).count(),
    )


def test_it_lists_every_open_bucket_with_my_amount_in_its_input(client, round, buckets, member):
    allocate(member, buckets["garden"], "120.00")
    draft = make_bucket(round, member, title="Brouillon caché", publish=False)
    withdraw_bucket(bucket=buckets["oven"], actor=member)
    client.force_login(member)
    html = client.get(f"/rounds/{round.pk}/allocate/").content.decode()
    assert f'name="amount-{buckets["garden"].pk}"' in html and f'name="amount-{buckets["bikes"].pk}"' in html
    assert f'name="amount-{buckets["oven"].pk}"' not in html and f'name="amount-{draft.pk}"' not in html
    garden_input = re.search(rf'<input id="amount-{buckets["garden"].pk}"[^>]*>', html, re.S).group(0)
    assert 'value="120' in garden_input
    assert html.index("Abri vélos") < html.index("Jardin partagé")  # titles in order
    assert html.count("<progress") >= 3  # each line's funding, and the envelope
    assert "€310.00" in html  # left to allocate


def test_saving_all_at_once_saves_every_changed_line(client, round, buckets, member):
    allocate(member, buckets["garden"], "120.00")
    client.force_login(member)
    response = client.post(f"/rounds/{round.pk}/allocate/", {
        f"amount-{buckets['garden'].pk}": "20",
        f"amount-{buckets['bikes'].pk}": "150,00",
        f"amount-{buckets['oven'].pk}": "",
    }, follow=True)
    assert "2 lines saved." in response.content.decode()
    mine = dict(Allocation.objects.filter(envelope__user=member).values_list("bucket_id", "amount"))
    assert mine == {buckets["garden"].pk: Decimal("20.00"), buckets["bikes"].pk: Decimal("150.00")}
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("170.00")
    assert "€260.00" in response.content.decode()  # left, right after saving


def test_moving_money_between_lines_of_a_full_envelope_is_accepted(client, round, buckets, member):
    allocate(member, buckets["garden"], "300.00")
    allocate(member, buckets["oven"], "130.00")
    client.force_login(member)
    client.post(f"/rounds/{round.pk}/allocate/", {
        f"amount-{buckets['garden'].pk}": "150", f"amount-{buckets['bikes'].pk}": "150",
        f"amount-{buckets['oven'].pk}": "130,00",
    })
    assert Allocation.objects.get(bucket=buckets["bikes"]).amount == Decimal("150.00")
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("430.00")


@pytest.mark.parametrize("bad", ["abc", "-5", "12.345", "151"])
def test_one_bad_line_saves_nothing_and_is_named_in_french(client, round, buckets, member, bad):
    allocate(member, buckets["garden"], "50.00")
    before = state(round)
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)
    bikes = buckets["bikes"].pk
    response = client.post(f"/rounds/{round.pk}/allocate/", {
        f"amount-{buckets['garden'].pk}": "80", f"amount-{bikes}": bad, f"amount-{buckets['oven'].pk}": "10",
    }, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert state(round) == before, "a refused sheet changed something"
    html = response.content.decode()
    assert "Rien n’a été enregistré" in html and "«\u202fAbri vélos\u202f»" in html
    assert f'href="#amount-{bikes}"' in html
    bad_input = re.search(rf'<input id="amount-{bikes}"[^>]*>', html, re.S).group(0)
    assert 'aria-invalid="true"' in bad_input and f'value="{bad}"' in bad_input
    other = re.search(rf'<input id="amount-{buckets["oven"].pk}"[^>]*>', html, re.S).group(0)
    assert 'value="10"' in other  # what was typed elsewhere is kept, to correct and send again


def test_more_than_the_envelope_over_several_lines_saves_nothing(client, round, buckets, member):
    before = state(round)
    client.force_login(member)
    html = client.post(f"/rounds/{round.pk}/allocate/", {
        f"amount-{buckets['garden'].pk}": "200", f"amount-{buckets['bikes'].pk}": "150",
        f"amount-{buckets['oven'].pk}": "200",
    }).content.decode()
    assert "more than your envelope" in html
    assert state(round) == before


def test_one_line_is_saved_in_place_with_htmx(client, round, buckets, member):
    client.force_login(member)
    garden = buckets["garden"].pk
    response = client.post(f"/rounds/{round.pk}/allocate/", {
        "line": str(garden), f"amount-{garden}": "75", f"amount-{buckets['bikes'].pk}": "100",
    }, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and f'id="line-{garden}"' in html and "Saved." in html
    assert 'id="sheet-summary" hx-swap-oob="true"' in html and "€355.00" in html
    assert dict(Allocation.objects.filter(envelope__user=member).values_list("bucket_id", "amount")) == {
        garden: Decimal("75.00")}  # only that line


def test_a_line_refused_in_place_keeps_what_was_typed(client, round, buckets, member):
    client.force_login(member)
    bikes = buckets["bikes"].pk
    before = state(round)
    html = client.post(f"/rounds/{round.pk}/allocate/", {"line": str(bikes), f"amount-{bikes}": "151"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "past its maximum goal" in html and 'value="151"' in html and 'aria-invalid="true"' in html
    assert state(round) == before


def test_nothing_changed_saves_nothing_and_says_so(client, round, buckets, member):
    allocate(member, buckets["garden"], "120.00")
    before = state(round)
    client.force_login(member)
    response = client.post(f"/rounds/{round.pk}/allocate/", {f"amount-{buckets['garden'].pk}": "120,00"}, follow=True)
    assert "no amount changed" in response.content.decode()
    assert state(round) == before


def test_without_an_envelope_or_outside_funding_the_sheet_says_why(client, group, admin_user, round, buckets, contributor,
                                                                    member):
    client.force_login(contributor)
    html = client.get(f"/rounds/{round.pk}/allocate/").content.decode()
    assert "You have no envelope in this round" in html and "sheet-form" not in html
    before = state(round)
    client.post(f"/rounds/{round.pk}/allocate/", {f"amount-{buckets['garden'].pk}": "10"})
    assert state(round) == before
    later = make_round(group, admin_user, phase="proposals")
    client.force_login(member)
    html = client.get(f"/rounds/{later.pk}/allocate/").content.decode()
    assert "Allocation is not open now." in html


def test_the_sheet_is_linked_from_the_round_page_and_the_dashboard(client, round, buckets, member):
    client.force_login(member)
    assert f'href="/rounds/{round.pk}/allocate/"' in client.get(f"/rounds/{round.pk}/").content.decode()
    assert f'href="/rounds/{round.pk}/allocate/"' in client.get("/").content.decode()
