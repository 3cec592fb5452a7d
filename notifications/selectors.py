"""Reads shared by the notification pages, the bell and the API."""

from notifications.models import Notification

RECENT = 20


def recent_for(user, *, limit: int = RECENT) -> list[Notification]:
    return list(Notification.objects.filter(user=user).select_related("group").order_by("-created_at", "-id")[:limit])


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()
