"""What the buckets' events tell people, through notifications.notify.

Called by the services that own the events: a comment (co-leads, @mentions and earlier
participants), an allocation (co-leads, batched hourly; called after commit), round phases
(publishing, and the sweep noticing that funding has opened).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from buckets.models import Bucket, Comment, Phase, Round
from buckets.selectors import can_see_bucket
from cobudget import events
from groups.models import Membership, User
from notifications.mentions import mentioned_users
from notifications.models import Kind
from notifications.services import claim_once, notify

# Funding opening is announced only for rounds that opened within this grace: found later (a
# sweep that was down, a database restored), it is no longer news.
FUNDING_OPEN_GRACE = timedelta(days=2)


def comment_added(*, comment: Comment) -> None:
    """Co-leads hear of every comment on their bucket; people @mentioned, and those who took
    part in the discussion before, hear of it as a reply. Each person once; never the author."""
    bucket = comment.bucket
    group = bucket.round.group
    url = f"/buckets/{bucket.pk}/#comment-{comment.pk}"
    coleads = [u for u in bucket.coleads.filter(is_active=True) if u.pk != comment.author_id]
    context = {"comment": comment, "bucket": bucket, "author": comment.author}
    notify(users=coleads, kind=Kind.BUCKET_COMMENT, template="buckets/email/comment", context=context, url=url, group=group)
    told = {u.pk for u in coleads} | {comment.author_id}
    mentioned = [u for u in mentioned_users(group=group, text=comment.body) if u.pk not in told]
    earlier = list(
        User.objects.filter(bucket_comments__bucket=bucket, is_active=True)
        .exclude(pk__in=told | {u.pk for u in mentioned})
        .distinct()
        .order_by("pk")
    )
    others = [u for u in [*mentioned, *earlier] if can_see_bucket(u, bucket)]
    notify(users=others, kind=Kind.MENTION, template="buckets/email/mention",
           context={**context, "mentioned_ids": {u.pk for u in mentioned}}, url=url, group=group)
    told |= {u.pk for u in others}
    notify(users=_followers(bucket, exclude=told), kind=Kind.FOLLOWED_BUCKET,
           template="buckets/email/followed_comment", context=context, url=url, group=group)


def allocation_changed(*, bucket_id: int, member_id: int, before, after) -> None:
    """Tell the bucket's co-leads (gathered at most hourly). Meant for transaction.on_commit."""
    bucket = Bucket.objects.select_related("round__group").filter(pk=bucket_id).first()
    member = User.objects.filter(pk=member_id).first()
    if bucket is None or member is None:
        return
    coleads = [u for u in bucket.coleads.filter(is_active=True) if u.pk != member_id]
    notify(
        users=coleads, kind=Kind.BUCKET_ALLOCATION, template="buckets/email/allocation",
        context={"bucket": bucket, "member": member, "before": before, "after": after, "currency": bucket.round.currency},
        url=f"/buckets/{bucket.pk}/", group=bucket.round.group,
    )
    _funding_milestones(bucket)


def _followers(bucket: Bucket, *, exclude=()) -> list[User]:
    """Those who follow the bucket and may still see it."""
    people = User.objects.filter(followed_buckets__bucket=bucket, is_active=True).exclude(pk__in=list(exclude)).order_by("pk")
    return [u for u in people if can_see_bucket(u, bucket)]


def _funding_milestones(bucket: Bucket) -> None:
    """Tell the followers, once each, when the bucket reaches its minimum goal and its maximum."""
    milestones = []
    if bucket.min_goal > 0 and bucket.total >= bucket.min_goal:
        milestones.append("minimum")
    if bucket.max_goal > bucket.min_goal and bucket.total >= bucket.max_goal:
        milestones.append("maximum")
    for milestone in milestones:
        if claim_once(f"bucket:{bucket.pk}:{milestone}_reached"):
            notify(users=_followers(bucket), kind=Kind.FOLLOWED_BUCKET, template="buckets/email/followed_funding",
                   context={"bucket": bucket, "milestone": milestone, "currency": bucket.round.currency},
                   url=f"/buckets/{bucket.pk}/", group=bucket.round.group)


def _round_members(round: Round) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(group_id=round.group_id, user__is_active=True).select_related("user").order_by("user_id")
    ]


