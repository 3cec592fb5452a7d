from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from groups.models import Invitation


@shared_task(ignore_result=True)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("group", "user", "invited_by").filter(pk=invitation_id).first()
    if invitation is None:
        return
    with translation.override(invitation.user.language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "site_url": settings.SITE_URL}
        subject = render_to_string("groups/email/invitation_subject.txt", context).strip()
        body = render_to_string("groups/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email], fail_silently=False)
    except Exception:  # a failure to send never breaks the caller; the worker logs it
        import logging

        logging.getLogger(__name__).exception("invitation %s not sent", invitation_id)


@shared_task(ignore_result=True)
def send_invitations(invitation_ids: list[int]) -> None:
    for invitation_id in invitation_ids:
        send_invitation(invitation_id)
