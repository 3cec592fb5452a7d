"""Every write on proposals: open, take a stance, record a view, close, state the outcome.

Closing happens once whatever happens: the proposal row is locked, the tally computed, and a
conditional update (`closed_at IS NULL`) sets the outcome and freezes the tally; whoever
updates no row did not close it. Mails are queued with `transaction.on_commit`.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from buckets.models import Bucket
from cobudget import events
from cobudget.errors import DomainError
from groups.models import Group, Membership, Role, User
from proposals import selectors, tasks
from proposals.models import Proposal, ProposalComment, ProposalView, Stance

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=24)
MAX_TITLE = 300
MAX_TEXT = 20_000


# --- the rule -----------------------------------------------------------------------------


def compute_outcome(*, voters_count: int, counts: dict, quorum_percent: int, block_vetoes: bool) -> str:
    """The outcome of a proposal at close (PRODUCT.md, Proposals).

    1. Quorum: voters with a stance (abstaining counts as taking part) ÷ voters × 100 must
       reach `quorum_percent`. Compared exactly in integers: voted × 100 ≥ quorum × voters
       (14 voters at 50 %: 7 is enough, 6 is not). Nobody to vote and a quorum asked: no quorum.
    2. With `block_vetoes`, one block rejects it: `blocked`.
    3. Otherwise adopted when agree > disagree among those who took part; a tie is rejected.
       Without `block_vetoes` a block is a strong disagree: it counts as a disagree here.
    """
    agree = counts.get("agree", 0)
    disagree = counts.get("disagree", 0)
    block = counts.get("block", 0)
    voted = agree + disagree + block + counts.get("abstain", 0)
    if quorum_percent > 0 and (voters_count == 0 or voted * 100 < quorum_percent * voters_count):
        return Proposal.Outcome.NO_QUORUM
    if block_vetoes and block > 0:
        return Proposal.Outcome.BLOCKED
    if not block_vetoes:
        disagree += block
    return Proposal.Outcome.ADOPTED if agree > disagree else Proposal.Outcome.REJECTED


# --- helpers ------------------------------------------------------------------------------


def _queue(task_name: str, proposal_id):
    task = getattr(tasks, task_name)

    def send():
        try:
            task.delay(proposal_id)
        except Exception:  # a broker down never makes the request or the sweep fail
            logger.exception("%s of proposal %s not queued", task_name, proposal_id)

    transaction.on_commit(send)


def _require_manager(*, proposal: Proposal, actor: User | None):
    if actor is None:
        return  # the system (sweep, round closing)
    role = Membership.objects.filter(group_id=proposal.group_id, user=actor).values_list("role", flat=True).first()
    if role != Role.ADMIN and proposal.author_id != actor.pk:
        raise DomainError("not_allowed", _("Only the author or an admin of the group can do this."), status=403)


def resolve_voters(*, group: Group, emails: list[str]) -> list[User]:
    """The named voters from their e-mail addresses; each must be in the group."""
    cleaned = sorted({(e or "").strip().lower() for e in emails if (e or "").strip()})
    if not cleaned:
        raise DomainError("invalid_voters", _("Name at least one voter, or let every member vote."), status=400, field="voters")
    users = list(User.objects.filter(email__in=cleaned, memberships__group=group).distinct())
    missing = sorted(set(cleaned) - {u.email.lower() for u in users})
    if missing:
        raise DomainError(
            "unknown_voter",
            _("These people are not in the group: %(emails)s.") % {"emails": ", ".join(missing)},
            status=400,
            field="voters",
        )
    return users


# --- opening ------------------------------------------------------------------------------


def _check_text(*, title: str, details: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError("invalid", _("A proposal needs a title."), status=400, field="title")
    if len(title) > MAX_TITLE:
        raise DomainError("invalid", _("The title is too long."), status=400, field="title")
    if len(details or "") > MAX_TEXT:
        raise DomainError("invalid", _("The details are too long."), status=400, field="details")
    return title


def _check_closes_at(closes_at: datetime | None, now: datetime) -> None:
    if closes_at is None or closes_at <= now:
        raise DomainError("invalid_closes_at", _("The closing time must be in the future."), status=400, field="closes_at")


def _check_bucket(bucket: Bucket | None, group: Group) -> None:
    if bucket is not None and bucket.round.group_id != group.pk:
        raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")


def _check_author(author: User | None, group: Group) -> None:
    if author is not None:
        role = Membership.objects.filter(group=group, user=author).values_list("role", flat=True).first()
        if role not in selectors.VOTING_ROLES:
            raise DomainError("not_allowed", _("Only admins and members can open a proposal."), status=403)


def open_proposal(
    *,
    group: Group,
    title: str,
    details: str = "",
    author: User | None,
    closes_at: datetime,
    voters="members",
    quorum_percent: int = 0,
    block_vetoes: bool = True,
    results_hidden_until_close: bool = False,
    bucket: Bucket | None = None,
    settles_bucket: bool = False,
    notify: bool = True,
    now: datetime | None = None,
) -> Proposal:
    """Open a proposal in `group`. `voters` is "members" (every admin and member) or a list of
    users of the group (the board). `author` None means the system opened it (a round closed
    with a bucket to decide). `settles_bucket` (system code only, never from a request) makes
    its outcome fund or not a `to_decide` bucket. Voters are told it is open once the
    transaction commits."""
    now = now or timezone.now()
    title = _check_text(title=title, details=details)
    _check_closes_at(closes_at, now)
    if not isinstance(quorum_percent, int) or isinstance(quorum_percent, bool) or not 0 <= quorum_percent <= 100:
        raise DomainError("invalid_quorum", _("The quorum is a percentage from 0 to 100."), status=400, field="quorum_percent")
    _check_bucket(bucket, group)
    _check_author(author, group)
    named: list[User] = []
    if voters != "members":
        named = list(voters)
        if not named:
            raise DomainError("invalid_voters", _("Name at least one voter, or let every member vote."), status=400, field="voters")
        in_group = set(Membership.objects.filter(group=group, user__in=named).values_list("user_id", flat=True))
        if any(u.pk not in in_group for u in named):
            raise DomainError("unknown_voter", _("Every named voter must be in the group."), status=400, field="voters")
    with transaction.atomic():
        proposal = Proposal.objects.create(
            group=group,
            title=title,
            details=details or "",
            author=author,
            created_at=now,
            closes_at=closes_at,
            voters_are_members=voters == "members",
            quorum_percent=quorum_percent,
            block_vetoes=block_vetoes,
            results_hidden_until_close=results_hidden_until_close,
            bucket=bucket,
            settles_bucket=settles_bucket and bucket is not None,
        )
        if named:
            proposal.named_voters.set(named)
        events.emit("proposal.opened", group_id=group.pk, obj=proposal)
        if notify:
            _queue("notify_opened", proposal.pk)
    return proposal


def open_proposals(
    *,
    group: Group,
    items: list[tuple[str, str, Bucket | None]],
    author: User | None,
    closes_at: datetime,
    notify: bool = True,
    now: datetime | None = None,
) -> list[Proposal]:
    """Open many proposals at once, each `(title, details, bucket)`, with the same author and
    closing time and the default rules (every member votes, no quorum, a block vetoes): what
    closing a round does for its buckets to decide. The same checks as open_proposal, then
    one INSERT however many there are; voters are told after commit (one queued task)."""
    now = now or timezone.now()
    _check_closes_at(closes_at, now)
    _check_author(author, group)
    rows = []
    for title, details, bucket in items:
        title = _check_text(title=title, details=details)
        _check_bucket(bucket, group)
        rows.append(Proposal(group=group, title=title, details=details or "", author=author, created_at=now,
                             closes_at=closes_at, voters_are_members=True, bucket=bucket,
                             settles_bucket=bucket is not None))
    if not rows:
        return []
    with transaction.atomic():
        proposals = Proposal.objects.bulk_create(rows)  # PostgreSQL and SQLite ≥ 3.35 return the ids
        events.emit_many("proposal.opened", group_id=group.pk, objs=proposals)
        if notify:
            _queue("notify_opened_many", [p.pk for p in proposals])
    return proposals


# --- stances and views --------------------------------------------------------------------


def set_stance(*, proposal: Proposal, user: User, choice: str, reason: str = "", now: datetime | None = None) -> Stance:
    """Take or change a stance. Every change is a new row; the previous one stops being latest.

    The proposal row is locked so that a stance and a close are serialised: a stance either
    counts in the outcome or is refused with proposal_closed."""
    if choice not in selectors.CHOICES:
        raise DomainError("invalid_choice", _("Choose agree, abstain, disagree or block."), status=400, field="choice")
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise DomainError("invalid", _("The reason is too long."), status=400, field="reason")
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        now = now or timezone.now()
        if proposal.closed_at is not None or now >= proposal.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: stances can no longer change."))
        if not selectors.is_voter(user, proposal):
            raise DomainError("not_a_voter", _("You are not a voter on this proposal; you can still comment."))
        current = Stance.objects.filter(proposal=proposal, user=user, is_latest=True).first()
        if current is not None and current.choice == choice and current.reason == reason:
            return current  # nothing changed: PUT is idempotent
        if current is not None:
            Stance.objects.filter(pk=current.pk).update(is_latest=False)
        # Whoever takes a stance has seen the proposal, even through the API without reading it.
        ProposalView.objects.get_or_create(proposal=proposal, user=user, defaults={"first_seen_at": now})
        return Stance.objects.create(proposal=proposal, user=user, choice=choice, reason=reason, created_at=now)


def record_view(*, proposal: Proposal, user: User) -> bool:
    """Record a voter's first view (proof that they saw it). True when this was the first."""
    if not selectors.is_voter(user, proposal):
        return False
    try:
        _view, created = ProposalView.objects.get_or_create(proposal=proposal, user=user)
    except IntegrityError:  # a concurrent first view won the race; that one counts
        return False
    return created


