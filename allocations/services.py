"""Every write that moves money: publishing a round (envelopes), envelope amounts, top-ups,
allocations, and withdrawing or merging a bucket (which refunds its allocations).

Lock order, everywhere: envelope rows first (by id), then bucket rows (by id). A service that
needs both takes them in that order inside one short `transaction.atomic()`, so that two
requests can never wait on each other in a cycle. Every change appends a LedgerEntry in the
same transaction, naming the actor.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from celery import current_app
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from allocations import outbox, selectors
from allocations.models import Allocation, AllocationNotice, Envelope, LedgerEntry, Topup
from audit import services as audit
from buckets import notices
from buckets.models import Bucket, Phase, Round
from buckets.services import (
    EDITABLE_STATUSES,
    is_colead_or_admin,
    lock_open_round,
    require_admin,
    require_colead,
)
from cobudget import confirm
from cobudget.dates import format_when, zone_of
from cobudget.errors import DomainError
from cobudget.money import MAX_AMOUNT, ZERO, format_money, parse_amount
from groups.models import ENVELOPE_ROLES, Membership, Role, User

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class AllocationResult:
    amount: Decimal
    bucket_total: Decimal
    envelope_remaining: Decimal
    funded: bool = False  # this allocation filled the bucket to its max goal and funded it (permanent rounds)


class _Retry(Exception):
    """The set of rows to lock changed between reading and locking: start again."""


def _ledger(*, round_id, member_id, actor, kind, before, after, bucket_id=None, note="") -> LedgerEntry:
    return LedgerEntry(
        round_id=round_id,
        member_id=member_id,
        actor_id=actor.pk if actor is not None else None,
        bucket_id=bucket_id,
        kind=kind,
        before=before,
        after=after,
        note=note[:200],
    )


# --- rounds and envelopes -----------------------------------------------------------------------


def publish_round(*, round: Round, actor: User | None) -> Round:
    """Leave draft: the round becomes visible and every member with an envelope role gets an
    envelope (the round's default amount unless one was already set for them)."""
    require_admin(actor, round.group)
    with transaction.atomic(durable=True):
        # FOR NO KEY UPDATE, as closing does: ledger inserts elsewhere take KEY SHARE on it.
        round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round.pk)
        if round.published_at is not None:
            raise DomainError("round_published", _("This round is already published."))
        if round.kind == Round.Kind.FIXED and (round.funding_opens_at is None or round.funding_closes_at is None):
            raise DomainError("round_dates_missing",
                              _("Set when funding opens and closes before publishing this round."))
        round.published_at = timezone.now()
        round.save(update_fields=["published_at"])
        audit.record(actor=actor, group=round.group, action="round.published", obj=round,
                     after={"published_at": round.published_at})
        _create_missing_envelopes(round=round, actor=actor)
        notices.round_published(round=round)
    return round


def _create_missing_envelopes(*, round: Round, actor: User | None) -> int:
    have = set(Envelope.objects.filter(round=round).values_list("user_id", flat=True))
    user_ids = [
        uid
        for uid in Membership.objects.filter(group_id=round.group_id, role__in=ENVELOPE_ROLES)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        if uid not in have
    ]
    Envelope.objects.bulk_create(
        [Envelope(round=round, user_id=uid, amount=round.envelope_amount) for uid in user_ids],
        ignore_conflicts=True,
    )
    LedgerEntry.objects.bulk_create(
        [
            _ledger(round_id=round.pk, member_id=uid, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                    before=ZERO, after=round.envelope_amount, note="default envelope")
            for uid in user_ids
        ]
    )
    return len(user_ids)


def _refuse_if_closed(round: Round) -> None:
    if round.phase == Phase.CLOSED:
        raise DomainError("round_closed", _("This round is closed."))


