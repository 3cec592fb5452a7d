"""The end of a funded bucket: its completion (accountants, admins) once its expenses are
paid, or the cancellation of its funding (admins) while nothing is paid. Either way, what the
bucket did not spend goes back to its funders, and the ledger keeps every funder's rows.

Where the money goes depends on the round:

- a PERMANENT fund goes on: each funder's share goes back to their envelope, to be allocated
  again. Their allocation on the bucket is lowered by the share (deleted at 0), their
  envelope's `allocated` and the bucket's total and contributors with it, and a RETURN row
  records the allocation before and after (check_ledger replays it like any allocation row);
- a FIXED round is over: nothing goes back to an envelope. The allocations stay as they
  were given; the RETURN rows record each funder's share as the part of their allocation
  that no longer counts as funded (before: the allocation, after: what stays funded), so
  that the figures (allocations.figures) count it as returned, per member.

The shares, to the cent (to the minor unit of the round's currency): see `split_pro_rata`.

Lock order, as every writer of money: the round (FOR NO KEY UPDATE), the funders' envelopes
by id, then the bucket. Expenses change only under the bucket's lock (expenses.services),
so what is read of them after it is what stands.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allocations.models import Allocation, Envelope, LedgerEntry
from audit import services as audit
from buckets.models import Bucket, Round
from cobudget import confirm
from cobudget.dates import format_when
from cobudget.errors import DomainError
from cobudget.money import ZERO, format_money, places_for
from expenses.models import Expense
from groups.models import Role
from groups.selectors import role_of

COMPLETE = "complete"
CANCEL = "cancel"
REASON_MAX = 1000


class _Retry(Exception):
    """The funders changed between reading and locking: start again."""


def split_pro_rata(amount: Decimal, weights: dict[int, Decimal], *, places: int = 2) -> dict[int, Decimal]:
    """Split `amount` between funders in proportion to their `weights` (their allocations), to
    the minor unit (`places` decimals), as `{member id: share}` for every member of `weights`.

    The rule, in whole cents: each share is first rounded down,
    floor(amount × weight ÷ Σ weights); the cents still missing (fewer than the number of
    funders) then go one by one to the largest funders (by weight, the lower member id first
    on a tie), one cent each. So the shares add up to `amount` exactly, none is negative, and
    none exceeds its weight when `amount` ≤ Σ weights (a share floored below its weight
    gains at most one cent; a floor equal to its weight means amount = Σ weights, where
    nothing is left to give)."""
    unit = Decimal(1).scaleb(-places)
    cents = int(amount / unit)
    if cents < 0 or Decimal(cents) * unit != amount:
        raise ValueError(f"amount {amount} is not a non-negative number of units of {unit}")
    weight_cents = {member: int(weight / unit) for member, weight in weights.items()}
    total = sum(weight_cents.values())
    if cents > total or any(w < 0 for w in weight_cents.values()):
        raise ValueError("cannot give back more than was allocated")
    if cents == 0 or total == 0:
        return {member: ZERO.quantize(unit) for member in weights}
    shares = {member: cents * w // total for member, w in weight_cents.items()}
    missing = cents - sum(shares.values())
    for member in sorted(weight_cents, key=lambda m: (-weight_cents[m], m))[:missing]:
        shares[member] += 1
    return {member: (Decimal(share) * unit).quantize(unit) for member, share in shares.items()}


@dataclass(frozen=True)
class GiveBack:
    """What completing or cancelling a bucket gives back now: `amount` in all, `shares` by
    member id (only positive ones), to their envelopes or counted as returned."""

    action: str
    bucket: Bucket
    amount: Decimal
    shares: dict[int, Decimal]
    to_envelopes: bool

    @property
    def funders(self) -> int:
        return len(self.shares)

    @property
    def figures(self) -> tuple:
        """What a confirmation compares (cobudget.confirm): the state and every share."""
        return (self.action, self.bucket.status, self.bucket.completed_at, self.bucket.cancelled_at,
                self.bucket.paid_amount, self.amount, tuple(sorted(self.shares.items())))

    def sentence(self) -> str:
        """The consequence in numbers, as the confirmation page and the success message say it."""
        money = format_money(self.amount, self.bucket.round.currency)
        if self.amount == ZERO:
            return _("Nothing is left to give back: everything was spent.")
        if self.to_envelopes:
            return ngettext(
                "%(amount)s goes back to the envelope of its only funder.",
                "%(amount)s go back to the envelopes of its %(n)d funders, in proportion to what each gave.",
                self.funders,
            ) % {"amount": money, "n": self.funders}
        return ngettext(
            "%(amount)s is counted as returned for its only funder: the round is closed, so no envelope changes.",
            "%(amount)s are counted as returned for its %(n)d funders, in proportion to what each gave: "
            "the round is closed, so no envelope changes.",
            self.funders,
        ) % {"amount": money, "n": self.funders}


def _left_to_give(bucket: Bucket, action: str, allocated: Decimal) -> Decimal:
    """What the bucket did not spend: funded − paid (all of it when cancelling, where nothing
    is paid), never more than its funders' allocations still hold (a funder who left a
    permanent fund took theirs back already)."""
    funded = bucket.funded_amount if bucket.funded_amount is not None else bucket.total
    left = funded - bucket.paid_amount if action == COMPLETE else funded
    return max(ZERO, min(left, allocated))


def preview(bucket: Bucket, action: str) -> GiveBack:
    """What `action` (COMPLETE or CANCEL) would give back now, read without locks (for the
    confirmation page); the service computes it again under its locks."""
    weights = dict(Allocation.objects.filter(bucket_id=bucket.pk).values_list("envelope__user_id", "amount"))
    return _give_back_of(bucket, action, weights)


def _give_back_of(bucket: Bucket, action: str, weights: dict[int, Decimal]) -> GiveBack:
    round = bucket.round
    amount = _left_to_give(bucket, action, sum(weights.values(), ZERO))
    shares = split_pro_rata(amount, weights, places=places_for(round.currency))
    return GiveBack(action=action, bucket=bucket, amount=amount,
                    shares={m: s for m, s in shares.items() if s > ZERO},
                    to_envelopes=round.kind == Round.Kind.PERMANENT)


# --- who and when ------------------------------------------------------------------------------


def require_may(actor, bucket: Bucket, action: str) -> None:
    """Completing: the group's accountants and admins; cancelling: its admins."""
    allowed = (Role.ADMIN, Role.ACCOUNTANT) if action == COMPLETE else (Role.ADMIN,)
    if actor is None:
        return  # the system (a command)
    if role_of(actor, bucket.round.group) not in allowed:
        if action == COMPLETE:
            raise DomainError("forbidden", _("Only an accountant or an admin of the group may complete a bucket."),
                              status=403)
        raise DomainError("forbidden", _("Only an admin of the group may cancel a bucket's funding."), status=403)