def add_comment(*, proposal: Proposal, author: User, body: str) -> ProposalComment:
    """Anyone in the group comments, voter or not, open or closed."""
    body = (body or "").strip()
    if not body:
        raise DomainError("invalid", _("Write a comment first."), status=400, field="body")
    if len(body) > MAX_TEXT:
        raise DomainError("invalid", _("The comment is too long."), status=400, field="body")
    if not Membership.objects.filter(group_id=proposal.group_id, user=author).exists():
        raise DomainError("not_allowed", _("Only people in the group can comment."), status=403)
    return ProposalComment.objects.create(proposal=proposal, author=author, body=body)


# --- closing ------------------------------------------------------------------------------


def _settle_bucket(*, proposal: Proposal, outcome: str, now: datetime):
    """A bucket left `to_decide` by its round is funded or not by the outcome of the proposal
    its round's closing opened (never by one a member opened and linked to it)."""
    if proposal.bucket_id is None or not proposal.settles_bucket:
        return
    status = Bucket.Status.FUNDED if outcome == Proposal.Outcome.ADOPTED else Bucket.Status.NOT_FUNDED
    settled = Bucket.objects.filter(pk=proposal.bucket_id, status=Bucket.Status.TO_DECIDE).update(status=status, decided_at=now)
    if settled and status == Bucket.Status.FUNDED:
        events.emit("bucket.funded", group_id=proposal.group_id, obj=Bucket.objects.get(pk=proposal.bucket_id))


