"""DRF: the audit trail (admins), a person's data export and account deletion."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView

from audit import services as audit
from audit.selectors import entries_for, present
from groups.models import Role
from groups.selectors import get_group_for
from trust import audit_read

AUDIT_ENTRY = inline_serializer("AuditEntry", many=True, fields={
    "id": serializers.IntegerField(),
    "at": serializers.DateTimeField(),
    "actor": inline_serializer("AuditActor", {"id": serializers.IntegerField(), "name": serializers.CharField()},
                               allow_null=True),
    "action": serializers.CharField(),
    "action_label": serializers.CharField(),
    "object": inline_serializer("AuditObject", {"type": serializers.CharField(), "id": serializers.CharField(),
                                               "label": serializers.CharField()}),
    "before": serializers.JSONField(allow_null=True),
    "after": serializers.JSONField(allow_null=True),
})
AUDIT_FILTERS = [
    OpenApiParameter("action", str, description="e.g. `round.updated`"),
    OpenApiParameter("actor", int, description="the id of the person who acted"),
    OpenApiParameter("type", str, description="the kind of object: round, bucket, membership…"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="from this day (the group's time zone)"),
    OpenApiParameter("until", OpenApiTypes.DATE, description="up to this day, included"),
]


def _admin_group(request, slug):
    group, membership = get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise PermissionDenied()
    return group


class AuditList(GenericAPIView):
    """Every change that is not a money movement, newest first (admins). Append-only."""

    serializer_class = None

    @extend_schema(parameters=AUDIT_FILTERS, responses=AUDIT_ENTRY)
    def get(self, request, slug):
        group = _admin_group(request, slug)
        filters = audit_read.filters_from(request.query_params, group=group)
        page = self.paginate_queryset(entries_for(group_id=group.pk, filters=filters))
        return self.get_paginated_response(present(page))


class CSVRenderer(renderers.JSONRenderer):
    """Lets clients ask for text/csv; the view streams the CSV itself (errors stay JSON)."""

    media_type = "text/csv"
    format = "csv"


class AuditCsv(GenericAPIView):
    """The audit trail as CSV (UTF-8 with BOM), with the same filters; its download is itself
    kept in the trail."""

    serializer_class = None
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(parameters=[*AUDIT_FILTERS, OpenApiParameter("sep", str, enum=["semicolon"])],
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, slug):
        group = _admin_group(request, slug)
        filters = audit_read.filters_from(request.query_params, group=group)
        audit.record_download(actor=request.user, group=group, export="audit.csv", obj=group)
        return audit_read.csv_response(group=group, filters=filters,
                                       semicolon=request.query_params.get("sep") == "semicolon")
