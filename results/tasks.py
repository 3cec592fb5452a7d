"""Thin Celery tasks: the sweep the beat schedule runs every minute, and the round mails."""

import logging

from celery import shared_task

from allocations import closing

logger = logging.getLogger(__name__)


@shared_task(name="allocations.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Close due rounds, remind members 48 h before a round closes, close due proposals and
    send their reminders."""
    return closing.sweep()


@shared_task(name="allocations.tasks.send_round_results", ignore_result=True)
def send_round_results(round_id: int) -> int:
    return closing.mail_round_results(round_id)


@shared_task(name="allocations.tasks.send_closing_reminder", ignore_result=True)
def send_closing_reminder(round_id: int) -> int:
    return closing.mail_closing_reminder(round_id)
