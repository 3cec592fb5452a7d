"""One webhook delivery: its body, its signature, one attempt, the waits between attempts.

Signature: `X-Cobudget-Signature: sha256=<hex HMAC-SHA256 of the body with the webhook's
secret>`. A JSON body carries the delivery's `id` (the same on every attempt) and the attempt's
`sent_at`, so that a receiver refuses a forged body (the HMAC), an old one (`sent_at` too far
from its clock) and a replayed one (an `id` it has seen): see `verify`.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations import outbound
from integrations.models import Delivery

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


def due_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come: a retry that is due, one never queued because
    the broker was down, one whose worker died holding it."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    return list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
