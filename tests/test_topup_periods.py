"""Top-ups are granted once per period (API.md, "Rounds"): POST /api/rounds/{id}/topup/
{amount, period}; a period already granted is a 409 topup_already_granted and changes
nothing, even when two grants race; GET /api/rounds/{id}/topups/ lists them; the round page
says "Top-up 2027 granted on … by …"."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.utils import timezone

from allocations import services
from allocations.models import Envelope, LedgerEntry, Topup
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(group, admin_user, member, member2):
    return make_round(group, admin_user, title="Bourse", kind="permanent", envelope="100.00")


def amounts():
    return sorted(Envelope.objects.values_list("amount", flat=True))


def test_a_period_is_granted_once(api, fund, admin_user):
    client = api(admin_user)
    first = client.post(f"/api/rounds/{fund.pk}/topup/", {"amount": "100.00", "period": "2027"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["topup"]["period"] == "2027" and first.json()["topup"]["envelopes"] == 3
    assert first.json()["totals"]["envelopes"] == "600.00"
    after = (amounts(), LedgerEntry.objects.count())
    again = client.post(f"/api/rounds/{fund.pk}/topup/", {"amount": "100.00", "period": "2027"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "topup_already_granted"
    assert "2027" in again.json()["detail"] and "Alice Admin" in again.json()["detail"]
    assert (amounts(), LedgerEntry.objects.count()) == after
    assert client.post(f"/api/rounds/{fund.pk}/topup/", {"amount": "50.00", "period": "2028"}, format="json").status_code == 200
    assert amounts() == [Decimal("250.00")] * 3


def test_the_topups_are_listed(api, fund, admin_user, member):
    services.grant_topup(round=fund, amount="100.00", period="2026", actor=admin_user)
    services.grant_topup(round=fund, amount="120.00", period="2027", actor=admin_user)
    body = api(member).get(f"/api/rounds/{fund.pk}/topups/").json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert {k: newest[k] for k in ("period", "amount", "envelopes")} == {"period": "2027", "amount": "120.00", "envelopes": 3}
    assert newest["granted_by"] == {"id": admin_user.pk, "name": "Alice Admin"}
    assert newest["granted_at"].endswith(("Z", "+00:00", "+01:00", "+02:00"))


def test_without_a_period_the_current_year_is_granted(api, fund, admin_user):
    response = api(admin_user).post(f"/api/rounds/{fund.pk}/topup/", {"amount": "10.00"}, format="json")
    assert response.json()["topup"]["period"] == str(timezone.localtime().year)
    again = api(admin_user).post(f"/api/rounds/{fund.pk}/topup/", {"amount": "10.00"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "topup_already_granted"


@pytest.mark.parametrize("period", ["", "   ", "x" * 40, "20\x0027"])
def test_a_bad_period_is_refused(api, fund, admin_user, period):
    before = (amounts(), LedgerEntry.objects.count())
    response = api(admin_user).post(f"/api/rounds/{fund.pk}/topup/", {"amount": "10.00", "period": period}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_period"
    assert (amounts(), LedgerEntry.objects.count()) == before and not Topup.objects.exists()


def test_the_ledger_and_the_topup_row_go_together(fund, admin_user):
    topup = services.grant_topup(round=fund, amount=Decimal("100.00"), period="2027", actor=admin_user)
    rows = LedgerEntry.objects.filter(round=fund, kind="topup")
    assert rows.count() == topup.envelopes == 3
    assert set(rows.values_list("note", flat=True)) == {"top-up 2027"}
    assert topup.total == Decimal("300.00")


def test_someone_who_left_is_not_topped_up(fund, group, admin_user, member2):
    group_services.remove_member(membership=Membership.objects.get(group=group, user=member2), actor=admin_user)
    topup = services.grant_topup(round=fund, amount=Decimal("100.00"), period="2027", actor=admin_user)
    assert topup.envelopes == 2
    assert Envelope.objects.get(round=fund, user=member2).amount == Decimal("0.00")


def test_the_round_page_says_who_granted_which_period_when(client, fund, admin_user, member):
    services.grant_topup(round=fund, amount=Decimal("100.00"), period="2027", actor=admin_user)
    client.force_login(member)
    html = client.get(f"/rounds/{fund.pk}/").content.decode()
    assert "Top-up 2027 granted on" in html and "by Alice Admin" in html
    assert "3 envelopes × €100.00 = €300.00" in html
    assert 'action="/rounds/' not in html.split("Top-ups")[1].split("</section>")[0]  # the form is for admins
    client.force_login(admin_user)
    html = client.get(f"/rounds/{fund.pk}/").content.decode()
    assert f'name="period" type="text" value="{timezone.localtime().year}"' in html


def test_allocations_are_kept_by_a_topup(fund, admin_user, member):
    bucket = make_bucket(fund, member)
    allocate(member, bucket, "60.00")
    services.grant_topup(round=fund, amount=Decimal("100.00"), period="2027", actor=admin_user)
    envelope = Envelope.objects.get(round=fund, user=member)
    assert (envelope.amount, envelope.allocated) == (Decimal("200.00"), Decimal("60.00"))


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_one_period_give_it_once(fund, admin_user):
    barrier = threading.Barrier(8)
    outcomes = []

    def grant():
        close_old_connections()
        try:
            barrier.wait()
            services.grant_topup(round=fund, amount=Decimal("100.00"), period="2027", actor=admin_user)
            outcomes.append("granted")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=grant) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["granted"] + ["topup_already_granted"] * 7
    assert amounts() == [Decimal("200.00")] * 3
    assert LedgerEntry.objects.filter(kind="topup").count() == 3 and Topup.objects.count() == 1
