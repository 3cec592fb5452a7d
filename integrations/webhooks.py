"""Webhooks: every write (create, delete), the event listener that writes the outbox, and one
delivery attempt. Network I/O happens only in `attempt`, run by the worker after commit.

Signature: `X-Cobudget-Signature: sha256=<hex HMAC-SHA256 of the body with the webhook's
secret>`. A JSON body carries the delivery's `id` (the same on every attempt) and the attempt's
`sent_at`, so that a receiver refuses a forged body (the HMAC), an old one (`sent_at` too far
from its clock) and a replayed one (an `id` it has seen): see `verify`.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from audit import services as audit
from cobudget.errors import DomainError
from cobudget.events import EVENTS
from groups.models import Group, Membership, Role, User
from integrations import outbound, payloads
from integrations.models import Delivery, Webhook

logger = logging.getLogger(__name__)

MAX_PER_GROUP = 20
MAX_ATTEMPTS = 8
# Waits after attempts 1, 2, 3…: 30 s, 1 min, 2 min, … capped at 1 h (about 2 h in all).
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# How long an attempt holds its delivery: longer than the request's timeout.
CLAIM = timedelta(minutes=2)
RETRY_STATUSES = {408, 425, 429}


def backoff(attempts: int) -> timedelta:
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(*, secret: str, body: bytes, signature: str, seen_ids: set, now: datetime | None = None,
           max_age: timedelta = timedelta(minutes=5)) -> dict:
    """What a receiver does with a JSON delivery: the event, or ValueError saying why not.
    `seen_ids` is the receiver's memory of delivery ids (it adds this one)."""
    if not hmac.compare_digest(sign(secret, body), signature or ""):
        raise ValueError("bad signature")
    event = json.loads(body)
    sent_at = parse_datetime(event.get("sent_at") or "")
    now = now or timezone.now()
    if sent_at is None or abs(now - sent_at) > max_age:
        raise ValueError("too old")
    if event.get("id") in seen_ids:
        raise ValueError("replayed")
    seen_ids.add(event["id"])
    return event


# --- writes ----------------------------------------------------------------------------------


def _require_admin(actor: User, group: Group) -> None:
    role = Membership.objects.filter(group=group, user=actor).values_list("role", flat=True).first()
    if role != Role.ADMIN:
        raise DomainError("forbidden", _("Only an admin of the group may do this."), status=403)


def create_webhook(*, group: Group, actor: User, url: str, format: str = Webhook.Format.JSON, events=()) -> Webhook:
    _require_admin(actor, group)
    url = (url or "").strip()
    if not url or len(url) > 500 or any(ord(c) < 33 for c in url):
        raise DomainError("invalid_url", _("Enter the webhook's address (at most 500 characters)."), status=400, field="url")
    if format not in Webhook.Format.values:
        raise DomainError("invalid", _("The format is json, mattermost or slack."), status=400, field="format")
    events = list(dict.fromkeys(events or ()))
    if not events or any(event not in EVENTS for event in events):
        raise DomainError("invalid_events", _("Choose the events to send among: %(events)s.") % {"events": ", ".join(EVENTS)},
                          status=400, field="events")
    try:
        outbound.check(url)
    except outbound.Refused as exc:
        raise DomainError("webhook_url_refused", str(exc), status=400, field="url") from None
    with transaction.atomic():
        Group.objects.select_for_update().filter(pk=group.pk).first()  # the count below holds
        if Webhook.objects.filter(group=group).count() >= MAX_PER_GROUP:
            raise DomainError("too_many_webhooks", _("A group has at most %(n)d webhooks.") % {"n": MAX_PER_GROUP})
        webhook = Webhook.objects.create(group=group, url=url, format=format, events=events, created_by=actor)
        audit.record(actor=actor, group=group, action="webhook.created", obj=webhook,
                     after={"url": url, "format": format, "events": events})
    return webhook


