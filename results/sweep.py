"""The sweep the beat schedule runs every minute (and `manage.py close_due_rounds`): closing
due rounds, the rounds' reminders, funding-open announcements, the co-leads' allocation
notices (allocations.outbox), a permanent fund's expired buckets and funding announcements,
and the proposals' closing and reminders.

It calls the services of every app, so its task lives here, above them, rather than in
results.tasks, which the services import to queue their mails; `CELERY_IMPORTS` registers it
in the worker.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from allocations import outbox
from allocations import services as allocation_services
from buckets.notices import announce_funding_opened
from proposals import services as proposal_services
from results import services

logger = logging.getLogger(__name__)


def _announce_funding_opened(now: datetime) -> int:
    try:
        return announce_funding_opened(now=now)
    except Exception:  # an announcement never stops the sweep
        logger.exception("funding-open announcements failed")
        return 0


def _expire_buckets(now: datetime) -> int:
    try:
        return allocation_services.expire_due_buckets(now)
    except Exception:  # the rest of the sweep goes on; the buckets expire at the next one
        logger.exception("due buckets could not be expired")
        return 0


def _announce_fundings(now: datetime) -> int:
    try:
        return outbox.announce_fundings(now=now)
    except Exception:  # the announcements wait for the next sweep
        logger.exception("fundings could not be announced")
        return 0


def _tell_coleads() -> int:
    try:
        return outbox.tell_coleads()
    except Exception:  # the rest of the sweep goes on; the notices wait for the next one
        logger.exception("allocation notices could not be sent")
        return 0


# Registered under the name the beat schedule and messages already queued carry.
@shared_task(name="allocations.tasks.sweep", ignore_result=True)
def sweep(now: datetime | None = None) -> dict:
    """Close due rounds, remind members 48 h before a round closes, announce funding, tell
    co-leads of allocations, close due proposals and send their reminders. Called directly,
    it runs in-process."""
    now = now or timezone.now()
    result = {
        "rounds_closed": services.close_due_rounds(now),
        "round_reminders": services.send_closing_reminders(now),
        "funding_opened": _announce_funding_opened(now),
        "allocation_notices": _tell_coleads(),
        "buckets_expired": _expire_buckets(now),
        "fundings_announced": _announce_fundings(now),
        "proposals_closed": 0,
        "proposal_reminders": 0,
    }
    try:
        result["proposals_closed"] = proposal_services.close_due_proposals(now=now) or 0
    except Exception:
        logger.exception("due proposals could not be closed")
    try:
        result["proposal_reminders"] = proposal_services.send_proposal_reminders(now=now) or 0
    except Exception:
        logger.exception("proposal reminders could not be sent")
    return result
