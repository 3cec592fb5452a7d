"""The set-based counterpart of services.on_membership_changed, for imports
(groups.services.BULK_MEMBERSHIP_HOOKS): envelopes for thousands of imported members in a
few queries per thousand rows instead of several per row.

Same rules as the per-member hook: a member with an envelope role gets an envelope in each
published round of the group that is not closed; an imported amount becomes theirs
(`is_custom`) in every round that is not closed, draft rounds included, and never below
what they have already allocated. Runs inside the import's transaction; envelope rows are
locked in id order, as everywhere else; every change appends its ledger row.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from allocations.models import Envelope, LedgerEntry
from allocations.services import _ledger, retire_envelopes
from buckets.models import Phase, Round
from cobudget.money import ZERO, format_money, parse_amount
from groups.models import ENVELOPE_ROLES, Membership, User
from groups.services import ImportError_

CHUNK = 1000


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def on_memberships_imported(*, items: list[tuple[int, Membership, Decimal | None]], actor: User | None) -> None:
    """items: (line, membership, envelope amount or None) for every imported row."""
    without = {m.user_id: m for _line, m, _amount in items if m.role not in ENVELOPE_ROLES}
    if without:
        # Rare: an import gave someone a role without an envelope; they keep no money (one query
        # finds them, whatever the size of the file).
        holders = set()
        for chunk in _chunks(list(without)):
            holders.update(
                Envelope.objects.filter(round__group_id=items[0][1].group_id, round__closed_at=None, user_id__in=chunk)
                .exclude(amount=ZERO, allocated=ZERO)
                .values_list("user_id", flat=True)
            )
        for user_id in sorted(holders):
            retire_envelopes(membership=without[user_id], actor=actor)
    items = [item for item in items if item[1].role in ENVELOPE_ROLES]
    if not items:
        return
    group_id = items[0][1].group_id
    # Locked like the per-member hook, so that a round published meanwhile is not missed.
    for round in Round.objects.select_for_update(no_key=True).filter(group_id=group_id, closed_at=None).order_by("id"):
        if round.phase == Phase.CLOSED:
            continue
        _apply_to_round(round=round, items=items, actor=actor)


def _apply_to_round(*, round: Round, items, actor) -> None:
    user_ids = sorted({membership.user_id for _line, membership, _amount in items})
    existing: dict[int, Envelope] = {}
    for chunk in _chunks(user_ids):
        for envelope in Envelope.objects.select_for_update().filter(round=round, user_id__in=chunk).order_by("id"):
            existing[envelope.user_id] = envelope
    new: dict[int, Envelope] = {}
    changed: dict[int, Envelope] = {}
    entries: list[LedgerEntry] = []
    for line, membership, raw in items:
        uid = membership.user_id
        if raw is not None:
            amount = parse_amount(raw, currency=round.currency)
            envelope = existing.get(uid) or new.get(uid)
            if envelope is None:
                envelope = new[uid] = Envelope(round=round, user_id=uid, amount=ZERO, is_custom=True)
            if amount < envelope.allocated:
                raise ImportError_(
                    line,
                    _("%(name)s has already allocated %(allocated)s; the envelope cannot be smaller.")
                    % {"name": membership.user.display_name, "allocated": format_money(envelope.allocated, round.currency)},
                )
            before = envelope.amount
            envelope.amount, envelope.is_custom = amount, True
            if envelope.pk is not None:
                changed[uid] = envelope
            if before != amount:
                entries.append(_ledger(round_id=round.pk, member_id=uid, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                                       before=before, after=amount))
        elif round.published_at is not None and uid not in existing and uid not in new:
            new[uid] = Envelope(round=round, user_id=uid, amount=round.envelope_amount)
            entries.append(_ledger(round_id=round.pk, member_id=uid, actor=actor, kind=LedgerEntry.Kind.ENVELOPE,
                                   before=ZERO, after=round.envelope_amount, note="default envelope"))
    Envelope.objects.bulk_create(list(new.values()), batch_size=CHUNK)
    Envelope.objects.bulk_update(list(changed.values()), ["amount", "is_custom"], batch_size=CHUNK)
    LedgerEntry.objects.bulk_create(entries, batch_size=CHUNK)
