"""GET /api/rounds/{id}/results/ and POST /api/rounds/{id}/close/: who sees what, and the
numbers a board meeting would read."""

from decimal import Decimal

import pytest

from buckets.models import Bucket, Round
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_with_money(group, admin_user, member, member2):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round, member, title="Funded", min_amount="300.00", max_amount="500.00")
    decide = make_bucket(round, member, title="To decide", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round, member2, title="Lost", min_amount="1000.00", max_amount="1200.00")
    open_funding(round)
    allocate(member, funded, "200.00")
    allocate(member2, funded, "150.00")
    allocate(member, decide, "230.00")
    allocate(member2, lost, "100.00")
    return round, {"funded": funded, "decide": decide, "lost": lost}


def test_members_read_live_results_during_funding(api, round_with_money, member):
    round, _ = round_with_money
    response = api(member).get(f"/api/rounds/{round.pk}/results/")
    assert response.status_code == 200
    body = response.json()
    assert body["final"] is False
    assert body["round"]["phase"] == "funding"
    assert body["totals"] == {"envelopes": "1290.00", "allocated": "680.00", "funded": "0.00", "to_decide": "0.00",
                              "returned": "0.00", "open": "680.00", "unspent": "610.00"}
    assert [b["status"] for b in body["buckets"]] == ["open", "open", "open"]
    assert "members" not in body


def test_after_close_funded_come_first_then_to_decide_with_its_proposal(api, round_with_money, member, admin_user):
    round, buckets = round_with_money
    closing.close_round(round=round, actor=admin_user)
    body = api(member).get(f"/api/rounds/{round.pk}/results/").json()
    assert body["final"] is True
    assert body["round"]["phase"] == "closed"
    assert [(b["title"], b["status"]) for b in body["buckets"]] == [
        ("Funded", "funded"), ("To decide", "to_decide"), ("Lost", "not_funded"),
    ]
    funded, decide, lost = body["buckets"]
    assert funded == {
        "id": buckets["funded"].pk, "title": "Funded", "status": "funded", "min_goal": "300.00",
        "max_goal": "500.00", "total": "350.00", "contributors_count": 2, "percent_of_min": "116.66",
        "proposal": None, "funded": "350.00", "paid": "0.00", "balance": "350.00", "returned": "0.00",
    }
    assert decide["proposal"] == Proposal.objects.get(bucket=buckets["decide"]).pk
    assert decide["percent_of_min"] == "57.50"
    assert lost["proposal"] is None
    # 1290 in envelopes = 350 funded + 230 held for the meeting + 100 returned from Lost + 610 never allocated.
    assert body["totals"] == {"envelopes": "1290.00", "allocated": "680.00", "funded": "350.00", "to_decide": "230.00",
                              "returned": "100.00", "open": "0.00", "unspent": "610.00"}


def test_admins_and_accountants_see_each_member_and_it_adds_up(api, round_with_money, admin_user, accountant, member):
    round, _ = round_with_money
    closing.close_round(round=round, actor=admin_user)
    for user in (admin_user, accountant):
        body = api(user).get(f"/api/rounds/{round.pk}/results/").json()
        rows = {row["member"]["email"]: row for row in body["members"]}
        assert rows["member@example.org"] == {
            "member": {"id": member.pk, "email": "member@example.org", "name": member.name},
            "envelope": "430.00", "allocated": "430.00", "funded": "200.00", "to_decide": "230.00",
            "returned": "0.00", "open": "0.00", "unspent": "0.00",
        }
        # 430 = 150 funded + 100 returned from Lost + 180 never allocated
        assert rows["member2@example.org"]["returned"] == "100.00"
        assert rows["member2@example.org"]["unspent"] == "180.00"
        for part in ("funded", "to_decide", "returned", "open", "unspent"):
            assert sum(Decimal(r[part]) for r in body["members"]) == Decimal(body["totals"][part]), part
        assert sum(Decimal(r["envelope"]) for r in body["members"]) == Decimal(body["totals"]["envelopes"])


def test_contributors_read_results_outsiders_get_404(api, round_with_money, contributor, outsider):
    round, _ = round_with_money
    assert api(contributor).get(f"/api/rounds/{round.pk}/results/").status_code == 200
    assert api(outsider).get(f"/api/rounds/{round.pk}/results/").status_code == 404
    assert api(None).get(f"/api/rounds/{round.pk}/results/").status_code == 401


def test_an_admin_closes_now_and_again_harmlessly(api, round_with_money, admin_user):
    round, _ = round_with_money
    first = api(admin_user).post(f"/api/rounds/{round.pk}/close/")
    assert first.status_code == 200
    assert first.json()["phase"] == "closed"
    closed_at = Round.objects.get(pk=round.pk).closed_at
    assert closed_at is not None
    second = api(admin_user).post(f"/api/rounds/{round.pk}/close/")
    assert second.status_code == 200
    assert Round.objects.get(pk=round.pk).closed_at == closed_at
    assert Proposal.objects.filter(bucket__round=round).count() == 1


def test_only_admins_close(api, round_with_money, member, accountant, outsider):
    round, _ = round_with_money
    assert api(member).post(f"/api/rounds/{round.pk}/close/").status_code == 403
    assert api(accountant).post(f"/api/rounds/{round.pk}/close/").status_code == 403
    assert api(outsider).post(f"/api/rounds/{round.pk}/close/").status_code == 404
    assert Round.objects.get(pk=round.pk).closed_at is None
    assert not Bucket.objects.filter(round=round).exclude(status="open").exists()


def test_a_draft_round_cannot_be_closed(api, group, admin_user):
    from buckets import services as bucket_services

    draft = bucket_services.create_round(group=group, actor=admin_user, title="Draft", kind="fixed")
    response = api(admin_user).post(f"/api/rounds/{draft.pk}/close/")
    assert response.status_code == 409
    assert response.json()["code"] == "round_draft"