def _set_envelope_amount(*, round: Round, user: User, amount: Decimal, actor: User | None) -> Envelope:
    """Without the permission check (the membership hook uses it for CSV imports)."""
    amount = parse_amount(amount, currency=round.currency)
    with transaction.atomic():
        # The round read under its lock (round, then envelope: the usual order), so that an
        # early close committed meanwhile is seen.
        round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round.pk)
        _refuse_if_closed(round)
        envelope = Envelope.objects.select_for_update().filter(round=round, user=user).first()
        if envelope is None:
            membership = Membership.objects.filter(group_id=round.group_id, user=user).first()
            if membership is None or membership.role not in ENVELOPE_ROLES:
                raise DomainError("no_envelope", _("This person has no envelope in this round (their role has none)."))
            envelope, _created = Envelope.objects.get_or_create(round=round, user=user, defaults={"amount": ZERO})
            envelope = Envelope.objects.select_for_update().get(pk=envelope.pk)
        if amount < envelope.allocated:
            raise DomainError(
                "envelope_below_allocated",
                _("%(name)s has already allocated %(allocated)s; the envelope cannot be smaller.")
                % {"name": user.display_name, "allocated": format_money(envelope.allocated, round.currency)},
            )
        before = envelope.amount
        Envelope.objects.filter(pk=envelope.pk).update(amount=amount, is_custom=True)
        if before != amount:
            _ledger(round_id=round.pk, member_id=user.pk, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                    before=before, after=amount).save()
        envelope.amount, envelope.is_custom = amount, True
    return envelope


def set_envelope_amount(*, round: Round, user: User, amount, actor: User | None) -> Envelope:
    """An admin sets one member's envelope (weighted envelopes); never below what they have
    already allocated."""
    require_admin(actor, round.group)
    with transaction.atomic(durable=True):
        return _set_envelope_amount(round=round, user=user, amount=amount, actor=actor)


MAX_PERIOD = 32


def default_period(round: Round, now: datetime | None = None) -> str:
    """The current year in the group's time zone: yearly top-ups are named after it."""
    now = now or timezone.now()
    return str(timezone.localtime(now, zone_of(round.group)).year)


def clean_period(period) -> str:
    text = " ".join(str(period or "").split())
    if not text:
        raise DomainError("invalid_period", _("Name the period of this top-up, such as 2027."), status=400, field="period")
    if len(text) > MAX_PERIOD or not text.isprintable():
        raise DomainError("invalid_period", _("The period is a short label, such as 2027 (at most %(n)d characters).")
                          % {"n": MAX_PERIOD}, status=400, field="period")
    return text


def granted_topup(*, round: Round, period: str) -> Topup | None:
    return Topup.objects.select_related("granted_by").filter(round=round, period=period).first()


def _already_granted(topup: Topup, round: Round) -> DomainError:
    return DomainError(
        "topup_already_granted",
        _("The top-up “%(period)s” was already granted on %(date)s by %(name)s (%(amount)s per envelope); "
          "a period is granted once.") % {
            "period": topup.period,
            "date": format_when(topup.granted_at, "datetime", round.group),
            "name": topup.granted_by.display_name if topup.granted_by else _("the system"),
            "amount": format_money(topup.amount, round.currency),
        },
    )


def _refuse_unless_funding(round: Round) -> None:
    phase = round.phase
    if phase == Phase.CLOSED:
        raise DomainError("round_closed", _("This round is closed."))
    if phase != Phase.FUNDING:
        raise DomainError("round_not_funding", _("Publish the round before granting a top-up."))


def check_topup(*, round: Round, amount, period, actor: User | None) -> tuple[Decimal, str]:
    """What grant_topup refuses before touching anything (a confirmation page asks first):
    returns the amount and the period, cleaned."""
    require_admin(actor, round.group)
    amount = parse_amount(amount, currency=round.currency)
    if amount <= 0:
        raise DomainError("invalid_amount", _("The top-up must be above zero."), status=400, field="amount")
    period = clean_period(default_period(round) if period is None else period)
    if round.kind != Round.Kind.PERMANENT:
        raise DomainError("not_permanent", _("Only a permanent round receives top-ups."))
    _refuse_unless_funding(round)
    existing = granted_topup(round=round, period=period)
    if existing is not None:
        raise _already_granted(existing, round)
    return amount, period


