"""Invitation mails go through `notify`, so that they follow the same rules as the rest.

groups sits below this app, so it does not import it: it calls its INVITATION_HOOKS after
commit, and this module registers the one that notifies the invited people.
"""

from celery import shared_task
from django.db import transaction
from django.urls import reverse

from groups.models import Invitation
from groups.services import welcome_token
from notifications.models import Kind
from notifications.services import _queue, notify


def queue_invitations(*, invitation_ids: list[int]) -> None:
    """The hook groups calls after commit: notify in a task, away from the request."""
    _queue(notify_invitations_task, list(invitation_ids))


# Here rather than in notifications.tasks: it calls notify, which queues the tasks there.
# Registered under the name messages already queued carry; CELERY_IMPORTS loads it in the worker.
@shared_task(name="notifications.tasks.notify_invitations", ignore_result=True)
def notify_invitations_task(invitation_ids: list[int]) -> None:
    notify_invitations(invitation_ids=invitation_ids)


def notify_invitations(*, invitation_ids: list[int]) -> int:
    invitations = Invitation.objects.filter(pk__in=invitation_ids).select_related("group", "user", "invited_by")
    count = 0
    with transaction.atomic():
        for invitation in invitations:
            # Someone without a password yet is welcomed on a page where they choose one;
            # someone who has one goes to the group.
            welcome = None
            if not invitation.user.has_usable_password():
                welcome = reverse("invitation-welcome", args=[welcome_token(invitation)])
            count += len(
                notify(
                    users=[invitation.user],
                    kind=Kind.INVITATION,
                    template="groups/email/invitation",
                    context={"invitation": invitation, "group": invitation.group, "welcome": welcome is not None},
                    url=welcome or f"/g/{invitation.group.slug}/",
                    group=invitation.group,
                )
            )
    return count
