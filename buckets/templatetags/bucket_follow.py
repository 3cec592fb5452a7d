"""`{% follow_button bucket %}`: follow a bucket or stop, for the signed-in person."""

from django import template

from buckets.models import Follow

register = template.Library()


@register.inclusion_tag("buckets/_follow.html", takes_context=True)
def follow_button(context, bucket):
    user = context["request"].user
    return {
        "bucket": bucket,
        "following": user.is_authenticated and Follow.objects.filter(bucket=bucket, user=user).exists(),
        "csrf_token": context.get("csrf_token"),
    }
