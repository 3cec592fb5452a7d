"""@mentions in comments: `@alice` names the person of the group whose e-mail starts with
`alice@`, whose whole e-mail is `@alice@example.org`, or whose one-word name is Alice."""

import re

from django.db.models import Q

from groups.models import User

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)", re.UNICODE)


def handles_in(text: str) -> set[str]:
    return {match.rstrip(".").lower() for match in MENTION.findall(text or "")}


def mentioned_users(*, group, text: str) -> list[User]:
    handles = sorted(handles_in(text))[:20]
    if not handles:
        return []
    match = Q()
    for handle in handles:
        if "@" in handle:
            match |= Q(email__iexact=handle)
        else:
            match |= Q(email__istartswith=f"{handle}@") | Q(name__iexact=handle)
    return list(User.objects.filter(match, memberships__group=group, is_active=True).distinct().order_by("pk"))
