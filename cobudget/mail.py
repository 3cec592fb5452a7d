"""E-mail: rendered in the recipient's language, sent by Celery tasks after commit.

A failure to send is logged and never propagates (API.md: it never makes a request or a
command fail).
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# A subject is one line: the template's line breaks and indentation collapse to one space, but
# never the no-break spaces of French typography (str.split() would take those too).
_LINE_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str | None


def language_of(user) -> str:
    return getattr(user, "language", None) or settings.LANGUAGE_CODE


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping (an apostrophe stays an apostrophe
    in a subject or a text body)."""
    rendered = get_template(template_name).template.render(Context(context, autoescape=False))
    # A plain str, not the SafeString Django returns: rendered without escaping, this text is
    # NOT safe HTML, and an HTML layout that shows it must escape it.
    return rendered.encode().decode()


def render_templated(*, user, template: str, context: dict) -> RenderedMail:
    """Render `<template>_subject.txt`, `<template>.txt` and, when it exists,
    `<template>.html`, in `user.language`."""
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    with translation.override(language_of(user)):
        subject = _LINE_SPACE.sub(" ", render_text(f"{template}_subject.txt", context)).strip()
        text = render_text(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    return RenderedMail(subject=subject, text=text, html=html)


def send_rendered(*, to: str, subject: str, text: str, html: str | None = None, headers: dict | None = None) -> bool:
    """Send one message; log and return False instead of raising when it cannot be sent."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("mail %r to %s not sent", subject[:60], to)
        return False
    return True


def send_templated(*, user, template: str, context: dict) -> bool:
    """Render a templated mail in `user.language` and send it to `user.email`."""
    mail = render_templated(user=user, template=template, context=context)
    return send_rendered(to=user.email, subject=mail.subject, text=mail.text, html=mail.html)
