"""`{% flags_panel bucket %}`: the flags panel for the signed-in person, so that the bucket
page only has to `{% include "buckets/_flags.html" %}` with `bucket` in its context."""

from django import template

from buckets.guidelines import selectors as guideline_selectors
from groups.selectors import membership_of

register = template.Library()


@register.inclusion_tag("buckets/_flags_panel.html", takes_context=True)
def flags_panel(context, bucket):
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    membership = membership_of(user, bucket.round.group)
    panel = guideline_selectors.flags_panel(bucket=bucket, user=user, membership=membership)
    panel["request"] = request
    panel["csrf_token"] = context.get("csrf_token")
    return panel
