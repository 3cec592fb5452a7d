"""Rule 5: bad amounts are refused with 400 and a code, and change nothing (service and API)."""

import json
from decimal import Decimal

import pytest

from allocations.models import Allocation, LedgerEntry
from cobudget.errors import DomainError
from tests.builders import allocate, make_bucket, make_round


@pytest.fixture
def api(api_both):
    """Every API test here runs twice: through DRF's view, and with an API token through the
    allocation fast path."""
    return api_both

BAD = ["-1", "-0.01", "NaN", "Infinity", "-Infinity", "1e12", "1E3", "1.234", "", "  ", "abc", "12,3,4", "999999999999"]


@pytest.fixture
def bucket(group, admin_user, member):
    round = make_round(group, admin_user)
    return make_bucket(round, member)


@pytest.mark.parametrize("raw", BAD)
def test_the_service_refuses_bad_amounts(bucket, member, raw):
    from allocations.services import set_allocation

    with pytest.raises(DomainError) as info:
        set_allocation(member=member, bucket=bucket, amount=raw, actor=member)
    assert info.value.status == 400 and info.value.code == "invalid_amount"
    assert not Allocation.objects.exists()


JSON_BODIES = [
    '{"amount": -5}',
    '{"amount": "-5"}',
    '{"amount": NaN}',
    '{"amount": Infinity}',
    '{"amount": -Infinity}',
    '{"amount": 1e12}',
    '{"amount": "1e12"}',
    '{"amount": 1.234}',
    '{"amount": 10.001}',
    '{"amount": 0.1000000000000000055511151231257827}',
    '{"amount": ""}',
    '{"amount": "ten"}',
    '{"amount": null}',
    '{"amount": true}',
    '{"amount": [1]}',
    '{}',
]


@pytest.mark.parametrize("body", JSON_BODIES)
def test_the_api_answers_400_with_a_code_and_changes_nothing(bucket, member, api, body):
    allocate(member, bucket, "10.00")
    ledger = LedgerEntry.objects.count()
    response = api(member).generic("PUT", f"/api/buckets/{bucket.id}/allocation/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] and data["detail"]
    assert Allocation.objects.get().amount == Decimal("10.00")
    assert LedgerEntry.objects.count() == ledger


def test_the_api_accepts_a_json_number_with_two_places(bucket, member, api):
    response = api(member).generic("PUT", f"/api/buckets/{bucket.id}/allocation/", json.dumps({"amount": 12.5}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"amount": "12.50", "bucket_total": "12.50", "envelope_remaining": "417.50"}
