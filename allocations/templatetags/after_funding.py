"""`{% after_funding bucket %}`: on the bucket page of a funded (or completed, or cancelled)
bucket, its money after funding — funded, paid, balance, returned — and, for those who may,
the forms that complete it or cancel its funding (each confirmed in numbers first)."""

from django import template

from allocations import after_funding
from buckets.models import Bucket
from groups.models import Role
from groups.selectors import role_of

register = template.Library()


@register.inclusion_tag("allocations/_after_funding.html", takes_context=True)
def after_funding_panel(context, bucket):
    shown = bucket.funded_at is not None or bucket.status == Bucket.Status.FUNDED or bucket.cancelled_at is not None
    if not shown:
        return {"shown": False}
    user = context["request"].user
    role = role_of(user, bucket.round.group)
    settled = bucket.completed_at is not None or bucket.cancelled_at is not None
    may_act = bucket.status == Bucket.Status.FUNDED and not settled
    return {
        "shown": True,
        "bucket": bucket,
        "round": bucket.round,
        "funded": bucket.funded_amount if bucket.funded_amount is not None else bucket.total,
        "can_complete": may_act and role in (Role.ADMIN, Role.ACCOUNTANT),
        "can_cancel": may_act and role == Role.ADMIN and bucket.paid_amount == 0,
        "preview": after_funding.preview(bucket, after_funding.COMPLETE) if may_act and role in (
            Role.ADMIN, Role.ACCOUNTANT) else None,
        "csrf_token": context.get("csrf_token"),
    }
