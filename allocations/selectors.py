"""Reads that pages and the API share for envelopes, allocations and results."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum

from allocations.models import Allocation, Envelope
from buckets.guidelines.selectors import with_open_flags
from buckets.models import Bucket, Round
from buckets.selectors import visible_buckets
from cobudget.money import ZERO
from cobudget.search import by_name, french, french_key, matching


def envelopes_for_dashboard(user):
    """The user's envelopes in rounds that are published and not closed."""
    envelopes = (
        Envelope.objects.filter(user=user, round__published_at__isnull=False, round__closed_at=None)
        .select_related("round", "round__group")
        .order_by("round__funding_closes_at", "round_id")
    )
    return [e for e in envelopes if e.round.phase != "closed"]


def round_totals(round: Round) -> dict[str, Decimal]:
    """envelopes = Σ envelope amounts; allocated = Σ allocated; funded = Σ totals of funded
    buckets; unspent = envelopes − allocated while open, envelopes − funded − Σ to_decide
    totals once closed."""
    return round_totals_many([round])[round.pk]


def round_totals_many(rounds) -> dict[int, dict[str, Decimal]]:
    """round_totals for many rounds in two grouped queries (a list of rounds stays constant)."""
    rounds = list(rounds)
    ids = [r.pk for r in rounds]
    env = {
        row["round_id"]: row
        for row in Envelope.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(envelopes=Sum("amount"), allocated=Sum("allocated"))
    }
    by_status: dict[tuple[int, str], Decimal] = {
        (round_id, status): total
        for round_id, status, total in Bucket.objects.filter(
            round_id__in=ids, status__in=[Bucket.Status.FUNDED, Bucket.Status.TO_DECIDE]
        )
        .values("round_id", "status")
        .annotate(s=Sum("total"))
        .values_list("round_id", "status", "s")
    }
    result = {}
    for round in rounds:
        envelopes = env.get(round.pk, {}).get("envelopes") or ZERO
        allocated = env.get(round.pk, {}).get("allocated") or ZERO
        funded = by_status.get((round.pk, Bucket.Status.FUNDED)) or ZERO
        to_decide = by_status.get((round.pk, Bucket.Status.TO_DECIDE)) or ZERO
        unspent = envelopes - allocated if round.closed_at is None else envelopes - funded - to_decide
        result[round.pk] = {"envelopes": envelopes, "allocated": allocated, "funded": funded, "unspent": unspent}
    return result


def envelope_of(*, round: Round, user) -> Envelope | None:
    if not user.is_authenticated:
        return None
    return Envelope.objects.filter(round=round, user=user).first()


def envelopes_of_round(round: Round):
    """Every envelope of a round with its member (the admins' table and the API list)."""
    return Envelope.objects.filter(round=round).select_related("user").order_by(*by_name("user__"))


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
    qs = with_open_flags(with_my_allocation(visible_buckets(round=round, user=user, membership=membership), user))
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
