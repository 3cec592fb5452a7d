"""seed_scale builds a consistent round at any size: the ledger check passes on it, the
counters equal the allocations, and the round is open for funding."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from allocations.ledger import ledger_differences
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket, Phase
from demo.scale import create_tokens, seed_scale
from groups.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_it_builds_a_funding_round_whose_counters_agree_with_the_ledger():
    scale = seed_scale(members=40, buckets=7, allocations=150, proposals=4, slug="fed")

    assert scale.round.phase == Phase.FUNDING
    assert Membership.objects.filter(group=scale.group, role__in=[Role.ADMIN, Role.MEMBER]).count() == 40
    assert Membership.objects.get(group=scale.group, user=scale.accountant).role == Role.ACCOUNTANT
    assert Envelope.objects.filter(round=scale.round).count() == 40
    assert Allocation.objects.filter(bucket__round=scale.round).count() == 150
    assert LedgerEntry.objects.filter(round=scale.round, kind=LedgerEntry.Kind.ALLOCATION).count() == 150
    assert ledger_differences(round_ids=[scale.round.pk]) == []

    for envelope in Envelope.objects.filter(round=scale.round):
        assert envelope.allocated <= envelope.amount == Decimal("430.00")
    for bucket in Bucket.objects.filter(round=scale.round).prefetch_related("budget_items", "coleads"):
        assert bucket.status == Bucket.Status.OPEN
        assert bucket.total <= bucket.max_goal
        assert sum(i.min_amount for i in bucket.budget_items.all()) == bucket.min_goal
        assert sum(i.max_amount for i in bucket.budget_items.all()) == bucket.max_goal
        assert bucket.coleads.count() == 2
    total = Allocation.objects.filter(bucket__round=scale.round).aggregate(s=Sum("amount"))["s"]
    assert total == Bucket.objects.filter(round=scale.round).aggregate(s=Sum("total"))["s"]
    assert len(scale.proposal_ids) == 4


def test_it_gives_members_who_log_in_and_tokens_that_work(client):
    scale = seed_scale(members=5, buckets=2, allocations=6, slug="tiny")
    assert client.login(email="m00001@tiny.example", password="cobudget-scale")

    keys = create_tokens(scale.member_ids[:3])
    assert len(set(keys.values())) == 3
    from rest_framework.test import APIClient

    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {keys[scale.member_ids[1]]}")
    assert token_client.get(f"/api/groups/{scale.group.slug}/").status_code == 200


def test_it_refuses_an_existing_group_or_more_allocations_than_pairs():
    seed_scale(members=3, buckets=2, allocations=0, slug="once")
    with pytest.raises(ValueError):
        seed_scale(members=3, buckets=2, allocations=0, slug="once")
    with pytest.raises(ValueError):
        seed_scale(members=3, buckets=2, allocations=7, slug="twice")


def test_the_command_prints_what_it_built(capsys):
    call_command("seed_scale", "--members", "12", "--buckets", "3", "--allocations", "20", "--slug", "cmd", "--tokens", "2")
    out = capsys.readouterr().out
    assert "12 members, 3 buckets, 20 allocations" in out
    assert len([line for line in out.splitlines() if len(line) == 40]) == 2
    assert ledger_differences() == []
