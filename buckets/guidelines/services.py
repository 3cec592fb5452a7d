"""Guidelines (a round's collective evaluation grid) and flags raised against them.

Admins write the guidelines; any member flags a bucket against one with a comment; the
co-leads answer in the bucket's comments; the raiser or an admin resolves the flag. Co-leads
are notified when a flag is raised on their bucket and when it is resolved.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from buckets.guidelines.selectors import (
    bucket_accepts_flags,
    can_manage_guidelines,
    can_raise_flag,
    can_resolve_flag,
)
from buckets.models import Bucket, Flag, Guideline, Round
from cobudget.errors import DomainError
from groups.models import User
from groups.selectors import membership_of
from notifications.models import Kind
from notifications.services import notify

TITLE_MAX = 200
TEXT_MAX = 5000


def _require_admin(actor: User, round: Round):
    if not can_manage_guidelines(membership_of(actor, round.group)):
        raise DomainError("forbidden", _("Only an admin of the group may change the guidelines."), status=403)


def _refuse_nul(text: str, field: str) -> None:
    # The pages hand these services the raw POST: a NUL would be a 500 on PostgreSQL.
    if "\x00" in text:
        raise DomainError("invalid", _("The text contains a character that is not allowed."), status=400, field=field)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    _refuse_nul(title, "title")
    if not title:
        raise DomainError("invalid", _("A guideline needs a title."), status=400, field="title")
    if len(title) > TITLE_MAX:
        raise DomainError("invalid", _("The title is too long (200 characters at most)."), status=400, field="title")
    return title


def _clean_text(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    _refuse_nul(text, field)
    if required and not text:
        raise DomainError("invalid", _("Say what the problem is."), status=400, field=field)
    if len(text) > TEXT_MAX:
        raise DomainError("invalid", _("The text is too long (5000 characters at most)."), status=400, field=field)
    return text


# --- guidelines ---------------------------------------------------------------------------------


def create_guideline(*, round: Round, actor: User, title: str, description: str = "") -> Guideline:
    _require_admin(actor, round)
    title = _clean_title(title)
    description = _clean_text(description, field="description", required=False)
    with transaction.atomic(durable=True):
        Round.objects.select_for_update().filter(pk=round.pk).first()  # one writer of positions at a time
        last = Guideline.objects.filter(round=round).aggregate(last=Max("position"))["last"]
        guideline = Guideline.objects.create(
            round=round, title=title, description=description, position=0 if last is None else last + 1
        )
        audit.record(actor=actor, group=round.group_id, action="guideline.created", obj=guideline,
                     after={"title": title, "description": description})
        return guideline


def update_guideline(*, guideline: Guideline, actor: User, title: str | None = None, description: str | None = None) -> Guideline:
    _require_admin(actor, guideline.round)
    old = {"title": guideline.title, "description": guideline.description}
    fields = []
    if title is not None:
        guideline.title = _clean_title(title)
        fields.append("title")
    if description is not None:
        guideline.description = _clean_text(description, field="description", required=False)
        fields.append("description")
    if fields:
        with transaction.atomic(durable=True):
            guideline.save(update_fields=fields)
            before, after = audit.changes(old, {name: getattr(guideline, name) for name in fields})
            if after:
                audit.record(actor=actor, group=guideline.round.group_id, action="guideline.updated", obj=guideline,
                             before=before, after=after)
    return guideline


def move_guideline(*, guideline: Guideline, actor: User, direction: str) -> Guideline:
    """Swap a guideline with its neighbour above ("up") or below ("down")."""
    _require_admin(actor, guideline.round)
    if direction not in ("up", "down"):
        raise DomainError("invalid", _("Move a guideline up or down."), status=400, field="direction")
    with transaction.atomic(durable=True):
        Round.objects.select_for_update().filter(pk=guideline.round_id).first()
        ordered = list(Guideline.objects.filter(round_id=guideline.round_id).order_by("position", "id"))
        index = next(i for i, g in enumerate(ordered) if g.pk == guideline.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered):
            item.position = position
        Guideline.objects.bulk_update(ordered, ["position"])
    guideline.refresh_from_db()
    return guideline


def set_guideline_position(*, guideline: Guideline, actor: User, position: int) -> Guideline:
    """Put a guideline at a 0-based place in the round's list, renumbering the others."""
    _require_admin(actor, guideline.round)
    if position < 0:
        raise DomainError("invalid", _("A position is 0 or more."), status=400, field="position")
    with transaction.atomic(durable=True):
        Round.objects.select_for_update().filter(pk=guideline.round_id).first()
        ordered = [g for g in Guideline.objects.filter(round_id=guideline.round_id).order_by("position", "id") if g.pk != guideline.pk]
        ordered.insert(min(position, len(ordered)), guideline)
        for index, item in enumerate(ordered):
            item.position = index
        Guideline.objects.bulk_update(ordered, ["position"])
    return guideline


