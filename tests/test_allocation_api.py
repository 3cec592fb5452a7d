"""PUT /api/buckets/{id}/allocation/: results, every refusal code, paper forms, visibility."""

import pytest

from allocations.models import LedgerEntry
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round, pass_deadline


@pytest.fixture
def api(api_both):
    """Every API test here runs twice: through DRF's view, and with an API token through the
    allocation fast path."""
    return api_both


def put(client, bucket, body):
    return client.put(f"/api/buckets/{bucket.id}/allocation/", body, format="json")


def test_it_returns_the_amount_the_bucket_total_and_what_remains(api, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    response = put(api(member), bucket, {"amount": "120.00"})
    assert response.status_code == 200
    assert response.json() == {"amount": "120.00", "bucket_total": "120.00", "envelope_remaining": "310.00"}
    detail = api(member).get(f"/api/buckets/{bucket.id}/").json()
    assert detail["my_allocation"] == "120.00" and detail["total"] == "120.00" and detail["contributors_count"] == 1


def test_each_refusal_is_a_409_with_its_code(api, group, admin_user, member, member2, contributor):
    round = make_round(group, admin_user, max_per_member_per_bucket="250.00")
    bucket = make_bucket(round, member, max_amount="300.00")
    other = make_bucket(round, member, title="Other", max_amount="1000.00")
    draft = make_bucket(round, member, title="Draft", publish=False)
    allocate(member, other, "200.00")
    cases = [
        (member, bucket, "230.01", "envelope_exceeded"),
        (member2, bucket, "250.01", "per_bucket_cap_exceeded"),
        (contributor, bucket, "1.00", "no_envelope"),
        (member, draft, "1.00", "bucket_not_open"),
    ]
    for user, target, amount, code in cases:
        response = put(api(user), target, {"amount": amount})
        assert response.status_code == 409, (code, response.content)
        assert response.json()["code"] == code and response.json()["detail"]
    put(api(member2), bucket, {"amount": "250.00"})
    response = put(api(admin_user), bucket, {"amount": "50.01"})
    assert response.status_code == 409 and response.json()["code"] == "bucket_max_exceeded"
    pass_deadline(round)
    response = put(api(member), bucket, {"amount": "1.00"})
    assert response.status_code == 409 and response.json()["code"] == "round_closed"


def test_before_funding_it_is_round_not_funding(api, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member)
    response = put(api(member), bucket, {"amount": "1.00"})
    assert response.status_code == 409 and response.json()["code"] == "round_not_funding"


def test_an_admin_enters_a_paper_form_others_may_not(api, group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    member_id = Membership.objects.get(user=member, group=group).id
    response = put(api(admin_user), bucket, {"amount": "40.00", "member": member_id})
    assert response.status_code == 200 and response.json()["envelope_remaining"] == "390.00"
    entry = LedgerEntry.objects.get(kind="allocation")
    assert (entry.member, entry.actor) == (member, admin_user)
    assert put(api(member2), bucket, {"amount": "1.00", "member": member_id}).status_code == 403


def test_outsiders_get_404(api, group, admin_user, member, outsider):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    assert put(api(outsider), bucket, {"amount": "1.00"}).status_code == 404
    assert api(outsider).get(f"/api/buckets/{bucket.id}/").status_code == 404
