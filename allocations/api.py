"""DRF: rounds (with phase and totals), buckets (with my allocation), envelopes, allocation,
publish, withdraw, merge and top-up. Serializers validate and shape; services decide."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from allocations import selectors, services
from buckets import selectors as bucket_selectors
from buckets import services as bucket_services
from buckets.api import BucketSerializer, BucketWriteSerializer
from buckets.models import Round
from cobudget.money import CURRENCY_CHOICES, parse_amount
from groups.models import Membership, Role
from groups.selectors import get_group_for


@extend_schema_field({"type": "string", "format": "decimal", "example": "12.50"})
class AmountField(serializers.Field):
    """Money input: a string or a JSON number (parsed as Decimal) with the currency's places.
    Bad input raises the domain's `invalid_amount` (400)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is serializers.empty and not self.required:
            raise serializers.SkipField()
        if data is None and self.allow_null:
            return True, None
        return False, data

    def to_internal_value(self, data):
        return parse_amount(data, field=self.field_name)

    def to_representation(self, value):
        return None if value is None else str(value)


def money(value) -> str:
    return f"{value:.2f}"


# --- rounds -----------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    phase = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id", "group", "title", "description", "kind", "currency", "envelope_amount", "proposals_open_at",
            "funding_opens_at", "funding_closes_at", "meeting_at", "max_per_member_per_bucket", "min_coleads",
            "funded_if_percent_of_min", "decide_if_percent_of_min", "buckets_during_funding", "phase", "totals",
            "published_at", "closed_at", "expires_after_days",
        ]

    def get_phase(self, round) -> str:
        return str(round.phase)

    def get_totals(self, round) -> dict:
        known = self.context.get("totals", {}).get(round.pk)  # a list computes them all at once
        totals = known if known is not None else selectors.round_totals(round)
        return {key: money(value) for key, value in totals.items()}


class RoundWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    kind = serializers.ChoiceField(choices=Round.Kind.choices, required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    envelope_amount = AmountField(required=False)
    proposals_open_at = serializers.DateTimeField(required=False, allow_null=True)
    funding_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    funding_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)
    max_per_member_per_bucket = AmountField(required=False, allow_null=True)
    min_coleads = serializers.IntegerField(required=False, min_value=0, max_value=20)
    funded_if_percent_of_min = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    decide_if_percent_of_min = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    buckets_during_funding = serializers.BooleanField(required=False)
    expires_after_days = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Permanent rounds: an open bucket still unfunded this many days after it was published is closed "
                  "not funded and its allocations go back (null: never). 400 for a fixed round.")


def _round_for(request, pk) -> tuple[Round, Membership]:
    return bucket_selectors.get_round_for(request.user, pk)


def _require_admin(membership):
    if membership.role != Role.ADMIN:
        raise PermissionDenied()


class RoundList(GenericAPIView):
    serializer_class = RoundSerializer

    @extend_schema(responses=RoundSerializer(many=True))
    def get(self, request, slug):
        group, _membership = get_group_for(request.user, slug)
        page = self.paginate_queryset(bucket_selectors.rounds_for(group=group, user=request.user).select_related("group"))
        context = {"totals": selectors.round_totals_many(page)}
        return self.get_paginated_response(RoundSerializer(page, many=True, context=context).data)

    @extend_schema(request=RoundWriteSerializer, responses={201: RoundSerializer})
    def post(self, request, slug):
        group, membership = get_group_for(request.user, slug)
        _require_admin(membership)
        data = RoundWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round = bucket_services.create_round(group=group, actor=request.user, **data.validated_data)
        return Response(RoundSerializer(round).data, status=status.HTTP_201_CREATED)


class RoundDetail(GenericAPIView):
    serializer_class = RoundSerializer

    def get(self, request, pk):
        round, _membership = _round_for(request, pk)
        return Response(RoundSerializer(round).data)

    @extend_schema(request=RoundWriteSerializer)
    def patch(self, request, pk):
        round, membership = _round_for(request, pk)
        _require_admin(membership)
        data = RoundWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        round = bucket_services.update_round(round=round, actor=request.user, **data.validated_data)
        return Response(RoundSerializer(round).data)


class RoundPublish(GenericAPIView):
    serializer_class = RoundSerializer

    @extend_schema(request=None)
    def post(self, request, pk):
        round, membership = _round_for(request, pk)
        _require_admin(membership)
        round = services.publish_round(round=round, actor=request.user)
        return Response(RoundSerializer(round).data)