def grant_topup(*, round: Round, amount, actor: User | None, period: str | None = None,
                expect_envelopes: int | None = None) -> Topup:
    """The yearly top-up of a permanent round: add `amount` to every envelope, once per
    `period` (default: the current year). One transaction: the top-up row, every envelope and
    its ledger row, or nothing. A period already granted is refused (topup_already_granted),
    also when two grants race (the round's row lock serialises them, the unique key holds).
    `expect_envelopes`: the count an admin confirmed; another count refuses as stale."""
    amount, period = check_topup(round=round, amount=amount, period=period, actor=actor)
    with transaction.atomic(durable=True):
        round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round.pk)
        _refuse_unless_funding(round)
        existing = granted_topup(round=round, period=period)
        if existing is not None:
            raise _already_granted(existing, round)
        envelopes = list(selectors.topup_envelopes(round).select_for_update().order_by("id"))
        if expect_envelopes is not None and len(envelopes) != expect_envelopes:
            raise confirm.stale()
        entries = []
        for envelope in envelopes:
            if envelope.amount + amount > MAX_AMOUNT:
                raise DomainError("invalid_amount", _("The envelopes would become too large."), status=400, field="amount")
            entries.append(_ledger(round_id=round.pk, member_id=envelope.user_id, actor=actor, kind=LedgerEntry.Kind.TOPUP,
                                   before=envelope.amount, after=envelope.amount + amount, note=f"top-up {period}"))
            envelope.amount += amount
        try:
            with transaction.atomic():
                topup = Topup.objects.create(round=round, period=period, amount=amount, envelopes=len(envelopes),
                                             granted_by=actor)
        except IntegrityError:
            raise _already_granted(granted_topup(round=round, period=period), round) from None
        Envelope.objects.bulk_update(envelopes, ["amount"], batch_size=500)
        LedgerEntry.objects.bulk_create(entries, batch_size=500)
        audit.record(actor=actor, group=round.group_id, action="round.topup", obj=round,
                     after={"period": period, "amount": amount, "envelopes": len(envelopes)})
    return topup


def apply_default_envelope(*, round: Round, actor: User | None) -> int:
    """After the round's default amount changed: envelopes nobody customised follow it."""
    with transaction.atomic():
        envelopes = list(Envelope.objects.select_for_update().filter(round=round, is_custom=False).order_by("id"))
        entries = []
        for envelope in envelopes:
            if envelope.amount == round.envelope_amount:
                continue
            if round.envelope_amount < envelope.allocated:
                raise DomainError(
                    "envelope_below_allocated",
                    _("Some members have already allocated more than %(amount)s.")
                    % {"amount": format_money(round.envelope_amount, round.currency)},
                )
            entries.append(_ledger(round_id=round.pk, member_id=envelope.user_id, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                                   before=envelope.amount, after=round.envelope_amount, note="default envelope"))
            envelope.amount = round.envelope_amount
        Envelope.objects.bulk_update(envelopes, ["amount"], batch_size=500)
        LedgerEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def on_round_changed(*, round: Round, changed: set, actor: User | None) -> None:
    """buckets.services.ROUND_HOOKS: runs inside update_round's transaction."""
    if "envelope_amount" in changed:
        apply_default_envelope(round=round, actor=actor)


def _open_rounds_locked(group_id: int):
    """The group's rounds that are not closed, locked FOR NO KEY UPDATE in id order, so that a
    round being published meanwhile is seen published once its publisher commits (otherwise
    neither side would create a joiner's envelope)."""
    rounds = Round.objects.select_for_update(no_key=True).filter(group_id=group_id, closed_at=None).order_by("id")
    return [round for round in rounds if round.phase != Phase.CLOSED]


def on_membership_changed(*, membership: Membership, envelope_amount, actor: User | None) -> None:
    """groups.services.MEMBERSHIP_HOOKS: a member with an envelope role gets an envelope in each
    published round that is not closed; an imported amount becomes theirs in every round of the
    group that is not closed (draft rounds included: publishing keeps it)."""
    if membership.role not in ENVELOPE_ROLES:
        retire_envelopes(membership=membership, actor=actor)
        return
    for round in _open_rounds_locked(membership.group_id):
        if envelope_amount is not None:
            _set_envelope_amount(round=round, user=membership.user, amount=envelope_amount, actor=actor)
        elif round.published_at is not None:
            envelope, created = Envelope.objects.get_or_create(
                round=round, user=membership.user, defaults={"amount": round.envelope_amount}
            )
            if created:
                _ledger(round_id=round.pk, member_id=membership.user_id, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                        before=ZERO, after=round.envelope_amount, note="default envelope").save()
            elif (not envelope.is_custom and envelope.amount == envelope.allocated
                  and envelope.amount < round.envelope_amount):
                # Back to a role with an envelope after a retirement (which left it at what was
                # committed to funded buckets, often 0): the default again.
                Envelope.objects.filter(pk=envelope.pk).update(amount=round.envelope_amount)
                _ledger(round_id=round.pk, member_id=membership.user_id, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                        before=envelope.amount, after=round.envelope_amount, note="default envelope").save()


