"""Every write on rounds, buckets, budget items, co-leads, tags and comments.

What moves money (envelopes, allocations, withdrawing and merging buckets, which refund) lives
in allocations/services.py. That higher app registers a ROUND_HOOKS callback so that a change
of a round's default envelope reaches the envelopes without this app importing it.
"""

from collections.abc import Callable, Iterable
from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from buckets import notices
from buckets.models import Bucket, BudgetItem, Comment, Follow, Phase, Round, Tag
from cobudget import confirm, events
from cobudget.errors import DomainError
from cobudget.money import MAX_AMOUNT, ZERO, format_money, parse_amount, percent_formatter
from cobudget.search import display_name, same_words
from groups.models import Group, Membership, Role, User
from groups.selectors import membership_of

# Called inside the round's transaction after an update: hook(round=, changed=, actor=)
# where `changed` is the set of field names whose value changed.
ROUND_HOOKS: list[Callable] = []

ROUND_FIELDS = (
    "title", "description", "kind", "currency", "envelope_amount", "proposals_open_at",
    "funding_opens_at", "funding_closes_at", "meeting_at", "max_per_member_per_bucket",
    "min_coleads", "funded_if_percent_of_min", "decide_if_percent_of_min", "buckets_during_funding",
    "expires_after_days",
)
MAX_EXPIRY_DAYS = 3650
EDITABLE_STATUSES = (Bucket.Status.DRAFT, Bucket.Status.OPEN)


# --- permissions ------------------------------------------------------------------------------


def require_admin(actor: User | None, group: Group) -> Membership | None:
    """Admins only (None = the system, e.g. a management command)."""
    if actor is None:
        return None
    membership = membership_of(actor, group)
    if membership is None or membership.role != Role.ADMIN:
        raise DomainError("forbidden", _("Only an admin of the group may do this."), status=403)
    return membership


def is_colead_or_admin(actor: User | None, bucket: Bucket) -> bool:
    if actor is None:
        return True
    membership = membership_of(actor, bucket.round.group)
    if membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    return bucket.coleads.filter(pk=actor.pk).exists()


def require_colead(actor: User | None, bucket: Bucket) -> None:
    if not is_colead_or_admin(actor, bucket):
        raise DomainError("forbidden", _("Only the co-leads of this bucket or an admin may do this."), status=403)


# --- rounds -----------------------------------------------------------------------------------


