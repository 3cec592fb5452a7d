"""DRF: a round's guidelines and a bucket's flags. Serializers shape; services decide."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from buckets.guidelines import selectors, services
from buckets.models import Flag, Guideline
from buckets.selectors import get_bucket_for, get_round_for
from cobudget.errors import DomainError


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


class GuidelineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guideline
        fields = ["id", "title", "description", "position"]
        read_only_fields = ["id"]


class GuidelineWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, required=False)


class FlagSerializer(serializers.ModelSerializer):
    guideline = serializers.PrimaryKeyRelatedField(read_only=True)
    guideline_title = serializers.CharField(source="guideline.title", read_only=True)
    raised_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = ["id", "bucket", "guideline", "guideline_title", "comment", "raised_by", "created_at", "resolved_at", "resolved_by"]

    def get_raised_by(self, flag) -> dict:
        return _person(flag.raised_by)

    def get_resolved_by(self, flag) -> dict | None:
        return _person(flag.resolved_by)


class FlagWriteSerializer(serializers.Serializer):
    guideline = serializers.IntegerField()
    comment = serializers.CharField(max_length=5000)


def _guideline_for(user, pk) -> Guideline:
    guideline = Guideline.objects.select_related("round__group").filter(pk=pk).first()
    if guideline is None:
        raise Http404
    get_round_for(user, guideline.round_id)
    return guideline


def _flag_for(user, pk) -> Flag:
    flag = Flag.objects.select_related("guideline", "raised_by", "resolved_by").filter(pk=pk).first()
    if flag is None:
        raise Http404
    flag.bucket, _membership = get_bucket_for(user, flag.bucket_id)
    return flag


class GuidelineList(GenericAPIView):
    serializer_class = GuidelineSerializer

    @extend_schema(responses=GuidelineSerializer(many=True))
    def get(self, request, pk):
        round, _membership = get_round_for(request.user, pk)
        page = self.paginate_queryset(selectors.guidelines_of(round))
        return self.get_paginated_response(GuidelineSerializer(page, many=True).data)

    @extend_schema(request=GuidelineWriteSerializer, responses={201: GuidelineSerializer})
    def post(self, request, pk):
        round, _membership = get_round_for(request.user, pk)
        data = GuidelineWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        guideline = services.create_guideline(
            round=round, actor=request.user, title=values.get("title", ""), description=values.get("description", "")
        )
        if "position" in values:
            guideline = services.set_guideline_position(guideline=guideline, actor=request.user, position=values["position"])
        return Response(GuidelineSerializer(guideline).data, status=status.HTTP_201_CREATED)


class GuidelineDetail(GenericAPIView):
    serializer_class = GuidelineSerializer

    def get(self, request, pk):
        return Response(GuidelineSerializer(_guideline_for(request.user, pk)).data)

    @extend_schema(request=GuidelineWriteSerializer, responses={200: GuidelineSerializer})
    def patch(self, request, pk):
        guideline = _guideline_for(request.user, pk)
        data = GuidelineWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        guideline = services.update_guideline(
            guideline=guideline, actor=request.user, title=values.get("title"), description=values.get("description")
        )
        if "position" in values:
            guideline = services.set_guideline_position(guideline=guideline, actor=request.user, position=values["position"])
        guideline.refresh_from_db()
        return Response(GuidelineSerializer(guideline).data)

    def delete(self, request, pk):
        services.delete_guideline(guideline=_guideline_for(request.user, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlagList(GenericAPIView):
    serializer_class = FlagSerializer

    @extend_schema(responses=FlagSerializer(many=True))
    def get(self, request, pk):
        bucket, _membership = get_bucket_for(request.user, pk)
        flags = selectors.flags_of(bucket, open_only=request.query_params.get("open") in ("1", "true"))
        page = self.paginate_queryset(flags)
        return self.get_paginated_response(FlagSerializer(page, many=True).data)

    @extend_schema(request=FlagWriteSerializer, responses={201: FlagSerializer})
    def post(self, request, pk):
        bucket, _membership = get_bucket_for(request.user, pk)
        data = FlagWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guideline = Guideline.objects.filter(pk=data.validated_data["guideline"], round_id=bucket.round_id).first()
        if guideline is None:
            raise DomainError("invalid", _("Choose one of this round's guidelines."), status=400, field="guideline")
        flag = services.raise_flag(
            bucket=bucket, guideline=guideline, actor=request.user, comment=data.validated_data["comment"]
        )
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class FlagResolve(GenericAPIView):
    serializer_class = FlagSerializer

    @extend_schema(request=None, responses={200: FlagSerializer})
    def post(self, request, pk):
        flag = services.resolve_flag(flag=_flag_for(request.user, pk), actor=request.user)
        return Response(FlagSerializer(flag).data)
