"""Thin Celery tasks: one webhook delivery (retried with backoff), and the sweep of due ones."""

from celery import shared_task

from integrations import webhooks


@shared_task(bind=True, ignore_result=True, max_retries=webhooks.MAX_ATTEMPTS)
def deliver(self, delivery_id: int) -> str:
    outcome = webhooks.attempt(delivery_id)
    if outcome.status == "retry" and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in.total_seconds())
    return outcome.status


@shared_task(ignore_result=True)
def send_due_deliveries() -> int:
    return webhooks.send_due()