def _percent(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except Exception:
        number = None
    if number is None or not number.is_finite() or number < 0 or number > 100 or number != number.quantize(Decimal("0.01")):
        raise DomainError("invalid_percent", _("Enter a percentage between 0 and 100."), status=400, field=field)
    return number.quantize(Decimal("0.01"))


def _expiry_days(value, kind: str) -> int | None:
    """A number of days (1 to MAX_EXPIRY_DAYS), or None: open buckets never expire. Only a
    permanent round lets its buckets expire; a fixed round settles them all at its close."""
    if value in ("", None):
        return None
    text = str(value).strip()
    days = int(text) if text.isdigit() and len(text) <= 5 else 0
    if isinstance(value, bool) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise DomainError("invalid", _("Open buckets expire after a number of days between 1 and %(n)d, or never (leave it empty).")
                          % {"n": MAX_EXPIRY_DAYS}, status=400, field="expires_after_days")
    if kind != Round.Kind.PERMANENT:
        raise DomainError("invalid", _("Only the buckets of a permanent fund expire; a fixed round settles them when "
                                       "it closes."), status=400, field="expires_after_days")
    return days


def _clean_round_fields(fields: dict, current: Round | None = None) -> dict:
    """Validate and normalise round fields (merged over the current values when updating)."""
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise DomainError("invalid", _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, status=400)
    merged = {name: getattr(current, name) for name in ROUND_FIELDS} if current else {}
    merged.update(fields)
    title = (merged.get("title") or "").strip()
    if not title:
        raise DomainError("invalid", _("A round needs a title."), status=400, field="title")
    merged["title"] = title[:200]
    kind = merged.get("kind") or Round.Kind.FIXED
    if kind not in Round.Kind.values:
        raise DomainError("invalid", _("The kind is fixed or permanent."), status=400, field="kind")
    merged["kind"] = kind
    currency = merged.get("currency") or "EUR"
    merged["currency"] = currency
    merged["envelope_amount"] = parse_amount(merged.get("envelope_amount", ZERO), currency=currency, field="envelope_amount")
    cap = merged.get("max_per_member_per_bucket")
    if cap in ("", None):
        merged["max_per_member_per_bucket"] = None
    else:
        cap = parse_amount(cap, currency=currency, field="max_per_member_per_bucket")
        if cap <= 0:
            raise DomainError("invalid_amount", _("The cap per bucket must be above zero (or empty for no cap)."),
                              status=400, field="max_per_member_per_bucket")
        merged["max_per_member_per_bucket"] = cap
    min_coleads = merged.get("min_coleads", 1)
    try:
        min_coleads = int(min_coleads)
    except (TypeError, ValueError):
        min_coleads = -1
    if not 0 <= min_coleads <= 20:
        raise DomainError("invalid", _("The minimum number of co-leads is between 0 and 20."), status=400, field="min_coleads")
    merged["min_coleads"] = min_coleads
    merged["funded_if_percent_of_min"] = _percent(merged.get("funded_if_percent_of_min", 100), "funded_if_percent_of_min")
    decide = merged.get("decide_if_percent_of_min")
    if decide in ("", None):
        merged["decide_if_percent_of_min"] = None
    else:
        decide = _percent(decide, "decide_if_percent_of_min")
        if decide >= merged["funded_if_percent_of_min"]:
            raise DomainError("invalid_percent", _("The “to decide” threshold must be below the “funded” threshold."),
                              status=400, field="decide_if_percent_of_min")
        merged["decide_if_percent_of_min"] = decide
    merged["buckets_during_funding"] = bool(merged.get("buckets_during_funding"))
    merged["description"] = merged.get("description") or ""
    merged["expires_after_days"] = _expiry_days(merged.get("expires_after_days"), kind)
    if kind == Round.Kind.PERMANENT:
        for name in ("funding_closes_at", "meeting_at"):
            if merged.get(name) is not None:
                raise DomainError("permanent_round_dates",
                                  _("A permanent round has no closing date and no meeting."), status=400, field=name)
    dates = [(name, merged.get(name)) for name in ("proposals_open_at", "funding_opens_at", "funding_closes_at", "meeting_at")]
    given = [(name, value) for name, value in dates if value is not None]
    for (_n1, earlier), (name, later) in zip(given, given[1:], strict=False):
        if later < earlier or (name == "funding_closes_at" and later == earlier):
            raise DomainError("invalid_dates",
                              _("The dates must follow each other: proposals, funding opens, funding closes, meeting."),
                              status=400, field=name)
    return {name: merged[name] for name in ROUND_FIELDS if name in merged}


def create_round(*, group: Group, actor: User | None, **fields) -> Round:
    require_admin(actor, group)
    fields.setdefault("currency", group.currency)
    clean = _clean_round_fields(fields)
    with transaction.atomic():
        round = Round.objects.create(group=group, **clean)
        audit.record(actor=actor, group=group, action="round.created", obj=round, after=clean)
    return round


def update_round(*, round: Round, actor: User | None, **fields) -> Round:
    require_admin(actor, round.group)
    with transaction.atomic():
        # FOR NO KEY UPDATE: allocations insert ledger rows referencing the round (a KEY SHARE
        # lock) while they hold envelope locks that the envelope hook below needs; a plain
        # FOR UPDATE would make the two wait on each other.
        round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round.pk)
        if round.phase == Phase.CLOSED:
            raise DomainError("round_closed", _("This round is closed."))
        if round.published_at is not None and "kind" in fields and fields["kind"] != round.kind:
            raise DomainError("round_published", _("The kind of a published round cannot change."))
        if round.published_at is not None and "currency" in fields and fields["currency"] != round.currency:
            raise DomainError("round_published", _("The currency of a published round cannot change."))
        clean = _clean_round_fields(fields, current=round)
        changed = {name for name, value in clean.items() if getattr(round, name) != value}
        before = {name: getattr(round, name) for name in sorted(changed)}
        for name in changed:
            setattr(round, name, clean[name])
        if changed:
            round.save(update_fields=sorted(changed))
            audit.record(actor=actor, group=round.group, action="round.updated", obj=round,
                         before=before, after={name: clean[name] for name in sorted(changed)})
            for hook in ROUND_HOOKS:
                hook(round=round, changed=changed, actor=actor)
    return round


