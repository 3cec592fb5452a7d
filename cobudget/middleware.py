import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

# Scripts only from our own origin (htmx and our own JS are vendored in static/); no inline
# script anywhere. Inline styles are allowed for progress bars' computed widths.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/docs") or request.path.startswith("/admin/"):
            return response  # Swagger UI and Django's admin ship inline scripts of their own.
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "CSP", CSP))
        return response


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Django hands bytes that are not UTF-8 on as "%XX" (django.utils.encoding.repercent_broken_unicode).
_BROKEN_UTF8 = re.compile(r"%[89A-F][0-9A-F]")


class RefuseUnusableInputMiddleware:
    """A path holding a control character (NUL first: PostgreSQL refuses it in text) or
    bytes that are not UTF-8 names no resource: 404, before any view or query sees it. A NUL
    in the query string is a 400 (a JSON one under /api/). Path parameters are further held
    to their converters (`int`, `slug`, and `token` in cobudget/converters.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not (path.isascii() and path.isprintable() and "%" not in path):
            if _CONTROL.search(path) or _BROKEN_UTF8.search(path):
                raise Http404
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "invalid", "detail": _("The query contains a NUL character.")}, status=400)
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
