"""`{% follow_button bucket %}`: follow a bucket or stop, for the signed-in person."""

from django import template

from buckets.models import Follow

register = template.Library()


@register.inclusion_tag("buckets/_follow.html", takes_context=True)
def follow_button(context, bucket):
    user = context["request"].user
    following = getattr(bucket, "followed", None)  # read with the bucket by get_bucket_for
    if following is None:
        following = user.is_authenticated and Follow.objects.filter(bucket=bucket, user=user).exists()
    return {
        "bucket": bucket,
        "following": following,
        "csrf_token": context.get("csrf_token"),
    }
