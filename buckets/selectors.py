"""Reads that pages and the API share for rounds and buckets.

Access helpers return 404 for what the user may not see: outsiders see nothing of a group,
draft rounds are for admins, draft buckets for their co-leads, admins and accountants.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from buckets.models import Bucket, BudgetItem, Comment, Round
from groups.models import Membership, Role
from groups.selectors import membership_of, role_of


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


def can_see_bucket(user, membership: Membership | None, bucket: Bucket) -> bool:
    if not can_see_round(membership, bucket.round):
        return False
    if bucket.status != Bucket.Status.DRAFT:
        return True
    return (
        membership.role in (Role.ADMIN, Role.ACCOUNTANT)
        or bucket.created_by_id == user.id
        or is_colead(user, bucket)
    )


def get_bucket_for(user, bucket_id) -> tuple[Bucket, Membership]:
    """The bucket and the user's membership; 404 when the user may not see it."""
    bucket = (
        Bucket.objects.select_related("round", "round__group", "merged_into")
        .filter(pk=bucket_id)
        .first()
    )
    if bucket is None:
        raise Http404
    membership = membership_of(user, bucket.round.group)
    if not can_see_bucket(user, membership, bucket):
        raise Http404
    return bucket, membership


def get_bucket_lite_for(user, bucket_id) -> Bucket:
    """get_bucket_for's access rule in one light query, for a write that reads everything
    again under its locks (the allocation PUT): a Bucket with only its id, status, creator
    and its round's id, group, currency and publication loaded, plus `my_role` (the user's
    role in the group, None for an outsider). 404 when the user may not see it."""
    bucket = (
        Bucket.objects.filter(pk=bucket_id)
        .select_related("round")
        .only("id", "status", "created_by_id", "round__id", "round__group_id", "round__currency", "round__published_at")
        .annotate(
            my_role=Subquery(
                Membership.objects.filter(group_id=OuterRef("round__group_id"), user_id=user.pk).values("role")[:1]
            ),
            my_colead=Exists(Bucket.coleads.through.objects.filter(bucket_id=OuterRef("pk"), user_id=user.pk)),
        )
        .first()
    )
    if bucket is None or bucket.my_role is None:
        raise Http404
    if bucket.round.published_at is None and bucket.my_role != Role.ADMIN:
        raise Http404
    if bucket.status == Bucket.Status.DRAFT and not (
        bucket.my_role in (Role.ADMIN, Role.ACCOUNTANT) or bucket.created_by_id == user.id or bucket.my_colead
    ):
        raise Http404
    return bucket


def visible_buckets(*, round: Round, user, membership: Membership):
    """Buckets of a round the user may see (drafts only for their co-leads, admins and
    accountants), with what a card needs prefetched."""
    qs = Bucket.objects.filter(round=round).select_related("round", "created_by")
    if membership.role not in (Role.ADMIN, Role.ACCOUNTANT):
        qs = qs.exclude(Q(status=Bucket.Status.DRAFT) & ~Q(coleads=user) & ~Q(created_by=user)).distinct()
    return qs.prefetch_related(
        "coleads", "tags", Prefetch("budget_items", queryset=BudgetItem.objects.order_by("position", "id"))
    )


def comments_of(bucket: Bucket):
    return Comment.objects.filter(bucket=bucket).select_related("author").order_by("created_at", "id")