def _announce(round: Round, phase: str) -> None:
    events.emit("round.opened", group_id=round.group_id, obj=round)
    notify(
        users=_round_members(round), kind=Kind.ROUND_PHASE, template=f"buckets/email/round_{phase}",
        context={"round": round}, url=f"/rounds/{round.pk}/", group=round.group,
    )


def round_published(*, round: Round, now: datetime | None = None) -> None:
    """Publishing opens proposals (or funding, for a permanent round or one past its date)."""
    phase = round.phase_at(now or timezone.now())
    if phase == Phase.PROPOSALS:
        _announce(round, "proposals")
    elif phase == Phase.FUNDING and claim_once(f"round:{round.pk}:funding_open"):
        _announce(round, "funding")


def announce_funding_opened(*, now: datetime | None = None) -> int:
    """For the sweep: announce, once, each fixed round whose funding has just opened."""
    now = now or timezone.now()
    rounds = Round.objects.select_related("group").filter(
        kind=Round.Kind.FIXED, published_at__isnull=False, closed_at=None,
        funding_opens_at__lte=now, funding_opens_at__gt=now - FUNDING_OPEN_GRACE, funding_closes_at__gt=now,
    )
    announced = 0
    for round in rounds:
        with transaction.atomic():
            if claim_once(f"round:{round.pk}:funding_open"):
                _announce(round, "funding")
                announced += 1
    return announced


# --- a permanent fund's buckets: funded, expired -------------------------------------------------


def _active(users) -> list[User]:
    return [u for u in users if u.is_active]


def bucket_funded(*, bucket: Bucket, funders: dict[int, object]) -> None:
    """A bucket of a permanent fund is funded (its allocation reached the max goal, or a
    co-lead accepted): its co-leads, its funders (`funders`: {user id: amount given}) and its
    followers are told, one notification each (a co-lead who also gave hears it as a
    co-lead), and the `bucket.funded` event goes to the webhooks. Called once per bucket by
    the announcement outbox (allocations.outbox.announce_fundings), in its transaction."""
    group = bucket.round.group
    url = f"/buckets/{bucket.pk}/"
    context = {"bucket": bucket, "currency": bucket.round.currency, "group": group}
    coleads = _active(bucket.coleads.order_by("pk"))
    notify(users=coleads, kind=Kind.ROUND_PHASE, template="buckets/email/bucket_funded",
           context={**context, "role": "colead"}, url=url, group=group)
    told = {u.pk for u in coleads}
    for user in User.objects.filter(pk__in=[pk for pk in funders if pk not in told], is_active=True).order_by("pk"):
        notify(users=[user], kind=Kind.ROUND_PHASE, template="buckets/email/bucket_funded",
               context={**context, "role": "funder", "mine": funders[user.pk]}, url=url, group=group)
        told.add(user.pk)
    notify(users=_followers(bucket, exclude=told), kind=Kind.FOLLOWED_BUCKET, template="buckets/email/bucket_funded",
           context={**context, "role": "follower"}, url=url, group=group)
    events.emit("bucket.funded", group_id=group.pk, obj=bucket)


def bucket_expired(*, bucket: Bucket, funders: dict[int, object]) -> None:
    """A bucket of a permanent fund expired unfunded and its allocations went back: its
    co-leads and its funders (`funders`: {user id: amount given back}) are told, once each."""
    group = bucket.round.group
    url = f"/buckets/{bucket.pk}/"
    context = {"bucket": bucket, "currency": bucket.round.currency, "group": group, "round": bucket.round,
               "contributions": len(funders), "given_back": sum(funders.values(), 0)}
    coleads = _active(bucket.coleads.order_by("pk"))
    notify(users=coleads, kind=Kind.ROUND_PHASE, template="buckets/email/bucket_expired",
           context={**context, "role": "colead"}, url=url, group=group)
    told = {u.pk for u in coleads}
    for user in User.objects.filter(pk__in=[pk for pk in funders if pk not in told], is_active=True).order_by("pk"):
        notify(users=[user], kind=Kind.ROUND_PHASE, template="buckets/email/bucket_expired",
               context={**context, "role": "funder", "mine": funders[user.pk]}, url=url, group=group)
