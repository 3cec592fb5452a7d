"""Webhooks: every write (create, delete), and the event listener that writes the outbox rows
the worker sends after commit (integrations.delivery, one attempt at a time)."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from cobudget.errors import DomainError
from cobudget.events import EVENTS
from groups.models import Group, Membership, Role, User
from integrations import outbound, payloads, tasks
from integrations.models import Delivery, Webhook

logger = logging.getLogger(__name__)

MAX_PER_GROUP = 20


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
    with transaction.atomic(durable=True):
        Group.objects.select_for_update().filter(pk=group.pk).first()  # the count below holds
        if Webhook.objects.filter(group=group).count() >= MAX_PER_GROUP:
            raise DomainError("too_many_webhooks", ngettext("A group has at most %(n)d webhook.",
                                                            "A group has at most %(n)d webhooks.", MAX_PER_GROUP)
                              % {"n": MAX_PER_GROUP})
        webhook = Webhook.objects.create(group=group, url=url, format=format, events=events, created_by=actor)
        audit.record(actor=actor, group=group, action="webhook.created", obj=webhook,
                     after={"url": url, "format": format, "events": events})
    return webhook


def delete_webhook(*, webhook: Webhook, actor: User) -> None:
    _require_admin(actor, webhook.group)
    with transaction.atomic(durable=True):
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
    for delivery_id in delivery_ids:
        try:
            tasks.deliver.delay(delivery_id)
        except Exception:  # a broker down: the sweep sends it within a minute
            logger.exception("webhook delivery %s not queued", delivery_id)
