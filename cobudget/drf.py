"""DRF plumbing that must not import rest_framework.views: the parser and the pagination."""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework import exceptions, pagination, parsers


def _refuse_constant(name):
    # NaN, Infinity and -Infinity are not JSON; keep them as text so that validation
    # refuses them with a clear message instead of turning them into floats.
    return name


class JSONParser(parsers.JSONParser):
    """JSON numbers become exact Decimals, never floats."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
