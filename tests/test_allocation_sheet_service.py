"""A whole sheet of allocations (the member's allocation sheet, an admin's paper form) is
saved in one transaction: every line, or none and the line at fault named."""

from decimal import Decimal

import pytest

from allocations import services
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket
from cobudget.errors import DomainError
from tests.builders import allocate, make_bucket, make_round, money_snapshot


@pytest.fixture
def round(group, admin_user, member):
    return make_round(group, admin_user)


@pytest.fixture
def buckets(round, member):
    return [make_bucket(round, member, title=f"Bucket {i}", min_amount="100.00", max_amount="300.00") for i in range(3)]



def test_it_saves_every_line_of_the_sheet(round, buckets, member):
    a, b, c = buckets
    results = services.set_allocations(member=member, round=round, actor=member,
                                       amounts={a.pk: "100.00", b.pk: "30,5", c.pk: Decimal("0")})
    assert results[a.pk].amount == Decimal("100.00") and results[b.pk].amount == Decimal("30.50")
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("130.50")
    assert not Allocation.objects.filter(bucket=c).exists()


def test_one_bad_line_saves_nothing_and_names_that_line(round, buckets, member):
    a, b, c = buckets
    allocate(member, a, "50.00")
    before = money_snapshot(round)
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=round, actor=member,
                                 amounts={a.pk: "80.00", b.pk: "20.00", c.pk: "301.00"})
    assert info.value.code == "bucket_max_exceeded"
    assert info.value.field == f"amount-{c.pk}"
    assert "Bucket 2" in str(info.value.detail)
    assert money_snapshot(round) == before, "a refused sheet changed something"


def test_an_unreadable_amount_names_its_line_and_saves_nothing(round, buckets, member):
    a, b, _c = buckets
    before = money_snapshot(round)
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=round, actor=member, amounts={a.pk: "10", b.pk: "-3"})
    assert info.value.status == 400 and info.value.field == f"amount-{b.pk}"
    assert money_snapshot(round) == before


def test_moving_money_between_buckets_within_a_full_envelope_is_accepted(round, buckets, member):
    """430 in the envelope, all of it given: lowering one line and raising another in the same
    sheet is accepted, whatever the order of the lines."""
    a, b, c = buckets
    allocate(member, a, "300.00")
    allocate(member, b, "130.00")
    services.set_allocations(member=member, round=round, actor=member,
                             amounts={a.pk: "100.00", b.pk: "130.00", c.pk: "200.00"})
    assert dict(Allocation.objects.filter(envelope__user=member).values_list("bucket_id", "amount")) == {
        a.pk: Decimal("100.00"), b.pk: Decimal("130.00"), c.pk: Decimal("200.00")}


def test_over_the_envelope_is_refused_whole(round, buckets, member):
    a, b, c = buckets
    before = money_snapshot(round)
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=round, actor=member,
                                 amounts={a.pk: "200.00", b.pk: "200.00", c.pk: "100.00"})
    assert info.value.code == "envelope_exceeded"
    assert money_snapshot(round) == before


def test_an_admin_enters_a_paper_form_on_the_members_behalf(round, buckets, member, admin_user):
    a, b, _c = buckets
    services.set_allocations(member=member, round=round, actor=admin_user, amounts={a.pk: "40.00", b.pk: "60.00"})
    rows = LedgerEntry.objects.filter(round=round, member=member, kind=LedgerEntry.Kind.ALLOCATION)
    assert rows.count() == 2 and {r.actor_id for r in rows} == {admin_user.pk}


def test_a_bucket_of_another_round_is_not_on_the_sheet(round, buckets, member, group, admin_user):
    other = make_round(group, admin_user, title="Other")
    foreign = make_bucket(other, member, title="Elsewhere")
    with pytest.raises(Bucket.DoesNotExist):
        services.set_allocations(member=member, round=round, actor=member, amounts={foreign.pk: "10.00"})
