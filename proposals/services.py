"""Every write on proposals: open, edit, extend, reopen, take a stance (one's own, one an
admin enters for a voter who answered by phone or on paper, or one cast by proxy), give and
withdraw proxies, record a view, close, state the outcome.

Rules that hold here, whatever the page or the API:
- A proposal is fixed once anyone has voted: its text and settings change only before the
  first stance (409 proposal_has_stances); afterwards it is only extended (while open) or
  reopened (by an admin, within 30 days of closing), and each time the reason is kept
  (ProposalEvent).
- Proxies (pouvoirs): a voter gives their proxy to another voter for one proposal; a voter
  carries at most the group's `max_proxies_per_voter` (0: the group accepts none). The
  giver's own vote always prevails: the moment they vote themselves (or an admin enters the
  stance they gave by phone or on paper), their proxy is superseded and its holder can no
  longer vote for them; whatever the holder cast before stays in the history.
- Secret ballot (`anonymous`): a Stance row says who voted, the ballot is added to an
  AnonymousBallot count that names nobody. A ballot in the urn cannot be taken back, so a
  secret stance is final once cast, by the voter, their proxy or an admin.
- Closing happens once whatever happens: the proposal row is locked, the tally computed, and
  a conditional update (`closed_at IS NULL`) sets the outcome and freezes the tally; whoever
  updates no row did not close it. Every write on one proposal locks its row first, so a
  stance, an edit, a proxy and a close are serialised. Mails are queued with
  `transaction.on_commit`.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from buckets import services as bucket_services
from buckets.models import Bucket
from cobudget import events
from cobudget.errors import DomainError
from groups.models import Group, Membership, Role, User
from proposals import ballots, counting, selectors, tasks
from proposals.models import (
    AnonymousBallot,
    AnonymousReason,
    Proposal,
    ProposalComment,
    ProposalEvent,
    ProposalOption,
    ProposalView,
    Proxy,
    Stance,
)

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=24)
REOPEN_WITHIN = timedelta(days=30)
MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_OPTIONS = 20
MAX_LABEL = 200
SCORE_MAX = (1, 10, 5)  # lowest, highest, default
DOTS = (1, 100, 10)
SLOT_LENGTH = timedelta(hours=2)
SLOT_YEARS = (2000, 2199)


# --- the rule -----------------------------------------------------------------------------


def compute_outcome(*, voters_count: int, counts: dict, quorum_percent: int, block_vetoes: bool,
                    majority: str = "simple") -> str:
    """The outcome of a plain proposal at close (PRODUCT.md, Proposals): see
    proposals.counting.proposal_outcome, which decides it in integers."""
    return counting.proposal_outcome(
        voters_count=voters_count, counts=counts, quorum_percent=quorum_percent, block_vetoes=block_vetoes,
        majority=majority,
    )


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


# --- opening and editing ------------------------------------------------------------------


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
    if closes_at.year > SLOT_YEARS[1]:
        raise DomainError("invalid_closes_at", _("The closing time must be before the year 2200."), status=400,
                          field="closes_at")


def _check_bucket(bucket: Bucket | None, group: Group) -> None:
    if bucket is not None and bucket.round.group_id != group.pk:
        raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")


def _check_author(author: User | None, group: Group) -> None:
    if author is not None:
        role = Membership.objects.filter(group=group, user=author).values_list("role", flat=True).first()
        if role not in selectors.VOTING_ROLES:
            raise DomainError("not_allowed", _("Only admins and members can open a proposal."), status=403)


def _check_voters(group: Group, voters) -> list[User]:
    if voters == "members":
        return []
    named = list(voters)
    if not named:
        raise DomainError("invalid_voters", _("Name at least one voter, or let every member vote."), status=400, field="voters")
    in_group = set(Membership.objects.filter(group=group, user__in=named).values_list("user_id", flat=True))
    if any(u.pk not in in_group for u in named):
        raise DomainError("unknown_voter", _("Every named voter must be in the group."), status=400, field="voters")
    return named


def _bounded(value, bounds, code: str, field: str, detail) -> int:
    low, high, default = bounds
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(code, detail, status=400, field=field)
    return value


def _clean_rules(values: dict) -> dict:
    """The voting rules of a proposal, checked together: kind, majority, reasons, secrecy,
    quorum and the settings of each kind of poll."""
    kind = values.get("kind") or Proposal.Kind.PROPOSAL
    if kind not in Proposal.Kind.values:
        raise DomainError("invalid_kind", _("Unknown kind: choose proposal, score, ranked_choice, dot_vote or meeting_time."),
                          status=400, field="kind")
    majority = values.get("majority") or Proposal.Majority.SIMPLE
    if majority not in counting.MAJORITIES:
        raise DomainError("invalid_majority", _("Unknown majority: choose simple, two_thirds, three_quarters or unanimous."),
                          status=400, field="majority")
    reason_required = values.get("reason_required") or Proposal.ReasonRequired.NONE
    if reason_required not in Proposal.ReasonRequired.values:
        raise DomainError("invalid_reason_required", _("A reason is required never (none), for objections, or for all stances."),
                          status=400, field="reason_required")
    if kind != Proposal.Kind.PROPOSAL and reason_required == Proposal.ReasonRequired.OBJECTIONS:
        raise DomainError("invalid_reason_required", _("A poll has no objections: require a reason for every stance, or never."),
                          status=400, field="reason_required")
    quorum = values.get("quorum_percent", 0)
    if not isinstance(quorum, int) or isinstance(quorum, bool) or not 0 <= quorum <= 100:
        raise DomainError("invalid_quorum", _("The quorum is a percentage from 0 to 100."), status=400, field="quorum_percent")
    anonymous = bool(values.get("anonymous", False))
    rules = {
        "kind": kind,
        "majority": majority if kind == Proposal.Kind.PROPOSAL else Proposal.Majority.SIMPLE,
        "reason_required": reason_required,
        "anonymous": anonymous,
        "quorum_percent": quorum,
        "block_vetoes": bool(values.get("block_vetoes", True)),
        # A secret ballot shows its counts only at close: counts moving while the list of who
        # voted grows would tell who chose what.
        "results_hidden_until_close": bool(values.get("results_hidden_until_close", False)) or anonymous,
        "score_max": None,
        "dots_per_voter": None,
    }
    if kind == Proposal.Kind.SCORE:
        rules["score_max"] = _bounded(values.get("score_max"), SCORE_MAX, "invalid_score_max", "score_max",
                                      _("The highest score is a whole number from 1 to 10."))
    if kind == Proposal.Kind.DOT_VOTE:
        rules["dots_per_voter"] = _bounded(values.get("dots_per_voter"), DOTS, "invalid_dots_per_voter", "dots_per_voter",
                                           _("Each voter has from 1 to 100 dots."))
    return rules


def _slot_label(starts_at: datetime, ends_at: datetime, group: Group) -> str:
    """A slot as people read it, in the group's time zone and the instance's language."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo(group.time_zone or settings.TIME_ZONE)
    start, end = timezone.localtime(starts_at, tz), timezone.localtime(ends_at, tz)
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(start, "l j F Y")
        if start.date() == end.date():
            return f"{day}, {formats.time_format(start, 'H:i')}–{formats.time_format(end, 'H:i')}"
        return f"{day}, {formats.time_format(start, 'H:i')} – {formats.date_format(end, 'l j F Y')}, {formats.time_format(end, 'H:i')}"


