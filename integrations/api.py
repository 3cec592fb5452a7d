"""DRF: a group's webhooks and their delivery log (admins); a person's calendar address."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from cobudget.events import EVENTS
from groups.models import Role
from groups.selectors import get_group_for, membership_of
from integrations import calendar, webhooks
from integrations.models import Delivery, Webhook


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = ["id", "url", "format", "events", "secret", "created_at"]


class WebhookWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    format = serializers.ChoiceField(choices=Webhook.Format.choices, default=Webhook.Format.JSON)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1, max_length=len(EVENTS))


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    log = serializers.ListField(child=inline_serializer("DeliveryAttempt", {
        "at": serializers.DateTimeField(), "status_code": serializers.IntegerField(allow_null=True),
        "error": serializers.CharField(), "duration_ms": serializers.IntegerField(allow_null=True),
    }))

    class Meta:
        model = Delivery
        fields = ["id", "event", "status", "attempts", "created_at", "delivered_at", "next_attempt_at", "log"]


def _admin_group(request, slug):
    group, membership = get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise PermissionDenied()
    return group


def _admin_webhook(request, pk) -> Webhook:
    webhook = get_object_or_404(Webhook.objects.select_related("group"), pk=pk)
    membership = membership_of(request.user, webhook.group)
    if membership is None:
        raise Http404
    if membership.role != Role.ADMIN:
        raise PermissionDenied()
    return webhook


class WebhookList(GenericAPIView):
    """The group's webhooks (admins). `secret` signs JSON deliveries (X-Cobudget-Signature)."""

    serializer_class = WebhookSerializer

    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request, slug):
        group = _admin_group(request, slug)
        page = self.paginate_queryset(Webhook.objects.filter(group=group).order_by("created_at", "id"))
        return self.get_paginated_response(WebhookSerializer(page, many=True).data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookSerializer})
    def post(self, request, slug):
        group = _admin_group(request, slug)
        data = WebhookWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = webhooks.create_webhook(group=group, actor=request.user, **data.validated_data)
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(GenericAPIView):
    serializer_class = WebhookSerializer

    def delete(self, request, pk):
        webhooks.delete_webhook(webhook=_admin_webhook(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryList(GenericAPIView):
    """Every delivery of the webhook, newest first, with each attempt's answer."""

    serializer_class = DeliverySerializer

    @extend_schema(responses=DeliverySerializer(many=True))
    def get(self, request, pk):
        webhook = _admin_webhook(request, pk)
        page = self.paginate_queryset(Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


CALENDAR = inline_serializer("CalendarAddress", {"url": serializers.URLField()})


class MyCalendar(GenericAPIView):
    """Your calendar's address (.ics, RFC 5545); POST makes a new one and the old stops working."""

    serializer_class = None

    @extend_schema(responses=CALENDAR)
    def get(self, request):
        return Response({"url": calendar.url_of(calendar.token_for(request.user))})

    @extend_schema(request=None, responses=CALENDAR)
    def post(self, request):
        return Response({"url": calendar.url_of(calendar.renew_token(request.user))})
