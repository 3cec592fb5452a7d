"""Closing rounds: the "almost funded" rule, closing, the reminders (results.sweep runs them
every minute).

Closing is one transaction guarded by a conditional update on `Round.closed_at`, so that two
sweeps at once, a sweep and an admin's early close, or a sweep killed half-way and run again
all give one and the same result. Closing moves no money: allocations stay where they are
and the ledger is untouched; only the buckets' statuses change. Money on `not_funded` buckets
counts as unspent in the totals.
"""

import logging
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from buckets.models import Bucket, Round
from buckets.services import require_admin
from cobudget import confirm, events
from cobudget.errors import DomainError
from cobudget.money import ZERO, format_money
from proposals import services as proposal_services
from results import tasks
from results.selectors import outcome_for, percent_of_min

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=48)
DEFAULT_DECISION_DELAY = timedelta(days=7)


def decision_closes_at(round: Round, now: datetime) -> datetime:
    """The proposal for a to_decide bucket closes at the board meeting (or in 7 days when
    the round has no meeting date, or a meeting already past)."""
    if round.meeting_at is not None and round.meeting_at > now:
        return round.meeting_at
    return now + DEFAULT_DECISION_DELAY


def _open_decision_proposals(*, round: Round, bucket_ids: list[int], actor, now: datetime, notify: bool = False) -> None:
    if not bucket_ids:
        return
    # The decision is written once for the whole group, in the instance's language (not the
    # language of whoever happened to close the round), with amounts written the local way.
    with translation.override(settings.LANGUAGE_CODE):
        items = _decision_texts(round=round, bucket_ids=bucket_ids)
    # One INSERT for all of them (a round of 500 buckets may leave 150 to decide).
    proposal_services.open_proposals(
        group=round.group, items=items, author=actor, closes_at=decision_closes_at(round, now), now=now, notify=notify,
    )


def _decision_texts(*, round: Round, bucket_ids: list[int]) -> list:
    items = []
    for bucket in Bucket.objects.filter(pk__in=bucket_ids).select_related("round").order_by("pk"):
        percent = percent_of_min(total=bucket.total, min_goal=bucket.min_goal).quantize(Decimal("1"), rounding=ROUND_DOWN)
        title = _("Fund «%(title)s» at the amount reached, %(percent)s %% of its minimum?") % {
            "title": bucket.title,
            "percent": percent,
        }
        details = _(
            "The round “%(round)s” closed with %(total)s on this project, "
            "%(percent)s %% of its minimum goal of %(min_goal)s. "
            "Agree to fund it at the amount reached; disagree to leave it unfunded "
            "(its money then counts as unspent)."
        ) % {
            "round": round.title,
            "total": format_money(bucket.total, round.currency),
            "percent": percent,
            "min_goal": format_money(bucket.min_goal, round.currency),
        }
        items.append((title[:300], details, bucket))
    return items


