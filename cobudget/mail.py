"""E-mail: rendered in the recipient's language, sent by Celery tasks after commit.

A failure to send is logged and never propagates (API.md: it never makes a request or a
command fail).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def send_templated(*, user, template: str, context: dict) -> bool:
    """Render `<template>_subject.txt`, `<template>.txt` and, when it exists,
    `<template>.html`, in `user.language`, and send them to `user.email`."""
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except Exception:
            html = None
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("mail %s to user %s not sent", template, user.pk)
        return False
    return True
