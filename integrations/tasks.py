"""Thin Celery tasks: one webhook delivery (retried with backoff), and the sweep of due ones."""

import logging

from celery import shared_task

from integrations import delivery

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=delivery.MAX_ATTEMPTS)
def deliver(self, delivery_id: int) -> str:
    outcome = delivery.attempt(delivery_id)
    if outcome.status == "retry" and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in.total_seconds())
    return outcome.status


@shared_task(ignore_result=True)
def send_due_deliveries() -> int:
    """Every minute (the beat): queue the deliveries whose time has come."""
    ids = delivery.due_ids()
    for delivery_id in ids:
        try:
            deliver.delay(delivery_id)
        except Exception:  # the broker is down: the next sweep tries again
            logger.exception("webhook delivery %s not queued", delivery_id)
    return len(ids)
