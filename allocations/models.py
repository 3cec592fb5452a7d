from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket, Round
from cobudget.money import money_field_kwargs


class Envelope(models.Model):
    """What one member may spread over the buckets of one round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="envelopes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="envelopes")
    amount = models.DecimalField(_("amount"), **money_field_kwargs())
    # True when an admin or an import set this member's amount (weighted envelopes): a change
    # of the round's default amount then leaves it alone.
    is_custom = models.BooleanField(default=False)
    # Sum of this member's allocations in the round, kept in the allocation transaction.
    allocated = models.DecimalField(_("allocated"), **money_field_kwargs())
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_envelope_per_member_and_round"),
            models.CheckConstraint(condition=models.Q(allocated__lte=models.F("amount")), name="envelope_not_overspent"),
            models.CheckConstraint(condition=models.Q(allocated__gte=0), name="envelope_allocated_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.round}: {self.amount}"

    @property
    def remaining(self):
        return self.amount - self.allocated


class Allocation(models.Model):
    """The current amount a member gives a bucket (its history is the ledger)."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="allocations")
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField(_("amount"), **money_field_kwargs())
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["envelope", "bucket"], name="one_allocation_per_member_and_bucket"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
        ]
        indexes = [models.Index(fields=["bucket", "envelope"])]


class LedgerEntry(models.Model):
    """Append-only: a row per change, never an update of history (a trigger refuses it on
    PostgreSQL)."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation")
        REFUND = "refund", _("Refund (bucket withdrawn, merged or expired)")
        RETURN = "return", _("Returned after funding (bucket completed or cancelled)")
        ENVELOPE = "envelope", _("Envelope amount set")
        TOPUP = "topup", _("Yearly top-up")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ledger")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    bucket = models.ForeignKey(Bucket, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    before = models.DecimalField(max_digits=12, decimal_places=2)
    after = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["round", "bucket"]), models.Index(fields=["round", "member"])]

    @property
    def on_behalf(self) -> bool:
        return self.actor_id is not None and self.actor_id != self.member_id


class Topup(models.Model):
    """A top-up granted to every envelope of a permanent round, once per period (a label such
    as "2027"): the unique key makes a second grant of the same period impossible, however
    many clicks or requests arrive. Its ledger rows are written in the same transaction."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="topups")
    period = models.CharField(_("period"), max_length=32)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    envelopes = models.PositiveIntegerField(_("envelopes"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-granted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["round", "period"], name="one_topup_per_round_and_period")]

    def __str__(self) -> str:
        return f"{self.round} / {self.period}: {self.amount}"

    @property
    def total(self):
        return self.amount * self.envelopes


class AllocationNotice(models.Model):
    """Outbox: an accepted allocation whose bucket's co-leads have not been told yet.

    Written by set_allocation in the allocation's own transaction, so that a notice is never
    lost (a broker down, a worker killed) nor sent for an allocation that rolled back, and the
    busiest request of a round talks to no broker. The sweep (every minute, allocations.outbox)
    turns these rows into notifications and deletes them."""

    entry = models.OneToOneField(LedgerEntry, primary_key=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("allocation notice to send")
        verbose_name_plural = _("allocation notices to send")
