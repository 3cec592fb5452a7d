"""Rules 1-4 and 8 of PRODUCT.md's Allocation section, one test per rule and boundary.

Every refusal is a DomainError with API.md's code, and changes nothing."""

from decimal import Decimal

import pytest

from allocations.models import Allocation
from cobudget.errors import DomainError
from tests.builders import (
    allocate,
    envelope_of,
    make_bucket,
    make_round,
    money_snapshot,
    pass_deadline,
)


@pytest.fixture
def round(group, admin_user, member):
    return make_round(group, admin_user)


@pytest.fixture
def bucket(round, member):
    return make_bucket(round, member, min_amount="100.00", max_amount="300.00")




def refused(code, member, bucket, amount, round, actor=None):
    before = money_snapshot(round)
    with pytest.raises(DomainError) as info:
        allocate(member, bucket, amount, actor=actor)
    assert info.value.code == code
    assert money_snapshot(round) == before, "a refusal changed something"
    return info.value


# Rule 1: absolute amounts; 0 removes; only in funding, on open buckets, with an envelope.


def test_rule1_an_amount_is_absolute_not_a_delta(round, bucket, member):
    allocate(member, bucket, "50.00")
    result = allocate(member, bucket, "80.00")
    assert result.amount == Decimal("80.00")
    assert result.bucket_total == Decimal("80.00")
    assert result.envelope_remaining == Decimal("350.00")
    bucket.refresh_from_db()
    assert bucket.total == Decimal("80.00") and bucket.contributors_count == 1


def test_rule1_zero_removes_the_allocation(round, bucket, member):
    allocate(member, bucket, "50.00")
    result = allocate(member, bucket, "0")
    assert result.amount == Decimal("0.00") and result.envelope_remaining == Decimal("430.00")
    assert not Allocation.objects.filter(bucket=bucket).exists()
    bucket.refresh_from_db()
    assert bucket.total == Decimal("0.00") and bucket.contributors_count == 0
    assert envelope_of(member, round).allocated == Decimal("0.00")


def test_rule1_refused_before_the_funding_phase(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member)
    refused("round_not_funding", member, bucket, "10.00", round)


def test_rule1_refused_on_a_draft_bucket(round, member):
    draft = make_bucket(round, member, publish=False)
    refused("bucket_not_open", member, draft, "10.00", round)


def test_rule1_refused_on_a_withdrawn_bucket(round, bucket, member):
    from allocations.services import withdraw_bucket

    withdraw_bucket(bucket=bucket, actor=member)
    refused("bucket_not_open", member, bucket, "10.00", round)


def test_rule1_refused_without_an_envelope(round, bucket, contributor, accountant):
    refused("no_envelope", contributor, bucket, "10.00", round)
    refused("no_envelope", accountant, bucket, "10.00", round)


# Rule 2: the sum of a member's allocations never exceeds their envelope.


def test_rule2_exactly_the_envelope_is_accepted(round, member):
    a = make_bucket(round, member, title="A", max_amount="300.00")
    b = make_bucket(round, member, title="B", max_amount="300.00")
    allocate(member, a, "300.00")
    result = allocate(member, b, "130.00")
    assert result.envelope_remaining == Decimal("0.00")
    assert envelope_of(member, round).allocated == Decimal("430.00")


def test_rule2_one_cent_above_the_envelope_is_refused(round, member):
    a = make_bucket(round, member, title="A", max_amount="300.00")
    b = make_bucket(round, member, title="B", max_amount="300.00")
    allocate(member, a, "300.00")
    error = refused("envelope_exceeded", member, b, "130.01", round)
    assert "130" in str(error.detail)


def test_rule2_lowering_is_always_possible_even_when_full(round, member):
    a = make_bucket(round, member, title="A", max_amount="500.00")
    allocate(member, a, "430.00")
    assert allocate(member, a, "429.99").envelope_remaining == Decimal("0.01")


# Rule 3: the per-member cap on one bucket.


def test_rule3_exactly_the_cap_is_accepted_one_cent_more_refused(group, admin_user, member):
    round = make_round(group, admin_user, max_per_member_per_bucket=Decimal("100.00"))
    bucket = make_bucket(round, member)
    assert allocate(member, bucket, "100.00").amount == Decimal("100.00")
    refused("per_bucket_cap_exceeded", member, bucket, "100.01", round)


# Rule 4: a bucket's total never exceeds its max goal.


def test_rule4_exactly_the_max_goal_is_accepted_one_cent_more_refused(round, bucket, member, member2, admin_user):
    allocate(member, bucket, "200.00")
    assert allocate(member2, bucket, "100.00").bucket_total == Decimal("300.00")
    refused("bucket_max_exceeded", admin_user, bucket, "0.01", round)
    bucket.refresh_from_db()
    assert bucket.total == Decimal("300.00") and bucket.contributors_count == 2


def test_rule4_a_full_bucket_can_still_be_lowered(round, bucket, member):
    allocate(member, bucket, "300.00")
    assert allocate(member, bucket, "250.00").bucket_total == Decimal("250.00")


# Rule 8: the deadline holds on its own.


def test_rule8_after_the_deadline_every_allocation_is_refused_without_a_worker(round, bucket, member):
    allocate(member, bucket, "50.00")
    pass_deadline(round)
    assert round.closed_at is None
    refused("round_closed", member, bucket, "60.00", round)
    refused("round_closed", member, bucket, "0", round)


def test_rule8_closed_round_is_refused(round, bucket, member):
    from django.utils import timezone

    from buckets.models import Round

    Round.objects.filter(pk=round.pk).update(closed_at=timezone.now())
    refused("round_closed", member, bucket, "10.00", round)


# Rule 7 (in part): only an admin enters an allocation for someone else.


def test_a_member_cannot_allocate_for_another_member(round, bucket, member, member2):
    before = money_snapshot(round)
    with pytest.raises(DomainError) as info:
        allocate(member, bucket, "10.00", actor=member2)
    assert info.value.status == 403
    assert money_snapshot(round) == before