# --- buckets ----------------------------------------------------------------------------------


def lock_open_round(round_id: int) -> Round:
    """The round locked FOR NO KEY UPDATE (the first lock of every write on its buckets: round,
    then envelopes, then buckets, as closing takes them), refused once its phase is closed.

    After `funding_closes_at` nothing about a bucket changes any more, even before the sweep
    closes the round: a co-lead who now knows the total must not lower the min goal to it.
    Under the lock, an early close committed meanwhile is seen."""
    round = Round.objects.select_for_update(no_key=True, of=("self",)).select_related("group").get(pk=round_id)
    if round.phase == Phase.CLOSED:
        raise DomainError("round_closed", _("This round is closed: its buckets can no longer change."))
    return round


def _colead_error(detail) -> DomainError:
    return DomainError("unknown_colead", detail, status=400, field="coleads")


def _resolve_one_colead(group: Group, item) -> User:
    """A co-lead given as a User, a member id (the `id` of the members list, as an int or
    digits), an e-mail address, or a member's name (accents and case aside; it must name one
    person only): members may not see each other's addresses, so they name co-leads."""
    members = Membership.objects.filter(group=group).select_related("user")
    if isinstance(item, User):
        membership = members.filter(user=item).first()
        if membership is None:
            raise _colead_error(_("%(name)s is not a member of this group.") % {"name": item.display_name})
        return item
    text = str(item).strip()
    if isinstance(item, int) or text.isdigit():
        member_id = int(text) if len(text) <= 18 else 0  # beyond a bigint is no one's id
        membership = members.filter(pk=member_id).first() if member_id > 0 else None
        if membership is None:
            raise _colead_error(_("No member of this group has the id %(id)s.") % {"id": text[:20]})
        return membership.user
    if "@" in text:
        membership = members.filter(user__email__iexact=text).first()
        if membership is None:
            raise _colead_error(_("%(email)s is not a member of this group.") % {"email": text[:100]})
        return membership.user
    found = list(members.filter(same_words(display_name("user__"), text))[:2])
    if not found:
        raise _colead_error(_("Nobody in this group is called “%(name)s”: choose a co-lead from the list.")
                            % {"name": text[:100]})
    if len(found) > 1:
        raise _colead_error(_("Several members are called “%(name)s”: choose the right one from the list.")
                            % {"name": text[:100]})
    return found[0].user


def _resolve_coleads(group: Group, coleads: Iterable) -> list[User]:
    users: list[User] = []
    for item in coleads or ():
        if not isinstance(item, User | int) and not str(item).strip():
            continue
        user = _resolve_one_colead(group, item)
        if user not in users:
            users.append(user)
    return users


def _clean_budget_items(items: Iterable, currency: str) -> list[dict]:
    clean = []
    for index, item in enumerate(items or ()):
        if not isinstance(item, dict):
            raise DomainError("invalid_budget_item", _("Each budget item has a description, a minimum and a maximum."), status=400, field="budget_items")
        description = str(item.get("description") or "").strip()
        if not description:
            raise DomainError("invalid_budget_item", _("Budget item %(n)d needs a description.") % {"n": index + 1}, status=400, field="budget_items")
        low = parse_amount(item.get("min_amount"), currency=currency, field="budget_items")
        high = item.get("max_amount")
        high = low if high in (None, "") else parse_amount(high, currency=currency, field="budget_items")
        if high < low:
            raise DomainError("invalid_budget_item",
                              _("Budget item %(n)d: the maximum must be at least the minimum.") % {"n": index + 1},
                              status=400, field="budget_items")
        clean.append({"description": description[:300], "min_amount": low, "max_amount": high})
    if sum((i["max_amount"] for i in clean), ZERO) > MAX_AMOUNT:
        raise DomainError("invalid_amount", _("The budget is too large."), status=400, field="budget_items")
    return clean


