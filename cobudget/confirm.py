"""Confirming, before anything changes, an action that destroys something or moves money
(withdraw, merge, close early, top-up, remove a member, revoke a link, delete a comment).

The first POST of such a form (no `confirm` field), or a GET of the page, answers a page that
states the consequence in numbers, with a button posting the same fields again plus a signed
`confirm` token. The token says who confirms which action on which object, and carries a
digest of the figures the page showed. When it comes back, the figures are computed again:
if they no longer match (someone allocated meanwhile; the action already happened, so the
form was sent twice), nothing is done and the page shows the new figures with a message.
Plain HTML forms: no JavaScript needed. The API is unchanged: a program confirms by calling.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cobudget.errors import DomainError

SALT = "cobudget.confirm"
MAX_AGE = 60 * 60  # seconds a confirmation page stays valid
FIELD = "confirm"


@dataclass
class Consequence:
    """What a confirmation page says: a question, sentences with the numbers, and the raw
    figures those sentences state (compared when the confirmation comes back)."""

    title: str
    lines: list[str]
    figures: tuple
    confirm_label: str
    back_url: str
    back_label: str = ""
    danger: bool = True
    notes: list[str] = field(default_factory=list)


def _digest(figures: tuple) -> str:
    return hashlib.sha256(repr(tuple(str(value) for value in figures)).encode()).hexdigest()[:32]


def token_for(*, user, action: str, target, figures: tuple) -> str:
    return signing.dumps({"u": user.pk, "a": action, "t": str(target), "f": _digest(figures)}, salt=SALT)


def check(token: str, *, user, action: str, target, figures: tuple) -> None:
    """Refuse (DomainError, 409) a token that is forged, too old, someone else's, for another
    action or object, or whose figures are no longer those of today."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError("confirmation_expired",
                          _("This confirmation is more than an hour old. Read the figures again and confirm.")) from None
    except signing.BadSignature:
        raise DomainError("confirmation_invalid", _("This confirmation is not valid. Read the figures and confirm.")) from None
    if data.get("u") != user.pk or data.get("a") != action or data.get("t") != str(target):
        raise DomainError("confirmation_invalid", _("This confirmation is not valid. Read the figures and confirm."))
    if data.get("f") != _digest(figures):
        raise stale()


def stale() -> DomainError:
    """The refusal of a confirmation whose figures changed; services raise it too when they
    find, under their locks, other figures than those confirmed."""
    return DomainError(
        "confirmation_stale",
        _("Nothing was done: the figures changed since you were asked (or this form was already sent). "
          "Here they are as they stand now."),
    )


def page(request, *, action: str, target, consequence: Consequence, error: str = "", status: int = 200) -> HttpResponse:
    """The confirmation page: the consequence, then a form posting the same fields again with
    a token, and a way back."""
    hidden = [(name, value) for name, values in request.POST.lists() if name not in ("csrfmiddlewaretoken", FIELD)
              for value in values]
    return render(request, "confirm.html", {
        "consequence": consequence,
        "hidden": hidden,
        "token": token_for(user=request.user, action=action, target=target, figures=consequence.figures),
        "error": error,
    }, status=status)


def confirm_or_run(request, *, action: str, target, consequence: Callable[[], Consequence],
                   run: Callable[[Consequence], HttpResponse]) -> HttpResponse:
    """Answer the confirmation page until a valid confirmation comes back, then run it with
    the consequence just compared (a service may check its figures again under its locks).
    `consequence` computes the figures as they stand (twice when confirming: to compare)."""
    if request.method != "POST" or FIELD not in request.POST:
        return page(request, action=action, target=target, consequence=consequence())
    current = consequence()
    try:
        check(request.POST[FIELD], user=request.user, action=action, target=target, figures=current.figures)
    except DomainError as exc:
        return page(request, action=action, target=target, consequence=current, error=str(exc.detail), status=409)
    try:
        return run(current)
    except DomainError as exc:
        if exc.code != "confirmation_stale":
            raise
        current = consequence()
        return page(request, action=action, target=target, consequence=current, error=str(exc.detail), status=409)