def _clean_options(kind: str, options, group: Group) -> list[dict]:
    """A poll's options, each {label, starts_at?, ends_at?} (a plain text is a label). A
    meeting-time poll's options are slots: `starts_at` is required, `ends_at` defaults to two
    hours later and the label to the slot written out."""
    if kind == Proposal.Kind.PROPOSAL:
        if options:
            raise DomainError("invalid_options", _("A plain proposal has no options."), status=400, field="options")
        return []
    if not isinstance(options, list | tuple) or not 2 <= len(options) <= MAX_OPTIONS:
        raise DomainError("invalid_options", _("Give from 2 to %(max)s options.") % {"max": MAX_OPTIONS},
                          status=400, field="options")
    cleaned = []
    for item in options:
        item = {"label": item} if isinstance(item, str) else item
        if not isinstance(item, dict):
            raise DomainError("invalid_options", _("Each option needs a label."), status=400, field="options")
        label = (item.get("label") or "").strip() if isinstance(item.get("label") or "", str) else ""
        starts_at, ends_at = item.get("starts_at"), item.get("ends_at")
        if kind == Proposal.Kind.MEETING_TIME:
            if not isinstance(starts_at, datetime):
                raise DomainError("invalid_options", _("Each slot needs a start time."), status=400, field="options")
            if not SLOT_YEARS[0] <= starts_at.year <= SLOT_YEARS[1]:
                raise DomainError("invalid_options", _("A slot is between the years 2000 and 2199."), status=400,
                                  field="options")
            ends_at = ends_at if isinstance(ends_at, datetime) else starts_at + SLOT_LENGTH
            if ends_at <= starts_at or ends_at - starts_at > timedelta(days=7):
                raise DomainError("invalid_options", _("A slot ends after it starts, within a week."), status=400,
                                  field="options")
            label = label or _slot_label(starts_at, ends_at, group)
        else:
            starts_at = ends_at = None
        if not label:
            raise DomainError("invalid_options", _("Each option needs a label."), status=400, field="options")
        if len(label) > MAX_LABEL:
            raise DomainError("invalid_options", _("An option's label is at most 200 characters."), status=400, field="options")
        cleaned.append({"label": label, "starts_at": starts_at, "ends_at": ends_at})
    labels = [o["label"].casefold() for o in cleaned]
    if len(set(labels)) != len(labels):
        raise DomainError("invalid_options", _("Two options have the same label."), status=400, field="options")
    return cleaned