def delete_guideline(*, guideline: Guideline, actor: User) -> None:
    _require_admin(actor, guideline.round)
    if guideline.flags.exists():
        raise DomainError(
            "guideline_in_use",
            _("Buckets were flagged against this guideline: edit it rather than delete it."),
        )
    with transaction.atomic(durable=True):
        audit.record(actor=actor, group=guideline.round.group_id, action="guideline.deleted", obj=guideline,
                     before={"title": guideline.title, "description": guideline.description})
        guideline.delete()


# --- flags ----------------------------------------------------------------------------------------


def _coleads(bucket: Bucket) -> list[User]:
    return list(bucket.coleads.filter(is_active=True))


def raise_flag(*, bucket: Bucket, guideline: Guideline, actor: User, comment: str) -> Flag:
    if not can_raise_flag(membership_of(actor, bucket.round.group)):
        raise DomainError("forbidden", _("Only members of the group may flag a bucket."), status=403)
    if guideline.round_id != bucket.round_id:
        raise DomainError("invalid", _("Choose one of this round's guidelines."), status=400, field="guideline")
    comment = _clean_text(comment, field="comment", required=True)
    with transaction.atomic(durable=True):
        bucket = Bucket.objects.select_related("round__group").get(pk=bucket.pk)
        if not bucket_accepts_flags(bucket):
            raise DomainError("bucket_not_open", _("This bucket was withdrawn or merged; it can no longer be flagged."))
        if Flag.objects.filter(bucket=bucket, guideline=guideline, raised_by=actor, resolved_at=None).exists():
            raise DomainError(
                "already_flagged", _("You already have an open flag on this bucket for this guideline.")
            )
        flag = Flag.objects.create(bucket=bucket, guideline=guideline, raised_by=actor, comment=comment)
        notify(
            users=[u for u in _coleads(bucket) if u.pk != actor.pk],
            kind=Kind.BUCKET_FLAG,
            template="buckets/email/flag_raised",
            context={"flag": flag, "bucket": bucket, "guideline": guideline, "actor": actor},
            url=f"/buckets/{bucket.pk}/#flags",
            group=bucket.round.group,
        )
    return flag


def resolve_flag(*, flag: Flag, actor: User) -> Flag:
    """Resolve once (a second call changes nothing); by its raiser or an admin."""
    bucket = flag.bucket
    if not can_resolve_flag(actor, membership_of(actor, bucket.round.group), flag):
        raise DomainError("forbidden", _("Only the person who raised this flag or an admin may resolve it."), status=403)
    with transaction.atomic(durable=True):
        now = timezone.now()
        resolved = Flag.objects.filter(pk=flag.pk, resolved_at=None).update(resolved_at=now, resolved_by=actor)
        flag.refresh_from_db()
        if resolved:
            audit.record(actor=actor, group=bucket.round.group_id, action="flag.resolved", obj=flag,
                         after={"bucket": bucket.pk, "guideline": flag.guideline_id, "resolved_at": now})
            recipients = [u for u in [*_coleads(bucket), flag.raised_by] if u.pk != actor.pk]
            notify(
                users=recipients,
                kind=Kind.BUCKET_FLAG,
                template="buckets/email/flag_resolved",
                context={"flag": flag, "bucket": bucket, "guideline": flag.guideline, "actor": actor},
                url=f"/buckets/{bucket.pk}/#flags",
                group=bucket.round.group,
            )
    return flag
