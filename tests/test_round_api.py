"""The round endpoints of API.md: fields, phase, totals, publish, top-up, permissions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.builders import allocate, make_bucket, make_round

FIELDS = {
    "id", "title", "kind", "currency", "envelope_amount", "proposals_open_at", "funding_opens_at",
    "funding_closes_at", "meeting_at", "max_per_member_per_bucket", "min_coleads", "funded_if_percent_of_min",
    "decide_if_percent_of_min", "buckets_during_funding", "phase", "totals",
}


def test_an_admin_creates_then_publishes_a_round(api, group, admin_user, member):
    now = timezone.now()
    client = api(admin_user)
    response = client.post("/api/groups/artefacts/rounds/", {
        "title": "2026", "envelope_amount": "430.00", "min_coleads": 2,
        "proposals_open_at": now.isoformat(), "funding_opens_at": (now + timedelta(days=14)).isoformat(),
        "funding_closes_at": (now + timedelta(days=28)).isoformat(), "meeting_at": (now + timedelta(days=30)).isoformat(),
        "max_per_member_per_bucket": 200, "decide_if_percent_of_min": "50",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert FIELDS <= set(body)
    assert body["phase"] == "draft" and body["envelope_amount"] == "430.00" and body["kind"] == "fixed"
    assert body["max_per_member_per_bucket"] == "200.00" and body["buckets_during_funding"] is False
    assert api(member).get(f"/api/rounds/{body['id']}/").status_code == 404  # drafts are for admins
    published = client.post(f"/api/rounds/{body['id']}/publish/")
    assert published.status_code == 200 and published.json()["phase"] == "proposals"
    assert published.json()["totals"] == {"envelopes": "860.00", "allocated": "0.00", "funded": "0.00",
                                          "to_decide": "0.00", "returned": "0.00", "open": "0.00", "unspent": "860.00"}
    assert api(member).get(f"/api/rounds/{body['id']}/").status_code == 200
    again = client.post(f"/api/rounds/{body['id']}/publish/")
    assert again.status_code == 409 and again.json()["code"] == "round_published"


def test_members_read_but_do_not_write_rounds(api, group, admin_user, member):
    round = make_round(group, admin_user)
    listing = api(member).get("/api/groups/artefacts/rounds/").json()
    assert listing["count"] == 1 and listing["results"][0]["phase"] == "funding"
    assert api(member).post("/api/groups/artefacts/rounds/", {"title": "x", "envelope_amount": "1"}, format="json").status_code == 403
    assert api(member).patch(f"/api/rounds/{round.id}/", {"title": "x"}, format="json").status_code == 403
    assert api(member).post(f"/api/rounds/{round.id}/publish/").status_code == 403


def test_outsiders_get_404_and_anonymous_401(api, group, admin_user, outsider):
    round = make_round(group, admin_user)
    assert api(outsider).get(f"/api/rounds/{round.id}/").status_code == 404
    assert api(outsider).get("/api/groups/artefacts/rounds/").status_code == 404
    assert api(None).get(f"/api/rounds/{round.id}/").status_code == 401


def test_totals_follow_the_allocations(api, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "100.00")
    totals = api(member).get(f"/api/rounds/{round.id}/").json()["totals"]
    assert totals == {"envelopes": "860.00", "allocated": "100.00", "funded": "0.00", "to_decide": "0.00",
                      "returned": "0.00", "open": "100.00", "unspent": "760.00"}


def test_patch_validates_with_codes(api, group, admin_user):
    round = make_round(group, admin_user)
    client = api(admin_user)
    bad = client.patch(f"/api/rounds/{round.id}/", {"funding_closes_at": (round.funding_opens_at - timedelta(days=1)).isoformat()}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_dates"
    bad = client.patch(f"/api/rounds/{round.id}/", {"envelope_amount": "-1"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_amount"
    ok = client.patch(f"/api/rounds/{round.id}/", {"title": "Renamed", "envelope_amount": "500"}, format="json")
    assert ok.status_code == 200 and ok.json()["totals"]["envelopes"] == "500.00"  # only the admin has one


def test_a_permanent_round_refuses_a_closing_date_with_400(api, group, admin_user):
    response = api(admin_user).post("/api/groups/artefacts/rounds/", {
        "title": "Fund", "kind": "permanent", "envelope_amount": "100", "funding_closes_at": timezone.now().isoformat(),
    }, format="json")
    assert response.status_code == 400 and response.json()["code"] == "permanent_round_dates"


def test_top_up_through_the_api(api, group, admin_user, member):
    round = make_round(group, admin_user, kind="permanent", envelope="100.00")
    response = api(admin_user).post(f"/api/rounds/{round.id}/topup/", {"amount": "100.00"}, format="json")
    assert response.status_code == 200 and response.json()["totals"]["envelopes"] == "400.00"
    assert api(member).get(f"/api/rounds/{round.id}/envelopes/me/").json()["amount"] == "200.00"
    assert api(member).post(f"/api/rounds/{round.id}/topup/", {"amount": "1"}, format="json").status_code == 403
    fixed = make_round(group, admin_user)
    refused = api(admin_user).post(f"/api/rounds/{fixed.id}/topup/", {"amount": "1"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_permanent"
    assert Decimal(api(admin_user).get(f"/api/rounds/{fixed.id}/").json()["totals"]["envelopes"]) == Decimal("860.00")