def _write_options(proposal: Proposal, options: list[dict]) -> None:
    ProposalOption.objects.filter(proposal=proposal).delete()
    ProposalOption.objects.bulk_create(
        [ProposalOption(proposal=proposal, position=i, **option) for i, option in enumerate(options)]
    )


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
    kind: str = Proposal.Kind.PROPOSAL,
    majority: str = Proposal.Majority.SIMPLE,
    reason_required: str = Proposal.ReasonRequired.NONE,
    anonymous: bool = False,
    options=(),
    score_max: int | None = None,
    dots_per_voter: int | None = None,
    notify: bool = True,
    now: datetime | None = None,
) -> Proposal:
    """Open a proposal or a poll in `group`. `voters` is "members" (every admin and member)
    or a list of users of the group (the board). `author` None means the system opened it (a
    round closed with a bucket to decide). `settles_bucket` (system code only, never from a
    request) makes its outcome fund or not a `to_decide` bucket. Voters are told it is open
    once the transaction commits."""
    now = now or timezone.now()
    title = _check_text(title=title, details=details)
    _check_closes_at(closes_at, now)
    rules = _clean_rules({
        "kind": kind, "majority": majority, "reason_required": reason_required, "anonymous": anonymous,
        "quorum_percent": quorum_percent, "block_vetoes": block_vetoes,
        "results_hidden_until_close": results_hidden_until_close, "score_max": score_max,
        "dots_per_voter": dots_per_voter,
    })
    cleaned_options = _clean_options(rules["kind"], list(options or []), group)
    _check_bucket(bucket, group)
    _check_author(author, group)
    named = _check_voters(group, voters)
    with transaction.atomic(durable=True):
        proposal = Proposal.objects.create(
            group=group,
            title=title,
            details=details or "",
            author=author,
            created_at=now,
            closes_at=closes_at,
            voters_are_members=voters == "members",
            bucket=bucket,
            settles_bucket=settles_bucket and bucket is not None and rules["kind"] == Proposal.Kind.PROPOSAL,
            **rules,
        )
        if named:
            proposal.named_voters.set(named)
        if cleaned_options:
            _write_options(proposal, cleaned_options)
        _prepare_secret_ballot(proposal)
        events.emit("proposal.opened", group_id=group.pk, obj=proposal)
        if notify:
            _queue("notify_opened", proposal.pk)
    return proposal


def _prepare_secret_ballot(proposal: Proposal) -> None:
    """A secret plain proposal counts its four choices from the start (see AnonymousBallot)."""
    if proposal.anonymous and proposal.kind == Proposal.Kind.PROPOSAL:
        for choice in ballots.CHOICES:
            AnonymousBallot.objects.get_or_create(proposal=proposal, content=ballots.canonical(choice, None))


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
    one INSERT however many there are; voters are told after commit (one queued task). Not
    durable: it runs inside the transaction of the round's closing."""
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