def retire_envelopes(*, membership: Membership, actor: User | None) -> None:
    """A person who leaves the group, or whose role no longer has an envelope (a member made
    contributor or accountant), keeps no money in the rounds that are not closed: their
    allocations go back (refund rows) and their envelope becomes 0, so that the round's totals
    count only the people who may spend. Closed rounds keep their history untouched, and so
    does money already committed: what they gave a bucket a permanent fund has funded stays
    with it, and their envelope keeps exactly that.

    Runs inside the membership's transaction (groups.services hooks). Locks in the usual
    order: envelope first, then the buckets by id."""
    for round in _open_rounds_locked(membership.group_id):
        envelope = Envelope.objects.select_for_update().filter(round=round, user_id=membership.user_id).first()
        if envelope is None or (envelope.amount == ZERO and envelope.allocated == ZERO):
            continue
        allocations = list(Allocation.objects.filter(envelope=envelope).order_by("bucket_id"))
        buckets = {
            b.pk: b
            for b in Bucket.objects.select_for_update().filter(pk__in=[a.bucket_id for a in allocations]).order_by("id")
        }
        committed = [a for a in allocations if buckets[a.bucket_id].status != Bucket.Status.OPEN]
        allocations = [a for a in allocations if buckets[a.bucket_id].status == Bucket.Status.OPEN]
        kept = sum((a.amount for a in committed), ZERO)
        if not allocations and envelope.amount == kept:
            continue  # retired already: only committed money left
        entries = []
        for allocation in allocations:
            bucket = buckets[allocation.bucket_id]
            bucket.total -= allocation.amount
            bucket.contributors_count -= 1
            entries.append(_ledger(round_id=round.pk, member_id=membership.user_id, actor=actor,
                                   kind=LedgerEntry.Kind.REFUND, before=allocation.amount, after=ZERO,
                                   bucket_id=bucket.pk, note="envelope retired"))
        Bucket.objects.bulk_update([buckets[a.bucket_id] for a in allocations], ["total", "contributors_count"])
        Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
        entries.append(_ledger(round_id=round.pk, member_id=membership.user_id, actor=actor,
                               kind=LedgerEntry.Kind.ENVELOPE, before=envelope.amount, after=kept,
                               note="envelope retired"))
        Envelope.objects.filter(pk=envelope.pk).update(amount=kept, allocated=kept, is_custom=False)
        LedgerEntry.objects.bulk_create(entries)


def on_membership_removed(*, membership: Membership, actor: User | None) -> None:
    """groups.services.REMOVAL_HOOKS."""
    retire_envelopes(membership=membership, actor=actor)


# --- allocation ---------------------------------------------------------------------------------


def _tell_coleads_now() -> None:
    """Without a broker (development, tests: tasks run in-process) the co-leads hear of an
    allocation right after its commit; with one, the beat's sweep tells them within a minute
    (allocations.outbox), so that the request never talks to the broker."""
    if current_app.conf.task_always_eager:  # the project's app (cobudget.celery), seen from below it
        outbox.tell_coleads()


# Every refusal of set_allocation (409), worded once for both paths: the database's function
# decides and returns only the code and the figure the message needs; Python words it in the
# person's language. code → (message, the name of its figure or None).
_REFUSALS = {
    "round_closed": (gettext_noop("This round is closed: allocations can no longer change."), None),
    "round_not_funding": (gettext_noop("Allocation has not opened yet in this round."), None),
    "bucket_not_open": (gettext_noop("This bucket is not open for funding."), None),
    "no_envelope": (gettext_noop("You have no envelope in this round."), None),
    "envelope_exceeded": (
        gettext_noop("This is more than your envelope allows: you can give this bucket at most %(most)s."), "most"),
    "per_bucket_cap_exceeded": (gettext_noop("Each member may give at most %(cap)s to one bucket."), "cap"),
    "bucket_max_exceeded": (
        gettext_noop("This would take the bucket past its maximum goal: you can give it at most %(most)s."), "most"),
}


def _refusal(code: str, figure: Decimal | None = None, currency: str = "EUR") -> DomainError:
    """The refusal `code` of _REFUSALS; `figure` is what the person may still give, or the cap."""
    message, name = _REFUSALS[code]
    detail = _(message)
    if name is not None:
        detail = detail % {name: format_money(figure, currency)}
    return DomainError(code, detail)


