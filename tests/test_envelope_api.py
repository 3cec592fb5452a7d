"""The envelope endpoints: the admins' list, my envelope, setting a member's amount."""

from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round


def test_admins_and_accountants_list_envelopes_members_do_not(api, group, admin_user, member, accountant):
    round = make_round(group, admin_user)
    body = api(accountant).get(f"/api/rounds/{round.id}/envelopes/").json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["member"]["email"] == member.email)
    assert row["member"]["id"] == Membership.objects.get(user=member).id
    assert (row["amount"], row["allocated"], row["remaining"]) == ("430.00", "0.00", "430.00")
    assert api(member).get(f"/api/rounds/{round.id}/envelopes/").status_code == 403


def test_my_envelope_and_404_when_none(api, group, admin_user, member, contributor):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "30.00")
    assert api(member).get(f"/api/rounds/{round.id}/envelopes/me/").json() == {
        "amount": "430.00", "allocated": "30.00", "remaining": "400.00"
    }
    assert api(contributor).get(f"/api/rounds/{round.id}/envelopes/me/").status_code == 404


def test_an_admin_sets_a_member_amount_never_below_allocated(api, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "100.00")
    member_id = Membership.objects.get(user=member, group=group).id
    url = f"/api/rounds/{round.id}/envelopes/{member_id}/"
    ok = api(admin_user).put(url, {"amount": "600.00"}, format="json")
    assert ok.status_code == 200 and ok.json()["amount"] == "600.00" and ok.json()["remaining"] == "500.00"
    low = api(admin_user).put(url, {"amount": "99.99"}, format="json")
    assert low.status_code == 409 and low.json()["code"] == "envelope_below_allocated"
    bad = api(admin_user).put(url, {"amount": "1.234"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_amount"
    assert api(member).put(url, {"amount": "999"}, format="json").status_code == 403
    assert api(member).get(f"/api/rounds/{round.id}/envelopes/me/").json()["amount"] == "600.00"