EDITABLE = (
    "title", "details", "closes_at", "voters", "quorum_percent", "block_vetoes", "results_hidden_until_close",
    "bucket", "kind", "majority", "reason_required", "anonymous", "options", "score_max", "dots_per_voter",
)
RULE_FIELDS = ("kind", "majority", "reason_required", "anonymous", "quorum_percent", "block_vetoes",
               "results_hidden_until_close", "score_max", "dots_per_voter")


def _has_stances(proposal: Proposal) -> bool:
    return Stance.objects.filter(proposal=proposal).exists()


def edit_proposal(*, proposal: Proposal, actor: User | None, now: datetime | None = None, **fields) -> Proposal:
    """Change the text and settings of an open proposal before anyone has voted (author or
    admin). After the first stance it is fixed: 409 proposal_has_stances; extend or reopen it."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError("invalid", _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                          status=400)
    _require_manager(proposal=proposal, actor=actor)
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update(of=("self",)).select_related("group").get(pk=proposal.pk)
        now = now or timezone.now()
        if locked.closed_at is not None or now >= locked.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: it can no longer change."))
        if _has_stances(locked):
            raise DomainError("proposal_has_stances", _(
                "Someone has already voted: the proposal can no longer be edited. Extend it, or close it and open a new one."
            ))
        group = locked.group
        before = _audited(locked)
        title = _check_text(title=fields.get("title", locked.title), details=fields.get("details", locked.details))
        if "closes_at" in fields:
            _check_closes_at(fields["closes_at"], now)
        values = {name: getattr(locked, name) for name in RULE_FIELDS}
        values.update({k: v for k, v in fields.items() if k in RULE_FIELDS})
        if "kind" in fields and values["kind"] != locked.kind:
            if locked.settles_bucket:
                raise DomainError("invalid_kind", _("This vote decides a bucket: it stays a proposal."), status=400, field="kind")
            if fields["kind"] not in (Proposal.Kind.SCORE,):
                values["score_max"] = None
            if fields["kind"] not in (Proposal.Kind.DOT_VOTE,):
                values["dots_per_voter"] = None
        rules = _clean_rules(values)
        options = None
        if "options" in fields or rules["kind"] != locked.kind:
            options = _clean_options(rules["kind"], list(fields.get("options") or []), group)
        bucket = fields.get("bucket", locked.bucket)
        _check_bucket(bucket, group)
        named = _check_voters(group, fields["voters"]) if "voters" in fields else None
        locked.title = title
        locked.details = fields.get("details", locked.details) or ""
        locked.closes_at = fields.get("closes_at", locked.closes_at)
        locked.bucket = bucket
        for name, value in rules.items():
            setattr(locked, name, value)
        if named is not None:
            locked.voters_are_members = fields["voters"] == "members"
        locked.save()
        if named is not None:
            locked.named_voters.set(named)
        if options is not None:
            _write_options(locked, options)
        _prepare_secret_ballot(locked)
        changed_before, changed_after = audit.changes(before, _audited(locked))
        if changed_after:
            audit.record(actor=actor, group=locked.group_id, action="proposal.edited", obj=locked,
                         before=changed_before, after=changed_after)
    return locked


def _audited(proposal: Proposal) -> dict:
    """What an edit may change, as the audit trail keeps it."""
    values = {name: getattr(proposal, name) for name in (
        "title", "details", "closes_at", "quorum_percent", "block_vetoes", "results_hidden_until_close", "bucket_id",
        "kind", "majority", "reason_required", "anonymous", "score_max", "dots_per_voter", "voters_are_members",
    )}
    values["voters"] = sorted(proposal.named_voters.values_list("pk", flat=True))
    values["options"] = list(proposal.options.order_by("position").values_list("label", flat=True))
    return values


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("invalid_reason", _("Say why: the reason is kept in the proposal's history."),
                          status=400, field="reason")
    if len(reason) > MAX_TEXT:
        raise DomainError("invalid", _("The reason is too long."), status=400, field="reason")
    return reason


def extend_proposal(*, proposal: Proposal, actor: User | None, closes_at: datetime, reason: str,
                    now: datetime | None = None) -> Proposal:
    """Give an open proposal more time (author or admin); the reason is kept in its history."""
    _require_manager(proposal=proposal, actor=actor)
    reason = _required_reason(reason)
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        now = now or timezone.now()
        if locked.closed_at is not None or now >= locked.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: an admin may reopen it instead."))
        if closes_at is None or closes_at <= locked.closes_at:
            raise DomainError("invalid_closes_at", _("The new closing time must be later than the current one."),
                              status=400, field="closes_at")
        ProposalEvent.objects.create(
            proposal=locked, action=ProposalEvent.Action.EXTENDED, actor=actor, at=now, reason=reason,
            closes_at_before=locked.closes_at, closes_at_after=closes_at,
        )
        audit.record(actor=actor, group=locked.group_id, action="proposal.extended", obj=locked,
                     before={"closes_at": locked.closes_at}, after={"closes_at": closes_at, "reason": reason})
        locked.closes_at = closes_at
        if closes_at - now > REMINDER_BEFORE:
            locked.reminder_sent_at = None  # a reminder again, a day before the new close
        locked.save(update_fields=["closes_at", "reminder_sent_at"])
    return locked


def reopen_proposal(*, proposal: Proposal, actor: User | None, closes_at: datetime, reason: str,
                    now: datetime | None = None) -> Proposal:
    """Reopen a closed proposal (admins, within 30 days of its close): its outcome is undone,
    every stance stays and may change again until the new close. What it was at close is kept
    with the reason in its history. A vote that settled a bucket cannot be reopened: the
    bucket's money has been decided."""
    if actor is not None and Membership.objects.filter(
        group_id=proposal.group_id, user=actor, role=Role.ADMIN
    ).count() == 0:
        raise DomainError("not_allowed", _("Only an admin of the group can reopen a proposal."), status=403)
    reason = _required_reason(reason)
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        now = now or timezone.now()
        if locked.closed_at is None:
            raise DomainError("proposal_open", _("This proposal is still open: extend it instead."))
        if now - locked.closed_at > REOPEN_WITHIN:
            raise DomainError("reopen_too_late", _("A proposal can be reopened only within 30 days of its close."))
        if locked.anonymous:
            raise DomainError("secret_ballot_final", _(
                "A secret ballot cannot be reopened: the counts published at its close would tell what the "
                "voters after it chose. Open a new vote."
            ))
        if locked.settles_bucket and locked.bucket_id is not None:
            raise DomainError("proposal_settled_bucket", _(
                "This vote decided a bucket's funding: it cannot be reopened. The board may decide again in a meeting."
            ))
        _check_closes_at(closes_at, now)
        tally = selectors.frozen_tally(locked)
        ProposalEvent.objects.create(
            proposal=locked, action=ProposalEvent.Action.REOPENED, actor=actor, at=now, reason=reason,
            closes_at_before=locked.closes_at, closes_at_after=closes_at,
            previous={
                "outcome": locked.outcome, "closed_at": locked.closed_at.isoformat(),
                "voters": tally.voters_count, "voted": tally.voted_count, "counts": tally.counts,
                "winner": locked.winner_id,
            },
        )
        audit.record(actor=actor, group=locked.group_id, action="proposal.reopened", obj=locked,
                     before={"outcome": locked.outcome, "closed_at": locked.closed_at, "closes_at": locked.closes_at},
                     after={"outcome": None, "closes_at": closes_at, "reason": reason})
        Proposal.objects.filter(pk=locked.pk).update(
            closed_at=None, outcome=None, closes_at=closes_at, reminder_sent_at=None, final_voters=None,
            final_voted=None, final_seen=None, final_agree=None, final_abstain=None, final_disagree=None,
            final_block=None, final_results=None, winner=None, chosen_option=None,
        )
        locked.refresh_from_db()
    return locked


