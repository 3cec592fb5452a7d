"""The demo's closed round in Artefacts: funded, to-decide (with its proposal) and
not-funded buckets, the ledger clean, the results ready for the meeting."""

from decimal import Decimal

import pytest

from allocations.selectors import round_totals
from buckets.models import Bucket
from demo import closed_round
from demo.people import seed_people
from proposals.models import Proposal
from tests.builders import assert_ledger_clean

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_round_with_every_outcome():
    people = seed_people()
    round = closed_round.seed(people)
    assert round.closed_at is not None and round.phase == "closed"
    statuses = dict(Bucket.objects.filter(round=round).values_list("title", "status"))
    assert sorted(statuses.values()) == ["funded", "funded", "not_funded", "to_decide"]
    to_decide = Bucket.objects.get(round=round, status="to_decide")
    proposal = Proposal.objects.get(bucket=to_decide)
    assert proposal.closed_at is None and proposal.closes_at == round.meeting_at
    assert "83 %" in proposal.title
    totals = round_totals(round)
    assert totals["funded"] == Decimal("2750.00")
    assert totals["to_decide"] == Decimal("1000.00") and totals["returned"] == Decimal("1500.00")
    assert totals["unspent"] == totals["envelopes"] - Decimal("2750.00") - Decimal("1000.00") - Decimal("1500.00")
    assert_ledger_clean(round)
    assert closed_round.seed(people) is None  # seeding again adds nothing
