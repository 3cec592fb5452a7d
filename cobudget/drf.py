"""DRF plumbing that must not import rest_framework.views: the parser and the pagination."""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework import exceptions, metadata, pagination, parsers


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


class Metadata(metadata.SimpleMetadata):
    """OPTIONS answers with the view's name and formats, without DRF's `actions`: building
    them calls `get_object()`, which views without a queryset (they read through selectors)
    do not have, and which would run an access check outside the view's own."""

    def determine_metadata(self, request, view):
        data = super().determine_metadata(request, view)
        data.pop("actions", None)
        return data

    def determine_actions(self, request, view):
        return {}