# --- stances and views --------------------------------------------------------------------


def _seen(proposal: Proposal, user: User, now: datetime) -> None:
    try:
        with transaction.atomic():
            ProposalView.objects.get_or_create(proposal=proposal, user=user, defaults={"first_seen_at": now})
    except IntegrityError:  # a concurrent first view won the race; that one counts
        pass


def _check_proxy_stance(proposal: Proposal, *, voter: User, holder: User) -> None:
    """A proxy holder votes for `voter` only with the voter's proxy, still in force, within
    the group's limit (which an admin may have lowered since it was given)."""
    if holder.pk == voter.pk:
        raise DomainError("invalid_proxy", _("You cannot carry your own proxy: vote yourself."), status=400,
                          field="proxy_for")
    if not selectors.is_voter(holder, proposal):
        raise DomainError("not_a_voter", _("Only a voter on this proposal can carry a proxy."))
    proxies = Proxy.objects.filter(proposal=proposal, giver=voter, holder=holder)
    if not proxies.filter(ended_at=None).exists():
        if proxies.filter(end=Proxy.End.SUPERSEDED).exists():
            raise DomainError("proxy_superseded", _("%(name)s has voted themselves: their own stance prevails.")
                              % {"name": voter.display_name})
        raise DomainError("no_proxy", _("%(name)s has not given you their proxy.") % {"name": voter.display_name})
    carried = Proxy.objects.filter(proposal=proposal, holder=holder, ended_at=None).count()
    if carried > proposal.group.max_proxies_per_voter:
        raise DomainError("proxy_limit_reached", ngettext(
            "You carry %(n)s proxy; this group allows %(max)s per voter.",
            "You carry %(n)s proxies; this group allows %(max)s per voter.", carried,
        ) % {"n": carried, "max": proposal.group.max_proxies_per_voter})


