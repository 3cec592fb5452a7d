"""A contributor (or an accountant) has no envelope: a member made contributor, or removed
from the group, keeps no money in the rounds that are not closed. Their allocations go back,
their envelope becomes 0, totals count only people who may spend, and the ledger agrees."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from allocations.models import Envelope
from allocations.selectors import round_totals
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import Membership, Role
from tests.funding_helpers import allocate, make_bucket, make_round


@pytest.mark.django_db
def test_a_member_made_contributor_can_no_longer_allocate_and_their_money_goes_back(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2, max_amount="1000.00")
    allocate(member, bucket, "120.00")
    envelopes_before = round_totals(round)["envelopes"]
    group_services.change_role(membership=Membership.objects.get(group=group, user=member), role=Role.CONTRIBUTOR, actor=admin_user)
    bucket.refresh_from_db()
    assert bucket.total == Decimal("0.00") and bucket.contributors_count == 0
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("0.00")
    assert round_totals(round)["envelopes"] == envelopes_before - Decimal("430.00")
    with pytest.raises(DomainError) as exc:
        allocate(member, bucket, "10.00")
    assert exc.value.code == "envelope_exceeded"
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_removed_member_leaves_no_money_behind(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2, max_amount="1000.00")
    allocate(member, bucket, "50.00")
    group_services.remove_member(membership=Membership.objects.get(group=group, user=member), actor=admin_user)
    bucket.refresh_from_db()
    assert bucket.total == Decimal("0.00")
    assert round_totals(round)["allocated"] == Decimal("0.00")
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("0.00")
    call_command("check_ledger")


@pytest.mark.django_db
def test_made_member_again_they_get_the_default_envelope_back(group, admin_user, member):
    round = make_round(group, admin_user)
    membership = Membership.objects.get(group=group, user=member)
    group_services.change_role(membership=membership, role=Role.CONTRIBUTOR, actor=admin_user)
    group_services.change_role(membership=membership, role=Role.MEMBER, actor=admin_user)
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("430.00")
    call_command("check_ledger")


@pytest.mark.django_db
def test_an_import_that_makes_a_member_contributor_retires_their_envelope(group, admin_user, member, tmp_path):
    round = make_round(group, admin_user)
    path = tmp_path / "m.csv"
    path.write_text("email,role\nmember@example.org,contributor\n")
    call_command("import_members", group.slug, str(path))
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("0.00")
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_member_who_leaves_a_permanent_fund_leaves_what_it_funded_funded(group, admin_user, member, member2):
    """Money given to a bucket the fund has funded is committed: a member leaving takes back only
    what sits on open buckets, and the funded bucket keeps its total and its funded amount."""
    from buckets.models import Bucket

    fund = make_round(group, admin_user, kind="permanent", envelope="430.00")
    funded = make_bucket(fund, member2, min_amount="100.00", max_amount="200.00")
    still_open = make_bucket(fund, member2, max_amount="1000.00")
    allocate(member2, funded, "150.00")
    allocate(member, funded, "50.00")  # reaches the max goal: funded
    allocate(member, still_open, "30.00")
    funded.refresh_from_db()
    assert funded.status == Bucket.Status.FUNDED
    group_services.remove_member(membership=Membership.objects.get(group=group, user=member), actor=admin_user)
    funded.refresh_from_db()
    still_open.refresh_from_db()
    assert (funded.status, funded.total, funded.funded_amount) == (Bucket.Status.FUNDED, Decimal("200.00"), Decimal("200.00"))
    assert still_open.total == Decimal("0.00")
    envelope = Envelope.objects.get(round=fund, user=member)
    assert (envelope.amount, envelope.allocated) == (Decimal("50.00"), Decimal("50.00"))
    call_command("check_ledger")
