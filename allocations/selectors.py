"""Reads that pages and the API share for envelopes, allocations and results."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allocations.figures import round_figures, round_figures_many
from allocations.models import Allocation, Envelope, LedgerEntry, Topup
from buckets.guidelines.selectors import with_open_flags
from buckets.models import Bucket, Phase, Round
from buckets.selectors import visible_buckets, visible_to
from cobudget import hotsql
from cobudget.money import ZERO, money_formatter
from cobudget.search import by_name, french, french_key, matching
from groups.models import ENVELOPE_ROLES, Membership


def envelopes_for_dashboard(user):
    """The user's envelopes in rounds that are published and not closed."""
    envelopes = (
        Envelope.objects.filter(user=user, round__published_at__isnull=False, round__closed_at=None)
        .select_related("round", "round__group")
        .order_by("round__funding_closes_at", "round_id")
    )
    return [e for e in envelopes if e.round.phase != "closed"]


def round_totals(round: Round) -> dict[str, Decimal]:
    """The round's figures (allocations.figures) under the names of the API's `totals`."""
    return round_figures(round).totals()


def round_totals_many(rounds) -> dict[int, dict[str, Decimal]]:
    """round_totals for many rounds in a constant number of grouped queries."""
    return {pk: figures.totals() for pk, figures in round_figures_many(rounds).items()}


def entered_on_behalf(round: Round) -> dict[tuple[int, int], str]:
    """{(member id, bucket id): e-mail of the admin} for each allocation whose current amount
    was entered by someone else (a paper form): the latest allocation row of the ledger for
    that member and bucket names another actor. As many entries as such allocations."""
    latest = (
        LedgerEntry.objects.filter(round_id=round.pk, kind=LedgerEntry.Kind.ALLOCATION,
                                   member_id=OuterRef("member_id"), bucket_id=OuterRef("bucket_id"))
        .order_by("-id")
        .values("id")[:1]
    )
    rows = (
        LedgerEntry.objects.filter(round_id=round.pk, kind=LedgerEntry.Kind.ALLOCATION, actor__isnull=False)
        .exclude(actor_id=F("member_id"))
        .filter(id=Subquery(latest))
        .values_list("member_id", "bucket_id", "actor__email")
    )
    return {(member_id, bucket_id): email for member_id, bucket_id, email in rows}


def removal_consequences(*, membership) -> list[tuple[str, tuple]]:
    """groups.selectors.REMOVAL_CONSEQUENCE_HOOKS: what removing `membership` does to money, a
    sentence per round not closed (retire_envelopes does it): the envelope withdrawn and the
    allocations taken back from the projects."""
    found = []
    envelopes = (
        Envelope.objects.filter(round__group_id=membership.group_id, round__closed_at=None, user_id=membership.user_id)
        .select_related("round")
        .annotate(n=Count("allocations"))
        .order_by("round_id")
    )
    for envelope in envelopes:
        if envelope.round.phase == Phase.CLOSED or (envelope.amount == ZERO and envelope.allocated == ZERO):
            continue
        money = money_formatter(envelope.round.currency)
        values = {"round": envelope.round.title, "envelope": money(envelope.amount), "n": envelope.n,
                  "allocated": money(envelope.allocated)}
        if envelope.n:
            sentence = ngettext(
                "“%(round)s”: their envelope of %(envelope)s is withdrawn, and their %(n)d allocation, "
                "%(allocated)s, is taken back from its project.",
                "“%(round)s”: their envelope of %(envelope)s is withdrawn, and their %(n)d allocations, "
                "%(allocated)s in all, are taken back from the projects.", envelope.n) % values
        else:
            sentence = _("“%(round)s”: their envelope of %(envelope)s is withdrawn.") % values
        found.append((sentence, (envelope.round_id, envelope.amount, envelope.allocated, envelope.n)))
    return found


def topup_envelopes(round: Round):
    """The envelopes a top-up reaches: those of the people who are members with an envelope
    role today (someone who left, or became accountant, keeps a retired envelope at 0)."""
    holders = Membership.objects.filter(group_id=round.group_id, role__in=ENVELOPE_ROLES).values("user_id")
    return Envelope.objects.filter(round=round, user_id__in=holders)


