"""Reads for the results of a round, shared by the results page, its API, the results mail
and the exports, so that every one of them shows the same numbers.

The figures themselves (envelopes, allocated, funded, to decide, returned, open, unspent) are
defined once in allocations.figures: per member, envelope = funded + to decide + returned +
open + unspent, and the round's figures are the sums of its members'.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When

from allocations.figures import (
    Figures,
    figures_of,
    member_figures_queryset,
    pending_envelopes,
    round_figures,
)
from allocations.models import LedgerEntry
from buckets.models import Bucket, Phase, Round
from cobudget.money import ZERO
from cobudget.search import by_name, french
from groups.models import Role
from proposals.models import Proposal

# Buckets that appear in the results (drafts, withdrawn and merged buckets hold no money).
RESULT_STATUSES = (
    Bucket.Status.FUNDED,
    Bucket.Status.TO_DECIDE,
    Bucket.Status.NOT_FUNDED,
    Bucket.Status.OPEN,
)
# Buckets whose allocations went back to the envelopes before close.
GIVEN_BACK_STATUSES = (Bucket.Status.WITHDRAWN, Bucket.Status.MERGED)

HUNDRED = Decimal("100")


def percent_of_min(*, total: Decimal, min_goal: Decimal) -> Decimal:
    """p rounded down to 2 places for display (so 99.999 % never shows as 100 %)."""
    if min_goal <= 0:
        return HUNDRED
    return (total * HUNDRED / min_goal).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def outcome_for(*, total: Decimal, min_goal: Decimal, funded_percent: Decimal,
                decide_percent: Decimal | None) -> str:
    """The status of an open bucket at close, with p = total ÷ min goal × 100 (exact).

    p ≥ funded_percent → funded; decide_percent ≤ p < funded_percent → to_decide;
    otherwise not_funded. A bucket with no minimum goal is funded.
    """
    if min_goal <= 0:
        return Bucket.Status.FUNDED
    # Compare total × 100 with min_goal × percent: no division, so no rounding at all.
    scaled = total * HUNDRED
    if scaled >= min_goal * funded_percent:
        return Bucket.Status.FUNDED
    if decide_percent is not None and scaled >= min_goal * decide_percent:
        return Bucket.Status.TO_DECIDE
    return Bucket.Status.NOT_FUNDED


def closing_outcomes(round: Round) -> dict[str, tuple[int, Decimal]]:
    """What closing the round now would do to its open buckets: {status: (count, total)}, by
    the rule close_round applies (the figures a confirmation page shows)."""
    outcomes: dict[str, tuple[int, Decimal]] = {}
    for total, min_goal in Bucket.objects.filter(round=round, status=Bucket.Status.OPEN).values_list("total", "min_goal"):
        status = outcome_for(total=total, min_goal=min_goal, funded_percent=round.funded_if_percent_of_min,
                             decide_percent=round.decide_if_percent_of_min)
        count, amount = outcomes.get(status, (0, ZERO))
        outcomes[status] = (count + 1, amount + total)
    return outcomes


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


def member_figures(round: Round) -> list[dict]:
    """Each member's figures (allocations.figures), ordered by name: `user`, `amount` (the
    envelope), `allocated`, `unspent` and `figures`. A draft round lists the members who will
    receive the default envelope."""
    rows = []
    # Names in French order (cobudget.search).
    for envelope in member_figures_queryset(round).select_related("user").order_by(*by_name("user__"), "pk"):
        figures = figures_of(amount=envelope.amount, allocated=envelope.allocated, funded=envelope.funded,
                             to_decide=envelope.to_decide, returned=envelope.returned)
        rows.append(_member_row(envelope.user, figures))
    for membership in pending_envelopes(round).order_by(*by_name("user__")):
        figures = figures_of(amount=round.envelope_amount, allocated=ZERO, funded=ZERO, to_decide=ZERO, returned=ZERO)
        rows.append(_member_row(membership.user, figures))
    return rows


def _member_row(user, figures: Figures) -> dict:
    return {"user": user, "amount": figures.envelope, "allocated": figures.allocated, "unspent": figures.unspent,
            "figures": figures}


def given_back_before_close(round: Round) -> list[dict]:
    """Withdrawn and merged buckets with what their refund rows gave back to the envelopes
    (that money is unspent now): `bucket`, `contributions`, `amount`."""
    rows = (
        LedgerEntry.objects.filter(round=round, kind=LedgerEntry.Kind.REFUND, note__in=GIVEN_BACK_STATUSES,
                                   bucket__status__in=GIVEN_BACK_STATUSES)
        .values("bucket_id")
        .annotate(contributions=Count("id"), amount=Sum("before"))
    )
    amounts = {row["bucket_id"]: row for row in rows}
    buckets = Bucket.objects.filter(round=round, status__in=GIVEN_BACK_STATUSES).order_by(french("title"), "pk")
    return [
        {"bucket": bucket, "contributions": amounts.get(bucket.pk, {}).get("contributions", 0),
         "amount": amounts.get(bucket.pk, {}).get("amount") or ZERO}
        for bucket in buckets
    ]


def returned_after_funding(round: Round) -> list[dict]:
    """Funded buckets completed or cancelled, with what they gave back (their RETURN rows):
    `bucket`, `outcome` (completed, funding_cancelled), `at`, `funders`, `amount`, and
    `to_envelopes` (a permanent fund: back in the envelopes, so unspent now; a fixed round:
    counted as returned)."""
    funders = dict(
        LedgerEntry.objects.filter(round=round, kind=LedgerEntry.Kind.RETURN)
        .values("bucket_id").annotate(n=Count("member_id", distinct=True)).values_list("bucket_id", "n")
    )
    buckets = Bucket.objects.filter(round=round).filter(
        Q(completed_at__isnull=False) | Q(cancelled_at__isnull=False)
    ).order_by(french("title"), "pk")
    return [
        {"bucket": bucket, "outcome": "completed" if bucket.completed_at else "funding_cancelled",
         "at": bucket.completed_at or bucket.cancelled_at, "funders": funders.get(bucket.pk, 0),
         "amount": bucket.returned_amount, "to_envelopes": round.kind == Round.Kind.PERMANENT}
        for bucket in buckets
    ]


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
    given_back: list = field(default_factory=list)
    after_funding: list = field(default_factory=list)

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
    results = RoundResults(round=round, totals=round_figures(round).totals(), closed=is_closed(round), buckets=items,
                           given_back=given_back_before_close(round), after_funding=returned_after_funding(round))
    if with_members:
        results.members = member_figures(round)
    return results
