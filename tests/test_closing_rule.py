"""The "almost funded" rule at close, at each boundary: p = total ÷ min goal × 100;
p ≥ funded_if_percent_of_min → funded; decide_if_percent_of_min ≤ p < that → to_decide
(with a proposal for the meeting); otherwise not_funded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from allocations.selectors import round_totals
from buckets.models import Bucket
from proposals.models import Proposal
from results import services as closing
from tests.builders import (
    allocate,
    assert_ledger_clean,
    make_bucket,
    make_round,
    open_funding,
    statuses,
)

pytestmark = pytest.mark.django_db


def _close_with(group, admin_user, member, *, funded, decide, min_goal, totals):
    round = make_round(group, admin_user, funded=funded, decide=decide, envelope="10000.00", phase="proposals")
    buckets = {label: make_bucket(round, member, title=label, min_amount=min_goal, max_amount=Decimal(min_goal) * 2 or "100.00") for label in totals}
    open_funding(round)
    for label, amount in totals.items():
        if Decimal(amount) > 0:
            allocate(member, buckets[label], amount)
    assert closing.close_round(round=round, actor=admin_user) is True
    return round


def test_it_funds_at_exactly_100_percent_and_not_one_cent_under_without_a_decide_band(group, admin_user, member):
    round = _close_with(
        group, admin_user, member, funded="100", decide=None, min_goal="200.00",
        totals={"exactly": "200.00", "one cent under": "199.99", "above": "250.00", "nothing": "0"},
    )
    assert statuses(round) == {
        "exactly": "funded", "one cent under": "not_funded", "above": "funded", "nothing": "not_funded",
    }
    assert not Proposal.objects.filter(group=group).exists()


def test_it_puts_the_decide_band_between_its_two_thresholds(group, admin_user, member):
    round = _close_with(
        group, admin_user, member, funded="100", decide="60", min_goal="200.00",
        totals={
            "exactly 100": "200.00",
            "one cent under 100": "199.99",
            "exactly 60": "120.00",
            "one cent under 60": "119.99",
        },
    )
    assert statuses(round) == {
        "exactly 100": "funded",
        "one cent under 100": "to_decide",
        "exactly 60": "to_decide",
        "one cent under 60": "not_funded",
    }


def test_it_compares_exactly_when_the_threshold_falls_between_cents(group, admin_user, member):
    # 90 % of 333.33 is 299.997: 300.00 reaches it, 299.99 does not; 50 % is 166.665.
    round = _close_with(
        group, admin_user, member, funded="90", decide="50", min_goal="333.33",
        totals={"300.00": "300.00", "299.99": "299.99", "166.67": "166.67", "166.66": "166.66"},
    )
    assert statuses(round) == {
        "300.00": "funded", "299.99": "to_decide", "166.67": "to_decide", "166.66": "not_funded",
    }


def test_it_funds_a_bucket_without_a_minimum_goal(group, admin_user, member):
    round = _close_with(group, admin_user, member, funded="100", decide=None, min_goal="0.00",
                        totals={"free": "0"})
    assert statuses(round) == {"free": "funded"}


def test_it_leaves_drafts_and_withdrawn_buckets_alone(group, admin_user, member):
    from allocations import services as allocation_services
    from buckets import services as bucket_services

    round = make_round(group, admin_user, phase="proposals")
    draft = bucket_services.create_bucket(
        round=round, actor=member, title="draft",
        budget_items=[{"description": "x", "min_amount": Decimal("10"), "max_amount": Decimal("20")}],
    )
    withdrawn = make_bucket(round, member, title="withdrawn", min_amount="200.00", max_amount="400.00")
    allocation_services.withdraw_bucket(bucket=withdrawn, actor=member)
    open_funding(round)
    closing.close_round(round=round, actor=admin_user)
    assert statuses(round) == {"draft": "draft", "withdrawn": "withdrawn"}
    draft.refresh_from_db()
    assert draft.decided_at is None


def test_a_bucket_to_decide_opens_a_proposal_closing_at_the_meeting(group, admin_user, member, member2):
    round = _close_with(
        group, admin_user, member, funded="100", decide="50", min_goal="400.00",
        totals={"Solar oven": "380.00"},
    )
    bucket = Bucket.objects.get(round=round)
    assert bucket.status == "to_decide"
    assert bucket.decided_at is None
    proposal = Proposal.objects.get(bucket=bucket)
    assert proposal.title == "Fund «Solar oven» at the amount reached, 95 % of its minimum?"
    assert proposal.closes_at == round.meeting_at
    assert proposal.group == group and proposal.closed_at is None
    assert proposal.voters_are_members


def test_without_a_meeting_date_the_proposal_closes_in_seven_days(group, admin_user, member):
    round = make_round(group, admin_user, decide="50", meeting_at=None, phase="proposals")
    make_bucket(round, member, title="Bike", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(member, Bucket.objects.get(round=round), "70.00")
    now = timezone.now()
    closing.close_round(round=round, actor=admin_user, now=now)
    assert Proposal.objects.get(bucket__round=round).closes_at == now + timedelta(days=7)


def test_the_proposal_outcome_settles_the_bucket_and_not_funded_money_counts_as_returned(
    group, admin_user, member, member2
):
    from proposals import services as proposal_services

    round = make_round(group, admin_user, decide="50", phase="proposals")
    kept = make_bucket(round, member, title="Kept", min_amount="400.00", max_amount="800.00")
    dropped = make_bucket(round, member, title="Dropped", min_amount="400.00", max_amount="800.00")
    open_funding(round)
    allocate(member, kept, "300.00")
    allocate(member2, dropped, "250.00")
    closing.close_round(round=round, actor=admin_user)
    # 3 envelopes of 430 (the admin has one too); 550 allocated, all of it to decide.
    assert round_totals(round) == {
        "envelopes": Decimal("1290.00"), "allocated": Decimal("550.00"),
        "funded": Decimal("0.00"), "to_decide": Decimal("550.00"), "returned": Decimal("0.00"),
        "open": Decimal("0.00"), "unspent": Decimal("740.00"),
    }
    yes = Proposal.objects.get(bucket=kept)
    no = Proposal.objects.get(bucket=dropped)
    proposal_services.set_stance(proposal=yes, user=member, choice="agree")
    proposal_services.set_stance(proposal=no, user=member, choice="disagree")
    proposal_services.close_proposal(proposal=yes, actor=admin_user)
    proposal_services.close_proposal(proposal=no, actor=admin_user)
    assert statuses(round) == {"Kept": "funded", "Dropped": "not_funded"}
    totals = round_totals(round)
    assert totals["funded"] == Decimal("300.00")
    assert totals["returned"] == Decimal("250.00")  # the 250 went back to member2
    assert totals["unspent"] == Decimal("740.00")  # never allocated
    assert_ledger_clean(round)
