"""Money after funding: the expenses of a funded bucket, paid by the accountant from their
receipts, and the files (images, quotes) its co-leads attach to it.

The money itself moves on the bucket: Bucket.paid_amount is the sum of its paid expenses,
kept under the bucket's lock by expenses.services.pay.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from expenses.storage import private_storage

# The content types a receipt may have, each with the extension its stored name takes; the
# type is found from the file's bytes (expenses/files.py), never from the client.
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def receipt_path(expense, filename: str) -> str:
    # A random name: the client's file name is kept as receipt_name for the download only.
    extension = EXTENSIONS.get(expense.receipt_content_type, "")
    return f"receipts/{expense.bucket_id}/{uuid.uuid4().hex}{extension}"


class Expense(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    # PROTECT: an expense is an accounting record; its bucket is never deleted once funded.
    bucket = models.ForeignKey(Bucket, on_delete=models.PROTECT, related_name="expenses")
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    spent_on = models.DateField(_("spent on"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), storage=private_storage, upload_to=receipt_path, max_length=300)
    receipt_name = models.CharField(_("receipt file name"), max_length=255)
    receipt_content_type = models.CharField(max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The day the money left the account (the bank statement's), not when it was recorded.
    paid_at = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["bucket", "status"], name="expense_bucket_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "paid"]), name="expense_status_known"
            ),
            # Paid means: a date, a payer, and a decision before it.
            models.CheckConstraint(
                condition=~models.Q(status="paid")
                | models.Q(paid_at__isnull=False, paid_by__isnull=False, decided_at__isnull=False),
                name="expense_paid_has_payment",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_at__isnull=True) | models.Q(status="paid"), name="expense_payment_only_when_paid"
            ),
            # A refusal always says why.
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | (models.Q(decided_at__isnull=False) & ~models.Q(reason="")),
                name="expense_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(decided_at__isnull=False),
                name="expense_approved_is_decided",
            ),
        ]

    def __str__(self) -> str:
        return self.description
