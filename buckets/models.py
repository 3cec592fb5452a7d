from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cobudget.money import CURRENCY_CHOICES, ZERO, money_field_kwargs
from groups.models import Group


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSALS = "proposals", pgettext_lazy("round phase", "Proposals")
    FUNDING = "funding", _("Funding")
    CLOSED = "closed", _("Closed")


class Round(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed dates")
        PERMANENT = "permanent", _("Permanent fund")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FIXED)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    envelope_amount = models.DecimalField(_("default envelope"), **money_field_kwargs())
    proposals_open_at = models.DateTimeField(_("proposals open at"), null=True, blank=True)
    funding_opens_at = models.DateTimeField(_("funding opens at"), null=True, blank=True)
    funding_closes_at = models.DateTimeField(_("funding closes at"), null=True, blank=True)
    meeting_at = models.DateTimeField(_("board meeting at"), null=True, blank=True)
    max_per_member_per_bucket = models.DecimalField(
        _("cap per member and bucket"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_coleads = models.PositiveSmallIntegerField(_("minimum co-leads"), default=1)
    funded_if_percent_of_min = models.DecimalField(
        _("funded at % of minimum"), max_digits=5, decimal_places=2, default=Decimal("100")
    )
    decide_if_percent_of_min = models.DecimalField(
        _("to decide from % of minimum"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    buckets_during_funding = models.BooleanField(_("new buckets during funding"), default=False)
    # Permanent rounds: an open bucket still unfunded this many days after it was published is
    # closed not funded by the sweep, its allocations given back (null: never).
    expires_after_days = models.PositiveIntegerField(_("open buckets expire after (days)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["closed_at", "funding_closes_at"])]

    def __str__(self) -> str:
        return self.title

    def phase_at(self, now) -> str:
        """The phase, derived from the clock and the round's state (never a stored flag)."""
        if self.published_at is None:
            return Phase.DRAFT
        if self.closed_at is not None:
            return Phase.CLOSED
        if self.kind == self.Kind.PERMANENT:
            return Phase.FUNDING
        if self.funding_closes_at is not None and now >= self.funding_closes_at:
            return Phase.CLOSED
        if self.funding_opens_at is not None and now >= self.funding_opens_at:
            return Phase.FUNDING
        if self.proposals_open_at is not None and now < self.proposals_open_at:
            return Phase.DRAFT  # published ahead of time: visible, but nothing opens before its date
        return Phase.PROPOSALS

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    @property
    def phase_label(self) -> str:
        phase = self.phase
        if phase == Phase.DRAFT and self.published_at is not None:
            return _("Upcoming")  # published ahead of its dates: members see it coming, not a draft
        return Phase(phase).label

    @property
    def accepts_new_buckets(self) -> bool:
        phase = self.phase
        if phase == Phase.PROPOSALS:
            return True
        if phase == Phase.FUNDING:
            return self.kind == self.Kind.PERMANENT or self.buckets_during_funding
        return False


class Tag(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="unique_tag_per_group")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Bucket(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        FUNDED = "funded", _("Funded")
        TO_DECIDE = "to_decide", _("To decide")
        NOT_FUNDED = "not_funded", _("Not funded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="buckets")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_buckets"
    )
    coleads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="led_buckets", blank=True)
    tags = models.ManyToManyField(Tag, related_name="buckets", blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # Goals are the sums of the budget items, kept by the service that writes the items.
    min_goal = models.DecimalField(_("minimum goal"), **money_field_kwargs())
    max_goal = models.DecimalField(_("maximum goal"), **money_field_kwargs())
    # Counters kept in the same transaction as the ledger (check_ledger verifies them).
    total = models.DecimalField(_("total"), **money_field_kwargs())
    contributors_count = models.PositiveIntegerField(_("contributors"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # After funding. funded_amount is the total when the bucket was funded (by its round's
    # closing, the allocation that reached its max goal, a co-lead's acceptance or a decision);
    # paid_amount the sum of its paid expenses, kept under the bucket's lock; returned_amount
    # what completing or cancelling it gave back. balance = funded − paid.
    funded_at = models.DateTimeField(_("funded at"), null=True, blank=True)
    funded_amount = models.DecimalField(_("funded amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    paid_amount = models.DecimalField(_("paid"), **money_field_kwargs())
    returned_amount = models.DecimalField(_("returned"), **money_field_kwargs())
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("funding cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # Outbox: a bucket funded in a permanent round (inside the allocation's own transaction)
    # is announced to its co-leads and funders by the sweep, which then sets this.
    funding_announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["round", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="bucket_total_not_negative"),
            models.CheckConstraint(condition=models.Q(max_goal__gte=models.F("min_goal")), name="bucket_max_goal_gte_min"),
            models.CheckConstraint(condition=models.Q(paid_amount__gte=0), name="bucket_paid_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def balance(self) -> Decimal:
        """funded − paid, as API.md defines it (nothing before funding). Once the bucket is
        completed or cancelled, the balance is what returned_amount gave back."""
        if self.funded_amount is None:
            return ZERO
        return self.funded_amount - self.paid_amount

    @property
    def percent_of_min(self) -> Decimal:
        if self.min_goal <= 0:
            return Decimal("100") if self.total > 0 else ZERO
        # Rounded down, as the closing rule compares exactly: 99.999 % never reads 100 %.
        return (self.total * 100 / self.min_goal).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class BudgetItem(models.Model):
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="budget_items")
    description = models.CharField(_("description"), max_length=300)
    min_amount = models.DecimalField(_("minimum"), **money_field_kwargs())
    max_amount = models.DecimalField(_("maximum"), **money_field_kwargs())
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_amount__gte=models.F("min_amount")), name="item_max_gte_min"),
            models.CheckConstraint(condition=models.Q(min_amount__gte=0), name="item_min_not_negative"),
        ]


class Comment(models.Model):
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bucket_comments")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]


class Follow(models.Model):
    """Someone who asked to be told of a bucket's comments and funding (buckets/notices.py)."""

    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_buckets")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["bucket", "user"], name="one_follow_per_person_and_bucket")]


class Guideline(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="guidelines")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Flag(models.Model):
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="flags")
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="flags")
    comment = models.TextField(_("comment"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="raised_flags")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