def _require_may_allocate_for(*, member: User, round: Round, actor: User) -> None:
    if actor.pk != member.pk:
        actor_role = (
            Membership.objects.filter(group_id=round.group_id, user_id=actor.pk).values_list("role", flat=True).first()
        )
        if actor_role != Role.ADMIN:
            raise DomainError("forbidden", _("Only an admin may enter an allocation for someone else."), status=403)


def set_allocation(*, member: User, bucket: Bucket, amount, actor: User, now=None) -> AllocationResult:
    """Set `member`'s allocation on `bucket` to `amount` (absolute; 0 removes it).

    Rules 1-8 of PRODUCT.md, and in a permanent round the funding of a bucket by the
    allocation that fills it to its max goal. Locks the envelope row, then the bucket row;
    refuses with a DomainError and changes nothing when a rule says no.

    `bucket` needs only its pk and its round's pk, group_id and currency (the API passes the
    light instance the fast path reads): everything the rules read is
    read again under the locks.

    `now`, given by tests, stands for the clock the rules read (the phase); rows are always
    stamped with the real clock.
    """
    round = bucket.round
    amount = parse_amount(amount, currency=round.currency)
    _require_may_allocate_for(member=member, round=round, actor=actor)
    return _allocate(member=member, bucket=bucket, amount=amount, actor=actor, now=now)


def _allocate(*, member: User, bucket: Bucket, amount: Decimal, actor: User, now=None) -> AllocationResult:
    """set_allocation once the amount is parsed and the actor allowed. In a caller's
    transaction (set_allocations' sheet) it runs in a savepoint; otherwise in its own.

    On PostgreSQL the rules run in the database (_set_allocation_postgres, one statement); on
    SQLite in Python (_set_allocation_python, the readable statement of the rules). The same
    tests run against each, and on PostgreSQL a test runs both on the same random operations
    and compares every outcome and every row."""
    implementation = _set_allocation_postgres if connection.vendor == "postgresql" else _set_allocation_python
    return implementation(member=member, bucket=bucket, amount=amount, actor=actor, now=now)


def _set_allocation_python(*, member: User, bucket: Bucket, amount: Decimal, actor: User, now) -> AllocationResult:
    """set_allocation's rules and writes in plain Django. The function of migration
    allocations/0009 does the same, step by step, in the same order."""
    round_id = bucket.round.pk
    # Its own transaction when nobody else's is open (durable: its commit is the allocation's);
    # a savepoint inside a caller's, which commits or rolls back the whole.
    with transaction.atomic(durable=not connection.in_atomic_block):
        # Envelope, then bucket: the lock order of every writer, so that two requests never
        # wait on each other in a cycle.
        envelope = Envelope.objects.select_for_update().filter(round_id=round_id, user_id=member.pk).first()
        locked = Bucket.objects.select_for_update().get(pk=bucket.pk)
        # The round, and the clock, are read after the locks: a request that waited for a busy
        # bucket while the round was closed, or past its deadline, is refused (rule 8).
        round = Round.objects.get(pk=round_id)
        clock = timezone.now()
        phase = round.phase_at(now or clock)
        if phase == Phase.CLOSED:
            raise _refusal("round_closed")
        if phase != Phase.FUNDING:
            raise _refusal("round_not_funding")
        if locked.status != Bucket.Status.OPEN:  # funded ones too: their allocations no longer change
            raise _refusal("bucket_not_open")
        if envelope is None:
            raise _refusal("no_envelope")
        # Only written under these two locks: what is read here stays true until the commit.
        existing = Allocation.objects.filter(envelope=envelope, bucket=locked).first()
        before = existing.amount if existing is not None else ZERO
        if amount == before:
            return AllocationResult(amount=amount, bucket_total=locked.total, envelope_remaining=envelope.remaining)
        # Lowering is always allowed on an open bucket: it only gives money back.
        increase = amount > before
        allocated = envelope.allocated - before + amount
        total = locked.total - before + amount
        if increase and allocated > envelope.amount:
            raise _refusal("envelope_exceeded", envelope.remaining + before, round.currency)
        cap = round.max_per_member_per_bucket
        if increase and cap is not None and amount > cap:
            raise _refusal("per_bucket_cap_exceeded", cap, round.currency)
        if increase and total > locked.max_goal:
            raise _refusal("bucket_max_exceeded", locked.max_goal - locked.total + before, round.currency)

        contributors = locked.contributors_count
        if existing is None:
            Allocation.objects.create(envelope=envelope, bucket=locked, amount=amount, updated_at=clock)
            contributors += 1
        elif amount == ZERO:
            existing.delete()
            contributors -= 1
        else:
            existing.amount, existing.updated_at = amount, clock
            existing.save(update_fields=["amount", "updated_at"])
        Envelope.objects.filter(pk=envelope.pk).update(allocated=allocated)
        bucket_changes = {"total": total, "contributors_count": contributors}
        # A permanent round never closes to fund its buckets: each one is funded by the
        # allocation that fills it to its max goal, in that allocation's transaction, so that
        # its total is final the moment it is funded. The sweep announces it afterwards
        # (funding_announced_at stays empty until then).
        funded = round.kind == Round.Kind.PERMANENT and total == locked.max_goal
        if funded:
            bucket_changes.update(status=Bucket.Status.FUNDED, funded_at=clock, decided_at=clock, funded_amount=total,
                                  updated_at=clock)
        Bucket.objects.filter(pk=locked.pk).update(**bucket_changes)
        entry = LedgerEntry.objects.create(
            round_id=round_id, member_id=member.pk, actor_id=actor.pk, bucket_id=locked.pk,
            kind=LedgerEntry.Kind.ALLOCATION, before=before, after=amount, created_at=clock,
            note="on behalf" if actor.pk != member.pk else "",
        )
        # The co-leads' notice in the same transaction (allocations.outbox): never lost, never
        # sent for an allocation that rolled back.
        AllocationNotice.objects.create(entry=entry)
        transaction.on_commit(_tell_coleads_now, robust=True)  # logged if it fails; the rows wait for the next try
    return AllocationResult(amount=amount, bucket_total=total, envelope_remaining=envelope.amount - allocated,
                            funded=funded)


