from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread count (one query, remembered for the request)."""
    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is not None:
        cached = getattr(request, "_unread_notifications", None)
        if cached is None:
            cached = request._unread_notifications = selectors.unread_count(user)
        return cached
    return selectors.unread_count(user)
