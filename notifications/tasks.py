"""Thin Celery tasks around notifications.delivery: the mails `notify` queues after commit,
and the batches and digests the beat sends."""

from celery import shared_task

from notifications import delivery


@shared_task(ignore_result=True)
def send_notification_mail(notification_id: int) -> None:
    delivery.send_notification_mail(notification_id=notification_id)


@shared_task(ignore_result=True)
def send_batch(user_id: int) -> None:
    delivery.send_batch(user_id=user_id)


@shared_task(ignore_result=True)
def flush_batches() -> None:
    delivery.flush_batches()


@shared_task(ignore_result=True)
def send_digests() -> None:
    delivery.send_due_digests()
