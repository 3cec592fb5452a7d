"""Not builders: sending a plain notice and reading the mails it leads to (HTML part, unsubscribe
link), for the notification tests only."""

import re

from notifications.services import notify


def send(users, *, kind, title="Something happened", body="Details of what happened.", url="/", group=None):
    return notify(users=users, kind=kind, template="notifications/email/generic",
                  context={"title": title, "body": body}, url=url, group=group)


def html_of(message) -> str:
    return next(content for content, mime in message.alternatives if mime == "text/html")


def unsubscribe_path(message) -> str:
    match = re.search(r"/notifications/unsubscribe/[^/\s>]+/", message.extra_headers["List-Unsubscribe"])
    return match.group(0)
