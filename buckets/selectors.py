"""Reads that pages and the API share for rounds and buckets.

Access helpers return 404 for what the user may not see: outsiders see nothing of a group,
draft rounds are for admins, draft buckets for their co-leads, admins and accountants.
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from buckets.models import Bucket, BudgetItem, Comment, Follow, Round
from cobudget import hotsql
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
        .filter(pk=bucket_id)
        .first()
    )
    if bucket is None:
        raise Http404
    membership = membership_of(user, bucket.round.group)
    if not can_see_bucket(user, membership, bucket):
        raise Http404
    return bucket, membership


def _loaded(model, values: dict):
    """An instance as .only() would load it: these fields set, the others loaded on access.
    (Model.from_db takes the values in the model's field order.)"""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def bucket_access_sql(*, user: str) -> tuple[str, str]:
    """What get_bucket_lite_for reads about a bucket `b` and one person, as SQL that SQLite and
    PostgreSQL both run: the columns (for bucket_lite_from_row) and the tables they need
    (`b` and its round `r`); `user` is the SQL expression of the person's id. The allocation
    fast path reads them in the same statement as the API token."""
    qn = connection.ops.quote_name
    bucket_t, round_t = qn(Bucket._meta.db_table), qn(Round._meta.db_table)
    membership_t, colead_t = qn(Membership._meta.db_table), qn(Bucket.coleads.through._meta.db_table)
    columns = (
        f"b.id, b.status, b.created_by_id, b.round_id, r.group_id, r.currency, r.published_at, "
        f"(SELECT m.role FROM {membership_t} m WHERE m.group_id = r.group_id AND m.user_id = {user}), "
        f"EXISTS (SELECT 1 FROM {colead_t} c WHERE c.bucket_id = b.id AND c.user_id = {user})"
    )
    return columns, f"{bucket_t} b INNER JOIN {round_t} r ON r.id = b.round_id"


def bucket_lite_from_row(user_id: int, row) -> Bucket | None:
    """get_bucket_lite_for's access rule on the columns of bucket_access_sql: the light
    Bucket, or None when the person may not see it (or it does not exist)."""
    pk, status, created_by_id, round_id, group_id, currency, published_at, my_role, my_colead = row
    if pk is None or my_role is None:
        return None
    if published_at is None and my_role != Role.ADMIN:
        return None
    if status == Bucket.Status.DRAFT and not (
        my_role in (Role.ADMIN, Role.ACCOUNTANT) or created_by_id == user_id or my_colead
    ):
        return None
    bucket = _loaded(Bucket, {"id": pk, "status": status, "created_by_id": created_by_id, "round_id": round_id})
    bucket.round = _loaded(Round, {"id": round_id, "group_id": group_id, "currency": currency})
    bucket.my_role, bucket.my_colead = my_role, bool(my_colead)
    return bucket


def get_bucket_lite_for(user, bucket_id) -> Bucket:
    """get_bucket_for's access rule in one light query, for a write that reads everything
    again under its locks (the allocation PUT, the busiest request of a round): a Bucket with
    only its id, status, creator and its round's id, group, currency and publication loaded
    (the other fields load on access, as with .only()), plus `my_role` (the user's role in the
    group) and `my_colead`. 404 when the user may not see it.

    Plain SQL that SQLite and PostgreSQL both run (no money column, so no conversion),
    prepared once per connection: on this request, compiling the equivalent ORM query cost
    more than running it (bench/README.md)."""
    if not user.is_authenticated:
        raise Http404
    columns, tables = bucket_access_sql(user="%s")
    row = hotsql.fetchone(  # prepared once per connection on PostgreSQL
        f"SELECT {columns} FROM {tables} WHERE b.id = %s", [user.pk, user.pk, bucket_id]
    )
    bucket = None if row is None else bucket_lite_from_row(user.pk, row)
    if bucket is None:
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