class PeriodField(serializers.CharField):
    """Checked by the service, so that every bad period answers the same code (invalid_period)."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)
        self.validators = []


class TopupSerializer(serializers.Serializer):
    amount = AmountField()
    period = PeriodField(
        required=False,
        help_text=f"A label such as 2027, at most {services.MAX_PERIOD} characters (default: the current year in the "
        "group's time zone); granted once per round.",
    )


class TopupOutput(serializers.Serializer):
    period = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    envelopes = serializers.IntegerField()
    granted_at = serializers.DateTimeField()
    granted_by = serializers.SerializerMethodField()

    def get_granted_by(self, topup) -> dict | None:
        person = topup.granted_by
        return None if person is None else {"id": person.pk, "name": person.display_name}


class RoundTopup(GenericAPIView):
    serializer_class = RoundSerializer

    @extend_schema(request=TopupSerializer, description="Grant a top-up to every envelope of a permanent round, "
                   "once per period (409 topup_already_granted).")
    def post(self, request, pk):
        round, membership = _round_for(request, pk)
        _require_admin(membership)
        data = TopupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topup = services.grant_topup(round=round, amount=data.validated_data["amount"], actor=request.user,
                                     period=data.validated_data.get("period"))
        round.refresh_from_db()
        body = RoundSerializer(round).data
        body["envelopes_topped_up"] = topup.envelopes
        body["topup"] = TopupOutput(topup).data
        return Response(body)


class TopupList(GenericAPIView):
    serializer_class = TopupOutput

    @extend_schema(responses=TopupOutput(many=True), description="The top-ups granted in the round, newest first.")
    def get(self, request, pk):
        round, _membership = _round_for(request, pk)
        page = self.paginate_queryset(selectors.topups_of(round))
        return self.get_paginated_response(TopupOutput(page, many=True).data)


# --- envelopes --------------------------------------------------------------------------------


class EnvelopeSerializer(serializers.Serializer):
    member = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=12, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)
    is_custom = serializers.BooleanField()

    def get_member(self, envelope) -> dict:
        return {
            "id": self.context.get("membership_ids", {}).get(envelope.user_id),
            "email": envelope.user.email,
            "name": envelope.user.name,
        }


class MyEnvelopeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=12, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)


def _membership_ids(round) -> dict:
    return dict(Membership.objects.filter(group_id=round.group_id).values_list("user_id", "id"))


class EnvelopeList(GenericAPIView):
    serializer_class = EnvelopeSerializer

    @extend_schema(responses=EnvelopeSerializer(many=True))
    def get(self, request, pk):
        round, membership = _round_for(request, pk)
        if membership.role not in (Role.ADMIN, Role.ACCOUNTANT):
            raise PermissionDenied()
        page = self.paginate_queryset(selectors.envelopes_of_round(round))
        context = {"membership_ids": _membership_ids(round)}
        return self.get_paginated_response(EnvelopeSerializer(page, many=True, context=context).data)


class MyEnvelope(GenericAPIView):
    serializer_class = MyEnvelopeSerializer

    def get(self, request, pk):
        round, _membership = _round_for(request, pk)
        envelope = selectors.envelope_of(round=round, user=request.user)
        if envelope is None:
            raise Http404
        return Response(MyEnvelopeSerializer(envelope).data)


class EnvelopeAmountSerializer(serializers.Serializer):
    amount = AmountField()


class EnvelopeDetail(GenericAPIView):
    serializer_class = EnvelopeSerializer

    @extend_schema(request=EnvelopeAmountSerializer)
    def put(self, request, pk, member_id):
        round, membership = _round_for(request, pk)
        _require_admin(membership)
        target = get_object_or_404(Membership.objects.select_related("user"), group_id=round.group_id, pk=member_id)
        data = EnvelopeAmountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        envelope = services.set_envelope_amount(
            round=round, user=target.user, amount=data.validated_data["amount"], actor=request.user
        )
        envelope.user = target.user
        return Response(EnvelopeSerializer(envelope, context={"membership_ids": {target.user_id: target.id}}).data)


# --- buckets ----------------------------------------------------------------------------------


class BucketWithMineSerializer(BucketSerializer):
    my_allocation = serializers.SerializerMethodField()

    class Meta(BucketSerializer.Meta):
        fields = [*BucketSerializer.Meta.fields, "my_allocation"]

    def get_my_allocation(self, bucket) -> str:
        mine = getattr(bucket, "my_allocation", None)
        if mine is None and not hasattr(bucket, "my_allocation"):
            mine = selectors.my_allocation(bucket=bucket, user=self.context["request"].user)
        return money(mine or 0)


class BucketList(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    @extend_schema(responses=BucketWithMineSerializer(many=True))
    def get(self, request, pk):
        round, membership = _round_for(request, pk)
        qs = selectors.bucket_cards(round=round, user=request.user, membership=membership,
                                    sort=request.query_params.get("sort", "newest"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(BucketWithMineSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=BucketWriteSerializer, responses={201: BucketWithMineSerializer})
    def post(self, request, pk):
        round, _membership = _round_for(request, pk)
        data = BucketWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bucket = bucket_services.create_bucket(round=round, actor=request.user, **data.validated_data)
        return Response(BucketWithMineSerializer(bucket, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _bucket_response(request, bucket_id, code=status.HTTP_200_OK):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, bucket_id)
    return Response(BucketWithMineSerializer(bucket, context={"request": request}).data, status=code)


class BucketDetail(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    def get(self, request, pk):
        return _bucket_response(request, pk)

    @extend_schema(request=BucketWriteSerializer)
    def patch(self, request, pk):
        bucket, membership = bucket_selectors.get_bucket_for(request.user, pk)
        data = BucketWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "coleads" in fields:  # the names this person was shown stand for those co-leads
            fields["coleads"] = bucket_selectors.coleads_sent_back(bucket, request.user, membership, fields["coleads"])
        bucket_services.update_bucket(bucket=bucket, actor=request.user, **fields)
        return _bucket_response(request, pk)


class BucketPublish(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    @extend_schema(request=None)
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        bucket_services.publish_bucket(bucket=bucket, actor=request.user)
        return _bucket_response(request, pk)


class BucketWithdraw(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    @extend_schema(request=None)
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        services.withdraw_bucket(bucket=bucket, actor=request.user)
        return _bucket_response(request, pk)


class AcceptFundingSerializer(serializers.Serializer):
    total = AmountField(required=False, help_text="The total the co-lead saw; another total now is a 409 "
                        "confirmation_stale and nothing changes.")


class BucketAcceptFunding(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    @extend_schema(request=AcceptFundingSerializer, description="A co-lead funds an open bucket of a permanent fund "
                   "at its total, once it holds funded_if_percent_of_min of its min goal (409 funding_not_reached "
                   "below that; 409 not_permanent in a fixed round).")
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        data = AcceptFundingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bucket_services.accept_funding(bucket=bucket, actor=request.user, expect_total=data.validated_data.get("total"))
        return _bucket_response(request, pk)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField()


class BucketMerge(GenericAPIView):
    serializer_class = BucketWithMineSerializer

    @extend_schema(request=MergeSerializer)
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into, _m = bucket_selectors.get_bucket_for(request.user, data.validated_data["into"])
        services.merge_bucket(bucket=bucket, into=into, actor=request.user)
        return _bucket_response(request, pk)


# --- allocation -------------------------------------------------------------------------------


class AllocationInput(serializers.Serializer):
    amount = AmountField()
    member = serializers.IntegerField(required=False, help_text="Membership id, for an admin entering a paper form.")


class AllocationOutput(serializers.Serializer):
    amount = serializers.CharField()
    bucket_total = serializers.CharField()
    envelope_remaining = serializers.CharField()


class BucketAllocation(GenericAPIView):
    serializer_class = AllocationOutput
    renderer_classes = [JSONRenderer]  # JSON only: no browsable page to negotiate on the busiest write

    @extend_schema(request=AllocationInput, responses=AllocationOutput)
    def put(self, request, pk):
        bucket = selectors.allocation_target(bucket_id=pk, user=request.user)  # the access rule
        if bucket is None:
            raise Http404
        data = AllocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = request.user
        if data.validated_data.get("member") is not None:
            target = get_object_or_404(
                Membership.objects.select_related("user"), group_id=bucket.round.group_id, pk=data.validated_data["member"]
            )
            member = target.user
        result = services.set_allocation(member=member, bucket=bucket, amount=data.validated_data["amount"], actor=request.user)
        return Response({
            "amount": money(result.amount),
            "bucket_total": money(result.bucket_total),
            "envelope_remaining": money(result.envelope_remaining),
        })