def _same(current: Stance, choice, data, reason, cast_by, via) -> bool:
    return (current.choice, current.data, current.reason, current.cast_by_id, current.via) == (
        choice, data, reason, getattr(cast_by, "pk", None), via
    )


def set_stance(
    *,
    proposal: Proposal,
    user: User,
    choice: str | None = None,
    reason: str = "",
    scores=None,
    ranking=None,
    dots=None,
    availability=None,
    cast_by: User | None = None,
    via: str = "",
    now: datetime | None = None,
) -> Stance:
    """Take or change `user`'s stance. Every change is a new row; the previous one stops
    being latest. `cast_by` with `via`: an admin entering what the voter said by phone or on
    paper ("phone", "paper"), or the holder of the voter's proxy ("proxy").

    The proposal row is locked so that a stance and a close (or an edit, or a proxy) are
    serialised: a stance either counts in the outcome or is refused with proposal_closed."""
    if via not in Stance.Via.values or (via and cast_by is None):
        raise DomainError("invalid_via", _("A stance is given by the voter, by phone, on paper or by proxy."),
                          status=400, field="via")
    if cast_by is not None and cast_by.pk == user.pk and via != Stance.Via.PROXY:
        cast_by, via = None, ""  # an admin entering their own stance simply votes
    if cast_by is None:
        via = ""
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise DomainError("invalid", _("The reason is too long."), status=400, field="reason")
    values = {"choice": choice, "scores": scores, "ranking": ranking, "dots": dots, "availability": availability}
    with transaction.atomic(durable=True):
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("group").get(pk=proposal.pk)
        now = now or timezone.now()
        if proposal.closed_at is not None or now >= proposal.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: stances can no longer change."))
        if via == Stance.Via.PROXY:
            _check_proxy_stance(proposal, voter=user, holder=cast_by)
        elif via and not Membership.objects.filter(group_id=proposal.group_id, user=cast_by, role=Role.ADMIN).exists():
            raise DomainError("not_allowed", _("Only an admin can enter a stance given by phone or on paper."), status=403)
        if not selectors.is_voter(user, proposal):
            if cast_by is None:
                raise DomainError("not_a_voter", _("You are not a voter on this proposal; you can still comment."))
            raise DomainError("not_a_voter", _("%(name)s is not a voter on this proposal.") % {"name": user.display_name})
        option_ids = list(proposal.options.values_list("id", flat=True))
        choice, data = ballots.parse_ballot(proposal, option_ids, values)
        if ballots.reason_missing(proposal, choice, reason):
            raise DomainError("reason_required", _("This proposal asks for a reason with this stance."), field="reason")
        current = Stance.objects.filter(proposal=proposal, user=user, is_latest=True).first()
        if proposal.anonymous:
            if current is not None:
                raise DomainError("stance_final", _(
                    "This is a secret ballot: a ballot cast cannot be changed, or cast again by someone else."
                ))
            stance = Stance.objects.create(proposal=proposal, user=user, created_at=now, cast_by=cast_by, via=via)
            counter, _created = AnonymousBallot.objects.get_or_create(
                proposal=proposal, content=ballots.canonical(choice, data)
            )
            AnonymousBallot.objects.filter(pk=counter.pk).update(count=F("count") + 1)
            if reason:
                AnonymousReason.objects.create(proposal=proposal, choice=choice, text=reason)
        else:
            if current is not None and _same(current, choice, data, reason, cast_by, via):
                return current  # nothing changed: PUT is idempotent
            if current is not None:
                Stance.objects.filter(pk=current.pk).update(is_latest=False)
            stance = Stance.objects.create(
                proposal=proposal, user=user, choice=choice, data=data, reason=reason, created_at=now,
                cast_by=cast_by, via=via,
            )
        if via != Stance.Via.PROXY:
            # The voter expressed themselves (in the app, by phone or on paper): their proxy ends.
            Proxy.objects.filter(proposal=proposal, giver=user, ended_at=None).update(
                ended_at=now, end=Proxy.End.SUPERSEDED
            )
        # Whoever takes a stance in the app has seen the proposal, even through the API.
        if via == "":
            _seen(proposal, user, now)
        elif via == Stance.Via.PROXY:
            _seen(proposal, cast_by, now)
        return stance


