"""Every write on expenses: submitted by a funded bucket's co-leads with their receipt,
approved or rejected (with a reason) by the accountants and admins, paid by the accountants.

Money rule: what a bucket has paid plus what it still asks for (pending and approved, unpaid)
never goes beyond what it was funded. Submitting and paying lock the bucket's row first
(select_for_update), so two co-leads submitting at once, or two accountants paying the same
expense, are served one after the other against the figures the first one left.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from buckets.models import Bucket
from buckets.selectors import is_colead
from cobudget.dates import format_when
from cobudget.errors import DomainError
from cobudget.money import ZERO, format_money, parse_amount
from expenses import files
from expenses.models import Expense
from groups.models import Role, User
from groups.selectors import membership_of

OPEN_STATUSES = (Expense.Status.PENDING, Expense.Status.APPROVED)


# --- who may ------------------------------------------------------------------------------------


def is_officer(actor, group) -> bool:
    membership = membership_of(actor, group)
    return membership is not None and membership.role in (Role.ADMIN, Role.ACCOUNTANT)


def is_accountant(actor, group) -> bool:
    membership = membership_of(actor, group)
    return membership is not None and membership.role == Role.ACCOUNTANT


def is_bucket_colead(actor, bucket: Bucket) -> bool:
    if not getattr(actor, "is_authenticated", False) or membership_of(actor, bucket.round.group) is None:
        return False
    return is_colead(actor, bucket)  # read once per bucket instance


def may_read_receipts(actor, bucket: Bucket) -> bool:
    """The group's admins and accountants, the bucket's co-leads (PRODUCT.md: receipts are private)."""
    return is_officer(actor, bucket.round.group) or is_bucket_colead(actor, bucket)


def takes_expenses(bucket: Bucket) -> bool:
    return (
        bucket.status == Bucket.Status.FUNDED
        and bucket.funded_amount is not None
        and bucket.completed_at is None
        and bucket.cancelled_at is None
    )


def _require_funded(bucket: Bucket) -> None:
    if not takes_expenses(bucket):
        raise DomainError(
            "bucket_not_funded",
            _("Expenses are for a funded bucket that is neither completed nor cancelled."),
        )


def check_may_submit(actor, bucket: Bucket) -> None:
    if not is_bucket_colead(actor, bucket):
        raise DomainError("forbidden", _("Only the co-leads of this bucket may submit its expenses."), status=403)
    _require_funded(bucket)


# --- figures ------------------------------------------------------------------------------------


def committed(bucket: Bucket) -> Decimal:
    """Paid, plus what is still asked (pending and approved expenses not paid yet)."""
    asked = Expense.objects.filter(bucket=bucket, status__in=OPEN_STATUSES).aggregate(s=Sum("amount"))["s"] or ZERO
    return bucket.paid_amount + asked


def left_to_ask(bucket: Bucket) -> Decimal:
    if bucket.funded_amount is None:
        return ZERO
    return max(bucket.funded_amount - committed(bucket), ZERO)


# --- submitting ---------------------------------------------------------------------------------


def _clean_text(value, *, field: str, max_length: int, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else str(value).strip()
    if required and not text:
        raise DomainError("invalid", _("This field is required."), status=400, field=field)
    if len(text) > max_length:
        raise DomainError("invalid", ngettext("At most %(n)d character.", "At most %(n)d characters.", max_length)
                          % {"n": max_length}, status=400, field=field)
    return text


def _clean_date(value, *, field: str) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError("invalid_date", _("Enter a date, like 2027-03-14."), status=400, field=field) from None
    if day > timezone.localdate():
        raise DomainError("invalid_date", _("The date cannot be in the future."), status=400, field=field)
    return day


def submit(*, bucket: Bucket, actor: User, description, amount, spent_on, supplier="", receipt, request=None) -> Expense:
    """A co-lead's expense with its receipt. Everything is checked before the file is written;
    if the transaction fails after it was, the file is removed (no orphan in the storage)."""
    check_may_submit(actor, bucket)
    description = _clean_text(description, field="description", max_length=300, required=True)
    supplier = _clean_text(supplier, field="supplier", max_length=200, required=False)
    amount = parse_amount(amount, currency=bucket.round.currency, field="amount")
    if amount <= 0:
        raise DomainError("invalid_amount", _("The amount must be above zero."), status=400, field="amount")
    spent_on = _clean_date(spent_on, field="spent_on")
    data, content_type, name = files.checked(receipt, request=request)

    expense = None
    try:
        with transaction.atomic(durable=True):
            locked = Bucket.objects.select_for_update().select_related("round").get(pk=bucket.pk)
            _require_funded(locked)
            left = left_to_ask(locked)
            if amount > left:
                raise DomainError(
                    "expense_exceeds_balance",
                    _("This expense goes beyond what the bucket has left: %(left)s may still be asked.")
                    % {"left": format_money(left, locked.round.currency)},
                )
            expense = Expense(
                bucket=locked, description=description, amount=amount, spent_on=spent_on, supplier=supplier,
                receipt_name=name, receipt_content_type=content_type, submitted_by=actor,
            )
            expense.receipt.save(name, _content_file(data), save=False)
            expense.save()
            audit.record(actor=actor, group=locked.round.group_id, action="expense.submitted", obj=expense,
                         after={"bucket": locked.pk, "amount": amount, "spent_on": spent_on, "supplier": supplier})
    except BaseException:
        if expense is not None and expense.receipt.name:
            expense.receipt.storage.delete(expense.receipt.name)
        raise
    return expense


def _content_file(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)


# --- deciding -----------------------------------------------------------------------------------


def _locked_expense(expense_id: int) -> Expense:
    return Expense.objects.select_for_update().select_related("bucket__round").get(pk=expense_id)


def _decide(*, expense: Expense, actor: User, status: str, reason: str) -> Expense:
    if not is_officer(actor, expense.bucket.round.group):
        raise DomainError("forbidden", _("Only the group's accountants and admins decide on expenses."), status=403)
    with transaction.atomic(durable=True):
        # The bucket first, as submitting, paying, completing and cancelling do: an approval
        # never slips in beside a cancellation that saw no approved expense.
        bucket = Bucket.objects.select_for_update().select_related("round").get(pk=expense.bucket_id)
        locked = _locked_expense(expense.pk)
        if locked.status != Expense.Status.PENDING:
            raise DomainError(
                "expense_not_pending",
                _("This expense was already decided (%(status)s).") % {"status": locked.get_status_display().lower()},
            )
        if status == Expense.Status.APPROVED:
            _require_funded(bucket)
        locked.status = status
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit.record(actor=actor, group=locked.bucket.round.group_id, action=f"expense.{status}", obj=locked,
                     before={"status": Expense.Status.PENDING}, after={"status": status, "reason": reason})
    return locked


def approve(*, expense: Expense, actor: User, reason: str = "") -> Expense:
    reason = _clean_text(reason, field="reason", max_length=2000, required=False)
    return _decide(expense=expense, actor=actor, status=Expense.Status.APPROVED, reason=reason)


def reject(*, expense: Expense, actor: User, reason) -> Expense:
    reason = (reason or "").strip() if isinstance(reason, str | type(None)) else str(reason).strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the expense is rejected."), status=400, field="reason")
    reason = _clean_text(reason, field="reason", max_length=2000, required=True)
    return _decide(expense=expense, actor=actor, status=Expense.Status.REJECTED, reason=reason)


# --- paying -------------------------------------------------------------------------------------


def pay(*, expense: Expense, actor: User, paid_at, payment_reference="") -> Expense:
    """Records an approved expense as paid: its bucket's paid_amount grows by its amount, under
    the bucket's lock. Paying it twice, or paying one not approved, changes nothing (409)."""
    if not is_accountant(actor, expense.bucket.round.group):
        raise DomainError("forbidden", _("Only the group's accountants record payments."), status=403)
    paid_at = _clean_date(paid_at, field="paid_at")
    reference = _clean_text(payment_reference, field="payment_reference", max_length=200, required=False)
    with transaction.atomic(durable=True):
        # The bucket first, as submitting does: one lock order, no deadlock.
        bucket = Bucket.objects.select_for_update().select_related("round").get(pk=expense.bucket_id)
        locked = _locked_expense(expense.pk)
        if locked.status == Expense.Status.PAID:
            raise DomainError("expense_already_paid", _("This expense is already paid (on %(day)s).")
                              % {"day": _short_date(locked.paid_at)})
        if locked.status != Expense.Status.APPROVED:
            raise DomainError("expense_not_approved",
                              _("Only an approved expense can be paid; this one is %(status)s.")
                              % {"status": locked.get_status_display().lower()})
        _require_funded(bucket)
        if bucket.paid_amount + locked.amount > bucket.funded_amount:
            raise DomainError("expense_exceeds_balance", _("Paying it would take the bucket beyond its funding."))
        locked.status = Expense.Status.PAID
        locked.paid_at = paid_at
        locked.payment_reference = reference
        locked.paid_by = actor
        locked.recorded_paid_at = timezone.now()
        locked.save(update_fields=["status", "paid_at", "payment_reference", "paid_by", "recorded_paid_at"])
        bucket.paid_amount += locked.amount
        bucket.save(update_fields=["paid_amount", "updated_at"])
        audit.record(actor=actor, group=bucket.round.group_id, action="expense.paid", obj=locked,
                     before={"status": Expense.Status.APPROVED},
                     after={"status": Expense.Status.PAID, "paid_at": paid_at, "payment_reference": reference,
                            "amount": locked.amount})
    return locked


def _short_date(day) -> str:
    return format_when(day, "date") if day else ""
