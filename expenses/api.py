"""DRF: a funded bucket's expenses, their decisions and payments, and the receipt's download.
Serializers shape and validate the form of the input; services decide."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cobudget.drf import JSONParser
from cobudget.errors import DomainError
from expenses import files, selectors, services
from expenses.models import Expense


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


class ExpenseSerializer(serializers.ModelSerializer):
    receipt_url = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = [
            "id", "bucket", "description", "amount", "spent_on", "supplier", "status", "receipt_url",
            "submitted_by", "submitted_at", "decided_by", "decided_at", "reason", "paid_at", "payment_reference",
        ]

    def get_receipt_url(self, expense) -> str | None:
        """The receipt's address for those who may read it (the group's admins and
        accountants, the bucket's co-leads); null for everyone else."""
        request = self.context.get("request")
        if request is None or not services.may_read_receipts(request.user, expense.bucket):
            return None
        return request.build_absolute_uri(reverse("api-expense-receipt", args=[expense.pk]))

    @extend_schema_field(PersonSerializer)
    def get_submitted_by(self, expense) -> dict:
        return _person(expense.submitted_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, expense) -> dict | None:
        return _person(expense.decided_by)


class ExpenseFieldsSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    amount = serializers.CharField(max_length=40, help_text="A decimal string, like 430.50.")
    spent_on = serializers.DateField()
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ExpenseWriteSerializer(ExpenseFieldsSerializer):
    # The receipt is checked by expenses.files (by its content), not by DRF's FileField.
    receipt = serializers.FileField(help_text="PDF, PNG or JPEG, at most 10 MB (checked by its content).")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PaySerializer(serializers.Serializer):
    paid_at = serializers.DateField()
    payment_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BucketExpenses(GenericAPIView):
    serializer_class = ExpenseSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body (the session's CSRF check does): too large an upload
        # is refused from its announced length, and a file growing past 10 MB is dropped.
        if request.method == "POST":
            files.check_request_size(request)
            files.limit_uploads(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=ExpenseSerializer(many=True))
    def get(self, request, pk):
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        page = self.paginate_queryset(selectors.expenses_of(bucket).select_related("bucket__round__group"))
        return self.get_paginated_response(ExpenseSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": ExpenseWriteSerializer},
        responses={201: ExpenseSerializer, 400: OpenApiResponse(description="Invalid input or receipt"),
                   409: OpenApiResponse(description="bucket_not_funded, expense_exceeds_balance")},
    )
    def post(self, request, pk):
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        services.check_may_submit(request.user, bucket)
        data = ExpenseFieldsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expense = services.submit(
            bucket=bucket, actor=request.user, description=values["description"], amount=values["amount"],
            spent_on=values["spent_on"], supplier=values.get("supplier", ""), receipt=request.FILES.get("receipt"),
            request=request,
        )
        return Response(ExpenseSerializer(expense, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _decision_view(action):
    @extend_schema(request=PaySerializer if action == "pay" else ReasonSerializer, responses={200: ExpenseSerializer})
    @api_view(["POST"])
    def view(request, pk):
        expense = selectors.get_expense_for(request.user, pk)
        if action == "pay":
            data = PaySerializer(data=request.data)
            data.is_valid(raise_exception=True)
            expense = services.pay(expense=expense, actor=request.user, paid_at=data.validated_data["paid_at"],
                                   payment_reference=data.validated_data.get("payment_reference", ""))
        else:
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            run = services.approve if action == "approve" else services.reject
            expense = run(expense=expense, actor=request.user, reason=data.validated_data.get("reason", ""))
        return Response(ExpenseSerializer(expense, context={"request": request}).data)

    view.cls.__name__ = f"Expense{action.title()}"
    return view


approve_view = _decision_view("approve")
reject_view = _decision_view("reject")
pay_view = _decision_view("pay")


@extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The receipt file")})
@api_view(["GET"])
def receipt_view(request, pk):
    expense = selectors.get_expense_for(request.user, pk)
    if not services.may_read_receipts(request.user, expense.bucket):
        raise DomainError("forbidden", _("Receipts are for the group's admins and accountants and the bucket's "
                                         "co-leads."), status=403)
    return stream_file(expense.receipt, name=expense.receipt_name, content_type=expense.receipt_content_type)


def stream_file(field_file, *, name: str, content_type: str, inline: bool = False) -> FileResponse:
    """A stored file, streamed with the type our content check found (never the client's),
    as an attachment the browser does not sniff."""
    response = FileResponse(field_file.open("rb"), as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