def _set_allocation_postgres(*, member: User, bucket: Bucket, amount: Decimal, actor: User, now) -> AllocationResult:
    """set_allocation on PostgreSQL: one call of the allocations_set_allocation function
    (migration allocations/0009), which locks, checks the rules and writes as
    _set_allocation_python does. In autocommit the statement is its own transaction: no
    BEGIN and COMMIT around it, on the busiest write of a round. Only the wording of a
    refusal is left here."""
    statement = (
        "SELECT outcome, amount, bucket_total, remaining, most, currency FROM allocations_set_allocation("
        "%s, %s, %s, %s, %s, %s::timestamptz, %s)"
    )
    params = [bucket.round.pk, member.pk, bucket.pk, amount, actor.pk, now,
              "on behalf" if actor.pk != member.pk else ""]
    if connection.in_atomic_block:  # a caller's transaction: a savepoint, as the Python path's atomic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
    outcome, result_amount, total, remaining, most, currency = row
    if outcome == "no_bucket":
        raise Bucket.DoesNotExist
    if outcome == "no_round":
        raise Round.DoesNotExist
    if outcome not in ("done", "funded", "unchanged"):
        raise _refusal(outcome, most, currency)
    if outcome != "unchanged":
        transaction.on_commit(_tell_coleads_now, robust=True)  # logged if it fails; the rows wait for the next try
    return AllocationResult(amount=result_amount, bucket_total=total, envelope_remaining=remaining,
                            funded=outcome == "funded")


