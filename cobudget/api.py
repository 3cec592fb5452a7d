"""The one exception handler: every 400 and 409 has `code` and `detail`."""

from rest_framework import exceptions, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cobudget.errors import DomainError


def _first_message(detail):
    if isinstance(detail, dict):
        for key, value in detail.items():
            msg = _first_message(value)
            if msg:
                return msg if key in ("non_field_errors", "detail") else f"{key}: {msg}"
    if isinstance(detail, list):
        for value in detail:
            msg = _first_message(value)
            if msg:
                return msg
    return str(detail) if detail else ""


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def exception_handler(exc, context):
    """Every 400 and 409 body has a stable `code` and a human `detail`."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.detail)}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        code = _first_code(detail)
        if code in ("invalid", "required", "null", "blank") and isinstance(detail, dict):
            code = "invalid" if code == "invalid" else code
        response.data = {"code": str(code), "detail": _first_message(detail), "errors": detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        response.data = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
                         "detail": str(exc.detail)}
    return response


class JSONRenderer(renderers.JSONRenderer):
    pass
