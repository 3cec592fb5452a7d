"""Thin Celery tasks around notifications.services."""

from celery import shared_task

from notifications import services


@shared_task(ignore_result=True)
def send_notification_mail(notification_id: int) -> None:
    services.send_notification_mail(notification_id=notification_id)


@shared_task(ignore_result=True)
def send_batch(user_id: int) -> None:
    services.send_batch(user_id=user_id)


@shared_task(ignore_result=True)
def flush_batches() -> None:
    services.flush_batches()


@shared_task(ignore_result=True)
def send_digests() -> None:
    services.send_due_digests()


@shared_task(ignore_result=True)
def notify_invitations(invitation_ids: list[int]) -> None:
    from notifications.invitations import notify_invitations as run

    run(invitation_ids=invitation_ids)
