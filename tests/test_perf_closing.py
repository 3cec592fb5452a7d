"""Closing a round is set-based (bench target 3): however many buckets are left to decide,
their proposals are opened with one INSERT, and the voters of each are still told."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buckets.models import Bucket
from cobudget.errors import DomainError
from proposals import services as proposal_services
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding


def _round_with_buckets_to_decide(group, admin_user, member, n: int, title: str):
    round = make_round(group, admin_user, title=title, funded="100", decide="50", phase="proposals")
    for i in range(n):
        make_bucket(round, member, title=f"{title} {i}", min_amount="20.00", max_amount="40.00")
    open_funding(round)
    for bucket in Bucket.objects.filter(round=round):
        allocate(member, bucket, "15.00")  # 75 %: to decide
    return round


def _close_counting(round, admin_user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert closing.close_round(round=round, actor=admin_user, notify=False)
    return len(ctx.captured_queries)


def test_closing_takes_as_many_queries_for_eight_buckets_to_decide_as_for_two(group, admin_user, member):
    few = _round_with_buckets_to_decide(group, admin_user, member, 2, "Few")
    many = _round_with_buckets_to_decide(group, admin_user, member, 8, "Many")

    assert _close_counting(few, admin_user) == _close_counting(many, admin_user)
    proposals = Proposal.objects.filter(bucket__round=many).order_by("bucket_id")
    assert [p.bucket.title for p in proposals] == [f"Many {i}" for i in range(8)]
    assert all(p.title.endswith("75 % of its minimum?") and p.voters_are_members and p.author == admin_user
               for p in proposals)
    assert all(p.closes_at == many.meeting_at and p.closed_at is None for p in proposals)


def test_the_voters_of_every_proposal_opened_at_close_are_told(
    group, admin_user, member, member2, django_capture_on_commit_callbacks, mailoutbox
):
    round = _round_with_buckets_to_decide(group, admin_user, member, 3, "Told")
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)
    proposals = list(Proposal.objects.filter(bucket__round=round))
    assert len(proposals) == 3
    # In the one mail of the results each voter receives (tests/test_one_mail_at_close.py).
    for voter in (admin_user, member, member2):
        mails = [mail for mail in mailoutbox if mail.to == [voter.email]]
        assert len(mails) == 1
        assert all(f"/proposals/{proposal.pk}/" in mails[0].body for proposal in proposals)


def test_open_proposals_checks_what_open_proposal_checks(group, admin_user, other_group, outsider):
    later = timezone.now() + timezone.timedelta(days=3)
    with pytest.raises(DomainError) as empty:
        proposal_services.open_proposals(group=group, items=[("  ", "", None)], author=admin_user, closes_at=later)
    assert empty.value.code == "invalid"
    with pytest.raises(DomainError) as past:
        proposal_services.open_proposals(group=group, items=[("A", "", None)], author=admin_user,
                                         closes_at=timezone.now() - timezone.timedelta(minutes=1))
    assert past.value.code == "invalid_closes_at"
    with pytest.raises(DomainError) as stranger:
        proposal_services.open_proposals(group=group, items=[("A", "", None)], author=outsider, closes_at=later)
    assert stranger.value.status == 403
    other_round = make_round(other_group, outsider, title="Elsewhere", phase="proposals")
    elsewhere = make_bucket(other_round, outsider, min_amount="10.00", max_amount="20.00")
    with pytest.raises(DomainError) as foreign:
        proposal_services.open_proposals(group=group, items=[("A", "", elsewhere)], author=admin_user, closes_at=later)
    assert foreign.value.code == "invalid_bucket"
    assert not Proposal.objects.exists()