def _budget_of(bucket: Bucket) -> dict:
    items = [{"description": i.description, "min_amount": i.min_amount, "max_amount": i.max_amount}
             for i in bucket.budget_items.all()]
    return {"budget_items": items, "min_goal": bucket.min_goal, "max_goal": bucket.max_goal}


def _write_budget_items(bucket: Bucket, items: list[dict]) -> None:
    min_goal = sum((i["min_amount"] for i in items), ZERO)
    max_goal = sum((i["max_amount"] for i in items), ZERO)
    if max_goal < bucket.total:
        raise DomainError("bucket_max_below_total",
                          _("The maximum goal cannot go below what the bucket has already received."))
    bucket.budget_items.all().delete()
    BudgetItem.objects.bulk_create(
        [BudgetItem(bucket=bucket, position=n, **item) for n, item in enumerate(items)]
    )
    bucket.min_goal, bucket.max_goal = min_goal, max_goal
    bucket.save(update_fields=["min_goal", "max_goal", "updated_at"])


def _set_tags(bucket: Bucket, names: Iterable[str]) -> None:
    tags = []
    for name in names or ():
        name = str(name).strip()[:50]
        if name and name.lower() not in {t.name.lower() for t in tags}:
            tag, _created = Tag.objects.get_or_create(group=bucket.round.group, name=name)
            tags.append(tag)
    bucket.tags.set(tags)


def create_bucket(
    *,
    round: Round,
    actor: User,
    title: str,
    summary: str = "",
    description: str = "",
    budget_items: Iterable = (),
    coleads: Iterable = (),
    tags: Iterable[str] = (),
) -> Bucket:
    membership = membership_of(actor, round.group)
    if membership is None or membership.role == Role.ACCOUNTANT or round.published_at is None and membership.role != Role.ADMIN:
        raise DomainError("forbidden", _("You may not propose a bucket in this round."), status=403)
    title = (title or "").strip()
    if not title:
        raise DomainError("invalid", _("A bucket needs a title."), status=400, field="title")
    items = _clean_budget_items(budget_items, round.currency)
    users = _resolve_coleads(round.group, coleads)
    with transaction.atomic():
        round = lock_open_round(round.pk)
        if not round.accepts_new_buckets:
            raise DomainError("round_not_accepting_buckets", _("This round does not accept new buckets now."))
        bucket = Bucket.objects.create(
            round=round, title=title[:200], summary=(summary or "")[:500], description=description or "", created_by=actor
        )
        _write_budget_items(bucket, items)
        bucket.coleads.set([actor, *[u for u in users if u != actor]])
        _set_tags(bucket, tags)
        audit.record(actor=actor, group=round.group, action="bucket.created", obj=bucket,
                     after={**_budget_of(bucket), "coleads": sorted(bucket.coleads.values_list("pk", flat=True))})
    return bucket


