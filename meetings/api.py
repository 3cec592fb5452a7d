"""The meetings API (API.md, Meetings and minutes). Serializers validate and shape; services
decide."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from groups import selectors as group_selectors
from groups.models import Membership, User
from meetings import minutes, selectors, services
from meetings.models import AgendaItem, Decision, Meeting

MAX_ID = 2_147_483_647


def _id(**kwargs):
    """An id field: a whole number a database key can hold."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "kind", "title", "bucket", "proposal"]


class DecisionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "title", "text", "votes_for", "votes_against", "votes_abstain", "bucket", "outcome",
                  "recorded_by", "created_at"]

    def to_representation(self, decision):
        data = super().to_representation(decision)
        # API.md names the counts `for`, `against`, `abstain`.
        data["for"] = data.pop("votes_for")
        data["against"] = data.pop("votes_against")
        data["abstain"] = data.pop("votes_abstain")
        return data

    @extend_schema_field({"type": "object", "nullable": True})
    def get_recorded_by(self, decision):
        return _person(decision.recorded_by)


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": ["members"]}, {"type": "array", "items": {"type": "integer"}}]}
)
class SittingField(serializers.Field):
    """"members" (every admin and member sits) or a list of member ids (the board)."""

    default_error_messages = {"invalid": 'Give "members" or a list of member ids.'}

    def to_internal_value(self, data):
        if data == "members":
            return data
        if isinstance(data, list) and all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID
                                          for i in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class MeetingSerializer(serializers.ModelSerializer):
    agenda = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    voters = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "title", "starts_at", "place", "agenda", "voters", "quorum_percent", "notes", "corrects",
                  "correction_text", "sealed_at", "number", "sha256", "previous_sha256", "url"]
        read_only_fields = fields

    @extend_schema_field(
        {"oneOf": [{"type": "string", "enum": ["members"]}, {"type": "array", "items": {"type": "integer"}}]}
    )
    def get_voters(self, meeting):
        """"members", or the member ids of the people who sit (the board)."""
        if meeting.voters_are_members:
            return "members"
        return sorted(selectors.voting_members(meeting).values_list("pk", flat=True))

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting):
        return AgendaItemSerializer(meeting.agenda_items.all(), many=True).data

    def get_url(self, meeting) -> str:
        return self.context["request"].build_absolute_uri(f"/meetings/{meeting.pk}/")


class MeetingDetailSerializer(MeetingSerializer):
    attendance = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "quorum", "decisions"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "properties": {
        "present": {"type": "array", "items": {"type": "integer"}},
        "represented": {"type": "object", "additionalProperties": {"type": "integer"}}}})
    def get_attendance(self, meeting):
        """Member ids (of the members list): who was present, who was represented by whom."""
        ids = dict(Membership.objects.filter(group_id=meeting.group_id).values_list("user_id", "pk"))
        attendance = selectors.attendance_of(meeting)
        return {
            "present": [ids.get(a.user_id) for a in attendance if a.status == "present"],
            "represented": {str(ids.get(a.user_id)): ids.get(a.proxy_id) for a in attendance if a.status == "represented"},
        }

    @extend_schema_field({"type": "object", "properties": {
        "voters": {"type": "integer"}, "present": {"type": "integer"}, "represented": {"type": "integer"},
        "needed": {"type": "integer"}, "met": {"type": "boolean"}}})
    def get_quorum(self, meeting):
        quorum = selectors.quorum_of(meeting)
        return {"voters": quorum.voters, "present": quorum.present, "represented": quorum.represented,
                "needed": quorum.needed, "met": quorum.met}

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, meeting):
        return DecisionSerializer(selectors.decisions_of(meeting), many=True).data


class MeetingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quorum_percent = serializers.IntegerField(required=False, default=50, min_value=0, max_value=100)
    voters = SittingField(required=False, default="members")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    round = _id(required=False, allow_null=True, default=None,
                                     help_text="its buckets left to decide go on the agenda")
    buckets = serializers.ListField(child=_id(), required=False, allow_null=True, default=None,
                                    max_length=100, help_text="buckets left to decide (default: all of them)")
    proposals = serializers.ListField(child=_id(), required=False, allow_null=True,
                                      default=None, max_length=100, help_text="open proposals (default: all of them)")
    items = serializers.ListField(child=serializers.CharField(max_length=300), required=False, default=list,
                                  max_length=100, help_text="other items of the agenda")
    corrects = _id(required=False, allow_null=True, default=None,
                                        help_text="the id of sealed minutes these correct")
    correction_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quorum_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    voters = SittingField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


def _sitting(group, voters):
    """The users behind "members" or a list of member ids."""
    if voters == "members":
        return voters
    found = dict(Membership.objects.filter(group=group, pk__in=voters).values_list("pk", "user"))
    if len(found) != len(set(voters)):
        raise DomainError("unknown_voter", _("Everyone who sits must be in the group."), status=400, field="voters")
    return list(User.objects.filter(pk__in=found.values()))


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(child=_id(), max_length=10_000)
    represented = serializers.DictField(child=_id(), required=False, default=dict,
                                        help_text="{member id: member id of who carries their proxy}")


class DecisionInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    against = serializers.IntegerField(min_value=0, max_value=1_000_000)
    abstain = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    bucket = _id(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)


# `for` is a Python keyword: the field is added under its name from the contract.
DecisionInSerializer._declared_fields["for"] = serializers.IntegerField(min_value=0, max_value=1_000_000)


class CorrectionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000)


def _admin(request, group):
    if not selectors.can_run(group_selectors.membership_of(request.user, group)):
        raise PermissionDenied()