def close_round(*, round: Round, actor=None, now: datetime | None = None, notify: bool = True,
                expect: dict | None = None) -> bool:
    """Close the round now: settle every open bucket and open a proposal for each bucket to
    decide. Returns True when this call closed it, False when it was already closed.

    One transaction: killed half-way, nothing of it remains and running it again gives the
    same result. `notify=False` (the demo) sends neither the results mail nor the
    proposals' opening notices. `expect`: the outcomes an admin confirmed
    (selectors.closing_outcomes); other outcomes under the locks refuse with
    confirmation_stale and change nothing.
    """
    if actor is not None:
        require_admin(actor, round.group)  # the sweep closes as the system (actor None)
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        # FOR NO KEY UPDATE: an allocation committing meanwhile inserts a ledger row whose
        # foreign key takes KEY SHARE on this round row; a plain FOR UPDATE would deadlock
        # with it while we wait for its bucket lock below.
        locked = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round.pk)
        if locked.published_at is None:
            raise DomainError("round_draft", _("A draft round cannot be closed; publish it first."))
        if Round.objects.filter(pk=locked.pk, closed_at=None).update(closed_at=now) != 1:
            return False
        locked.closed_at = now
        # Lock the open buckets (in id order, after the round) so that an allocation in
        # flight either commits before we read the totals or sees the round closed.
        rows = list(
            Bucket.objects.select_for_update(no_key=True)
            .filter(round=locked, status=Bucket.Status.OPEN)
            .order_by("pk")
            .values_list("pk", "total", "min_goal")
        )
        by_status: dict[str, list[int]] = {}
        outcomes: dict[str, tuple[int, Decimal]] = {}
        for pk, total, min_goal in rows:
            status = outcome_for(
                total=total,
                min_goal=min_goal,
                funded_percent=locked.funded_if_percent_of_min,
                decide_percent=locked.decide_if_percent_of_min,
            )
            by_status.setdefault(status, []).append(pk)
            count, amount = outcomes.get(status, (0, ZERO))
            outcomes[status] = (count + 1, amount + total)
        if expect is not None and outcomes != expect:
            raise confirm.stale()
        for status, ids in by_status.items():
            decided_at = None if status == Bucket.Status.TO_DECIDE else now
            funded = {"funded_at": now, "funded_amount": F("total"), "funding_announced_at": now} if status == Bucket.Status.FUNDED else {}
            Bucket.objects.filter(pk__in=ids, status=Bucket.Status.OPEN).update(
                status=status, decided_at=decided_at, updated_at=now, **funded
            )
        # The proposals are announced in the results mail (one mail per member), never apart.
        _open_decision_proposals(
            round=locked, bucket_ids=by_status.get(Bucket.Status.TO_DECIDE, []), actor=actor, now=now, notify=False
        )
        audit.record(actor=actor, group=locked.group, action="round.closed", obj=locked,
                     after={"closed_at": now, **{status: len(ids) for status, ids in sorted(by_status.items())}})
        events.emit("round.closed", group_id=locked.group_id, obj=locked)
        events.emit_many("bucket.funded", group_id=locked.group_id,
                         objs=Bucket.objects.filter(pk__in=by_status.get(Bucket.Status.FUNDED, [])).select_related("round").order_by("pk"))
        round_id = locked.pk
        if notify:
            transaction.on_commit(lambda: _queue_results_mail(round_id))
    round.closed_at = now
    return True


def _queue_results_mail(round_id: int) -> None:
    try:
        tasks.send_round_results.delay(round_id)
    except Exception:  # a broker down never makes the close fail
        logger.exception("results mail of round %s not queued", round_id)


def due_rounds(now: datetime):
    """Published fixed rounds whose funding has ended and that are not closed yet
    (a permanent round is never closed by the sweep)."""
    return Round.objects.filter(
        kind=Round.Kind.FIXED,
        published_at__isnull=False,
        closed_at=None,
        funding_closes_at__isnull=False,
        funding_closes_at__lte=now,
    )


def close_due_rounds(now: datetime | None = None) -> int:
    """Close every due round; returns how many this call closed."""
    now = now or timezone.now()
    closed = 0
    for round in due_rounds(now).order_by("funding_closes_at", "pk"):
        try:
            if close_round(round=round, now=now):
                closed += 1
        except Exception:  # one bad round must not keep the others open; retried next minute
            logger.exception("round %s could not be closed", round.pk)
    return closed


def send_closing_reminders(now: datetime | None = None) -> int:
    """Once per round, 48 hours before funding closes, mail every member with an envelope.
    Returns the number of rounds reminded by this call."""
    now = now or timezone.now()
    candidates = Round.objects.filter(
        kind=Round.Kind.FIXED,
        published_at__isnull=False,
        closed_at=None,
        closing_reminder_sent_at=None,
        funding_closes_at__gt=now,
        funding_closes_at__lte=now + REMINDER_BEFORE,
    ).exclude(funding_opens_at__gt=now)
    reminded = 0
    for round in candidates.select_related("group"):
        round_id = round.pk
        with transaction.atomic(durable=True):
            won = Round.objects.filter(pk=round_id, closing_reminder_sent_at=None).update(
                closing_reminder_sent_at=now
            )
            if won == 1:
                reminded += 1
                events.emit("round.closing_soon", group_id=round.group_id, obj=round)
                transaction.on_commit(lambda rid=round_id: _queue_reminder_mail(rid))
    return reminded


def _queue_reminder_mail(round_id: int) -> None:
    try:
        tasks.send_closing_reminder.delay(round_id)
    except Exception:
        logger.exception("closing reminder of round %s not queued", round_id)
