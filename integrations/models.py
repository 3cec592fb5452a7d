import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _secret() -> str:
    return secrets.token_hex(32)


def _calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """Where a group's events are sent: a chat room's incoming webhook, or any program."""

    class Format(models.TextChoices):
        JSON = "json", _("JSON, signed (any program)")
        MATTERMOST = "mattermost", _("Mattermost (Framateam…)")
        SLACK = "slack", _("Slack")

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("address"), max_length=500)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.JSON)
    events = models.JSONField(_("events"), default=list)
    # HMAC key of the X-Cobudget-Signature header; shown to the group's admins only.
    secret = models.CharField(max_length=64, default=_secret)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event sent to one webhook: an outbox row written in the event's transaction, sent by
    the worker after commit, retried with backoff; its attempts are its log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=64)
    # What the event said when it happened (a JSON object); the body is made from it at each
    # attempt, with the attempt's time, so that a receiver can refuse an old or replayed one.
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may start; while one runs, how long its claim holds.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # [{at, status_code, error, duration_ms}], one per attempt.
    log = models.JSONField(default=list)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]


class CalendarToken(models.Model):
    """The secret part of a person's calendar address; a new one replaces (revokes) the old."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)
