"""What each figure of a round means, defined once: the round page, the envelopes page, the
results page and its API, the results mail and every export read them from here, so that
they add up whichever one the accountant opens.

Each member's envelope splits into parts that never overlap:

- funded: allocated to buckets that were funded;
- to_decide: allocated to buckets left to the meeting;
- returned: money that went back to the member after being allocated (see RETURNED), or
  that a funded bucket of a fixed round gave back when it was completed or cancelled;
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

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from allocations.models import Envelope, LedgerEntry
from buckets.models import Bucket, Round
from cobudget.money import ZERO
from groups.models import ENVELOPE_ROLES, Membership

FUNDED = (Bucket.Status.FUNDED,)
TO_DECIDE = (Bucket.Status.TO_DECIDE,)
# Returned: what went back to the members after being allocated: the allocations on buckets
# that closed not funded (a cancelled funding makes its bucket not funded), and, in a fixed
# round, what a completed bucket did not spend: each funder's share is in the RETURN rows of
# the ledger (allocations.after_funding), and comes out of funded. In a permanent fund the
# shares went back into the envelopes, where they are unspent until allocated again (the
# allocations themselves were lowered), so there they count as unspent, like refunds.
RETURNED = (Bucket.Status.NOT_FUNDED,)

# The parts of an envelope, in the order pages and exports show them.
PARTS = ("funded", "to_decide", "returned", "open", "unspent")
PARTS_AND_ALLOCATED = ("allocated", *PARTS)

MONEY = DecimalField(max_digits=14, decimal_places=2)
CENTS = Decimal("0.00")


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
        # Sums of SQLite arithmetic may come back with more places: money has two.
        funded, to_decide, returned = (CENTS if value is None else Decimal(value).quantize(CENTS)
                                       for value in (funded, to_decide, returned))
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


def returned_after_funding(round: Round) -> bool:
    """Whether what completed buckets gave back counts as returned in this round's figures
    (a fixed round) rather than as unspent in the envelopes (a permanent fund)."""
    return round.kind == Round.Kind.FIXED


def completion_shares():
    """Per envelope (an OuterRef to its round and user): the sum of the member's RETURN shares
    on buckets still funded, i.e. completed (a cancelled bucket is not funded: all its
    allocations count as returned already)."""
    shares = (
        LedgerEntry.objects.filter(round_id=OuterRef("round_id"), member_id=OuterRef("user_id"),
                                   kind=LedgerEntry.Kind.RETURN, bucket__status__in=FUNDED)
        .order_by()
        .values("member_id")
        .annotate(s=Sum(F("before") - F("after")))
        .values("s")
    )
    return Coalesce(Subquery(shares, output_field=MONEY), Value(ZERO), output_field=MONEY)


def completion_shares_of(round: Round) -> dict[tuple[int, int], Decimal]:
    """{(member id, bucket id): share} of what completed or cancelled buckets gave back, where
    it counts as returned (a fixed round; empty for a permanent fund)."""
    if not returned_after_funding(round):
        return {}
    return {
        (member_id, bucket_id): share
        for member_id, bucket_id, share in LedgerEntry.objects.filter(round=round, kind=LedgerEntry.Kind.RETURN)
        .values("member_id", "bucket_id").annotate(share=Sum(F("before") - F("after")))
        .values_list("member_id", "bucket_id", "share")
    }


def split_allocation(amount: Decimal, bucket_status: str, share: Decimal | None) -> tuple[Decimal, Decimal]:
    """(funded, returned): one allocation's parts as the member's figures count them. On a
    funded bucket, funded is the amount less the member's RETURN share (`share`, from
    completion_shares_of); on a bucket not funded, all of it is returned; elsewhere neither."""
    share = Decimal(share or ZERO).quantize(CENTS)
    if bucket_status in FUNDED:
        return amount - share, share
    if bucket_status in RETURNED:
        return CENTS, amount
    return CENTS, CENTS


def member_figures_queryset(round: Round):
    """The round's envelopes, each annotated with `funded`, `to_decide` and `returned` (one
    grouped query; iterate it with .values_list(...).iterator() to stream). Turn a row into
    Figures with `figures_of`."""
    if not returned_after_funding(round):
        return Envelope.objects.filter(round=round).annotate(
            funded=_sum_on(FUNDED), to_decide=_sum_on(TO_DECIDE), returned=_sum_on(RETURNED)
        )
    return Envelope.objects.filter(round=round).annotate(given_back=completion_shares()).annotate(
        funded=_sum_on(FUNDED) - F("given_back"), to_decide=_sum_on(TO_DECIDE),
        returned=_sum_on(RETURNED) + F("given_back"),
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
    # What completed buckets of fixed rounds gave back (the sum of their RETURN shares).
    given_back = dict(
        Bucket.objects.filter(round_id__in=[r.pk for r in rounds if returned_after_funding(r)], status__in=FUNDED,
                              returned_amount__gt=0)
        .values("round_id").annotate(s=Sum("returned_amount")).values_list("round_id", "s")
    )
    pending = _pending_defaults([r for r in rounds if r.published_at is None])
    result = {}
    for round in rounds:
        row = envelopes.get(round.pk, {})
        back = given_back.get(round.pk) or ZERO
        result[round.pk] = Figures.split(
            envelope=(row.get("amount") or ZERO) + pending.get(round.pk, ZERO),
            allocated=row.get("allocated") or ZERO,
            funded=sum((by_status.get((round.pk, s), ZERO) for s in FUNDED), ZERO) - back,
            to_decide=sum((by_status.get((round.pk, s), ZERO) for s in TO_DECIDE), ZERO),
            returned=sum((by_status.get((round.pk, s), ZERO) for s in RETURNED), ZERO) + back,
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