def delete_webhook(*, webhook: Webhook, actor: User) -> None:
    _require_admin(actor, webhook.group)
    with transaction.atomic():
        audit.record(actor=actor, group=webhook.group_id, action="webhook.deleted", obj=webhook,
                     before={"url": webhook.url, "format": webhook.format, "events": webhook.events})
        webhook.delete()


# --- the listener: outbox rows in the event's transaction --------------------------------------


def on_event(*, event: str, group_id: int, objs) -> None:
    """cobudget.events listener: one Delivery per object and webhook that asked for the event,
    written in the emitter's transaction; the worker is told after commit."""
    hooks = [hook for hook in Webhook.objects.filter(group_id=group_id) if event in hook.events]
    if not hooks:
        return
    group = Group.objects.get(pk=group_id)
    now = timezone.now()
    rows = []
    for obj in objs:
        data = payloads.data_for(event, obj)
        for hook in hooks:
            if hook.format == Webhook.Format.JSON:
                payload = {"event": event, "occurred_at": now.isoformat(),
                           "group": {"slug": group.slug, "name": group.name}, "data": data}
            else:
                payload = {"text": payloads.text_for(event, obj, group, chat=hook.format)}
            rows.append(Delivery(webhook=hook, event=event, payload=payload, created_at=now, next_attempt_at=now))
    created = Delivery.objects.bulk_create(rows)
    ids = [delivery.pk for delivery in created]
    transaction.on_commit(lambda: queue(ids))


def queue(delivery_ids: list[int]) -> None:
    from integrations import tasks

    for delivery_id in delivery_ids:
        try:
            tasks.deliver.delay(delivery_id)
        except Exception:  # a broker down: the sweep sends it within a minute
            logger.exception("webhook delivery %s not queued", delivery_id)


# --- one attempt -------------------------------------------------------------------------------


def body_of(delivery: Delivery, *, now: datetime) -> bytes:
    payload = delivery.payload
    if "text" not in payload:  # JSON: the delivery's id and this attempt's time, signed with the rest
        payload = {"id": str(delivery.uuid), **payload, "sent_at": now.isoformat(), "attempt": delivery.attempts}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Outcome:
    status: str  # "delivered", "retry", "failed" or "skipped" (not due, or another attempt holds it)
    retry_in: timedelta | None = None


def attempt(delivery_id: int, *, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM)
    if not claimed:
        return Outcome("skipped")
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    body = body_of(delivery, now=now)
    headers = {
        "Content-Type": "application/json", "User-Agent": "cobudget-webhooks/1",
        "X-Cobudget-Event": delivery.event, "X-Cobudget-Delivery": str(delivery.uuid),
        "X-Cobudget-Signature": sign(hook.secret, body),
    }
    entry = {"at": now.isoformat(), "status_code": None, "error": "", "duration_ms": None}
    retry = False
    try:
        answer = outbound.post(hook.url, body, headers)
    except outbound.Refused as exc:
        entry["error"] = str(exc)
    except Exception as exc:  # network: refused, reset, timed out, TLS
        entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
        retry = True
    else:
        entry.update(status_code=answer.status, duration_ms=answer.duration_ms, error="" if answer.status < 300 else answer.body)
        retry = answer.status >= 500 or answer.status in RETRY_STATUSES
        if 200 <= answer.status < 300:
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.DELIVERED, delivered_at=timezone.now(), log=[*delivery.log, entry])
            return Outcome("delivered")
    if retry and delivery.attempts < MAX_ATTEMPTS:
        wait = backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=now + wait, log=[*delivery.log, entry])
        return Outcome("retry", retry_in=wait)
    Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.FAILED, log=[*delivery.log, entry])
    return Outcome("failed")


def send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep's part: queue pending deliveries whose time has come (never queued because the
    broker was down, or a worker died holding one). Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(Q(status=Delivery.Status.PENDING) & Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    queue(due)
    return len(due)
