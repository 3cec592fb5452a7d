"""Reads that pages and the API share: an expense as its reader may see it, a bucket's
expenses, the accountant's queue of a group."""

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404

from buckets.models import Bucket
from buckets.selectors import can_see_bucket, get_bucket_for
from expenses.models import Expense


def get_expense_for(user, expense_id) -> Expense:
    """The expense when its bucket is visible to `user`; 404 otherwise."""
    expense = (
        Expense.objects.select_related("bucket__round__group", "submitted_by", "decided_by", "paid_by")
        .filter(pk=expense_id)
        .first()
    )
    if expense is None:
        raise Http404
    if not can_see_bucket(user, expense.bucket):
        raise Http404
    return expense


def expenses_of(bucket: Bucket):
    return Expense.objects.filter(bucket=bucket).select_related("submitted_by", "decided_by", "paid_by")


def queue_of(group):
    """What the accountant has to do in a group: pending expenses to decide, then approved
    ones to pay (oldest first, as they came), then the rest, newest first."""
    order = Case(
        When(status=Expense.Status.PENDING, then=Value(0)),
        When(status=Expense.Status.APPROVED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Expense.objects.filter(bucket__round__group=group)
        .select_related("bucket__round", "submitted_by", "decided_by", "paid_by")
        .annotate(todo=order)
        .order_by("todo", "submitted_at", "id")
    )


__all__ = ["get_bucket_for", "get_expense_for", "expenses_of", "queue_of"]
