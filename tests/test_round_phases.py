"""Rounds: the phase derived from the clock and the state; publish; permanent rounds and
their yearly top-up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from allocations import services
from allocations.models import Envelope, LedgerEntry
from buckets import services as bucket_services
from cobudget.errors import DomainError
from tests.builders import allocate, make_bucket, make_round


def test_the_phase_follows_the_clock(group, admin_user):
    round = make_round(group, admin_user, phase="proposals", publish=False)
    now = timezone.now()
    assert round.phase_at(now) == "draft"
    services.publish_round(round=round, actor=admin_user)
    round.refresh_from_db()
    assert round.phase_at(now) == "proposals"
    assert round.phase_at(round.funding_opens_at) == "funding"
    assert round.phase_at(round.funding_closes_at - timedelta(microseconds=1)) == "funding"
    assert round.phase_at(round.funding_closes_at) == "closed"
    # Published ahead of its proposals date, nothing opens before that date.
    assert round.phase_at(round.proposals_open_at - timedelta(microseconds=1)) == "draft"
    assert round.phase_at(round.proposals_open_at) == "proposals"


def test_no_bucket_before_the_proposals_open(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    round.proposals_open_at = timezone.now() + timedelta(days=1)
    round.save(update_fields=["proposals_open_at"])
    with pytest.raises(DomainError) as info:
        bucket_services.create_bucket(round=round, actor=member, title="Too early", coleads=[member])
    assert info.value.code == "round_not_accepting_buckets"


def test_only_an_admin_creates_or_publishes_a_round(group, admin_user, member):
    with pytest.raises(DomainError) as info:
        bucket_services.create_round(group=group, actor=member, title="X", envelope_amount=Decimal("1"))
    assert info.value.status == 403
    round = make_round(group, admin_user, publish=False)
    with pytest.raises(DomainError) as info:
        services.publish_round(round=round, actor=member)
    assert info.value.status == 403


def test_a_round_publishes_once(group, admin_user):
    round = make_round(group, admin_user)
    with pytest.raises(DomainError) as info:
        services.publish_round(round=round, actor=admin_user)
    assert info.value.code == "round_published"


def test_dates_must_follow_each_other(group, admin_user):
    now = timezone.now()
    with pytest.raises(DomainError) as info:
        bucket_services.create_round(
            group=group, actor=admin_user, title="X", envelope_amount=Decimal("1"),
            funding_opens_at=now + timedelta(days=2), funding_closes_at=now + timedelta(days=1),
        )
    assert (info.value.status, info.value.code) == (400, "invalid_dates")


def test_a_permanent_round_refuses_closing_dates(group, admin_user):
    for field in ("funding_closes_at", "meeting_at"):
        with pytest.raises(DomainError) as info:
            bucket_services.create_round(
                group=group, actor=admin_user, title="Fund", kind="permanent",
                envelope_amount=Decimal("100"), **{field: timezone.now()},
            )
        assert (info.value.status, info.value.code) == (400, "permanent_round_dates")


def test_a_permanent_round_is_in_funding_once_published_and_always_accepts_buckets(group, admin_user, member):
    round = make_round(group, admin_user, kind="permanent", envelope="100.00")
    assert round.phase == "funding" and round.accepts_new_buckets
    bucket = make_bucket(round, member)
    assert allocate(member, bucket, "100.00").envelope_remaining == Decimal("0.00")


def test_the_yearly_top_up_reaches_every_envelope_and_the_ledger(group, admin_user, member, member2):
    round = make_round(group, admin_user, kind="permanent", envelope="100.00")
    bucket = make_bucket(round, member)
    allocate(member, bucket, "60.00")
    assert services.grant_topup(round=round, amount=Decimal("100.00"), actor=admin_user).envelopes == 3
    envelopes = dict(Envelope.objects.filter(round=round).values_list("user__email", "amount"))
    assert set(envelopes.values()) == {Decimal("200.00")}
    assert Envelope.objects.get(round=round, user=member).remaining == Decimal("140.00")
    assert LedgerEntry.objects.filter(round=round, kind="topup", actor=admin_user).count() == 3


def test_a_top_up_is_only_for_permanent_rounds_and_admins(group, admin_user, member):
    fixed = make_round(group, admin_user)
    with pytest.raises(DomainError) as info:
        services.grant_topup(round=fixed, amount=Decimal("100.00"), actor=admin_user)
    assert info.value.code == "not_permanent"
    permanent = make_round(group, admin_user, kind="permanent", envelope="100.00")
    with pytest.raises(DomainError) as info:
        services.grant_topup(round=permanent, amount=Decimal("100.00"), actor=member)
    assert info.value.status == 403
