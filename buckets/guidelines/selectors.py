"""Reads for guidelines and flags, shared by the pages, the bucket page's panel and the API.

The permission predicates live here once; services enforces them, the pages use them
to show or hide a button.
"""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from buckets.models import Bucket, Flag, Guideline, Round
from groups.models import Membership, Role

FLAGGING_ROLES = (Role.ADMIN, Role.MEMBER)


def can_manage_guidelines(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ADMIN


def can_raise_flag(membership: Membership | None) -> bool:
    """Any member (admins included) may flag a bucket; accountants and contributors read."""
    return membership is not None and membership.role in FLAGGING_ROLES


def can_resolve_flag(user, membership: Membership | None, flag: Flag) -> bool:
    if membership is None:
        return False
    return flag.raised_by_id == user.id or membership.role == Role.ADMIN


def bucket_accepts_flags(bucket: Bucket) -> bool:
    return bucket.status not in (Bucket.Status.WITHDRAWN, Bucket.Status.MERGED)


def guidelines_of(round: Round):
    return Guideline.objects.filter(round=round).order_by("position", "id")


def flags_of(bucket: Bucket, *, open_only: bool = False):
    qs = Flag.objects.filter(bucket=bucket).select_related("guideline", "raised_by", "resolved_by")
    if open_only:
        qs = qs.filter(resolved_at=None)
    # Open flags first, newest first.
    return qs.order_by(F("resolved_at").desc(nulls_first=True), "-created_at", "-id")


def with_open_flags(buckets_qs):
    """Annotate `open_flags_count` on a bucket queryset, for the cards' badge (one query)."""
    # A subquery rather than a join, so that it composes with the cards' other annotations.
    open_flags = (
        Flag.objects.filter(bucket=OuterRef("pk"), resolved_at=None)
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"))
        .values("n")
    )
    return buckets_qs.annotate(open_flags_count=Coalesce(Subquery(open_flags, output_field=IntegerField()), 0))


def open_flag_count(bucket: Bucket) -> int:
    annotated = getattr(bucket, "open_flags_count", None)
    if annotated is not None:
        return annotated
    return Flag.objects.filter(bucket=bucket, resolved_at=None).count()


def flags_panel(*, bucket: Bucket, user, membership: Membership | None) -> dict:
    """What buckets/_flags.html shows: the flags with what this person may do with each,
    the round's guidelines and whether they may raise a flag."""
    flags = list(flags_of(bucket))
    for flag in flags:
        flag.can_resolve = flag.resolved_at is None and can_resolve_flag(user, membership, flag)
    can_flag = can_raise_flag(membership) and bucket_accepts_flags(bucket)
    return {
        "bucket": bucket,
        "flags": flags,
        "open_flags": [f for f in flags if f.resolved_at is None],
        "resolved_flags": [f for f in flags if f.resolved_at is not None],
        "guidelines": list(guidelines_of(bucket.round)) if can_flag else [],
        "can_flag": can_flag,
    }
