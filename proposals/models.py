from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import Group


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        BLOCKED = "blocked", _("Blocked")
        NO_QUORUM = "no_quorum", _("No quorum")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=300)
    details = models.TextField(_("details"), blank=True, help_text=_("Markdown"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposals")
    created_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))
    # Empty `named_voters` with voters_are_members=True means every member of the group votes.
    voters_are_members = models.BooleanField(default=True)
    named_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"), default=0)
    block_vetoes = models.BooleanField(_("one block rejects it"), default=True)
    results_hidden_until_close = models.BooleanField(_("hide results until close"), default=False)
    bucket = models.ForeignKey(Bucket, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    # Only the proposal opened by closing a round ("fund this bucket at the amount reached?")
    # settles its bucket; a proposal a member links to a bucket is a discussion, not a verdict.
    settles_bucket = models.BooleanField(default=False, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, null=True, blank=True)
    statement = models.TextField(_("outcome statement"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The tally frozen at close, in the same update that sets `outcome`: the decision history
    # keeps the numbers that justified the outcome even if voters later leave the group.
    final_voters = models.PositiveIntegerField(null=True, blank=True)
    final_voted = models.PositiveIntegerField(null=True, blank=True)
    final_seen = models.PositiveIntegerField(null=True, blank=True)
    final_agree = models.PositiveIntegerField(null=True, blank=True)
    final_abstain = models.PositiveIntegerField(null=True, blank=True)
    final_disagree = models.PositiveIntegerField(null=True, blank=True)
    final_block = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "closed_at"]), models.Index(fields=["closed_at", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> str:
        return self.Status.OPEN if self.closed_at is None else self.Status.CLOSED


class Stance(models.Model):
    """Every stance ever taken is kept; `is_latest` marks the one that counts."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        ABSTAIN = "abstain", _("Abstain")
        DISAGREE = "disagree", _("Disagree")
        BLOCK = "block", _("Block")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stances")
    choice = models.CharField(max_length=16, choices=Choice.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_latest = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=models.Q(is_latest=True), name="one_latest_stance"
            )
        ]


class ProposalView(models.Model):
    """A voter's first view of the proposal (proof that each voter saw the vote)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="one_view_per_voter")]


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