def topups_of(round: Round):
    """The top-ups granted in a round, newest first, with who granted them."""
    return Topup.objects.filter(round=round).select_related("granted_by").order_by("-granted_at", "-id")


def funded_by_date(round: Round) -> list[Bucket]:
    """A permanent fund's funded buckets, the latest funding first (ties by id)."""
    return list(Bucket.objects.filter(round=round, status=Bucket.Status.FUNDED)
                .order_by("-funded_at", "-pk").only("pk", "title", "funded_at", "funded_amount", "round_id"))


def refund_preview(bucket: Bucket) -> tuple[int, Decimal]:
    """(contributions, amount): what withdrawing or merging `bucket` gives back now."""
    row = Allocation.objects.filter(bucket=bucket).aggregate(n=Count("id"), amount=Sum("amount"))
    return row["n"], row["amount"] or ZERO


def envelope_of(*, round: Round, user) -> Envelope | None:
    if not user.is_authenticated:
        return None
    return Envelope.objects.filter(round=round, user=user).first()


def envelopes_of_round(round: Round):
    """Every envelope of a round with its member (the admins' table and the API list)."""
    return Envelope.objects.filter(round=round).select_related("user").order_by(*by_name("user__"))


_TARGET_BUCKET = ("id", "round_id", "status", "total", "min_goal", "max_goal", "contributors_count")
_TARGET_ROUND = ("group_id", "kind", "currency", "published_at", "closed_at", "proposals_open_at", "funding_opens_at",
                 "funding_closes_at")


def allocation_target_query(*, user_id, bucket_id):
    """The row of allocation_target: the bucket if the person (`user_id`, an id or an
    expression of it) may see it, with its round, their envelope and their amount on it."""
    mine = Allocation.objects.filter(bucket_id=OuterRef("pk"), envelope_id=OuterRef("my_envelope__id")).values("amount")
    return (
        Bucket.objects.filter(visible_to(user_id), pk=bucket_id)
        .annotate(my_envelope=FilteredRelation("round__envelopes", condition=Q(round__envelopes__user_id=user_id)),
                  my_amount=Subquery(mine))
        .values_list(*_TARGET_BUCKET, *[f"round__{name}" for name in _TARGET_ROUND], "my_envelope__id",
                     "my_envelope__amount", "my_envelope__allocated", "my_amount")
        .order_by()
    )


_target = hotsql.Compiled(allocation_target_query)


def _instance(model, values: dict):
    """An instance with these fields loaded (the others load on access, as with .only())."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def allocation_target_from_row(row, *, user_id: int) -> Bucket:
    n, m = len(_TARGET_BUCKET), len(_TARGET_BUCKET) + len(_TARGET_ROUND)
    bucket = _instance(Bucket, dict(zip(_TARGET_BUCKET, row[:n], strict=True)))
    bucket.round = _instance(Round, {"id": bucket.round_id, **dict(zip(_TARGET_ROUND, row[n:m], strict=True))})
    envelope_pk, envelope_amount, envelope_allocated, my_amount = row[m:]
    bucket.my_envelope = None if envelope_pk is None else _instance(Envelope, {
        "id": envelope_pk, "round_id": bucket.round_id, "user_id": user_id, "amount": envelope_amount,
        "allocated": envelope_allocated})
    # Its 2 places (SQLite gives an annotation's decimal as stored: 120 for 120.00).
    bucket.my_amount = ZERO if my_amount is None else my_amount.quantize(ZERO)
    return bucket


def allocation_target(*, bucket_id, user) -> Bucket | None:
    """The bucket as an allocation needs it and its panel on the bucket page shows it, or
    None when `user` may not see it (buckets.selectors.visible_to): with its round, the
    user's envelope (`my_envelope`, None without one) and their amount on it (`my_amount`),
    in one prepared query (cobudget.hotsql.Compiled): members allocate in a round's last hours."""
    row = _target.fetchone(user_id=user.pk, bucket_id=int(bucket_id))
    return None if row is None else allocation_target_from_row(row, user_id=user.pk)


def allocations_of(*, round: Round, user) -> dict[int, Decimal]:
    """{bucket id: amount}: a member's current allocations in a round."""
    return dict(Allocation.objects.filter(envelope__round=round, envelope__user=user).values_list("bucket_id", "amount"))


