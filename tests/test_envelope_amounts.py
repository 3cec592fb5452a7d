"""Envelopes: one per member per round, created at publish and when a member joins later;
weighted amounts set by admins or imported from CSV; never below what is allocated."""

from decimal import Decimal

import pytest

from allocations import services
from allocations.models import Envelope, LedgerEntry
from buckets import services as bucket_services
from cobudget.errors import DomainError
from groups import services as group_services
from tests.builders import allocate, make_bucket, make_round


def amounts(round):
    return dict(Envelope.objects.filter(round=round).values_list("user__email", "amount"))


def test_publishing_gives_every_admin_and_member_an_envelope(group, admin_user, member, member2, accountant, contributor):
    round = make_round(group, admin_user)
    assert amounts(round) == {
        admin_user.email: Decimal("430.00"),
        member.email: Decimal("430.00"),
        member2.email: Decimal("430.00"),
    }


def test_a_member_who_joins_later_gets_an_envelope(group, admin_user):
    round = make_round(group, admin_user)
    group_services.add_member(group=group, email="late@example.org", actor=admin_user, send_invitation=False)
    assert amounts(round)["late@example.org"] == Decimal("430.00")


def test_a_contributor_promoted_to_member_gets_an_envelope(group, admin_user, contributor):
    round = make_round(group, admin_user)
    membership = contributor.memberships.get(group=group)
    group_services.change_role(membership=membership, role="member", actor=admin_user)
    assert contributor.email in amounts(round)


def test_an_admin_sets_a_weighted_envelope(group, admin_user, member):
    round = make_round(group, admin_user)
    services.set_envelope_amount(round=round, user=member, amount=Decimal("600.00"), actor=admin_user)
    envelope = Envelope.objects.get(round=round, user=member)
    assert envelope.amount == Decimal("600.00") and envelope.is_custom
    entry = LedgerEntry.objects.filter(round=round, member=member, kind="envelope").last()
    assert (entry.before, entry.after, entry.actor) == (Decimal("430.00"), Decimal("600.00"), admin_user)


def test_a_member_cannot_set_an_envelope(group, admin_user, member):
    round = make_round(group, admin_user)
    with pytest.raises(DomainError) as info:
        services.set_envelope_amount(round=round, user=member, amount=Decimal("999.00"), actor=member)
    assert info.value.status == 403
    assert amounts(round)[member.email] == Decimal("430.00")


def test_an_envelope_never_goes_below_what_is_allocated(group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "200.00")
    services.set_envelope_amount(round=round, user=member, amount=Decimal("200.00"), actor=admin_user)  # exactly: fine
    with pytest.raises(DomainError) as info:
        services.set_envelope_amount(round=round, user=member, amount=Decimal("199.99"), actor=admin_user)
    assert info.value.code == "envelope_below_allocated"
    assert amounts(round)[member.email] == Decimal("200.00")


def test_the_import_envelope_column_sets_the_amount_in_every_round_not_closed(group, admin_user, member):
    published = make_round(group, admin_user)
    draft = make_round(group, admin_user, publish=False)
    group_services.import_members(group=group, data="email,name,role,envelope\nmember@example.org,M,member,250,50\n".replace(",50", ".50"), actor=admin_user)
    assert amounts(published)[member.email] == Decimal("250.50")
    assert amounts(draft)[member.email] == Decimal("250.50")
    services.publish_round(round=draft, actor=admin_user)
    assert amounts(draft)[member.email] == Decimal("250.50")
    assert amounts(draft)[admin_user.email] == Decimal("430.00")


def test_an_import_below_the_allocated_amount_fails_with_its_line(group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "100.00")
    csv = "email,name,role,envelope\nnew@example.org,N,member,\nmember@example.org,M,member,99\n"
    with pytest.raises(DomainError) as info:
        group_services.import_members(group=group, data=csv, actor=admin_user)
    assert "Line 3" in str(info.value.detail)
    assert amounts(round)[member.email] == Decimal("430.00")
    assert "new@example.org" not in amounts(round)


def test_a_new_default_amount_reaches_envelopes_nobody_customised(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    services.set_envelope_amount(round=round, user=member2, amount=Decimal("600.00"), actor=admin_user)
    bucket_services.update_round(round=round, actor=admin_user, envelope_amount=Decimal("500.00"))
    assert amounts(round) == {
        admin_user.email: Decimal("500.00"),
        member.email: Decimal("500.00"),
        member2.email: Decimal("600.00"),
    }
