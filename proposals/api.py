"""The proposals API (API.md). Serializers validate and shape; services decide."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from buckets.models import Bucket
from cobudget.errors import DomainError
from cobudget.markdown import render_markdown
from groups import selectors as group_selectors
from proposals import exports, selectors, services
from proposals.models import Proposal, ProposalComment, Stance


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


class CountsSerializer(serializers.Serializer):
    agree = serializers.IntegerField()
    abstain = serializers.IntegerField()
    disagree = serializers.IntegerField()
    block = serializers.IntegerField()


class ProposalSerializer(serializers.ModelSerializer):
    """Needs `tallies` ({id: Tally}) and `request` in its context."""

    details_html = serializers.SerializerMethodField()
    voters = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    counts = serializers.SerializerMethodField()
    voters_count = serializers.SerializerMethodField()
    voted_count = serializers.SerializerMethodField()
    seen_count = serializers.SerializerMethodField()
    statement_html = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "title", "details", "details_html", "author", "created_at", "closes_at", "voters",
            "quorum_percent", "block_vetoes", "results_hidden_until_close", "bucket", "status", "outcome",
            "statement", "statement_html", "closed_at", "counts", "voters_count", "voted_count", "seen_count", "url",
        ]
        read_only_fields = fields

    def _tally(self, proposal):
        return self.context["tallies"][proposal.pk]

    def get_details_html(self, proposal) -> str:
        return str(render_markdown(proposal.details))

    def get_statement_html(self, proposal) -> str:
        return str(render_markdown(proposal.statement))

    @extend_schema_field(OpenApiTypes.ANY)
    def get_voters(self, proposal):
        """"members", or the named voters (the board): their e-mail addresses for admins,
        accountants, the voter themself, or everyone when the group shows member e-mails
        (Group.show_member_emails); their display names for other members."""
        if proposal.voters_are_members:
            return "members"
        viewer = self.context["request"].user
        if "sees_emails" not in self.context:
            group = proposal.group
            self.context["sees_emails"] = group_selectors.sees_member_emails(
                group_selectors.membership_of(viewer, group), group
            )
        sees = self.context["sees_emails"]
        return sorted(group_selectors.person_label(u, viewer=viewer, sees_emails=sees) for u in proposal.named_voters.all())

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_author(self, proposal):
        return _person(proposal.author)

    @extend_schema_field(CountsSerializer(allow_null=True))
    def get_counts(self, proposal):
        if not selectors.results_visible(proposal):
            return None
        return dict(self._tally(proposal).counts)

    def get_voters_count(self, proposal) -> int:
        return self._tally(proposal).voters_count

    def get_voted_count(self, proposal) -> int:
        return self._tally(proposal).voted_count

    def get_seen_count(self, proposal) -> int:
        return self._tally(proposal).seen_count

    def get_url(self, proposal) -> str:
        return self.context["request"].build_absolute_uri(f"/proposals/{proposal.pk}/")


class StanceOutSerializer(serializers.ModelSerializer):
    voter = serializers.SerializerMethodField()

    class Meta:
        model = Stance
        fields = ["id", "voter", "choice", "reason", "created_at", "is_latest"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_voter(self, stance):
        return _person(stance.user)


class ProposalDetailSerializer(ProposalSerializer):
    my_stance = serializers.SerializerMethodField()
    stances = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "my_stance", "stances"]
        read_only_fields = fields

    @extend_schema_field({
        "type": "object", "nullable": True, "description": "null until I take a stance",
        "properties": {"choice": {"type": "string"}, "reason": {"type": "string"},
                       "created_at": {"type": "string", "format": "date-time"}},
    })
    def get_my_stance(self, proposal):
        stance = selectors.my_stance(proposal, self.context["request"].user)
        return None if stance is None else {"choice": stance.choice, "reason": stance.reason, "created_at": stance.created_at}

    @extend_schema_field(StanceOutSerializer(many=True, allow_null=True))
    def get_stances(self, proposal):
        """Who voted what and why (latest stances), unless hidden until close."""
        if not selectors.results_visible(proposal):
            return None
        return StanceOutSerializer(selectors.latest_stances(proposal), many=True).data


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": ["members"]}, {"type": "array", "items": {"type": "string", "format": "email"}}]}
)
class VotersField(serializers.Field):
    """"members" or a list of e-mail addresses."""

    default_error_messages = {"invalid": 'Give "members" or a list of e-mail addresses.'}

    def to_internal_value(self, data):
        if data == "members":
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    closes_at = serializers.DateTimeField()
    voters = VotersField(required=False, default="members")
    quorum_percent = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    block_vetoes = serializers.BooleanField(required=False, default=True)
    results_hidden_until_close = serializers.BooleanField(required=False, default=False)
    bucket = serializers.IntegerField(required=False, allow_null=True, default=None)


class StanceSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Stance.Choice.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class StatementSerializer(serializers.Serializer):
    statement = serializers.CharField(allow_blank=True, max_length=20_000)


class ProposalCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = ProposalComment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = ["id", "author", "body_html", "created_at"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_author(self, comment):
        return _person(comment.author)

    def get_body_html(self, comment) -> str:
        return str(render_markdown(comment.body))


def _prefetched(qs):
    return qs.select_related("author", "group").prefetch_related(Prefetch("named_voters"))


def _detail(request, proposal, status_code=status.HTTP_200_OK):
    proposal = _prefetched(Proposal.objects.filter(pk=proposal.pk)).get()
    context = {"request": request, "tallies": selectors.tallies([proposal])}
    return Response(ProposalDetailSerializer(proposal, context=context).data, status=status_code)


def _list(view, request, queryset):
    page = view.paginate_queryset(_prefetched(queryset))
    context = {"request": request, "tallies": selectors.tallies(page)}
    return view.get_paginated_response(ProposalSerializer(page, many=True, context=context).data)


class ProposalList(GenericAPIView):
    """Proposals of a group, newest first (`?status=open|closed`). Everyone in the group
    reads; admins and members open proposals."""

    serializer_class = ProposalSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=["open", "closed"])], responses=ProposalSerializer(many=True))
    def get(self, request, slug):
        group, _membership = group_selectors.get_group_for(request.user, slug)
        return _list(self, request, selectors.proposals_of(group=group, status=request.query_params.get("status")))

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalDetailSerializer})
    def post(self, request, slug):
        group, membership = group_selectors.get_group_for(request.user, slug)
        if not selectors.can_propose(membership):
            raise PermissionDenied()
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values["voters"] != "members":
            values["voters"] = services.resolve_voters(group=group, emails=values["voters"])
        bucket_id = values.pop("bucket")
        bucket = None
        if bucket_id is not None:
            bucket = Bucket.objects.select_related("round").filter(pk=bucket_id, round__group=group).first()
            if bucket is None:
                raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")
        proposal = services.open_proposal(group=group, author=request.user, bucket=bucket, **values)
        return _detail(request, proposal, status.HTTP_201_CREATED)


class ProposalDetail(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        proposal = services.close_if_due(proposal=proposal)
        services.record_view(proposal=proposal, user=request.user)
        return _detail(request, proposal)


class StanceView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=StanceSerializer, responses={200: ProposalDetailSerializer})
    def put(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = StanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_stance(proposal=proposal, user=request.user, **data.validated_data)
        return _detail(request, proposal)


class StanceHistory(GenericAPIView):
    """Every stance ever taken, newest first (hidden until close when results are)."""

    serializer_class = StanceOutSerializer

    @extend_schema(responses=StanceOutSerializer(many=True))
    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        if not selectors.results_visible(proposal):
            raise DomainError("results_hidden", _("The results are hidden until the proposal closes."), status=409)
        page = self.paginate_queryset(selectors.stance_history(proposal))
        return self.get_paginated_response(StanceOutSerializer(page, many=True).data)


class CloseView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=None, responses={200: ProposalDetailSerializer})
    def post(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        proposal = services.close_proposal(proposal=proposal, actor=request.user)
        return _detail(request, proposal)


class OutcomeView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=StatementSerializer, responses={200: ProposalDetailSerializer})
    def post(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = StatementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.set_statement(proposal=proposal, actor=request.user, **data.validated_data)
        return _detail(request, proposal)


class CommentList(GenericAPIView):
    serializer_class = ProposalCommentSerializer

    @extend_schema(responses=ProposalCommentSerializer(many=True))
    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        page = self.paginate_queryset(selectors.comments_of(proposal))
        return self.get_paginated_response(ProposalCommentSerializer(page, many=True).data)

    @extend_schema(request=ProposalCommentSerializer, responses={201: ProposalCommentSerializer})
    def post(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = ProposalCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.add_comment(proposal=proposal, author=request.user, body=data.validated_data["body"])
        return Response(ProposalCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class DecisionList(GenericAPIView):
    """Closed proposals of the group, newest first; `?q=` searches title, details, statement."""

    serializer_class = ProposalSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=ProposalSerializer(many=True))
    def get(self, request, slug):
        group, _membership = group_selectors.get_group_for(request.user, slug)
        return _list(self, request, selectors.decisions(group=group, q=request.query_params.get("q", "")))


class CSVRenderer(renderers.JSONRenderer):
    """Lets clients ask for text/csv; the view streams the CSV itself (errors stay JSON)."""

    media_type = "text/csv"
    format = "csv"


@extend_schema(
    parameters=[OpenApiParameter("q", str), OpenApiParameter("sep", str, enum=["comma", "semicolon"])],
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class DecisionCsv(GenericAPIView):
    """The decision history as CSV: one row a proposal, UTF-8 with BOM."""

    serializer_class = None
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def get(self, request, slug):
        group, _membership = group_selectors.get_group_for(request.user, slug)
        return exports.decisions_csv_response(
            group=group, q=request.query_params.get("q", ""), sep=request.query_params.get("sep", "comma")
        )