def my_allocation(*, bucket: Bucket, user) -> Decimal:
    if not user.is_authenticated:
        return ZERO
    amount = (
        Allocation.objects.filter(bucket=bucket, envelope__user=user).values_list("amount", flat=True).first()
    )
    return amount or ZERO


def with_my_allocation(queryset, user):
    """Annotate buckets with `my_allocation` (the user's current amount, or None)."""
    mine = Allocation.objects.filter(bucket=OuterRef("pk"), envelope__user_id=user.pk).values("amount")[:1]
    return queryset.annotate(my_allocation=Subquery(mine))


SORTS = {
    "most": ("-total", "-id"),
    "least": ("total", "-id"),
    "newest": ("-created_at", "-id"),
    "mine": ("-my_allocation", "-total", "-id"),
}


def bucket_cards(*, round: Round, user, membership, sort: str = "newest", statuses=None, q: str = "", tag: str = ""):
    """Buckets of a round as cards: goals, total, contributors and my own allocation; `q`
    keeps those whose title or summary holds every word (accents and case aside), `tag`
    those with that tag."""
    qs = with_open_flags(with_my_allocation(visible_buckets(round=round, user=user), user))
    if statuses:
        qs = qs.filter(status__in=statuses)
    if q:
        qs = matching(qs, q, ["title", "summary"])
    if tag:
        qs = qs.filter(pk__in=Bucket.tags.through.objects.filter(tag__name=tag).values("bucket_id"))
    order = SORTS.get(sort, SORTS["newest"])
    if sort == "mine":
        qs = qs.order_by(F("my_allocation").desc(nulls_last=True), "-total", "-id")
    else:
        qs = qs.order_by(*order)
    return qs


@dataclass(slots=True)
class BucketCard:
    """What a bucket's card on the round page shows: plain values, no model instance, so that
    rendering 500 cards costs the template and not the ORM."""

    pk: int
    title: str
    status: str
    summary: str
    total: Decimal
    min_goal: Decimal
    max_goal: Decimal
    contributors_count: int
    my_allocation: Decimal | None
    open_flags_count: int
    tags: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)

    # The same rule as the model's, on the same two values.
    percent_of_min = property(Bucket.percent_of_min.fget)

    def get_status_display(self) -> str:
        return str(Bucket.Status(self.status).label)


CARD_FIELDS = ("pk", "title", "status", "summary", "total", "min_goal", "max_goal", "contributors_count",
               "my_allocation", "open_flags_count")


def round_tags(round: Round) -> list[str]:
    """The tags of a round's buckets, in French order (the round page's filter)."""
    names = Bucket.tags.through.objects.filter(bucket__round=round).values_list("tag__name", flat=True).distinct()
    return sorted(set(names), key=french_key)


def round_cards(*, round: Round, user, membership, sort: str = "newest", q: str = "", tag: str = "") -> list[BucketCard]:
    """The round page's cards in three queries whatever their number: the buckets the user may
    see (with my allocation and the open flags counted in SQL), then the co-leads' names and
    the tag names of the round's buckets."""
    qs = bucket_cards(round=round, user=user, membership=membership, sort=sort, q=q, tag=tag).prefetch_related(None)
    cards = [BucketCard(*row) for row in qs.values_list(*CARD_FIELDS)]
    by_id = {card.pk: card for card in cards}
    if not by_id:
        return cards
    leads = (
        Bucket.coleads.through.objects.filter(bucket__round=round)
        .order_by(*by_name("user__"))
        .values_list("bucket_id", "user__name", "user__email")
    )
    for bucket_id, name, email in leads:
        card = by_id.get(bucket_id)
        if card is not None:
            card.leads.append(name or email.split("@")[0])  # User.display_name
    tags = Bucket.tags.through.objects.filter(bucket__round=round).order_by(french("tag__name")).values_list("bucket_id", "tag__name")
    for bucket_id, name in tags:
        card = by_id.get(bucket_id)
        if card is not None:
            card.tags.append(name)
    return cards


def sheet_lines(*, round: Round, user, membership) -> list[BucketCard]:
    """The allocation sheet: every open bucket of the round the user may see, titles in
    French order, each with the user's amount (round_cards' three queries)."""
    cards = [card for card in round_cards(round=round, user=user, membership=membership)
             if card.status == Bucket.Status.OPEN]
    return sorted(cards, key=lambda card: french_key(card.title))