def set_allocations(*, member: User, round: Round, amounts: dict, actor: User) -> dict[int, AllocationResult]:
    """A whole allocation sheet (the member's, or a paper form an admin enters): `amounts` maps
    bucket ids of `round` to absolute amounts. All are saved, or none: the first refusal is
    raised with `field` naming its line (`amount-<bucket id>`) and the bucket's title.

    Locks the envelope, then every bucket of the sheet by id (the order of every writer),
    before any change; lowered lines are applied before raised ones, so that moving money
    from one bucket to another within a full envelope is accepted.

    A paper form lists every open bucket: during funding, a line that keeps its amount on a
    bucket no longer open (funded by someone else while the form was filled, in a permanent
    round, or withdrawn) is no change, and is left out (no result) instead of refusing the
    whole form."""
    _require_may_allocate_for(member=member, round=round, actor=actor)
    parsed = {}
    titles = dict(Bucket.objects.filter(round=round, pk__in=list(amounts)).values_list("pk", "title"))
    for bucket_id, raw in amounts.items():
        if bucket_id not in titles:
            raise Bucket.DoesNotExist
        try:
            parsed[bucket_id] = parse_amount(raw, currency=round.currency)
        except DomainError as exc:
            raise _on_line(exc, bucket_id, titles[bucket_id]) from exc
    results = {}
    with transaction.atomic(durable=not connection.in_atomic_block):
        list(Envelope.objects.select_for_update().filter(round=round, user=member))
        buckets = list(Bucket.objects.select_for_update().select_related("round", "round__group")
                       .filter(pk__in=list(parsed)).order_by("id"))
        current = dict(Allocation.objects.filter(envelope__round=round, envelope__user=member)
                       .values_list("bucket_id", "amount"))
        lines = sorted(buckets, key=lambda b: (parsed[b.pk] > current.get(b.pk, ZERO), b.pk))
        in_funding = bool(buckets) and buckets[0].round.phase == Phase.FUNDING  # read with the bucket locks
        for bucket in lines:
            if in_funding and bucket.status != Bucket.Status.OPEN and parsed[bucket.pk] == current.get(bucket.pk, ZERO):
                continue
            try:
                # The inner path: a savepoint in this transaction.
                results[bucket.pk] = _allocate(member=member, bucket=bucket, amount=parsed[bucket.pk], actor=actor)
            except DomainError as exc:
                raise _on_line(exc, bucket.pk, bucket.title) from exc
    return results


def _on_line(exc: DomainError, bucket_id: int, title: str) -> DomainError:
    return DomainError(exc.code, _("“%(title)s”: %(detail)s") % {"title": title, "detail": exc.detail},
                       status=exc.status, field=f"amount-{bucket_id}")


# --- withdrawing and merging (refunds) ------------------------------------------------------------


def _refund_all(*, bucket: Bucket, actor: User | None, status: str, into: Bucket | None = None,
                expect: tuple[int, Decimal] | None = None, still=None) -> Bucket:
    """Return every allocation on `bucket` to its envelope at once and set its status.
    `expect`: the (contributions, amount) the person confirmed; other figures under the locks
    refuse with confirmation_stale and change nothing. `still(round, bucket)`: a condition
    read again under the locks (an expiry still due); False refuses with bucket_not_due."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                # The round first (round, envelopes, buckets: the order of every writer),
                # refused once closed, even before the sweep.
                round = lock_open_round(bucket.round_id)
                envelope_ids = sorted(set(Allocation.objects.filter(bucket_id=bucket.pk).values_list("envelope_id", flat=True)))
                envelopes = {e.pk: e for e in Envelope.objects.select_for_update().filter(pk__in=envelope_ids).order_by("id")}
                bucket_ids = sorted({bucket.pk} | ({into.pk} if into else set()))
                locked = {b.pk: b for b in Bucket.objects.select_for_update().filter(pk__in=bucket_ids).order_by("id")}
                allocations = list(Allocation.objects.filter(bucket_id=bucket.pk).order_by("id"))
                if {a.envelope_id for a in allocations} - envelopes.keys():
                    raise _Retry  # someone allocated between our read and our locks
                source = locked[bucket.pk]
                if source.status not in EDITABLE_STATUSES:
                    raise DomainError("bucket_not_open", _("This bucket is no longer open."))
                if into is not None:
                    target = locked[into.pk]
                    if target.status not in EDITABLE_STATUSES:
                        raise DomainError("bucket_not_open", _("A bucket can only merge into a draft or open bucket."))
                if expect is not None and (len(allocations), sum((a.amount for a in allocations), ZERO)) != expect:
                    raise confirm.stale()
                if still is not None and not still(round, source):
                    raise DomainError("bucket_not_due", _("This bucket is not due to expire."))
                previous_status = source.status
                entries = []
                for allocation in allocations:
                    envelope = envelopes[allocation.envelope_id]
                    envelope.allocated -= allocation.amount
                    entries.append(_ledger(round_id=round.pk, member_id=envelope.user_id, actor=actor,
                                           kind=LedgerEntry.Kind.REFUND, before=allocation.amount, after=ZERO,
                                           bucket_id=source.pk, note=status))
                Envelope.objects.bulk_update(list(envelopes.values()), ["allocated"], batch_size=500)
                Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
                LedgerEntry.objects.bulk_create(entries, batch_size=500)
                source.status = status
                source.total = ZERO
                source.contributors_count = 0
                source.merged_into = into
                source.save(update_fields=["status", "total", "contributors_count", "merged_into", "updated_at"])
                if into is not None:
                    target.coleads.add(*source.coleads.all())
                audit.record(actor=actor, group=round.group_id, action=f"bucket.{status}", obj=source,
                             before={"status": previous_status},
                             after={"status": status, **({"into": into.pk} if into is not None else {})})
            return source
        except _Retry:
            continue
    raise DomainError("busy", _("The bucket is busy; try again in a moment."))


def expiry_due(round: Round, bucket: Bucket, now: datetime) -> bool:
    """An open bucket of a permanent fund with expires_after_days, published that many days
    ago or more."""
    return (round.kind == Round.Kind.PERMANENT and round.expires_after_days is not None
            and bucket.status == Bucket.Status.OPEN and bucket.published_at is not None
            and bucket.published_at + timedelta(days=round.expires_after_days) <= now)


def expire_bucket(*, bucket: Bucket, now: datetime | None = None) -> Bucket:
    """The sweep closes an open bucket of a permanent fund `not_funded` once it has waited
    expires_after_days since it was published: every allocation goes back to its envelope
    (refund rows), in one transaction, read again under the locks (round, envelopes, bucket),
    so that a bucket funded, withdrawn or expired meanwhile, or a fund whose expiry changed,
    is left alone (bucket_not_open, bucket_not_due). Returns the bucket, its funders' refund
    rows written."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        expired = _refund_all(bucket=bucket, actor=None, status=Bucket.Status.NOT_FUNDED,
                              still=lambda round, source: expiry_due(round, source, now))
        expired.decided_at = now
        expired.save(update_fields=["decided_at"])
        funders = dict(LedgerEntry.objects.filter(bucket_id=expired.pk, kind=LedgerEntry.Kind.REFUND,
                                                  note=Bucket.Status.NOT_FUNDED).values_list("member_id", "before"))
        expired = Bucket.objects.select_related("round__group").get(pk=expired.pk)
        notices.bucket_expired(bucket=expired, funders=funders)
    return expired


