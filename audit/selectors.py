"""Reading the audit trail: filtered, newest first, with people shown as they are now."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import AuditEntry
from audit.services import PERSON_KEYS

# What each action means, for the page and the French spreadsheet.
ACTION_LABELS = {
    "group.created": _("Group created"),
    "group.updated": _("Group settings changed"),
    "membership.added": _("Member added"),
    "membership.role_changed": _("Role changed"),
    "membership.removed": _("Member removed"),
    "members.imported": _("Members imported"),
    "invite_link.created": _("Invite link created"),
    "invite_link.revoked": _("Invite link revoked"),
    "join_request.approved": _("Request to join approved"),
    "join_request.refused": _("Request to join refused"),
    "round.created": _("Round created"),
    "round.updated": _("Round settings changed"),
    "round.published": _("Round published"),
    "round.closed": pgettext_lazy("audit", "Round closed"),
    "round.topup": _("Top-up granted"),
    "bucket.created": _("Bucket created"),
    "bucket.updated": _("Bucket text changed"),
    "bucket.budget_changed": _("Bucket budget changed"),
    "bucket.coleads_changed": _("Bucket co-leads changed"),
    "bucket.published": _("Bucket published"),
    "bucket.withdrawn": _("Bucket withdrawn"),
    "bucket.merged": _("Bucket merged"),
    "bucket.completed": _("Bucket completed"),
    "bucket.funding_cancelled": _("Bucket funding cancelled"),
    "guideline.created": _("Guideline added"),
    "guideline.updated": _("Guideline changed"),
    "guideline.deleted": _("Guideline deleted"),
    "flag.resolved": _("Flag resolved"),
    "expense.submitted": _("Expense submitted"),
    "expense.approved": _("Expense approved"),
    "expense.rejected": _("Expense rejected"),
    "expense.paid": _("Expense paid"),
    "bucket.file_added": _("File attached to a bucket"),
    "bucket.file_removed": _("File removed from a bucket"),
    "proposal.closed_early": _("Proposal closed early"),
    "proposal.statement_changed": _("Outcome statement written"),
    "proposal.edited": _("Proposal edited"),
    "proposal.extended": _("Proposal extended"),
    "proposal.reopened": _("Proposal reopened"),
    "meeting.planned": _("Meeting planned"),
    "meeting.updated": _("Meeting changed"),
    "meeting.attendance_recorded": _("Meeting attendance recorded"),
    "meeting.decision_recorded": _("Decision taken in a meeting"),
    "meeting.minutes_sealed": _("Minutes sealed"),
    "export.downloaded": _("Export downloaded"),
    "webhook.created": _("Webhook added"),
    "webhook.deleted": _("Webhook deleted"),
    "account.erased": _("Account erased"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor_id: int | None = None
    object_type: str = ""
    since: datetime | None = None
    until: datetime | None = None


def entries_for(*, group_id: int, filters: Filters = Filters()) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(group_id=group_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.since is not None:
        entries = entries.filter(at__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(at__lt=filters.until)
    return entries.order_by("-at", "-id")


def actions_in(*, group_id: int) -> list[tuple[str, str]]:
    """The actions the group's trail holds, for the page's filter."""
    found = AuditEntry.objects.filter(group_id=group_id).values_list("action", flat=True).distinct().order_by("action")
    return [(action, action_label(action)) for action in found]


def object_types_in(*, group_id: int) -> list[str]:
    found = AuditEntry.objects.filter(group_id=group_id).exclude(object_type="").values_list("object_type", flat=True)
    return list(found.order_by("object_type").distinct())


def _names(ids: set[int]) -> dict[int, str]:
    return {user.pk: user.display_name for user in get_user_model().objects.filter(pk__in=ids)}


def _with_names(value, names: dict[int, str]):
    if not isinstance(value, dict):
        return value
    shown = {}
    for key, item in value.items():
        if key in PERSON_KEYS and isinstance(item, list):
            shown[key] = [{"id": pk, "name": names.get(pk, "")} for pk in item]
        elif key in PERSON_KEYS and isinstance(item, int):
            shown[key] = {"id": item, "name": names.get(item, "")}
        else:
            shown[key] = item
    return shown


def present(entries) -> list[dict]:
    """Entries as the API, the page and the CSV show them: `{at, actor, action, object,
    before, after}`, every person by their name of now (an erased account: "Former member #N")."""
    entries = list(entries)
    ids: set[int] = set()
    for entry in entries:
        ids.update(pk for pk in (entry.actor_id, entry.person_id) if pk)
        for side in (entry.before, entry.after):
            if isinstance(side, dict):
                for key in PERSON_KEYS & side.keys():
                    item = side[key]
                    ids.update(item if isinstance(item, list) else [item])
    names = _names({pk for pk in ids if isinstance(pk, int)})
    rows = []
    for entry in entries:
        label = names.get(entry.person_id, "") if entry.person_id else entry.object_label
        rows.append({
            "id": entry.pk,
            "at": entry.at,
            "actor": {"id": entry.actor_id, "name": names.get(entry.actor_id, "")} if entry.actor_id else None,
            "action": entry.action,
            "action_label": action_label(entry.action),
            "object": {"type": entry.object_type, "id": entry.object_id, "label": label},
            "before": _with_names(entry.before, names),
            "after": _with_names(entry.after, names),
        })
    return rows