def _detail(request, meeting, status_code=status.HTTP_200_OK):
    meeting = Meeting.objects.select_related("group").prefetch_related("agenda_items").get(pk=meeting.pk)
    return Response(MeetingDetailSerializer(meeting, context={"request": request}).data, status=status_code)


def _int_keys(mapping: dict) -> dict:
    keys = {k: int(k) if str(k).isdigit() and len(str(k)) <= 10 else None for k in mapping}
    if any(v is None or not 1 <= v <= MAX_ID for v in keys.values()):
        raise DomainError("unknown_member", _("Members are given by their ids."), status=400, field="represented")
    return {keys[k]: v for k, v in mapping.items()}


class MeetingList(GenericAPIView):
    """The group's meetings, newest first; admins plan them."""

    serializer_class = MeetingSerializer

    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request, slug):
        group, _membership = group_selectors.get_group_for(request.user, slug)
        page = self.paginate_queryset(selectors.meetings_of(group).prefetch_related("agenda_items"))
        return self.get_paginated_response(MeetingSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request, slug):
        group, _membership = group_selectors.get_group_for(request.user, slug)
        _admin(request, group)
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["voters"] = _sitting(group, values["voters"])
        round_id, corrects_id = values.pop("round"), values.pop("corrects")
        round = None
        if round_id is not None:
            round = Round.objects.filter(pk=round_id, group=group).first()
            if round is None:
                raise DomainError("invalid_agenda", _("This round is not in the group."), status=400, field="round")
        corrects = None
        if corrects_id is not None:
            corrects = Meeting.objects.filter(pk=corrects_id, group=group).first()
            if corrects is None:
                raise DomainError("invalid_correction", _("Only sealed minutes of the group can be corrected."),
                                  status=400, field="corrects")
        meeting = services.create_meeting(group=group, actor=request.user, round=round, corrects=corrects, **values)
        return _detail(request, meeting, status.HTTP_201_CREATED)


class MeetingDetail(GenericAPIView):
    serializer_class = MeetingDetailSerializer

    def get(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        return _detail(request, meeting)

    @extend_schema(request=MeetingUpdateSerializer, responses={200: MeetingDetailSerializer})
    def patch(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        _admin(request, meeting.group)
        data = MeetingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "voters" in values:
            values["voters"] = _sitting(meeting.group, values["voters"])
        meeting = services.update_meeting(meeting=meeting, actor=request.user, **values)
        return _detail(request, meeting)


class AttendanceView(GenericAPIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(request=AttendanceSerializer, responses={200: MeetingDetailSerializer})
    def put(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        _admin(request, meeting.group)
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.set_attendance(meeting=meeting, actor=request.user, present=data.validated_data["present"],
                                          represented=_int_keys(data.validated_data["represented"]))
        return _detail(request, meeting)


class DecisionList(GenericAPIView):
    serializer_class = DecisionSerializer

    @extend_schema(responses=DecisionSerializer(many=True))
    def get(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        page = self.paginate_queryset(selectors.decisions_of(meeting))
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)

    @extend_schema(request=DecisionInSerializer, responses={201: DecisionSerializer})
    def post(self, request, pk):
        """A decision taken in the room; on a bucket left to decide, adopted funds it and
        rejected leaves it unfunded."""
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        _admin(request, meeting.group)
        data = DecisionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        bucket = None
        if values["bucket"] is not None:
            bucket = Bucket.objects.select_related("round").filter(pk=values["bucket"],
                                                                   round__group=meeting.group).first()
            if bucket is None:
                raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")
        decision = services.record_decision(
            meeting=meeting, actor=request.user, title=values["title"], text=values["text"],
            votes_for=values["for"], votes_against=values["against"], votes_abstain=values["abstain"],
            outcome=values["outcome"], bucket=bucket,
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class SealView(GenericAPIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(request=None, responses={200: MeetingDetailSerializer})
    def post(self, request, pk):
        """Seal the minutes: fixed for good, hashed and chained (409 minutes_sealed after)."""
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        _admin(request, meeting.group)
        meeting = services.seal_minutes(meeting=meeting, actor=request.user)
        return _detail(request, meeting)


class CorrectView(GenericAPIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(request=CorrectionSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request, pk):
        """New minutes that correct these sealed ones (which never change)."""
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        _admin(request, meeting.group)
        data = CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.correct_minutes(meeting=meeting, actor=request.user, text=data.validated_data["text"])
        return _detail(request, correction, status.HTTP_201_CREATED)


class HTMLRenderer(renderers.BaseRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else renderers.JSONRenderer().render(data)


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


def minutes_filename(meeting, ext: str) -> str:
    number = f"pv-{meeting.number}" if meeting.number else "pv-projet"
    return f"{meeting.group.slug}-{number}-{meeting.starts_at:%Y-%m-%d}.{ext}"


@extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
class MinutesHtml(GenericAPIView):
    """The minutes as sealed (before sealing: a draft, marked as such)."""

    serializer_class = None
    renderer_classes = [renderers.JSONRenderer, HTMLRenderer]

    def get(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        response = HttpResponse(minutes.document(meeting), content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{minutes_filename(meeting, "html")}"'
        if meeting.sha256:
            response["X-Minutes-SHA256"] = meeting.sha256
        return response


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
class MinutesPdf(GenericAPIView):
    """The same document as a PDF."""

    serializer_class = None
    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    def get(self, request, pk):
        meeting, _membership = selectors.get_meeting_for(request.user, pk)
        response = HttpResponse(minutes.pdf(minutes.document(meeting)), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{minutes_filename(meeting, "pdf")}"'
        return response