def expire_due_buckets(now: datetime | None = None) -> int:
    """For the sweep: expire every open bucket of a permanent fund that has waited its fund's
    expires_after_days, each in its own transaction (expire_bucket). A bucket funded or
    withdrawn meanwhile, or already expired by a concurrent sweep, is skipped. Returns how
    many expired."""
    now = now or timezone.now()
    expired = 0
    rounds = Round.objects.filter(kind=Round.Kind.PERMANENT, expires_after_days__isnull=False,
                                  published_at__isnull=False, closed_at=None)
    for round in rounds:
        due = Bucket.objects.filter(round=round, status=Bucket.Status.OPEN,
                                    published_at__lte=now - timedelta(days=round.expires_after_days)).order_by("pk")
        for bucket in due:
            try:
                expire_bucket(bucket=bucket, now=now)
            except DomainError as exc:
                logger.info("bucket %s not expired: %s", bucket.pk, exc.code)
                continue
            expired += 1
    return expired


def withdraw_bucket(*, bucket: Bucket, actor: User | None, expect: tuple[int, Decimal] | None = None) -> Bucket:
    """Its co-leads (or an admin) withdraw it before close; every allocation goes back."""
    require_colead(actor, bucket)
    return _refund_all(bucket=bucket, actor=actor, status=Bucket.Status.WITHDRAWN, expect=expect)


def check_merge(*, bucket: Bucket, into: Bucket, actor: User | None) -> None:
    """What merge_bucket refuses before touching anything (a confirmation page asks first)."""
    if into.pk == bucket.pk:
        raise DomainError("merge_into_self", _("A bucket cannot merge into itself."), status=400, field="into")
    if into.round_id != bucket.round_id:
        raise DomainError("merge_other_round", _("A bucket can only merge into a bucket of the same round."),
                          status=400, field="into")
    if not (is_colead_or_admin(actor, bucket) and is_colead_or_admin(actor, into)):
        raise DomainError("forbidden", _("Only an admin or the co-leads of both buckets may merge them."), status=403)


def merge_bucket(*, bucket: Bucket, into: Bucket, actor: User | None, expect: tuple[int, Decimal] | None = None) -> Bucket:
    """Merge `bucket` into another bucket of the same round (an admin, or the co-leads of
    both). Its allocations go back to the envelopes; its co-leads join the other bucket."""
    check_merge(bucket=bucket, into=into, actor=actor)
    return _refund_all(bucket=bucket, actor=actor, status=Bucket.Status.MERGED, into=into, expect=expect)
