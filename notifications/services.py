"""Notify people: an in-app row each, and an e-mail after commit as each person chose.

`notify` is the one entry point for every other app. It renders the title (and, for those
who want it at once, the whole mail) in the recipient's language while the caller's
transaction is open, and queues the sending with `transaction.on_commit`, so that nothing is
sent when that transaction rolls back and no network I/O happens inside it.

Delivery per recipient follows their preference for the kind:
- immediate: one mail per notification, sent by a task after commit; for allocations
  (BATCHED_KINDS) at most one mail an hour gathering what came (`send_batch`);
- digest: gathered in the daily digest at 07:00 in the group's time zone (`send_due_digests`);
- never: in the app only.
The sending itself is notifications.delivery, which the tasks run.
"""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cobudget.errors import DomainError
from cobudget.mail import render_templated
from groups.models import Group, User
from notifications import tasks
from notifications.delivery import (
    DIGEST,
    absolute_url,
    read_unsubscribe_token,
    unsubscribe_url,
    wrap_mail,
    zone_of,
)
from notifications.models import BATCHED_KINDS, Delivery, Kind, Mode, Notification, Once, Preference

logger = logging.getLogger(__name__)


def default_mode(kind: str) -> str:
    # Every kind defaults to "immediately"; for allocations that means at most one mail an hour.
    return Mode.IMMEDIATE


# --- preferences ----------------------------------------------------------------------------


def preferences_of(user) -> dict[str, str]:
    """kind -> mode for every kind, defaults filled in."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind: chosen.get(kind, default_mode(kind)) for kind in Kind.values}


def _modes_for(users: list, kind: str) -> dict[int, str]:
    chosen = dict(Preference.objects.filter(user__in=users, kind=kind).values_list("user_id", "mode"))
    return {user.id: chosen.get(user.id, default_mode(kind)) for user in users}


def set_preference(*, user, kind: str, mode: str) -> Preference:
    if kind not in Kind.values:
        raise DomainError("invalid_kind", _("Unknown kind of notification."), status=400, field="kind")
    if mode not in Mode.values:
        raise DomainError("invalid_mode", _("Choose immediately, daily digest or never."), status=400, field="mode")
    with transaction.atomic():
        preference, _created = Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})
        if mode == Mode.NEVER:
            # What still waits to be mailed for this kind is not mailed any more.
            Notification.objects.filter(
                user=user, kind=kind, emailed_at=None, digested_at=None
            ).exclude(delivery=Delivery.NONE).update(delivery=Delivery.NONE)
    return preference


def set_preferences(*, user, modes: dict[str, str]) -> None:
    with transaction.atomic(durable=True):
        current = preferences_of(user)
        for kind, mode in modes.items():
            if current.get(kind) != mode:
                set_preference(user=user, kind=kind, mode=mode)


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Stop the mails of the token's kind (or the whole digest) for the token's person."""
    user, kind = read_unsubscribe_token(token)
    with transaction.atomic(durable=True):
        if kind == DIGEST:
            for digest_kind, mode in preferences_of(user).items():
                if mode == Mode.DIGEST:
                    set_preference(user=user, kind=digest_kind, mode=Mode.NEVER)
            Notification.objects.filter(user=user, delivery=Delivery.DIGEST, digested_at=None).update(
                delivery=Delivery.NONE
            )
        else:
            set_preference(user=user, kind=kind, mode=Mode.NEVER)
    return user, kind


# --- notify -----------------------------------------------------------------------------------


def _delivery(kind: str, mode: str) -> str:
    if mode == Mode.NEVER:
        return Delivery.NONE
    if mode == Mode.DIGEST:
        return Delivery.DIGEST
    return Delivery.BATCH if kind in BATCHED_KINDS else Delivery.IMMEDIATE


def notify(*, users: Iterable, kind: str, template: str, context: dict, url: str = "", group: Group | None = None) -> list[Notification]:
    """Create one in-app notification per person (each once, in their language) and queue
    their e-mail after commit as they chose. `template` names `<template>_subject.txt` (the
    title), `<template>.txt` and optionally `<template>.html` (a fragment)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    seen: set[int] = set()
    recipients = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        recipients.append(user)
    if not recipients:
        return []
    modes = _modes_for(recipients, kind)
    now = timezone.now()
    rows = []
    for user in recipients:
        delivery = _delivery(kind, modes[user.id])
        # Dates in the group's time zone, words in the person's language.
        with timezone.override(zone_of(group.time_zone) if group is not None else None):
            mail = render_templated(user=user, template=template, context={"url": absolute_url(url), **context})
        row = Notification(
            user=user, group=group, kind=kind, title=mail.subject[:300], url=url, delivery=delivery, created_at=now
        )
        if delivery == Delivery.IMMEDIATE:
            row.mail_subject = mail.subject[:300]
            row.mail_text, row.mail_html = wrap_mail(
                user=user, kind=kind, body_text=mail.text, body_html=mail.html, url=url,
                unsubscribe=unsubscribe_url(user=user, kind=kind, signed_at=now),
            )
        rows.append(row)
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
    for row in rows:
        if row.delivery == Delivery.IMMEDIATE:
            transaction.on_commit(lambda pk=row.pk: _queue(tasks.send_notification_mail, pk))
    for user_id in sorted({row.user_id for row in rows if row.delivery == Delivery.BATCH}):
        transaction.on_commit(lambda uid=user_id: _queue(tasks.send_batch, uid))
    return rows


def _queue(task, *args) -> None:
    """Queue a mail task; a broker that is down is logged and never fails the caller (the
    notification stays in the app; batches are retried by the beat)."""
    try:
        task.delay(*args)
    except Exception:
        logger.exception("%s%r not queued", task.name, args)


# --- reading ----------------------------------------------------------------------------------


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def claim_once(key: str) -> bool:
    """True for the first caller with this key (in a committed transaction), False after."""
    try:
        with transaction.atomic():
            Once.objects.create(key=key)
    except IntegrityError:
        return False
    return True
