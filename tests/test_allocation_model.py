"""A hypothesis stateful test: random sequences of allocations, withdrawals, merges and
envelope changes against a plain in-memory model of the rules. After every step the
database agrees with the model and check_ledger finds no difference."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from allocations import services
from allocations.ledger import ledger_differences
from allocations.models import Allocation, Envelope
from buckets.models import Bucket
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import User
from tests.builders import make_bucket, make_round

ENVELOPE = Decimal("100.00")
CAP = Decimal("60.00")
MAX_GOALS = [Decimal("50.00"), Decimal("80.00"), Decimal("120.00"), Decimal("200.00")]
MEMBERS = 3
_ids = itertools.count()

amounts = st.one_of(
    st.sampled_from([Decimal("0"), Decimal("0.01"), CAP, CAP + Decimal("0.01"), ENVELOPE, Decimal("50.00"), Decimal("40.00")]),
    st.integers(min_value=0, max_value=15000).map(lambda cents: Decimal(cents).scaleb(-2)),
)


class Model:
    """The rules, in plain Python."""

    def __init__(self):
        self.envelope = [ENVELOPE] * MEMBERS
        self.alloc = {}  # (member, bucket) -> amount
        self.status = ["open"] * len(MAX_GOALS)

    def allocated(self, m):
        return sum((a for (mm, _b), a in self.alloc.items() if mm == m), Decimal("0.00"))

    def total(self, b):
        return sum((a for (_m, bb), a in self.alloc.items() if bb == b), Decimal("0.00"))

    def allocate(self, m, b, amount):
        if self.status[b] != "open":
            return "bucket_not_open"
        before = self.alloc.get((m, b), Decimal("0"))
        if amount > before:
            if self.allocated(m) - before + amount > self.envelope[m]:
                return "envelope_exceeded"
            if amount > CAP:
                return "per_bucket_cap_exceeded"
            if self.total(b) - before + amount > MAX_GOALS[b]:
                return "bucket_max_exceeded"
        if amount == 0:
            self.alloc.pop((m, b), None)
        else:
            self.alloc[(m, b)] = amount
        return None

    def refund(self, b, status):
        if self.status[b] != "open":
            return "bucket_not_open"
        self.alloc = {k: v for k, v in self.alloc.items() if k[1] != b}
        self.status[b] = status
        return None

    def set_envelope(self, m, amount):
        if amount < self.allocated(m):
            return "envelope_below_allocated"
        self.envelope[m] = amount
        return None


class FundingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        n = next(_ids)
        self.admin = User.objects.create_user(email=f"hyp-admin-{n}@example.org")
        group = group_services.create_group(creator=self.admin, name=f"G{n}", slug=f"hyp-{n}")
        self.members = []
        for i in range(MEMBERS):
            email = f"hyp-{n}-{i}@example.org"
            User.objects.create_user(email=email)
            membership, _created = group_services.add_member(group=group, email=email, actor=self.admin, send_invitation=False)
            self.members.append(membership.user)
        group_services.change_role(membership=group.memberships.get(user=self.admin), role="admin", actor=self.admin)
        self.round = make_round(group, self.admin, envelope=str(ENVELOPE), max_per_member_per_bucket=CAP)
        # the admin has an envelope too; it stays untouched by the machine
        self.buckets = [
            make_bucket(self.round, self.members[0], title=f"B{i}", min_amount="10.00", max_amount=str(goal))
            for i, goal in enumerate(MAX_GOALS)
        ]
        self.model = Model()

    def _expect(self, expected, call):
        try:
            call()
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
        else:
            assert expected is None, f"expected {expected}, but it was accepted"

    @rule(m=st.integers(0, MEMBERS - 1), b=st.integers(0, len(MAX_GOALS) - 1), amount=amounts)
    def allocate(self, m, b, amount):
        expected = self.model.allocate(m, b, amount)
        self._expect(expected, lambda: services.set_allocation(
            member=self.members[m], bucket=self.buckets[b], amount=amount, actor=self.members[m]))

    @rule(b=st.integers(0, len(MAX_GOALS) - 1))
    def withdraw(self, b):
        expected = self.model.refund(b, "withdrawn")
        self._expect(expected, lambda: services.withdraw_bucket(bucket=self.buckets[b], actor=self.admin))

    @rule(b=st.integers(0, len(MAX_GOALS) - 1), into=st.integers(0, len(MAX_GOALS) - 1))
    def merge(self, b, into):
        if b == into:
            return
        if self.model.status[into] != "open":
            expected = "bucket_not_open"
        else:
            expected = self.model.refund(b, "merged")
        self._expect(expected, lambda: services.merge_bucket(bucket=self.buckets[b], into=self.buckets[into], actor=self.admin))

    @rule(m=st.integers(0, MEMBERS - 1), amount=st.integers(0, 200).map(Decimal))
    def set_envelope(self, m, amount):
        expected = self.model.set_envelope(m, amount)
        self._expect(expected, lambda: services.set_envelope_amount(
            round=self.round, user=self.members[m], amount=amount, actor=self.admin))

    @invariant()
    def database_agrees_with_the_model(self):
        for m, user in enumerate(self.members):
            envelope = Envelope.objects.get(round=self.round, user=user)
            assert envelope.amount == self.model.envelope[m]
            assert envelope.allocated == self.model.allocated(m)
        for b, bucket in enumerate(self.buckets):
            row = Bucket.objects.get(pk=bucket.pk)
            assert row.status == self.model.status[b]
            assert row.total == self.model.total(b) <= MAX_GOALS[b]
            assert row.contributors_count == sum(1 for (_m, bb) in self.model.alloc if bb == b)
        assert Allocation.objects.filter(bucket__round=self.round).count() == len(self.model.alloc)
        assert ledger_differences(round_ids=[self.round.pk]) == []


@pytest.mark.django_db
def test_random_sequences_keep_every_rule():
    run_state_machine_as_test(FundingMachine, settings=settings(
        max_examples=20, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))
