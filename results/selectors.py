"""Reads for the results of a round, shared by the results page, its API, the results mail
and the exports, so that every one of them shows the same numbers.

Totals (PRODUCT.md, "Closing a round"): envelopes, allocated, funded, unspent. After close,
money on `funded` buckets is spent, money on `to_decide` buckets is held until the meeting
decides, and everything else (not_funded, never allocated) is unspent. A member's unspent
amount is computed the same way, so that the members' column adds up to the round's.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import (
    Case,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from allocations.models import Envelope
from allocations.selectors import round_totals
from buckets.models import Bucket, Phase, Round
from cobudget.money import ZERO
from cobudget.search import by_name
from groups.models import Role
from proposals.models import Proposal

# Buckets that appear in the results (drafts, withdrawn and merged buckets hold no money).
RESULT_STATUSES = (
    Bucket.Status.FUNDED,
    Bucket.Status.TO_DECIDE,
    Bucket.Status.NOT_FUNDED,
    Bucket.Status.OPEN,
)
# Money on these buckets is not unspent once the round is closed.
HELD_STATUSES = (Bucket.Status.FUNDED, Bucket.Status.TO_DECIDE)

MONEY = DecimalField(max_digits=14, decimal_places=2)
HUNDRED = Decimal("100")


def percent_of_min(*, total: Decimal, min_goal: Decimal) -> Decimal:
    """p rounded down to 2 places for display (so 99.999 % never shows as 100 %)."""
    if min_goal <= 0:
        return HUNDRED
    return (total * HUNDRED / min_goal).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def can_see_member_detail(membership) -> bool:
    """Who sees each member's envelope: admins and accountants."""
    return membership is not None and membership.role in (Role.ADMIN, Role.ACCOUNTANT)


def can_export(membership) -> bool:
    return can_see_member_detail(membership)


def is_closed(round: Round) -> bool:
    """Closed by the sweep or an admin. (A round past its deadline but not yet swept shows
    live numbers, marked as final only once the statuses are settled.)"""
    return round.closed_at is not None


def result_buckets(round: Round):
    """The buckets of the results, funded first, then to decide, then not funded (open ones
    while funding), each by total; with `proposal_id` for a bucket to decide."""
    latest_proposal = Proposal.objects.filter(bucket=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    order = Case(
        When(status=Bucket.Status.FUNDED, then=Value(0)),
        When(status=Bucket.Status.TO_DECIDE, then=Value(1)),
        When(status=Bucket.Status.OPEN, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        Bucket.objects.filter(round=round, status__in=RESULT_STATUSES)
        .annotate(result_order=order, proposal_id=Subquery(latest_proposal))
        .order_by("result_order", "-total", "title", "pk")
    )


def member_rows(round: Round):
    """Each envelope of the round with `spent` (what stays on funded / to-decide buckets
    after close; everything allocated before) and `unspent`, ordered by name."""
    qs = Envelope.objects.filter(round=round).select_related("user")
    if round.closed_at is not None:
        qs = qs.annotate(
            spent=Coalesce(
                Sum("allocations__amount", filter=Q(allocations__bucket__status__in=HELD_STATUSES)),
                Value(ZERO),
                output_field=MONEY,
            )
        )
    return qs.order_by(*by_name("user__"), "pk")  # names in French order


def member_spent(envelope) -> Decimal:
    return getattr(envelope, "spent", envelope.allocated)


@dataclass
class BucketResult:
    bucket: Bucket
    percent: Decimal
    proposal_id: int | None
    bar_percent: Decimal  # the bucket's total against the largest total of the round, 0–100
    progress_max: Decimal  # what its progress bar is measured against (its min goal)


@dataclass
class RoundResults:
    round: Round
    totals: dict
    closed: bool
    buckets: list[BucketResult] = field(default_factory=list)
    members: list | None = None

    def by_status(self, status: str) -> list[BucketResult]:
        return [b for b in self.buckets if b.bucket.status == status]

    @property
    def funded(self):
        return self.by_status(Bucket.Status.FUNDED)

    @property
    def to_decide(self):
        return self.by_status(Bucket.Status.TO_DECIDE)

    @property
    def not_funded(self):
        return self.by_status(Bucket.Status.NOT_FUNDED)

    @property
    def open(self):
        return self.by_status(Bucket.Status.OPEN)

    @property
    def is_live(self) -> bool:
        return not self.closed and self.round.phase == Phase.FUNDING


def round_results(round: Round, *, with_members: bool = False) -> RoundResults:
    buckets = list(result_buckets(round))
    widest = max([ZERO] + [b.total for b in buckets])
    items = []
    for bucket in buckets:
        bar = (bucket.total * 100 / widest).quantize(Decimal("0.1")) if widest > 0 else ZERO
        items.append(
            BucketResult(
                bucket=bucket,
                percent=percent_of_min(total=bucket.total, min_goal=bucket.min_goal),
                proposal_id=bucket.proposal_id if bucket.status == Bucket.Status.TO_DECIDE else None,
                bar_percent=bar,
                progress_max=bucket.min_goal if bucket.min_goal > 0 else max(bucket.total, Decimal("0.01")),
            )
        )
    results = RoundResults(round=round, totals=round_totals(round), closed=is_closed(round), buckets=items)
    if with_members:
        members = []
        for envelope in member_rows(round):
            spent = member_spent(envelope)
            members.append(
                {
                    "envelope": envelope,
                    "user": envelope.user,
                    "amount": envelope.amount,
                    "allocated": envelope.allocated,
                    "unspent": envelope.amount - spent,
                }
            )
        results.members = members
    return results
