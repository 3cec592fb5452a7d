"""Set-up shared by the tests of completion and cancellation (allocations.after_funding): a
permanent fund with a bucket its members fund, and a closed fixed round.

Per-bucket funding in a permanent fund is another service's (the allocation that reaches the
max goal, a co-lead's acceptance); here `fund` writes what it leaves behind (status, date,
amount). Money moves only through the services."""

from decimal import Decimal

from django.utils import timezone

from buckets.models import Bucket
from tests.builders import allocate, make_bucket, make_round

D = Decimal


def permanent_round(group, admin, *, envelope="430.00"):
    return make_round(group, admin, kind="permanent", envelope=envelope)


def fund(bucket) -> Bucket:
    """The bucket funded now with its total, as per-bucket funding leaves it."""
    Bucket.objects.filter(pk=bucket.pk).update(status=Bucket.Status.FUNDED, funded_at=timezone.now(),
                                               funded_amount=bucket.__class__.objects.get(pk=bucket.pk).total,
                                               funding_announced_at=timezone.now())
    bucket.refresh_from_db()
    return bucket


def funded_bucket(round, creator, gifts: dict, *, title="Four solaire", max_amount="1000.00") -> Bucket:
    """A bucket of `round` given `gifts` ({user: amount}) and funded."""
    bucket = make_bucket(round, creator, title=title, min_amount="10.00", max_amount=max_amount)
    for user, amount in gifts.items():
        allocate(user, bucket, amount)
    return fund(bucket)


def record_paid(bucket, amount) -> Bucket:
    """Expenses paid for `amount` in all, as the accountant's payments leave the bucket."""
    Bucket.objects.filter(pk=bucket.pk).update(paid_amount=D(amount))
    bucket.refresh_from_db()
    return bucket


def expense(bucket, by, *, amount="10.00", status="pending"):
    """An expense of `bucket` in `status`, as the expenses' services leave it (the receipt's
    file is not needed here)."""
    from expenses.models import Expense

    now = timezone.now()
    decided = status != "pending"
    return Expense.objects.create(
        bucket=bucket, description="Ciment", amount=D(amount), spent_on=now.date(), supplier="Brico",
        receipt="receipts/none.pdf", receipt_name="facture.pdf", receipt_content_type="application/pdf",
        status=status, submitted_by=by, decided_by=by if decided else None, decided_at=now if decided else None,
        reason="Hors budget" if status == "rejected" else "",
        paid_at=now.date() if status == "paid" else None, paid_by=by if status == "paid" else None,
    )
