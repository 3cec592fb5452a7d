"""Small helpers shared by the page views of every app."""

from collections.abc import Callable

from django.contrib import messages

from cobudget.errors import DomainError


def perform(request, action: Callable[[], object], *, success: str) -> bool:
    """Run a service call for a form; say in words what happened (a DomainError's detail, or
    `success`). True when it went through."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return False
    messages.success(request, success)
    return True
