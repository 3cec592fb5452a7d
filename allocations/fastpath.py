"""The allocation PUT with an API token, answered before the rest of the stack.

For `PUT /api/buckets/<id>/allocation/` with a token and a JSON body, this first middleware
does what the DRF view (allocations.api.BucketAllocation) does, with the same code: the access
rule (selectors.allocation_target), parse_amount and set_allocation. It answers as the whole
stack would (status, JSON, `code` and `detail` in LocaleMiddleware's language, the other
middleware's headers, by calling their code where it is public). Any request it cannot answer
exactly so goes on through the stack untouched, nothing written; tests/test_allocation_fastpath.py
holds it to the stack's answers. Why a middleware and not a view: bench/README.md.
"""

import json
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from rest_framework.authtoken.models import Token

from allocations.selectors import allocation_target
from cobudget import hotsql
from cobudget.errors import DomainError
from cobudget.middleware import CSP
from groups.mfa import mfa_missing_sql
from groups.models import User

MAX_BODY = 4096  # {"amount": "..."} is some 20 bytes
_ACCEPT = {"*/*", "application/json", "application/*"}
# The middleware whose response work _respond does by hand or by calling it: a middleware added
# to settings.MIDDLEWARE must be looked at here first (a test compares the two lists).
STACK = [
    "allocations.fastpath.AllocationFastPath",
    "cobudget.middleware.RefuseUnusableInputMiddleware",  # its path is all digits; no query string
    "django.middleware.security.SecurityMiddleware",  # _respond calls its process_response
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
    "django.contrib.sessions.middleware.SessionMiddleware",  # no cookie: nothing to do
    "django.middleware.locale.LocaleMiddleware",  # the language, Vary and Content-Language
    "django.middleware.common.CommonMiddleware",  # its checks above, its process_response
    "django.middleware.csrf.CsrfViewMiddleware",  # no cookie, and DRF's views are exempt
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # the token's person instead
    "django.contrib.messages.middleware.MessageMiddleware",  # no messages on this request
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # its process_response
    "allauth.account.middleware.AccountMiddleware",  # HTML pages only
    "trust.middleware.RequireMFAForOfficersMiddleware",  # _statement reads the same rule (mfa_missing)
    "cobudget.middleware.ContentSecurityPolicyMiddleware",  # its header
]
_JSON = re.compile(r"application/json\s*(;\s*charset\s*=\s*\"?utf-8\"?\s*)?", re.IGNORECASE)  # fullmatch


def _constant(name):
    return name  # NaN and Infinity stay text, as cobudget.drf.JSONParser keeps them


class AllocationFastPath:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None  # compiled on the first request: the URLconf may not be loaded yet
        # Their response work, applied to this middleware's answers.
        self._security = SecurityMiddleware(get_response)
        self._common = CommonMiddleware(get_response)
        self._xframe = XFrameOptionsMiddleware(get_response)

    def _match(self, path_info: str):
        if self._path is None:
            sample = reverse("api-bucket-allocation", kwargs={"pk": 918273645})
            sample = "/" + sample.removeprefix(get_script_prefix())  # path_info has no script prefix
            self._path = re.compile(re.escape(sample).replace("918273645", "([0-9]+)"))
        return self._path.fullmatch(path_info)  # as URL patterns match: not before a final newline

    def __call__(self, request):
        if request.method == "PUT":
            match = self._match(request.path_info)
            if match is not None:
                response = self._allocate(request, int(match.group(1)))
                if response is not None:
                    return response
        return self.get_response(request)

    def _allocate(self, request, bucket_id: int):
        """The stack's answer, or None to let the stack answer."""
        keyword, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if keyword != "Token" or not key or " " in key:
            return None  # session and CSRF, or a malformed header: DRF's authentication says
        meta = request.META
        if not _JSON.fullmatch(meta.get("CONTENT_TYPE", "")) or meta.get("HTTP_ACCEPT", "*/*") not in _ACCEPT:
            return None  # DRF's parsers and content negotiation (406, `; indent=`)
        if meta.get("QUERY_STRING") or meta.get("HTTP_COOKIE"):
            return None  # ?format= (DRF's 404); cookies the session and CSRF middleware would answer
        if self._security.redirect and not request.is_secure():
            return None  # SecurityMiddleware redirects to HTTPS
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
            size = int(meta.get("CONTENT_LENGTH") or 0)
        except (DisallowedHost, ValueError):
            return None
        if not 0 < size <= MAX_BODY or settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
            return None  # not an allocation's body; CommonMiddleware's user agents and redirect
        person = hotsql.fetchone(*_token_statement(key))  # prepared once per connection on PostgreSQL
        if person is None or not person[1] or person[2]:
            return None  # DRF answers: 401 (an unknown token, an inactive person), 403 (two-factor first)
        user = User.from_db(connection.alias, ["id", "is_active"], [person[0], True])  # the rest loads on access
        bucket = allocation_target(bucket_id=bucket_id, user=user)
        if bucket is None:
            return None  # DRF answers 404
        try:
            data = json.loads(request.body.decode("utf-8"), parse_float=Decimal, parse_constant=_constant)
        except ValueError:  # not JSON, not UTF-8
            return None
        if not isinstance(data, dict) or "amount" not in data or "member" in data:
            return None  # the serializer's errors, or an admin entering a paper form
        from allocations.services import set_allocation
        from cobudget.money import parse_amount

        language = translation.get_language_from_request(request)  # LocaleMiddleware's choice (no i18n URLs)
        with translation.override(language):
            try:
                amount = parse_amount(data["amount"], field="amount")  # AllocationInput's AmountField
                result = set_allocation(member=user, bucket=bucket, amount=amount, actor=user)
            except DomainError as exc:
                body = {"code": exc.code, "detail": str(exc.detail)}  # cobudget.api.exception_handler's
                if exc.field:
                    body["field"] = exc.field
                return self._respond(request, body, status=exc.status, language=language)
        return self._respond(
            request,
            {
                "amount": f"{result.amount:.2f}",
                "bucket_total": f"{result.bucket_total:.2f}",
                "envelope_remaining": f"{result.envelope_remaining:.2f}",
            },
            status=200,
            language=language,
        )

    def _respond(self, request, body: dict, *, status: int, language: str) -> HttpResponse:
        # DRF's JSONRenderer: compact, UTF-8, with U+2028/U+2029 escaped.
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        content = content.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        response = HttpResponse(content.encode(), content_type="application/json", status=status)
        response.headers["Allow"] = "PUT, OPTIONS"  # DRF's view
        # The middleware's, innermost first, as they would run on the way out.
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "CSP", CSP))
        self._xframe.process_response(request, response)
        self._common.process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))  # LocaleMiddleware
        response.headers.setdefault("Content-Language", language)
        return self._security.process_response(request, response)


def _token_statement(key: str) -> tuple[str, list]:
    """The token's person, whether they are active, and whether they must set up two-factor
    authentication first (groups.mfa)."""
    qn = connection.ops.quote_name
    return (
        f"SELECT t.user_id, u.is_active, {mfa_missing_sql('t.user_id')} FROM {qn(Token._meta.db_table)} t "
        f"INNER JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id WHERE t.{qn(Token._meta.pk.column)} = %s",
        [key],
    )

