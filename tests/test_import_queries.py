"""import_members is set-based: a thousand rows in at most 20 queries, envelopes included
(target 6 of the benchmark), with the same result as the per-member path."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allocations.ledger import ledger_differences
from allocations.models import Envelope, LedgerEntry
from bench.inprocess import import_csv
from buckets.models import Round
from demo.scale import seed_scale
from groups import services
from groups.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_it_imports_a_thousand_members_with_their_envelopes_in_at_most_20_queries():
    scale = seed_scale(members=3, buckets=1, allocations=0, slug="coop")
    draft = Round.objects.create(group=scale.group, title="Next year", envelope_amount=Decimal("100.00"))

    with CaptureQueriesContext(connection) as ctx:
        result = services.import_members(group=scale.group, data=import_csv(1000, domain="coop.example"), actor=scale.admin)

    assert result.created == 1000
    statements = [q["sql"] for q in ctx.captured_queries]
    # SQLite caps a statement at 999 parameters, so Django splits its bulk inserts; PostgreSQL
    # (the target's database) inserts each thousand rows at once.
    assert len([s for s in statements if not s.startswith("INSERT")]) <= 12
    if connection.vendor == "postgresql":
        assert len(statements) <= 20
    members = Membership.objects.filter(group=scale.group, role=Role.MEMBER).count()
    assert members == 2 + 950  # 1 row in 20 is a contributor, who has no envelope
    assert Envelope.objects.filter(round=scale.round).count() == 3 + 950
    assert Envelope.objects.filter(round=scale.round, amount=Decimal("500.00"), is_custom=True).count() == 100
    # The draft round only receives the imported amounts (publishing gives the others theirs).
    assert Envelope.objects.filter(round=draft).count() == 100
    assert LedgerEntry.objects.filter(round=scale.round, kind=LedgerEntry.Kind.ENVELOPE).count() == 3 + 950
    assert ledger_differences() == []


def test_a_second_import_updates_amounts_without_duplicating_anything():
    scale = seed_scale(members=3, buckets=1, allocations=0, slug="coop")
    services.import_members(group=scale.group, data=import_csv(40, domain="coop.example"), actor=scale.admin)
    again = "email,name,role,envelope\nimported00001@coop.example,,member,250.00\nimported00002@coop.example,,member,\n"

    services.import_members(group=scale.group, data=again, actor=scale.admin)

    assert Envelope.objects.filter(round=scale.round).count() == 3 + 38
    assert Envelope.objects.get(round=scale.round, user__email="imported00001@coop.example").amount == Decimal("250.00")
    assert Envelope.objects.get(round=scale.round, user__email="imported00002@coop.example").amount == Decimal("430.00")
    assert ledger_differences() == []
