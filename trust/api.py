"""DRF: the audit trail (admins), a person's data export and account deletion."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from audit import services as audit
from audit.selectors import entries_for, present
from cobudget.errors import DomainError
from groups.models import Role
from groups.selectors import get_group_for
from trust import audit_read, privacy

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


def zip_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class ZipRenderer(renderers.BaseRenderer):
    media_type = "application/zip"
    format = "zip"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


class MyExport(GenericAPIView):
    """Everything the service holds about you, as a ZIP of JSON and CSV files (RGPD)."""

    serializer_class = None
    open_without_mfa = True
    renderer_classes = [renderers.JSONRenderer, ZipRenderer]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        data = privacy.export_person(request.user)
        audit.record_download(actor=request.user, group=None, export="personal data", obj=request.user)
        return zip_response(data, f"cobudget-my-data-{timezone.localdate().isoformat()}.zip")


class DeleteAccount(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, max_length=4096, required=False, allow_blank=True)


def password_checker(request, user):
    """Checks a password through allauth, so that failures count against the account as the
    login form's do (and a locked-out account is refused)."""
    def check(password: str) -> bool:
        try:
            return get_account_adapter(request).authenticate(request, email=user.email, password=password) == user
        except ValidationError:
            raise DomainError("too_many_login_attempts",
                              _("Too many failed attempts for this account; try again in a few minutes."), status=429) from None
    return check


class Me(GenericAPIView):
    """DELETE erases your account (RGPD) after checking your password: your personal data goes;
    ledger rows, stances and comments stay, signed "Former member #N". Refused (409
    last_admin) while you are a group's last admin."""

    serializer_class = None
    open_without_mfa = True

    @extend_schema(request=DeleteAccount, responses={204: None})
    def delete(self, request):
        data = DeleteAccount(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        privacy.erase_account(user=user, password=data.validated_data.get("password", ""),
                              authenticate=password_checker(request, user))
        if hasattr(request, "session"):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