def give_proxy(*, proposal: Proposal, giver: User, holder: User, recorded_by: User | None = None,
               now: datetime | None = None) -> Proxy:
    """`giver` lets `holder` vote for them on this proposal (a pouvoir). `recorded_by` an
    admin records a proxy handed in on paper. A new proxy replaces the giver's previous one."""
    recorded_by = recorded_by or giver
    if recorded_by.pk != giver.pk and not Membership.objects.filter(
        group_id=proposal.group_id, user=recorded_by, role=Role.ADMIN
    ).exists():
        raise DomainError("not_allowed", _("Only an admin can record someone else's proxy."), status=403)
    if holder.pk == giver.pk:
        raise DomainError("invalid_proxy", _("A proxy goes to another voter, not to oneself."), status=400, field="holder")
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update(of=("self",)).select_related("group").get(pk=proposal.pk)
        now = now or timezone.now()
        if locked.closed_at is not None or now >= locked.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: proxies can no longer change."))
        if not selectors.is_voter(giver, locked):
            raise DomainError("not_a_voter", _("Only a voter on this proposal can give a proxy."))
        if not selectors.is_voter(holder, locked):
            raise DomainError("invalid_proxy", _("%(name)s is not a voter on this proposal: a proxy goes to a voter.")
                              % {"name": holder.display_name}, status=400, field="holder")
        limit = locked.group.max_proxies_per_voter
        if limit == 0:
            raise DomainError("proxy_limit_reached", _("This group accepts no proxies."))
        mine = Stance.objects.filter(proposal=locked, user=giver, is_latest=True).first()
        if mine is not None and (locked.anonymous or mine.via != Stance.Via.PROXY):
            raise DomainError("already_voted", _("You have already voted: your own stance counts, a proxy would not."))
        current = Proxy.objects.filter(proposal=locked, giver=giver, ended_at=None).first()
        if current is not None and current.holder_id == holder.pk:
            return current
        carried = Proxy.objects.filter(proposal=locked, holder=holder, ended_at=None).count()
        if carried >= limit:
            raise DomainError("proxy_limit_reached", ngettext(
                "%(name)s already carries %(n)s proxy, the most this group allows.",
                "%(name)s already carries %(n)s proxies, the most this group allows.", carried,
            ) % {"name": holder.display_name, "n": carried})
        if current is not None:
            Proxy.objects.filter(pk=current.pk).update(ended_at=now, end=Proxy.End.WITHDRAWN)
        return Proxy.objects.create(proposal=locked, giver=giver, holder=holder, given_at=now, recorded_by=recorded_by)