def update_bucket(*, bucket: Bucket, actor: User, **fields) -> Bucket:
    allowed = {"title", "summary", "description", "budget_items", "coleads", "tags"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError("invalid", _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, status=400)
    require_colead(actor, bucket)
    items = _clean_budget_items(fields["budget_items"], bucket.round.currency) if "budget_items" in fields else None
    users = _resolve_coleads(bucket.round.group, fields["coleads"]) if "coleads" in fields else None
    with transaction.atomic():
        round = lock_open_round(bucket.round_id)
        # Then the bucket row: its total is compared with the new max goal.
        bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
        bucket.round = round
        if bucket.status not in EDITABLE_STATUSES:
            raise DomainError("bucket_not_editable", _("This bucket can no longer be edited."))
        text_before = {"title": bucket.title, "summary": bucket.summary, "description": bucket.description,
                       "tags": sorted(bucket.tags.values_list("name", flat=True))}
        budget_before = _budget_of(bucket) if items is not None else None
        coleads_before = sorted(bucket.coleads.values_list("pk", flat=True)) if users is not None else None
        if "title" in fields:
            title = (fields["title"] or "").strip()
            if not title:
                raise DomainError("invalid", _("A bucket needs a title."), status=400, field="title")
            bucket.title = title[:200]
        if "summary" in fields:
            bucket.summary = (fields["summary"] or "")[:500]
        if "description" in fields:
            bucket.description = fields["description"] or ""
        bucket.save()
        if items is not None:
            _write_budget_items(bucket, items)
        if users is not None:
            creator = bucket.created_by
            keep = [creator] if creator and Membership.objects.filter(group=bucket.round.group, user=creator).exists() else []
            bucket.coleads.set(keep + [u for u in users if u not in keep])
        if "tags" in fields:
            _set_tags(bucket, fields["tags"])
        _audit_bucket_update(bucket=bucket, actor=actor, text_before=text_before, budget_before=budget_before,
                             coleads_before=coleads_before)
    return bucket


def _audit_bucket_update(*, bucket, actor, text_before, budget_before, coleads_before) -> None:
    group = bucket.round.group
    if budget_before is not None:
        budget_after = _budget_of(bucket)
        if audit.jsonable(budget_after) != audit.jsonable(budget_before):
            audit.record(actor=actor, group=group, action="bucket.budget_changed", obj=bucket,
                         before=budget_before, after=budget_after)
    if coleads_before is not None:
        coleads_after = sorted(bucket.coleads.values_list("pk", flat=True))
        if coleads_after != coleads_before:
            audit.record(actor=actor, group=group, action="bucket.coleads_changed", obj=bucket,
                         before={"coleads": coleads_before}, after={"coleads": coleads_after})
    text_after = {"title": bucket.title, "summary": bucket.summary, "description": bucket.description,
                  "tags": sorted(bucket.tags.values_list("name", flat=True))}
    changed = sorted(name for name in text_after if text_after[name] != text_before[name])
    if changed:
        # The text itself is in the bucket; the trail says what changed (a title, the tags) and who.
        shown = [name for name in changed if name in ("title", "tags")]
        audit.record(actor=actor, group=group, action="bucket.updated", obj=bucket,
                     before={n: text_before[n] for n in shown} or None,
                     after={"fields": changed, **{n: text_after[n] for n in shown}})


def publish_bucket(*, bucket: Bucket, actor: User) -> Bucket:
    require_colead(actor, bucket)
    with transaction.atomic():
        round = lock_open_round(bucket.round_id)
        bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
        bucket.round = round
        if bucket.status != Bucket.Status.DRAFT:
            raise DomainError("bucket_not_draft", _("Only a draft bucket can be published."))
        if bucket.round.phase not in (Phase.PROPOSALS, Phase.FUNDING):
            raise DomainError("round_not_open", _("Buckets can be published only while the round is open."))
        count = bucket.coleads.count()
        if count < bucket.round.min_coleads:
            raise DomainError(
                "not_enough_coleads",
                ngettext("This round asks for at least %(n)d co-lead per bucket; this one has %(count)d.",
                         "This round asks for at least %(n)d co-leads per bucket; this one has %(count)d.",
                         bucket.round.min_coleads) % {"n": bucket.round.min_coleads, "count": count},
            )
        if bucket.max_goal <= 0:
            raise DomainError("bucket_without_budget", _("Add at least one budget item before publishing."))
        bucket.status = Bucket.Status.OPEN
        bucket.published_at = timezone.now()
        bucket.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(actor=actor, group=round.group, action="bucket.published", obj=bucket,
                     before={"status": Bucket.Status.DRAFT}, after={"status": Bucket.Status.OPEN})
        events.emit("bucket.published", group_id=round.group_id, obj=bucket)
    return bucket


# --- settling a bucket left to decide ------------------------------------------------------------


def settle_to_decide(*, bucket_id: int, funded: bool, now=None) -> Bucket:
    """A bucket its round left `to_decide` becomes `funded` (at the amount reached) or
    `not_funded` (its money counts as unspent): the one way to settle it, whether the proposal
    its round's closing opened closes, or the board decides in the meeting room. Moves no
    money. Refused (409 bucket_not_to_decide) when the bucket was settled already, so that a
    second decision never overturns the first."""
    now = now or timezone.now()
    with transaction.atomic():
        bucket = Bucket.objects.select_for_update(no_key=True, of=("self",)).select_related("round").filter(pk=bucket_id).first()
        if bucket is None or bucket.status != Bucket.Status.TO_DECIDE:
            raise DomainError("bucket_not_to_decide", _("This bucket is no longer waiting for a decision."))
        bucket.status = Bucket.Status.FUNDED if funded else Bucket.Status.NOT_FUNDED
        bucket.decided_at = now
        fields = ["status", "decided_at", "updated_at"]
        if funded:
            bucket.funded_at = bucket.funding_announced_at = now
            bucket.funded_amount = bucket.total
            fields += ["funded_at", "funded_amount", "funding_announced_at"]
        bucket.save(update_fields=fields)
        if funded:
            events.emit("bucket.funded", group_id=bucket.round.group_id, obj=bucket)
    return bucket


# --- a permanent fund's bucket accepting its funding ---------------------------------------------


def is_colead(actor: User | None, bucket: Bucket) -> bool:
    """A co-lead of the bucket who is still in its group (admins are not co-leads by role)."""
    if actor is None or not actor.is_authenticated:
        return False
    return membership_of(actor, bucket.round.group) is not None and bucket.coleads.filter(pk=actor.pk).exists()


def funding_threshold(bucket: Bucket, round: Round) -> Decimal:
    """The least total at which a co-lead may accept the funding: funded_if_percent_of_min of
    the min goal, rounded up to the cent (a total is in cents, so `total ≥ this` is exactly
    `total × 100 ≥ min goal × percent`)."""
    exact = bucket.min_goal * round.funded_if_percent_of_min / 100
    return exact.quantize(Decimal("0.01"), rounding=ROUND_UP)


def check_accept_funding(*, bucket: Bucket, actor: User | None, round: Round | None = None,
                         figures: bool = True) -> None:
    """What accept_funding refuses, read again under its lock (a confirmation page asks
    first): not a co-lead (403), not a permanent fund, not in funding, not open, or below the
    threshold (409 funding_not_reached, with the figure needed)."""
    round = round or bucket.round
    if not is_colead(actor, bucket):
        raise DomainError("forbidden", _("Only a co-lead of this bucket may accept its funding."), status=403)
    if round.kind != Round.Kind.PERMANENT:
        raise DomainError("not_permanent", _("Only a bucket of a permanent fund accepts its funding; in this round, "
                                             "buckets are funded when the round closes."))
    phase = round.phase
    if phase == Phase.CLOSED:
        raise DomainError("round_closed", _("This fund is closed."))
    if phase != Phase.FUNDING:
        raise DomainError("round_not_funding", _("Allocation has not opened yet in this round."))
    if not figures:  # the bucket's status and total only count as read under its lock
        return
    if bucket.status != Bucket.Status.OPEN:
        raise DomainError("bucket_not_open", _("Only an open bucket can accept its funding; this one is %(status)s.")
                          % {"status": bucket.get_status_display().lower()})
    needed = funding_threshold(bucket, round)
    if bucket.total <= 0 or bucket.total * 100 < bucket.min_goal * round.funded_if_percent_of_min:
        raise DomainError("funding_not_reached", _(
            "The funding cannot be accepted yet: the bucket holds %(total)s and needs at least %(needed)s "
            "(%(percent)s of its minimum goal of %(min)s), %(missing)s more.") % {
            "total": format_money(bucket.total, round.currency),
            "needed": format_money(max(needed, Decimal("0.01")), round.currency),
            "percent": percent_formatter()(round.funded_if_percent_of_min),
            "min": format_money(bucket.min_goal, round.currency),
            "missing": format_money(max(needed, Decimal("0.01")) - bucket.total, round.currency),
        })


def accept_funding(*, bucket: Bucket, actor: User, expect_total: Decimal | None = None, now=None) -> Bucket:
    """A co-lead funds an open bucket of a permanent fund at its total, once the total holds
    funded_if_percent_of_min of its min goal (API.md "Buckets in a permanent round"). Its
    allocations no longer change (set_allocation refuses a bucket that is not open). The sweep
    announces it (funding_announced_at stays NULL: buckets.notices.announce_fundings).

    Locks only the bucket (allocations lock envelope then bucket, so no cycle): an allocation
    waiting on it sees the bucket funded and is refused; one committed before is in the total.
    `expect_total`: the total the co-lead confirmed; another total refuses as stale."""
    check_accept_funding(bucket=bucket, actor=actor, figures=False)  # who and where, before any lock
    with transaction.atomic(durable=True):
        locked = (Bucket.objects.select_for_update(no_key=True, of=("self",)).select_related("round__group")
                  .get(pk=bucket.pk))
        check_accept_funding(bucket=locked, actor=actor)
        if expect_total is not None and locked.total != expect_total:
            raise confirm.stale()
        now = now or timezone.now()
        locked.status = Bucket.Status.FUNDED
        locked.funded_at = locked.decided_at = now
        locked.funded_amount = locked.total
        locked.funding_announced_at = None
        locked.save(update_fields=["status", "funded_at", "decided_at", "funded_amount", "funding_announced_at",
                                   "updated_at"])
        audit.record(actor=actor, group=locked.round.group, action="bucket.funding_accepted", obj=locked,
                     before={"status": Bucket.Status.OPEN},
                     after={"status": Bucket.Status.FUNDED, "funded_amount": locked.funded_amount,
                            "min_goal": locked.min_goal, "percent": locked.round.funded_if_percent_of_min})
    return locked


# --- following ------------------------------------------------------------------------------


def set_following(*, bucket: Bucket, user: User, follow: bool) -> bool:
    """Follow a bucket (be told of its comments and funding) or stop; returns whether the person
    follows it now. Only people of the group follow its buckets."""
    if membership_of(user, bucket.round.group) is None:
        raise DomainError("forbidden", _("Only people of the group may follow its buckets."), status=403)
    if follow:
        Follow.objects.get_or_create(bucket=bucket, user=user)
    else:
        Follow.objects.filter(bucket=bucket, user=user).delete()
    return follow


# --- comments ---------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError("invalid", _("Write a comment first."), status=400, field="body")
    if len(body) > 10000:
        raise DomainError("invalid", _("A comment is at most 10,000 characters."), status=400, field="body")
    return body


def add_comment(*, bucket: Bucket, author: User, body: str) -> Comment:
    if membership_of(author, bucket.round.group) is None:
        raise DomainError("forbidden", _("Only people of the group may comment."), status=403)
    with transaction.atomic():
        comment = Comment.objects.create(bucket=bucket, author=author, body=_clean_body(body))
        notices.comment_added(comment=comment)
    return comment


def edit_comment(*, comment: Comment, actor: User, body: str) -> Comment:
    if comment.author_id != actor.id:
        raise DomainError("not_author", _("Only its author may edit a comment."), status=403)
    comment.body = _clean_body(body)
    comment.save(update_fields=["body", "updated_at"])
    return comment


def delete_comment(*, comment: Comment, actor: User) -> None:
    if comment.author_id != actor.id:
        raise DomainError("not_author", _("Only its author may delete a comment."), status=403)
    comment.delete()
