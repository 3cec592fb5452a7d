"""What each figure of a round means, defined once: the round page, the envelopes page, the
results page and its API, the results mail and every export read them from here, so that
they add up whichever one the accountant opens.

Each member's envelope splits into parts that never overlap:

- funded: allocated to buckets that were funded;
- to_decide: allocated to buckets left to the meeting;
- returned: money that went back to the member after being allocated (see RETURNED);
- open: allocated to buckets still being funded (nothing once the round is closed);
- unspent: never allocated. Allocations on a withdrawn or merged bucket went back to the
  envelopes at once (refund rows in the ledger), so that money is unspent too.

    envelope = funded + to_decide + returned + open + unspent
    allocated = envelope − unspent

A round's figures are the sums of its members' (the bucket totals by status give the same
amounts: `check_ledger` holds the counters to the ledger). A draft round has no envelopes
yet: its envelopes figure counts the default amount for every member who will receive one.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from allocations.models import Envelope
from buckets.models import Bucket, Round
from cobudget.money import ZERO
from groups.models import ENVELOPE_ROLES, Membership

FUNDED = (Bucket.Status.FUNDED,)
TO_DECIDE = (Bucket.Status.TO_DECIDE,)
# Returned: what went back to the members after being allocated. Today, the allocations on
# buckets that closed not funded; what completing or cancelling a funded bucket gives back
# belongs here too, and nowhere else.
RETURNED = (Bucket.Status.NOT_FUNDED,)

# The parts of an envelope, in the order pages and exports show them.
PARTS = ("funded", "to_decide", "returned", "open", "unspent")
PARTS_AND_ALLOCATED = ("allocated", *PARTS)

MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Figures:
    """One member's figures, or a whole round's (then `envelope` is the sum of the envelopes)."""

    envelope: Decimal
    allocated: Decimal
    funded: Decimal
    to_decide: Decimal
    returned: Decimal
    open: Decimal
    unspent: Decimal

    @classmethod
    def split(cls, *, envelope, allocated, funded, to_decide, returned) -> "Figures":
        """The parts from what the database sums: open and unspent are what is left, so the
        parts add up to the envelope by construction."""
        funded, to_decide, returned = funded or ZERO, to_decide or ZERO, returned or ZERO
        return cls(
            envelope=envelope, allocated=allocated, funded=funded, to_decide=to_decide, returned=returned,
            open=allocated - funded - to_decide - returned, unspent=envelope - allocated,
        )

    def totals(self) -> dict[str, Decimal]:
        """A round's figures under the names of the API's `totals` (`envelopes`, plural)."""
        return {"envelopes": self.envelope, **{name: getattr(self, name) for name in PARTS_AND_ALLOCATED}}


def _sum_on(statuses) -> Coalesce:
    return Coalesce(
        Sum("allocations__amount", filter=Q(allocations__bucket__status__in=statuses)), Value(ZERO), output_field=MONEY
    )


def member_figures_queryset(round: Round):
    """The round's envelopes, each annotated with `funded`, `to_decide` and `returned` (one
    grouped query; iterate it with .values_list(...).iterator() to stream). Turn a row into
    Figures with `figures_of`."""
    return Envelope.objects.filter(round=round).annotate(
        funded=_sum_on(FUNDED), to_decide=_sum_on(TO_DECIDE), returned=_sum_on(RETURNED)
    )


def figures_of(*, amount, allocated, funded, to_decide, returned) -> Figures:
    return Figures.split(envelope=amount, allocated=allocated, funded=funded, to_decide=to_decide, returned=returned)


def pending_envelopes(round: Round):
    """Draft round: the members who will receive the default envelope when it is published
    (those with an envelope role and no envelope yet). Empty once published."""
    if round.published_at is not None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(group_id=round.group_id, role__in=ENVELOPE_ROLES)
        .exclude(user__envelopes__round=round)
        .select_related("user")
    )


def round_figures(round: Round) -> Figures:
    return round_figures_many([round])[round.pk]


def round_figures_many(rounds) -> dict[int, Figures]:
    """round_figures for many rounds in a constant number of grouped queries."""
    rounds = list(rounds)
    ids = [r.pk for r in rounds]
    envelopes = {
        row["round_id"]: row
        for row in Envelope.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(amount=Sum("amount"), allocated=Sum("allocated"))
    }
    by_status: dict[tuple[int, str], Decimal] = {
        (round_id, status): total
        for round_id, status, total in Bucket.objects.filter(round_id__in=ids, status__in=FUNDED + TO_DECIDE + RETURNED)
        .values("round_id", "status")
        .annotate(s=Sum("total"))
        .values_list("round_id", "status", "s")
    }
    pending = _pending_defaults([r for r in rounds if r.published_at is None])
    result = {}
    for round in rounds:
        row = envelopes.get(round.pk, {})
        result[round.pk] = Figures.split(
            envelope=(row.get("amount") or ZERO) + pending.get(round.pk, ZERO),
            allocated=row.get("allocated") or ZERO,
            funded=sum((by_status.get((round.pk, s), ZERO) for s in FUNDED), ZERO),
            to_decide=sum((by_status.get((round.pk, s), ZERO) for s in TO_DECIDE), ZERO),
            returned=sum((by_status.get((round.pk, s), ZERO) for s in RETURNED), ZERO),
        )
    return result


def _pending_defaults(drafts: list[Round]) -> dict[int, Decimal]:
    """{draft round id: default amount × members still to receive it}, in two queries."""
    if not drafts:
        return {}
    members: dict[int, set[int]] = {}
    for group_id, user_id in Membership.objects.filter(
        group_id__in={r.group_id for r in drafts}, role__in=ENVELOPE_ROLES
    ).values_list("group_id", "user_id"):
        members.setdefault(group_id, set()).add(user_id)
    have: dict[int, set[int]] = {}
    for round_id, user_id in Envelope.objects.filter(round__in=drafts).values_list("round_id", "user_id"):
        have.setdefault(round_id, set()).add(user_id)
    return {
        r.pk: r.envelope_amount * len(members.get(r.group_id, set()) - have.get(r.pk, set())) for r in drafts
    }
