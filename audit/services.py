"""record(): the one way into the audit trail."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models

from audit.models import AuditEntry

# Keys of `before`/`after` whose values are people's ids (read back as their names of now).
PERSON_KEYS = frozenset({"coleads", "person", "voters"})


def jsonable(value):
    """Values as JSON keeps them exactly: money and percentages as decimal strings, times in
    ISO 8601, model instances as their primary key, sets as sorted lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# Objects that stand for a person: the entry names the person, never their words or address.
_ABOUT_A_PERSON = frozenset({"membership", "joinrequest", "invitation"})


def _person_of(obj) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == settings.AUTH_USER_MODEL:
        return obj.pk
    if obj._meta.model_name in _ABOUT_A_PERSON:
        return obj.user_id
    return None


def record(*, actor, group, action: str, obj=None, before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Append one entry, in the caller's transaction (it commits or rolls back with the change
    it describes). `actor` None is the system (the sweep, a command); `obj` the thing changed."""
    person_id = _person_of(obj)
    return AuditEntry.objects.create(
        group_id=getattr(group, "pk", group),
        actor_id=getattr(actor, "pk", None),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label="" if person_id is not None or obj is None else str(obj)[:300],
        person_id=person_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """The keys whose value differs, as (before, after)."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def record_download(*, actor, group, export: str, obj=None) -> AuditEntry:
    """An export downloaded (who took a copy of what, and when)."""
    return record(actor=actor, group=group, action="export.downloaded", obj=obj, after={"export": export})
