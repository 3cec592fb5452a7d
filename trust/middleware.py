from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from groups.mfa import groups_requiring_mfa

# What an officer without two-factor authentication may still reach: setting it up (allauth's
# pages), logging out, the language, static files, their data (RGPD), and what a token in the
# address opens (calendar feeds, unsubscribe links).
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/jsi18n/", "/static/", "/healthz", "/calendar/",
                    "/notifications/unsubscribe/", "/me/data/", "/api/me/export/", "/api/auth/token/")
ALLOWED_PATHS = ("/api/me/",)


def refusal(groups) -> str:
    names = ", ".join(group.name for group in groups)
    return ngettext(
        "%(groups)s asks its admins and accountants to use two-factor authentication: set it up to go on.",
        "%(groups)s ask their admins and accountants to use two-factor authentication: set it up to go on.",
        len(groups),
    ) % {"groups": names}


class RequireMFAForOfficersMiddleware:
    """Pages and the session API, for the officers of a group that requires two-factor
    authentication and who have none yet: pages send them to set it up (a GET is redirected
    there with the reason, anything else is refused with it), the API answers 403
    `mfa_required`. The token API is held by trust.permissions.OfficersHaveMFA."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(ALLOWED_PREFIXES) or path in ALLOWED_PATHS:
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated:
            return self.get_response(request)  # no session: the token API is held by the permission
        groups = groups_requiring_mfa(request.user)
        if not groups:
            return self.get_response(request)
        detail = refusal(groups)
        if path.startswith("/api/"):
            return JsonResponse({"code": "mfa_required", "detail": detail}, status=403)
        if request.method in ("GET", "HEAD"):
            messages.warning(request, detail)
            return redirect(reverse("mfa_index"))
        return render(request, "trust/mfa_required.html", {"detail": detail}, status=403)