def withdraw_proxy(*, proxy: Proxy, actor: User, now: datetime | None = None) -> Proxy:
    """The giver (or an admin) takes a proxy back while the proposal is open."""
    if actor.pk != proxy.giver_id and not Membership.objects.filter(
        group_id=proxy.proposal.group_id, user=actor, role=Role.ADMIN
    ).exists():
        raise DomainError("not_allowed", _("Only its giver or an admin can withdraw a proxy."), status=403)
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update().get(pk=proxy.proposal_id)
        now = now or timezone.now()
        if locked.closed_at is not None or now >= locked.closes_at:
            raise DomainError("proposal_closed", _("This proposal is closed: proxies can no longer change."))
        Proxy.objects.filter(pk=proxy.pk, ended_at=None).update(ended_at=now, end=Proxy.End.WITHDRAWN)
        proxy.refresh_from_db()
    return proxy


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
    its round's closing opened (never by one a member opened and linked to it). A bucket the
    board already decided in the meeting room keeps that decision."""
    if proposal.bucket_id is None or not proposal.settles_bucket:
        return
    try:
        bucket_services.settle_to_decide(
            bucket_id=proposal.bucket_id, funded=outcome == Proposal.Outcome.ADOPTED, now=now
        )
    except DomainError:
        pass


def _outcome_of(proposal: Proposal, tally) -> tuple[str, dict | None, int | None]:
    """(outcome, frozen results, winner) of a proposal about to close."""
    if not proposal.is_poll:
        outcome = compute_outcome(
            voters_count=tally.voters_count, counts=tally.counts, quorum_percent=proposal.quorum_percent,
            block_vetoes=proposal.block_vetoes, majority=proposal.majority,
        )
        return outcome, None, None
    if not counting.quorum_met(voters_count=tally.voters_count, voted=tally.voted_count,
                               quorum_percent=proposal.quorum_percent):
        return Proposal.Outcome.NO_QUORUM, tally.results, None
    # A poll adopts its winning option; a tie (or no ballot) decides nothing.
    winner = tally.results["winner"]
    return (Proposal.Outcome.ADOPTED if winner else Proposal.Outcome.REJECTED), tally.results, winner


def _close(*, pk: int, now: datetime | None, notify: bool) -> tuple[Proposal, bool]:
    """Close proposal `pk` unless it is closed; returns it and whether this call closed it."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=pk)
        if locked.closed_at is not None:
            return locked, False
        now = now or timezone.now()
        tally = selectors.live_tallies([locked])[locked.pk]
        outcome, results, winner = _outcome_of(locked, tally)
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
            final_results=results,
            winner_id=winner,
            chosen_option_id=winner if locked.kind == Proposal.Kind.MEETING_TIME else None,
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
    with transaction.atomic(durable=True):
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
        with transaction.atomic(durable=True):
            if Proposal.objects.filter(pk=pk, reminder_sent_at=None).update(reminder_sent_at=now) == 1:
                proposal = Proposal.objects.get(pk=pk)
                events.emit("proposal.closing_soon", group_id=proposal.group_id, obj=proposal)
                _queue("send_reminder", pk)
                count += 1
    return count


def set_statement(*, proposal: Proposal, actor: User, statement: str, chosen_option: int | None = None,
                  now: datetime | None = None) -> Proposal:
    """The outcome statement, written by the author or an admin once the proposal is closed;
    for a meeting-time poll, also the slot chosen (the winner by default, another on a tie)."""
    _require_manager(proposal=proposal, actor=actor)
    proposal = close_if_due(proposal=proposal, now=now)
    statement = (statement or "").strip()
    if len(statement) > MAX_TEXT:
        raise DomainError("invalid", _("The statement is too long."), status=400, field="statement")
    with transaction.atomic(durable=True):
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.closed_at is None:
            raise DomainError("proposal_open", _("The outcome can be stated once the proposal is closed."))
        if locked.statement != statement:
            audit.record(actor=actor, group=locked.group_id, action="proposal.statement_changed", obj=locked,
                         before={"statement": locked.statement}, after={"statement": statement})
        fields = ["statement"]
        if chosen_option is not None:
            if locked.kind != Proposal.Kind.MEETING_TIME:
                raise DomainError("invalid_option", _("Only a meeting-time poll has a slot to choose."), status=400,
                                  field="chosen_option")
            if not ProposalOption.objects.filter(proposal=locked, pk=chosen_option).exists():
                raise DomainError("invalid_option", _("This slot is not one of the poll's."), status=400,
                                  field="chosen_option")
            locked.chosen_option_id = chosen_option
            fields.append("chosen_option")
        locked.statement = statement
        locked.save(update_fields=fields)
    return locked
