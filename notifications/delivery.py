"""Notifications by e-mail: one at a time, the hourly batches, the daily digest, and the
unsubscribe link every mail carries.

What the tasks run after `notify` (notifications.services) has stored the notifications;
nothing here queues a task, so that the tasks import this module and the services import the
tasks, one way.
"""

import zoneinfo
from collections import defaultdict
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
from groups.models import User
from notifications.models import Delivery, Kind, Notification

BATCH_INTERVAL = timedelta(hours=1)
DIGEST_HOUR = 7
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# An unsubscribe link works for this long after its mail was written; an older one sends the
# person to the preferences page (after logging in).
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
# The pseudo-kind of an unsubscribe link in the digest: stop the daily digest altogether.
DIGEST = "digest"


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


def kind_label(kind: str) -> str:
    if kind == DIGEST:
        return _("Daily digest")
    return str(Kind(kind).label)


# --- a mail around its body ---------------------------------------------------------------------


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def _mail_headers(unsubscribe: str) -> dict:
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def wrap_mail(*, user, kind: str, body_text: str, body_html: str | None, unsubscribe: str, url: str = "") -> tuple[str, str]:
    """The text and HTML of a mail around its body, with the unsubscribe footer (the same
    link as the mail's List-Unsubscribe header)."""
    context = {
        "user": user,
        "site_url": settings.SITE_URL,
        "url": absolute_url(url),
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
    text, html = wrap_mail(user=user, kind=kind, body_text=mail.text, body_html=mail.html, unsubscribe=unsubscribe)
    return send_rendered(
        to=user.email, subject=mail.subject, text=text, html=html,
        headers=_mail_headers(unsubscribe),
    )


def _with_absolute_urls(items: list[Notification]) -> list[Notification]:
    for item in items:
        item.absolute_url = absolute_url(item.url)
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


def zone_of(tz_name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local_hour(tz_name: str | None, now: datetime) -> int:
    return now.astimezone(zone_of(tz_name)).hour


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
