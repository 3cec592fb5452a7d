"""The audit trail: every change that is not a money movement (money has the ledger).

Append-only like the ledger: rows are only ever inserted (audit.services.record, in the
caller's transaction); on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002).

This app sits at the bottom of the layers: it knows Django and the settings only, and points
at groups and people by string references, so that every app above can record into it.

People are kept as references, never copied as text (no name, no e-mail in a row): the trail
reads them as they are now, so that a person whose account was erased (RGPD) shows as
"Former member #N" here too.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now)
    # PROTECT: deleting what the trail speaks of would have to delete the trail; groups and
    # people are never deleted (an erased account stays as "Former member #N").
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A title at the time (a round's, a bucket's); empty when the object is a person.
    object_label = models.CharField(max_length=300, blank=True)
    # The person the change is about (a membership's, an erased account's), shown as they are now.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["group", "-at", "-id"], name="audit_group_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
