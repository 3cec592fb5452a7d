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
"""

import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cobudget.errors import DomainError
from cobudget.mail import language_of, render_templated, render_text, send_rendered
from groups.models import Group, User
from notifications.models import BATCHED_KINDS, Delivery, Kind, Mode, Notification, Preference

logger = logging.getLogger(__name__)

BATCH_INTERVAL = timedelta(hours=1)
DIGEST_HOUR = 7
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# An unsubscribe link works for this long after its mail was written; an older one sends the
# person to the preferences page (after logging in).
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
# The pseudo-kind of an unsubscribe link in the digest: stop the daily digest altogether.
DIGEST = "digest"


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
    with transaction.atomic():
        current = preferences_of(user)
        for kind, mode in modes.items():
            if current.get(kind) != mode:
                set_preference(user=user, kind=kind, mode=mode)


# --- unsubscribe links ----------------------------------------------------------------------


class _SignedAt(signing.TimestampSigner):
    """Django's timestamp signer with the time given, so that a mail's body and its
    List-Unsubscribe header, written at different moments, carry the very same link."""

    def __init__(self, *, at: datetime, **kwargs):
        super().__init__(**kwargs)
        self._at = at

    def timestamp(self):
        return signing.b62_encode(int(self._at.timestamp()))


def unsubscribe_token(*, user, kind: str, signed_at: datetime | None = None) -> str:
    """A signed token naming the person and the kind; no login needed to use it. It is
    stamped with `signed_at` (default now): its 90 days run from then."""
    if signed_at is None:
        return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT)
    return _SignedAt(at=signed_at, salt=UNSUBSCRIBE_SALT).sign_object([user.pk, kind])


def unsubscribe_url(*, user, kind: str, signed_at: datetime | None = None) -> str:
    token = unsubscribe_token(user=user, kind=kind, signed_at=signed_at)
    return f"{settings.SITE_URL}/notifications/unsubscribe/{token}/"


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and kind of a token; DomainError 400 for a forged, tampered or expired one
    (signed more than UNSUBSCRIBE_MAX_AGE ago: signing.dumps stamps the time)."""
    bad = DomainError("bad_unsubscribe_link", _("This unsubscribe link is not valid."), status=400)
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            "expired_unsubscribe_link",
            _("This unsubscribe link has expired: links in e-mails work for 90 days."),
            status=400,
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise bad from None
    if kind not in Kind.values and kind != DIGEST:
        raise bad
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise bad
    return user, kind


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Stop the mails of the token's kind (or the whole digest) for the token's person."""
    user, kind = read_unsubscribe_token(token)
    with transaction.atomic():
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


def kind_label(kind: str) -> str:
    if kind == DIGEST:
        return _("Daily digest")
    return str(Kind(kind).label)


# --- notify -----------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def _mail_headers(unsubscribe: str) -> dict:
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _wrap(*, user, kind: str, body_text: str, body_html: str | None, unsubscribe: str, url: str = "") -> tuple[str, str]:
    """The text and HTML of a mail around its body, with the unsubscribe footer (the same
    link as the mail's List-Unsubscribe header)."""
    context = {
        "user": user,
        "site_url": settings.SITE_URL,
        "url": _absolute(url),
        "body_text": body_text,
        "body_html": body_html,
        "unsubscribe_url": unsubscribe,
        "preferences_url": f"{settings.SITE_URL}/notifications/preferences/",
        "kind_label": kind_label(kind),
    }
    with translation.override(language_of(user)):
        text = render_text("notifications/email/layout.txt", context)
        html = render_to_string("notifications/email/layout.html", context)
    return text, html


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
        with timezone.override(_zone(group.time_zone) if group is not None else None):
            mail = render_templated(user=user, template=template, context={"url": _absolute(url), **context})
        row = Notification(
            user=user, group=group, kind=kind, title=mail.subject[:300], url=url, delivery=delivery, created_at=now
        )
        if delivery == Delivery.IMMEDIATE:
            row.mail_subject = mail.subject[:300]
            row.mail_text, row.mail_html = _wrap(
                user=user, kind=kind, body_text=mail.text, body_html=mail.html, url=url,
                unsubscribe=unsubscribe_url(user=user, kind=kind, signed_at=now),
            )
        rows.append(row)
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
    from notifications import tasks

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


# --- sending ----------------------------------------------------------------------------------


def send_notification_mail(*, notification_id: int) -> bool:
    """Send one immediate notification's mail, once (a conditional update claims it)."""
    row = Notification.objects.select_related("user").filter(
        pk=notification_id, delivery=Delivery.IMMEDIATE, emailed_at=None
    ).first()
    if row is None:
        return False
    claimed = Notification.objects.filter(pk=row.pk, delivery=Delivery.IMMEDIATE, emailed_at=None).update(
        emailed_at=timezone.now(), mail_text="", mail_html=""
    )
    if claimed != 1:
        return False
    return send_rendered(
        to=row.user.email,
        subject=row.mail_subject,
        text=row.mail_text,
        html=row.mail_html,
        headers=_mail_headers(unsubscribe_url(user=row.user, kind=row.kind, signed_at=row.created_at)),
    )


def _send_list_mail(*, user, kind: str, template: str, items: list[Notification], context: dict | None = None) -> bool:
    context = {"items": items, "count": len(items), **(context or {})}
    mail = render_templated(user=user, template=template, context=context)
    unsubscribe = unsubscribe_url(user=user, kind=kind)
    text, html = _wrap(user=user, kind=kind, body_text=mail.text, body_html=mail.html, unsubscribe=unsubscribe)
    return send_rendered(
        to=user.email, subject=mail.subject, text=text, html=html,
        headers=_mail_headers(unsubscribe),
    )


def _with_absolute_urls(items: list[Notification]) -> list[Notification]:
    for item in items:
        item.absolute_url = _absolute(item.url)
    return items


def send_batch(*, user_id: int, now: datetime | None = None) -> bool:
    """Mail a person what waits in their hourly batch, unless they had one within the hour.

    The person's row is locked so that two workers cannot both send the same batch."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            return False
        last = Notification.objects.filter(user=user, delivery=Delivery.BATCH).aggregate(last=Max("emailed_at"))["last"]
        if last is not None and last > now - BATCH_INTERVAL:
            return False
        items = list(
            Notification.objects.filter(user=user, delivery=Delivery.BATCH, emailed_at=None).order_by("created_at", "id")
        )
        if not items:
            return False
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        kind = items[0].kind
        transaction.on_commit(
            lambda: _send_list_mail(
                user=user, kind=kind, template="notifications/email/batch", items=_with_absolute_urls(items)
            )
        )
    return True


def flush_batches(*, now: datetime | None = None) -> int:
    """Send the batches whose hour has passed (the beat runs this every few minutes)."""
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(delivery=Delivery.BATCH, emailed_at=None)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = sum(1 for user_id in list(user_ids) if send_batch(user_id=user_id, now=now))
    return sent + send_unsent(now=now)


def send_unsent(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Immediate mails whose task could not be queued (Redis down) or was lost: sent by the
    next sweep, once each (send_notification_mail claims the row)."""
    now = now or timezone.now()
    ids = Notification.objects.filter(
        delivery=Delivery.IMMEDIATE, emailed_at=None, created_at__lte=now - older_than
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if send_notification_mail(notification_id=pk))


def _zone(tz_name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local_hour(tz_name: str | None, now: datetime) -> int:
    return now.astimezone(_zone(tz_name)).hour


def send_due_digests(*, now: datetime | None = None) -> int:
    """Send one digest to each person with waiting items from groups where it is now
    07:00–07:59; each item goes out once. Runs hourly from the beat."""
    now = now or timezone.now()
    pending = Notification.objects.filter(delivery=Delivery.DIGEST, digested_at=None)
    zones = set(pending.values_list("group__time_zone", flat=True).distinct())
    due = {tz for tz in zones if _local_hour(tz, now) == DIGEST_HOUR}
    if not due:
        return 0
    due_filter = Q(group__time_zone__in=[tz for tz in due if tz])
    if None in due:
        due_filter |= Q(group=None)
    user_ids = list(pending.filter(due_filter).values_list("user_id", flat=True).distinct())
    sent = 0
    for user_id in user_ids:
        sent += _send_digest(user_id=user_id, due_filter=due_filter, now=now)
    return sent


def _send_digest(*, user_id: int, due_filter: Q, now: datetime) -> bool:
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            return False
        # One digest a day: a second run within the hour finds it already sent.
        if Notification.objects.filter(user=user, digested_at__gt=now - BATCH_INTERVAL).exists():
            return False
        items = list(
            Notification.objects.filter(due_filter, user=user, delivery=Delivery.DIGEST, digested_at=None)
            .select_related("group")
            .order_by("group__name", "created_at", "id")
        )
        if not items:
            return False
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
        by_group = defaultdict(list)
        for item in _with_absolute_urls(items):
            by_group[item.group.name if item.group else ""].append(item)
        transaction.on_commit(
            lambda: _send_list_mail(
                user=user, kind=DIGEST, template="notifications/email/digest", items=items,
                context={"by_group": sorted(by_group.items())},
            )
        )
    return True


# --- reading ----------------------------------------------------------------------------------


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def claim_once(key: str) -> bool:
    """True for the first caller with this key (in a committed transaction), False after."""
    from django.db import IntegrityError

    from notifications.models import Once

    try:
        with transaction.atomic():
            Once.objects.create(key=key)
    except IntegrityError:
        return False
    return True