def _outstanding_expenses(bucket: Bucket) -> dict[str, int]:
    """{status: count} of the bucket's pending and approved (unpaid) expenses."""
    counts: dict[str, int] = {}
    for status in Expense.objects.filter(
        bucket_id=bucket.pk, status__in=(Expense.Status.PENDING, Expense.Status.APPROVED)
    ).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def check(bucket: Bucket, action: str) -> None:
    """Refuse (409, in words) what the bucket's state does not allow; the services call it
    again under their locks."""
    zone = bucket.round.group
    if bucket.completed_at is not None:
        raise DomainError("bucket_completed", _("This bucket was already completed on %(when)s: nothing more can change.")
                          % {"when": format_when(bucket.completed_at, "date", zone)})
    if bucket.cancelled_at is not None:
        raise DomainError("funding_cancelled", _("The funding of this bucket was already cancelled on %(when)s.")
                          % {"when": format_when(bucket.cancelled_at, "date", zone)})
    if bucket.status != Bucket.Status.FUNDED:
        raise DomainError("bucket_not_funded", _("Only a funded bucket can be completed or have its funding cancelled."))
    outstanding = _outstanding_expenses(bucket)
    currency = bucket.round.currency
    if action == COMPLETE:
        waiting = sum(outstanding.values())
        if waiting:
            raise DomainError("expenses_outstanding", ngettext(
                "%(n)d expense of this bucket still waits for a decision or a payment: decide and pay it first.",
                "%(n)d expenses of this bucket still wait for a decision or a payment: decide and pay them first.",
                waiting) % {"n": waiting})
        return
    if bucket.paid_amount > ZERO:
        raise DomainError("bucket_has_payments", _(
            "%(paid)s of this bucket's expenses are already paid: its funding can no longer be cancelled. "
            "Complete it instead, and what is left goes back to its funders.")
            % {"paid": format_money(bucket.paid_amount, currency)})
    if outstanding.get(Expense.Status.APPROVED):
        raise DomainError("bucket_has_payments", _(
            "An expense of this bucket is approved and waits for its payment: its funding can no longer be "
            "cancelled. Reject or pay the expense first."))


