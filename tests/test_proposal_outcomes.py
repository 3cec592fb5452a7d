"""Each outcome at its boundaries (PRODUCT.md, Proposals): quorum, majority, blocks, and the
bucket a proposal settles."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buckets.models import Bucket, Round
from groups import services as group_services
from groups.models import Role
from proposals import services
from proposals.models import Proposal
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _voters(group, n, start=0):
    people = []
    for i in range(start, start + n):
        email = f"voter{i}@example.org"
        make_user(email)
        membership, _ = group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None, send_invitation=False)
        people.append(membership.user)
    return people


def _open(group, author, **kwargs):
    kwargs.setdefault("closes_at", timezone.now() + timedelta(days=3))
    return services.open_proposal(group=group, title="Buy a 3D printer", author=author, notify=False, **kwargs)


def _vote(proposal, choices):
    for user, choice in choices:
        services.set_stance(proposal=proposal, user=user, choice=choice)


def _close(proposal):
    return services.close_proposal(proposal=proposal, actor=None, notify=False)


def test_quorum_exactly_reached_with_14_voters_at_50_percent(group, admin_user):
    people = [admin_user, *_voters(group, 13)]  # 14 voters
    proposal = _open(group, admin_user, quorum_percent=50)
    _vote(proposal, [(p, "agree") for p in people[:5]] + [(people[5], "abstain"), (people[6], "disagree")])
    closed = _close(proposal)
    assert (closed.final_voters, closed.final_voted) == (14, 7)
    assert closed.outcome == Proposal.Outcome.ADOPTED


def test_quorum_one_short_is_no_quorum_even_if_everyone_agrees(group, admin_user):
    people = [admin_user, *_voters(group, 13)]
    proposal = _open(group, admin_user, quorum_percent=50)
    _vote(proposal, [(p, "agree") for p in people[:6]])
    assert _close(proposal).outcome == Proposal.Outcome.NO_QUORUM


def test_abstaining_counts_as_taking_part(group, admin_user):
    people = [admin_user, *_voters(group, 3)]
    proposal = _open(group, admin_user, quorum_percent=75)
    _vote(proposal, [(people[0], "agree"), (people[1], "abstain"), (people[2], "abstain")])
    assert _close(proposal).outcome == Proposal.Outcome.ADOPTED


def test_agree_equal_to_disagree_is_rejected(group, admin_user):
    people = [admin_user, *_voters(group, 3)]
    proposal = _open(group, admin_user)
    _vote(proposal, [(people[0], "agree"), (people[1], "agree"), (people[2], "disagree"), (people[3], "disagree")])
    assert _close(proposal).outcome == Proposal.Outcome.REJECTED


def test_one_more_agree_than_disagree_is_adopted(group, admin_user):
    people = [admin_user, *_voters(group, 2)]
    proposal = _open(group, admin_user)
    _vote(proposal, [(people[0], "agree"), (people[1], "agree"), (people[2], "disagree")])
    assert _close(proposal).outcome == Proposal.Outcome.ADOPTED


def test_one_block_vetoes_when_blocks_veto(group, admin_user):
    people = [admin_user, *_voters(group, 4)]
    proposal = _open(group, admin_user, block_vetoes=True)
    _vote(proposal, [(p, "agree") for p in people[:4]] + [(people[4], "block")])
    assert _close(proposal).outcome == Proposal.Outcome.BLOCKED


def test_without_block_vetoes_a_block_counts_as_a_disagree(group, admin_user):
    people = [admin_user, *_voters(group, 4)]
    many_agree = _open(group, admin_user, block_vetoes=False)
    _vote(many_agree, [(p, "agree") for p in people[:4]] + [(people[4], "block")])
    assert _close(many_agree).outcome == Proposal.Outcome.ADOPTED

    tie = _open(group, admin_user, block_vetoes=False)
    _vote(tie, [(people[0], "agree"), (people[1], "agree"), (people[2], "disagree"), (people[3], "block")])
    assert _close(tie).outcome == Proposal.Outcome.REJECTED


def test_quorum_comes_before_blocks(group, admin_user):
    _voters(group, 3)
    proposal = _open(group, admin_user, quorum_percent=50)
    _vote(proposal, [(admin_user, "block")])
    assert _close(proposal).outcome == Proposal.Outcome.NO_QUORUM


def test_nobody_voting_without_quorum_is_rejected(group, admin_user):
    assert _close(_open(group, admin_user)).outcome == Proposal.Outcome.REJECTED


@pytest.mark.parametrize(
    ("voters", "voted", "quorum", "met"),
    [(14, 7, 50, True), (14, 6, 50, False), (3, 1, 33, True), (3, 1, 34, False), (7, 7, 100, True), (7, 6, 100, False)],
)
def test_quorum_compares_exactly(voters, voted, quorum, met):
    outcome = services.compute_outcome(
        voters_count=voters, counts={"agree": voted}, quorum_percent=quorum, block_vetoes=True
    )
    assert (outcome != Proposal.Outcome.NO_QUORUM) is met
    # the same comparison in exact decimals, as PRODUCT.md words it
    assert (Decimal(voted) / Decimal(voters) * 100 >= quorum) is met


def test_a_voter_who_left_the_group_stops_counting(group, admin_user, member, member2):
    proposal = _open(group, admin_user, quorum_percent=100)
    _vote(proposal, [(admin_user, "agree"), (member, "agree")])
    group_services.remove_member(membership=member2.memberships.get(group=group), actor=admin_user)
    closed = _close(proposal)
    assert (closed.final_voters, closed.final_voted) == (2, 2)
    assert closed.outcome == Proposal.Outcome.ADOPTED


def test_a_member_who_voted_then_left_no_longer_counts(group, admin_user, member, member2):
    proposal = _open(group, admin_user)
    _vote(proposal, [(admin_user, "agree"), (member, "disagree"), (member2, "disagree")])
    group_services.remove_member(membership=member2.memberships.get(group=group), actor=admin_user)
    closed = _close(proposal)
    assert (closed.final_agree, closed.final_disagree) == (1, 1)
    assert closed.outcome == Proposal.Outcome.REJECTED


def _bucket_to_decide(group):
    round_ = Round.objects.create(group=group, title="2026", envelope_amount=Decimal("430.00"))
    return Bucket.objects.create(
        round=round_, title="Shared workshop", status=Bucket.Status.TO_DECIDE,
        min_goal=Decimal("1000.00"), max_goal=Decimal("1500.00"), total=Decimal("900.00"),
    )


def test_an_adopted_proposal_funds_its_bucket_to_decide(group, admin_user):
    bucket = _bucket_to_decide(group)
    proposal = _open(group, None, bucket=bucket, settles_bucket=True)
    _vote(proposal, [(admin_user, "agree")])
    _close(proposal)
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.FUNDED
    assert bucket.decided_at is not None


def test_a_rejected_proposal_leaves_its_bucket_not_funded(group, admin_user):
    bucket = _bucket_to_decide(group)
    proposal = _open(group, None, bucket=bucket, settles_bucket=True)
    _vote(proposal, [(admin_user, "disagree")])
    _close(proposal)
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.NOT_FUNDED


def test_a_proposal_a_member_links_to_a_bucket_to_decide_does_not_settle_it(api, group, admin_user, member):
    bucket = _bucket_to_decide(group)
    response = api(member).post(
        f"/api/groups/{group.slug}/proposals/",
        {"title": "Fund it now", "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
         "voters": [member.email], "bucket": bucket.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal_id = response.json()["id"]
    assert api(member).put(f"/api/proposals/{proposal_id}/stance/", {"choice": "agree"}, format="json").status_code == 200
    assert api(member).post(f"/api/proposals/{proposal_id}/close/").json()["outcome"] == "adopted"
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.TO_DECIDE  # only the meeting's own proposal decides


def test_closing_twice_gives_one_outcome(group, admin_user, member):
    proposal = _open(group, admin_user)
    _vote(proposal, [(admin_user, "agree")])
    first = _close(proposal)
    second = _close(proposal)
    assert (first.closed_at, first.outcome) == (second.closed_at, second.outcome)


def test_the_sweep_closes_what_is_due_and_only_that(group, admin_user):
    due = _open(group, admin_user, closes_at=timezone.now() + timedelta(hours=1))
    later = _open(group, admin_user, closes_at=timezone.now() + timedelta(days=2))
    assert services.close_due_proposals(now=timezone.now() + timedelta(hours=2)) == 1
    assert services.close_due_proposals(now=timezone.now() + timedelta(hours=2)) == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "closed" and due.outcome == Proposal.Outcome.REJECTED
    assert later.status == "open" and later.outcome is None
