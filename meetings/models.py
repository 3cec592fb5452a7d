from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import Group
from proposals.models import Proposal


class Meeting(models.Model):
    """A board meeting (conseil d'administration, assemblée): its agenda, who attended, the
    decisions taken in the room, and its minutes (procès-verbal), sealed once.

    Sealed minutes never change: `minutes_html` is the whole document as it was sealed,
    `sha256` its SHA-256, and `previous_sha256` the hash of the group's previous minutes, also
    written inside the document, so that the register of minutes is one verifiable chain
    (`manage.py verify_minutes`)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Who sits and votes: every admin and member of the group, or the people named (the board).
    voters_are_members = models.BooleanField(default=True)
    named_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # Share of the voters who must be present or represented for the meeting to decide.
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"), default=50)
    notes = models.TextField(_("notes for the minutes"), blank=True, help_text=_("Markdown"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # A correction is new minutes that refer to sealed ones (which never change).
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    correction_text = models.TextField(_("what is corrected"), blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    number = models.PositiveIntegerField(null=True, blank=True)  # in the group's register, from 1
    minutes_html = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    previous_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], condition=models.Q(number__isnull=False),
                                    name="one_minutes_number_per_group"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        BUCKET = "bucket", _("Bucket to decide")
        PROPOSAL = "proposal", _("Open proposal")
        OTHER = "other", _("Other item")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=300)
    bucket = models.ForeignKey(Bucket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "id"]


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        REPRESENTED = "represented", _("represented")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    # For someone represented: who carries their proxy (present at the meeting).
    proxy = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_person")]


class Decision(models.Model):
    """A decision taken in the room, with its show of hands."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    bucket = models.ForeignKey(Bucket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
