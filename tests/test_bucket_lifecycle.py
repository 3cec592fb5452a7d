"""Buckets: creation window, co-leads, budget items and goals, publish, withdraw and merge
(refunding every allocation at once), comments by their author only."""

from decimal import Decimal

import pytest

from allocations import services
from allocations.models import Allocation, Envelope
from buckets import services as bucket_services
from buckets.models import Bucket
from cobudget.errors import DomainError
from tests.builders import allocate, make_bucket, make_round


@pytest.fixture
def proposals_round(group, admin_user, member):
    return make_round(group, admin_user, phase="proposals", min_coleads=2)


def test_goals_are_the_sums_of_the_budget_items_and_the_creator_is_a_colead(proposals_round, member, member2):
    bucket = bucket_services.create_bucket(
        round=proposals_round, actor=member, title="Fablab",
        budget_items=[
            {"description": "Tools", "min_amount": Decimal("100.00"), "max_amount": Decimal("150.00")},
            {"description": "Room", "min_amount": "200,50", "max_amount": "300"},
        ],
        coleads=[member2.email],
    )
    assert (bucket.min_goal, bucket.max_goal) == (Decimal("300.50"), Decimal("450.00"))
    assert set(bucket.coleads.values_list("email", flat=True)) == {member.email, member2.email}
    assert bucket.status == "draft"


def test_a_budget_item_with_max_below_min_is_refused(proposals_round, member):
    with pytest.raises(DomainError) as info:
        bucket_services.create_bucket(round=proposals_round, actor=member, title="X",
                                      budget_items=[{"description": "a", "min_amount": "10", "max_amount": "9.99"}])
    assert (info.value.status, info.value.code) == (400, "invalid_budget_item")


def test_an_unknown_colead_is_refused(proposals_round, member, outsider):
    with pytest.raises(DomainError) as info:
        bucket_services.create_bucket(round=proposals_round, actor=member, title="X", coleads=[outsider.email])
    assert (info.value.status, info.value.code) == (400, "unknown_colead")


def test_min_coleads_is_enforced_at_publish(proposals_round, member, member2):
    bucket = make_bucket(proposals_round, member, publish=False)
    with pytest.raises(DomainError) as info:
        bucket_services.publish_bucket(bucket=bucket, actor=member)
    assert info.value.code == "not_enough_coleads"
    bucket_services.update_bucket(bucket=bucket, actor=member, coleads=[member2.email])
    assert bucket_services.publish_bucket(bucket=bucket, actor=member).status == "open"


def test_a_contributor_may_propose_a_bucket(proposals_round, contributor):
    bucket = bucket_services.create_bucket(round=proposals_round, actor=contributor, title="Idea")
    assert bucket.created_by == contributor


def test_no_new_bucket_during_funding_unless_the_round_allows_it(group, admin_user, member):
    round = make_round(group, admin_user)
    with pytest.raises(DomainError) as info:
        bucket_services.create_bucket(round=round, actor=member, title="Late")
    assert info.value.code == "round_not_accepting_buckets"
    bucket_services.update_round(round=round, actor=admin_user, buckets_during_funding=True)
    round.refresh_from_db()
    assert bucket_services.create_bucket(round=round, actor=member, title="Late").pk


def test_only_coleads_or_admins_edit_a_bucket(proposals_round, member, member2, admin_user):
    bucket = make_bucket(proposals_round, member, publish=False)
    with pytest.raises(DomainError) as info:
        bucket_services.update_bucket(bucket=bucket, actor=member2, title="Mine now")
    assert info.value.status == 403
    assert bucket_services.update_bucket(bucket=bucket, actor=admin_user, title="Renamed").title == "Renamed"


def test_the_max_goal_cannot_go_below_what_was_received(group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "200.00")
    with pytest.raises(DomainError) as info:
        bucket_services.update_bucket(bucket=bucket, actor=member,
                                      budget_items=[{"description": "less", "min_amount": "50", "max_amount": "199.99"}])
    assert info.value.code == "bucket_max_below_total"


def test_withdrawing_refunds_every_allocation_at_once(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "100.00")
    allocate(member2, bucket, "50.00")
    services.withdraw_bucket(bucket=bucket, actor=member)
    bucket.refresh_from_db()
    assert (bucket.status, bucket.total, bucket.contributors_count) == ("withdrawn", Decimal("0.00"), 0)
    assert not Allocation.objects.filter(bucket=bucket).exists()
    assert set(Envelope.objects.filter(round=round).values_list("allocated", flat=True)) == {Decimal("0.00")}


def test_a_member_who_is_not_colead_cannot_withdraw(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    with pytest.raises(DomainError) as info:
        services.withdraw_bucket(bucket=bucket, actor=member2)
    assert info.value.status == 403


def test_merging_refunds_and_points_to_the_other_bucket(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    a = make_bucket(round, member, title="A")
    b = make_bucket(round, member2, title="B")
    allocate(member, a, "100.00")
    allocate(member, b, "10.00")
    with pytest.raises(DomainError) as info:  # member is not a co-lead of B
        services.merge_bucket(bucket=a, into=b, actor=member)
    assert info.value.status == 403
    services.merge_bucket(bucket=a, into=b, actor=admin_user)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.merged_into, a.total) == ("merged", b, Decimal("0.00"))
    assert b.total == Decimal("10.00") and b.status == "open"
    assert member in b.coleads.all()
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("10.00")


def test_a_bucket_merges_only_within_its_round(group, admin_user, member):
    r1 = make_round(group, admin_user)
    r2 = make_round(group, admin_user)
    a, b = make_bucket(r1, member), make_bucket(r2, member)
    with pytest.raises(DomainError) as info:
        services.merge_bucket(bucket=a, into=b, actor=admin_user)
    assert info.value.code == "merge_other_round"
    assert Bucket.objects.get(pk=a.pk).status == "open"


def test_comments_are_edited_and_deleted_by_their_author_only(proposals_round, member, member2):
    bucket = make_bucket(proposals_round, member, publish=False)
    comment = bucket_services.add_comment(bucket=bucket, author=member2, body="Why *this*?")
    with pytest.raises(DomainError) as info:
        bucket_services.edit_comment(comment=comment, actor=member, body="hacked")
    assert info.value.status == 403
    with pytest.raises(DomainError):
        bucket_services.delete_comment(comment=comment, actor=member)
    assert bucket_services.edit_comment(comment=comment, actor=member2, body="Why that?").body == "Why that?"
    bucket_services.delete_comment(comment=comment, actor=member2)
    assert not bucket.comments.exists()