def _close(*, pk: int, now: datetime | None, notify: bool) -> tuple[Proposal, bool]:
    """Close proposal `pk` unless it is closed; returns it and whether this call closed it."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=pk)
        if locked.closed_at is not None:
            return locked, False
        now = now or timezone.now()
        tally = selectors.live_tallies([locked])[locked.pk]
        outcome = compute_outcome(
            voters_count=tally.voters_count,
            counts=tally.counts,
            quorum_percent=locked.quorum_percent,
            block_vetoes=locked.block_vetoes,
        )
        closed = Proposal.objects.filter(pk=locked.pk, closed_at=None).update(
            closed_at=now,
            outcome=outcome,
            final_voters=tally.voters_count,
            final_voted=tally.voted_count,
            final_seen=tally.seen_count,
            final_agree=tally.counts["agree"],
            final_abstain=tally.counts["abstain"],
            final_disagree=tally.counts["disagree"],
            final_block=tally.counts["block"],
        )
        if closed == 1:
            _settle_bucket(proposal=locked, outcome=outcome, now=now)
            if notify:
                _queue("notify_closed", locked.pk)
        locked.refresh_from_db()
        if closed == 1:
            events.emit("proposal.closed", group_id=locked.group_id, obj=locked)
    return locked, closed == 1


def close_proposal(
    *, proposal: Proposal, actor: User | None = None, now: datetime | None = None, notify: bool = True
) -> Proposal:
    """Close now (early by its author or an admin; `actor` None is the sweep). Idempotent:
    closing a closed proposal returns it unchanged; two concurrent closes give one outcome."""
    _require_manager(proposal=proposal, actor=actor)
    with transaction.atomic():
        closed, by_us = _close(pk=proposal.pk, now=now, notify=notify)
        if by_us and actor is not None:  # closed early by a person (the sweep's closes are on time)
            audit.record(actor=actor, group=closed.group_id, action="proposal.closed_early", obj=closed,
                         before={"closes_at": closed.closes_at}, after={"closed_at": closed.closed_at, "outcome": closed.outcome})
    return closed


def close_if_due(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """The deadline holds on its own: a proposal past `closes_at` is closed when next read,
    even if no sweep has run yet."""
    now = now or timezone.now()
    if proposal.closed_at is None and proposal.closes_at <= now:
        return close_proposal(proposal=proposal, actor=None, now=now)
    return proposal


def close_due_proposals(now: datetime | None = None) -> int:
    """The sweep (every minute): close every open proposal whose `closes_at` has passed.
    Returns how many this call closed (a concurrent sweep's closes are not counted twice)."""
    now = now or timezone.now()
    count = 0
    due = Proposal.objects.filter(closed_at=None, closes_at__lte=now).order_by("closes_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        try:
            _proposal, by_us = _close(pk=pk, now=now, notify=True)
        except Exception:  # one proposal that cannot close must not keep the others open
            logger.exception("proposal %s could not be closed", pk)
            continue
        count += by_us
    return count


def send_proposal_reminders(now: datetime | None = None) -> int:
    """Once per proposal, 24 hours before `closes_at`, remind the voters who have not voted.
    A proposal open for 24 hours or less gets no reminder: its opening notice is recent."""
    now = now or timezone.now()
    count = 0
    due = Proposal.objects.filter(
        closed_at=None, reminder_sent_at=None, closes_at__gt=now, closes_at__lte=now + REMINDER_BEFORE
    ).values_list("pk", "created_at", "closes_at")
    for pk, created_at, closes_at in due:
        if closes_at - created_at <= REMINDER_BEFORE:
            continue
        with transaction.atomic():
            if Proposal.objects.filter(pk=pk, reminder_sent_at=None).update(reminder_sent_at=now) == 1:
                proposal = Proposal.objects.get(pk=pk)
                events.emit("proposal.closing_soon", group_id=proposal.group_id, obj=proposal)
                _queue("send_reminder", pk)
                count += 1
    return count


def set_statement(*, proposal: Proposal, actor: User, statement: str, now: datetime | None = None) -> Proposal:
    """The outcome statement, written by the author or an admin once the proposal is closed."""
    _require_manager(proposal=proposal, actor=actor)
    proposal = close_if_due(proposal=proposal, now=now)
    statement = (statement or "").strip()
    if len(statement) > MAX_TEXT:
        raise DomainError("invalid", _("The statement is too long."), status=400, field="statement")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.closed_at is None:
            raise DomainError("proposal_open", _("The outcome can be stated once the proposal is closed."))
        if locked.statement != statement:
            audit.record(actor=actor, group=locked.group_id, action="proposal.statement_changed", obj=locked,
                         before={"statement": locked.statement}, after={"statement": statement})
        locked.statement = statement
        locked.save(update_fields=["statement"])
    return locked
