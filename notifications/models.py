"""In-app notifications and each person's choice of e-mail per kind."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group


class Kind(models.TextChoices):
    INVITATION = "invitation", _("Invitations to a group")
    BUCKET_COMMENT = "bucket_comment", _("Comments on my buckets")
    MENTION = "mention", _("Replies and @mentions")
    BUCKET_ALLOCATION = "bucket_allocation", _("Allocations to my buckets")
    BUCKET_FLAG = "bucket_flag", _("Flags on my buckets")
    ROUND_PHASE = "round_phase", _("Round phases")
    PROPOSAL = "proposal", _("Proposals")
    FOLLOWED_BUCKET = "followed_bucket", _("Buckets I follow")


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never")


class Delivery(models.TextChoices):
    """How one notification goes out by e-mail, decided from the preference at creation."""

    IMMEDIATE = "immediate", _("Immediately")
    BATCH = "batch", _("Hourly batch")
    DIGEST = "digest", _("Daily digest")
    NONE = "none", _("In the app only")


# Kinds whose "immediately" means "at most one e-mail an hour, gathering what came".
BATCHED_KINDS = frozenset({Kind.BUCKET_ALLOCATION})


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Rendered at creation, in the recipient's language.
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.NONE)
    # The immediate e-mail, rendered at creation in the recipient's language; emptied once sent.
    mail_subject = models.CharField(max_length=300, blank=True)
    mail_text = models.TextField(blank=True)
    mail_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
            models.Index(fields=["delivery", "digested_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    mode = models.CharField(_("e-mail"), max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.mode}"


class Once(models.Model):
    """A marker for an event announced once (e.g. "funding opened in round 12"): the first
    insert of a key wins, later ones fail on the unique key."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
