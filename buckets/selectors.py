"""Reads that pages and the API share for rounds and buckets.

Access helpers return 404 for what the user may not see: outsiders see nothing of a group,
draft rounds are for admins, draft buckets for their co-leads, admins and accountants.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from buckets.models import Bucket, BudgetItem, Comment, Follow, Round
from cobudget.search import by_name
from groups.models import Membership, Role
from groups.selectors import membership_of, person_label, role_of, sees_member_emails


def rounds_for(*, group, user):
    """Rounds of a group the user may see: drafts only for admins."""
    rounds = Round.objects.filter(group=group).order_by("-created_at")
    if role_of(user, group) != Role.ADMIN:
        rounds = rounds.exclude(published_at=None)
    return rounds


def can_see_round(membership: Membership | None, round: Round) -> bool:
    if membership is None:
        return False
    return round.published_at is not None or membership.role == Role.ADMIN


def get_round_for(user, round_id) -> tuple[Round, Membership]:
    """The round and the user's membership in its group; 404 when not visible."""
    round = Round.objects.select_related("group").filter(pk=round_id).first()
    if round is None:
        raise Http404
    membership = membership_of(user, round.group)
    if not can_see_round(membership, round):
        raise Http404
    return round, membership


def is_colead(user, bucket: Bucket) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(bucket, "_colead_ids", None)
    if cached is None:
        cached = bucket._colead_ids = set(bucket.coleads.values_list("id", flat=True))
    return user.id in cached


OFFICERS = (Role.ADMIN, Role.ACCOUNTANT)


def visible_to(user_id) -> Q:
    """The access rule of buckets, as a condition on Bucket (the one definition: pages, the
    API, the allocation's fast path and notices filter with it). A member of the round's
    group sees the buckets of a published round (admins also those of a draft round), except
    drafts, which only their creator, their co-leads, admins and accountants see. Outsiders
    see nothing. `user_id` is the person's id, or an expression of it; None sees nothing."""
    if user_id is None:
        return Q(pk__in=[])
    membership = Membership.objects.filter(group_id=OuterRef("round__group_id"), user_id=user_id)
    colead = Bucket.coleads.through.objects.filter(bucket_id=OuterRef("pk"), user_id=user_id)
    return (
        Q(Exists(membership))
        & (Q(round__published_at__isnull=False) | Exists(membership.filter(role=Role.ADMIN)))
        & (~Q(status=Bucket.Status.DRAFT) | Q(created_by_id=user_id) | Exists(membership.filter(role__in=OFFICERS))
           | Exists(colead))
    )


def can_see_bucket(user, bucket: Bucket) -> bool:
    return Bucket.objects.filter(visible_to(user.pk), pk=bucket.pk).exists()


def coleads_as_shown(bucket: Bucket, viewer, membership) -> list[tuple[object, str]]:
    """The co-leads and how `viewer` reads each (groups.selectors.person_label): an e-mail, or
    a display name when the address is not theirs to see."""
    sees = sees_member_emails(membership, bucket.round.group)
    return [(user, person_label(user, viewer=viewer, sees_emails=sees)) for user in bucket.coleads.order_by("pk")]


def coleads_sent_back(bucket: Bucket, viewer, membership, entries) -> list:
    """A co-lead list as `viewer` sends it back, for buckets.services.update_bucket: e-mails
    as they are, and the display names they were shown (coleads_as_shown) as the co-leads those
    names stand for, so that a page form or an API client may keep a co-lead whose address it
    never read."""
    kept: dict[str, list] = {}
    for user, label in coleads_as_shown(bucket, viewer, membership):
        if label != user.email:
            kept.setdefault(label.casefold(), []).append(user)
    return [user for entry in entries for user in kept.get(str(entry).strip().casefold(), [entry])]


def colead_picker(*, group, creator, user_ids=(), membership_ids=()) -> list[dict]:
    """The co-leads a bucket form shows as chosen: the creator first (always a co-lead), then
    the people given (by user id, e.g. a bucket's co-leads; or by member id, e.g. the boxes a
    refused form sent), by name in French order; each with the member id the form sends back."""
    members = Membership.objects.filter(group=group).select_related("user")
    chosen = members.filter(Q(user_id__in=list(user_ids)) | Q(pk__in=[int(i) for i in membership_ids if str(i).isdigit()]))
    rows = [{"id": m.pk, "label": m.user.display_name, "fixed": False}
            for m in chosen.exclude(user=creator).order_by(*by_name("user__"))]
    if creator is not None:
        rows.insert(0, {"id": None, "label": creator.display_name, "fixed": True})
    return rows


def get_bucket_for(user, bucket_id) -> tuple[Bucket, Membership]:
    """The bucket and the user's membership; 404 when the user may not see it."""
    bucket = (
        Bucket.objects.select_related("round", "round__group", "merged_into")
        # Whether this person follows it, read in the same query (the bucket page shows it).
        .annotate(followed=Exists(Follow.objects.filter(bucket=OuterRef("pk"), user_id=getattr(user, "pk", None))))
        .filter(visible_to(user.pk), pk=bucket_id)
        .first()
    )
    if bucket is None:
        raise Http404
    return bucket, membership_of(user, bucket.round.group)


def visible_buckets(*, round: Round, user):
    """Buckets of a round the user may see, with what a card needs prefetched."""
    return Bucket.objects.filter(visible_to(user.pk), round=round).select_related("round", "created_by").prefetch_related(
        "coleads", "tags", Prefetch("budget_items", queryset=BudgetItem.objects.order_by("position", "id"))
    )


def led_by(user, *, limit: int = 10):
    """The buckets `user` co-leads that still ask something of them: a draft to publish, an
    open bucket, one left to decide, or a funded one whose expenses go on until it is completed
    or cancelled. Newest first, for the dashboard."""
    still = Q(status__in=[Bucket.Status.DRAFT, Bucket.Status.OPEN, Bucket.Status.TO_DECIDE]) | Q(
        status=Bucket.Status.FUNDED, completed_at=None)
    return (Bucket.objects.filter(still, coleads=user, round__group__memberships__user=user)
            .select_related("round__group").order_by("-created_at", "-id").distinct()[:limit])


def comments_of(bucket: Bucket):
    return Comment.objects.filter(bucket=bucket).select_related("author").order_by("created_at", "id")