def clean_reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise DomainError("reason_required", _("Say why the funding is cancelled: the funders will read it."),
                          status=400, field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError("reason_too_long", _("The reason may hold at most %(n)d characters.") % {"n": REASON_MAX},
                          status=400, field="reason")
    return reason


# --- the services -------------------------------------------------------------------------------


def complete_bucket(*, bucket: Bucket, actor, expect: tuple | None = None, now=None) -> GiveBack:
    """Complete a funded bucket (accountants, admins): no expense may wait any more; what is
    left (funded − paid) goes back to its funders. `expect`: the figures a confirmation page
    showed (GiveBack.figures); others under the locks refuse with confirmation_stale."""
    require_may(actor, bucket, COMPLETE)
    check(bucket, COMPLETE)
    return _give_back(bucket_id=bucket.pk, round_id=bucket.round_id, actor=actor, action=COMPLETE, expect=expect,
                      now=now)


def cancel_funding(*, bucket: Bucket, actor, reason, expect: tuple | None = None, now=None) -> GiveBack:
    """Cancel a funded bucket's funding (admins) while nothing is paid: all of it goes back,
    the bucket becomes not funded with the date and reason kept."""
    require_may(actor, bucket, CANCEL)
    reason = clean_reason(reason)
    check(bucket, CANCEL)
    return _give_back(bucket_id=bucket.pk, round_id=bucket.round_id, actor=actor, action=CANCEL, reason=reason,
                      expect=expect, now=now)


def _give_back(*, bucket_id: int, round_id: int, actor, action: str, reason: str = "", expect=None, now=None) -> GiveBack:
    for _attempt in range(10):
        try:
            with transaction.atomic(durable=True):
                return _give_back_locked(bucket_id=bucket_id, round_id=round_id, actor=actor, action=action,
                                         reason=reason, expect=expect, now=now or timezone.now())
        except _Retry:
            continue
    raise DomainError("busy", _("The bucket is busy; try again in a moment."))


def _give_back_locked(*, bucket_id, round_id, actor, action, reason, expect, now) -> GiveBack:
    # The round first (closing and every bucket write take it first), FOR NO KEY UPDATE: the
    # ledger rows below take KEY SHARE on it.
    round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round_id)
    permanent = round.kind == Round.Kind.PERMANENT
    envelopes: dict[int, Envelope] = {}
    if permanent:  # a closed round's envelopes never change
        envelope_ids = sorted(set(Allocation.objects.filter(bucket_id=bucket_id).values_list("envelope_id", flat=True)))
        envelopes = {e.pk: e for e in Envelope.objects.select_for_update().filter(pk__in=envelope_ids).order_by("id")}
    bucket = Bucket.objects.select_for_update(of=("self",)).get(pk=bucket_id)
    bucket.round = round
    allocations = list(Allocation.objects.filter(bucket_id=bucket_id).select_related("envelope").order_by("id"))
    if permanent and {a.envelope_id for a in allocations} - envelopes.keys():
        raise _Retry
    check(bucket, action)
    given = _give_back_of(bucket, action, {a.envelope.user_id: a.amount for a in allocations})
    if expect is not None and tuple(str(v) for v in given.figures) != tuple(str(v) for v in expect):
        raise confirm.stale()

    entries, changed, deleted = [], [], []
    for allocation in allocations:
        member_id = allocation.envelope.user_id
        share = given.shares.get(member_id, ZERO)
        if share == ZERO:
            continue
        entries.append(LedgerEntry(round_id=round.pk, member_id=member_id, actor_id=getattr(actor, "pk", None),
                                   bucket_id=bucket.pk, kind=LedgerEntry.Kind.RETURN, before=allocation.amount,
                                   after=allocation.amount - share, created_at=now,
                                   note="completed" if action == COMPLETE else "funding cancelled"))
        if permanent:
            envelope = envelopes[allocation.envelope_id]
            envelope.allocated -= share
            allocation.amount -= share
            allocation.updated_at = now
            (deleted if allocation.amount == ZERO else changed).append(allocation)
    if permanent:
        Envelope.objects.bulk_update(list(envelopes.values()), ["allocated"], batch_size=500)
        Allocation.objects.bulk_update(changed, ["amount", "updated_at"], batch_size=500)
        Allocation.objects.filter(pk__in=[a.pk for a in deleted]).delete()
        bucket.total -= given.amount
        bucket.contributors_count -= len(deleted)
    LedgerEntry.objects.bulk_create(entries, batch_size=500)

    before = {"status": bucket.status, "returned": bucket.returned_amount}
    bucket.returned_amount = given.amount
    fields = ["returned_amount", "total", "contributors_count", "updated_at"]
    if action == COMPLETE:
        bucket.completed_at = now
        fields.append("completed_at")
    else:
        bucket.status = Bucket.Status.NOT_FUNDED
        bucket.cancelled_at = now
        bucket.cancel_reason = reason
        fields += ["status", "cancelled_at", "cancel_reason"]
        # Expenses still waiting for a decision can never be paid now: they are refused with
        # the cancellation's reason, so that no queue keeps them (under the bucket's lock, which
        # deciding an expense takes first).
        rejected = Expense.objects.filter(bucket_id=bucket.pk, status=Expense.Status.PENDING).update(
            status=Expense.Status.REJECTED, decided_by=actor, decided_at=now,
            reason=(_("Funding cancelled: %(reason)s") % {"reason": reason})[:2000])
    bucket.save(update_fields=fields)
    after = {"status": bucket.status, "returned": given.amount, "funders": given.funders,
             "to_envelopes": given.to_envelopes}
    if action == CANCEL:
        after["reason"] = reason
        after["expenses_rejected"] = rejected
    audit.record(actor=actor, group=round.group_id,
                 action="bucket.completed" if action == COMPLETE else "bucket.funding_cancelled",
                 obj=bucket, before=before, after=after)
    return GiveBack(action=action, bucket=bucket, amount=given.amount, shares=given.shares,
                    to_envelopes=given.to_envelopes)
