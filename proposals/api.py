"""The proposals API (API.md). Serializers validate and shape; services decide."""

from django.db.models import Prefetch
from django.http import Http404
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
from groups.models import Membership
from proposals import calendar, exports, selectors, services
from proposals.models import Proposal, ProposalComment, ProposalEvent, ProposalOption, Proxy, Stance

MAX_ID = 2_147_483_647


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


class CountsSerializer(serializers.Serializer):
    agree = serializers.IntegerField()
    abstain = serializers.IntegerField()
    disagree = serializers.IntegerField()
    block = serializers.IntegerField()


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalOption
        fields = ["id", "label", "starts_at", "ends_at"]


def _enum(values, help_text="", read_only=False):
    """A string field whose value the service checks (so that a wrong one gets the domain's
    own code and words), shown as an enum in the schema."""

    @extend_schema_field({"type": "string", "enum": list(values)})
    class EnumField(serializers.CharField):
        pass

    if read_only:
        return EnumField(read_only=True)
    return EnumField(required=False, help_text=help_text)


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
    options = OptionSerializer(many=True, read_only=True)
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, read_only=True)
    majority = _enum(Proposal.Majority.values, read_only=True)
    reason_required = _enum(Proposal.ReasonRequired.values, read_only=True)
    votes_needed = serializers.SerializerMethodField()
    quorum_met = serializers.SerializerMethodField()
    winner = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "title", "details", "details_html", "author", "created_at", "closes_at", "voters",
            "quorum_percent", "block_vetoes", "results_hidden_until_close", "bucket", "status", "outcome",
            "statement", "statement_html", "closed_at", "counts", "voters_count", "voted_count", "seen_count", "url",
            "kind", "majority", "reason_required", "anonymous", "options", "score_max", "dots_per_voter",
            "votes_needed", "quorum_met", "winner", "chosen_option",
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

    def get_votes_needed(self, proposal) -> int:
        """How many voters must take part for the quorum (0: no quorum)."""
        return self._tally(proposal).votes_needed

    def get_quorum_met(self, proposal) -> bool:
        return self._tally(proposal).quorum_met

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_winner(self, proposal):
        """The winning option of a poll; null on a tie, without quorum, for a plain proposal,
        and while results are hidden."""
        if not selectors.results_visible(proposal):
            return None
        return self._tally(proposal).winner


class StanceOutSerializer(serializers.ModelSerializer):
    """A stance. On a secret ballot only who voted, when and how: no choice, data or reason."""

    voter = serializers.SerializerMethodField()
    choice = serializers.SerializerMethodField()
    cast_by = serializers.SerializerMethodField()

    class Meta:
        model = Stance
        fields = ["id", "voter", "choice", "data", "reason", "created_at", "is_latest", "via", "cast_by"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_voter(self, stance):
        return _person(stance.user)

    @extend_schema_field({"type": "string", "nullable": True, "enum": ["agree", "abstain", "disagree", "block", None]})
    def get_choice(self, stance):
        return stance.choice or None

    @extend_schema_field({"type": "object", "nullable": True, "description": "who entered it for the voter"})
    def get_cast_by(self, stance):
        return _person(stance.cast_by)


class ProxySerializer(serializers.ModelSerializer):
    giver = serializers.SerializerMethodField()
    holder = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Proxy
        fields = ["id", "giver", "holder", "given_at", "recorded_by", "ended_at", "end"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_giver(self, proxy):
        return _person(proxy.giver)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_holder(self, proxy):
        return _person(proxy.holder)

    @extend_schema_field({"type": "object", "nullable": True})
    def get_recorded_by(self, proxy):
        return _person(proxy.recorded_by)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ProposalEvent
        fields = ["action", "at", "actor", "reason", "closes_at_before", "closes_at_after", "previous"]

    @extend_schema_field({"type": "object", "nullable": True})
    def get_actor(self, event):
        return _person(event.actor)


class ProposalDetailSerializer(ProposalSerializer):
    my_stance = serializers.SerializerMethodField()
    stances = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    anonymous_reasons = serializers.SerializerMethodField()
    proxies = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "my_stance", "stances", "results", "anonymous_reasons", "proxies",
                  "history"]
        read_only_fields = fields

    @extend_schema_field({
        "type": "object", "nullable": True, "description": "null until I take a stance (on a secret ballot: only when)",
        "properties": {"choice": {"type": "string", "nullable": True}, "data": {"type": "object", "nullable": True},
                       "reason": {"type": "string"}, "via": {"type": "string"},
                       "created_at": {"type": "string", "format": "date-time"}},
    })
    def get_my_stance(self, proposal):
        stance = selectors.my_stance(proposal, self.context["request"].user)
        if stance is None:
            return None
        return {"choice": stance.choice or None, "data": stance.data, "reason": stance.reason, "via": stance.via,
                "created_at": stance.created_at}

    @extend_schema_field(StanceOutSerializer(many=True, allow_null=True))
    def get_stances(self, proposal):
        """Who voted what and why (latest stances), unless hidden until close; on a secret
        ballot only who voted."""
        if not selectors.results_visible(proposal):
            return None
        return StanceOutSerializer(selectors.latest_stances(proposal), many=True).data

    @extend_schema_field({
        "type": "object", "nullable": True,
        "description": "polls: per-option totals (ranked choice: first preferences and the runoff rounds) and "
                       "the winner; null for a plain proposal and while results are hidden",
    })
    def get_results(self, proposal):
        if not proposal.is_poll or not selectors.results_visible(proposal):
            return None
        return self._tally(proposal).results

    @extend_schema_field({"type": "array", "nullable": True, "items": {"type": "object"}})
    def get_anonymous_reasons(self, proposal):
        """The reasons given with secret ballots, without names, once closed."""
        if not proposal.anonymous or proposal.closed_at is None:
            return None
        return [{"choice": r.choice or None, "text": r.text} for r in selectors.anonymous_reasons(proposal)]

    @extend_schema_field(ProxySerializer(many=True))
    def get_proxies(self, proposal):
        return ProxySerializer(selectors.proxies_of(proposal), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, proposal):
        """Extensions and reopenings, each with its reason."""
        return EventSerializer(selectors.events_of(proposal), many=True).data


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


class OptionInSerializer(serializers.Serializer):
    label = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                          help_text="meeting_time: the slot's start (required there)")
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                        help_text="meeting_time: the slot's end (default: two hours later)")


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    closes_at = serializers.DateTimeField()
    voters = VotersField(required=False, default="members")
    quorum_percent = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    block_vetoes = serializers.BooleanField(required=False, default=True)
    results_hidden_until_close = serializers.BooleanField(required=False, default=False)
    bucket = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, required=False)
    majority = _enum(Proposal.Majority.values)
    reason_required = _enum(Proposal.ReasonRequired.values)
    anonymous = serializers.BooleanField(required=False, default=False)
    options = OptionInSerializer(many=True, required=False, help_text="polls: 2 to 20 options")
    score_max = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    dots_per_voter = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100_000)


@extend_schema_field({"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "integer"}}]})
class BallotField(serializers.Field):
    """A poll ballot as sent (numbers arrive exact, as decimals): proposals.ballots checks it
    and names what is wrong."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class StanceSerializer(serializers.Serializer):
    """One of `choice` (a proposal), `scores`, `ranking`, `dots`, `availability` (polls).
    From an admin, `member` (a member id) records a stance given by phone or on paper (`via`);
    from a voter, `proxy_for` (a member id) votes with that voter's proxy."""

    choice = _enum(Stance.Choice.values)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    scores = BallotField(required=False, help_text="{option_id: n} from 0 to score_max, every option")
    ranking = BallotField(required=False, help_text="[option_id, ...] best first, each at most once")
    dots = BallotField(required=False, help_text="{option_id: n}, at most dots_per_voter in all")
    availability = BallotField(required=False, help_text='{option_id: "yes"|"maybe"|"no"}, every slot')
    member = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    via = serializers.ChoiceField(choices=["phone", "paper"], required=False, default="paper")
    proxy_for = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)


class StatementSerializer(serializers.Serializer):
    statement = serializers.CharField(allow_blank=True, max_length=20_000)
    chosen_option = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID,
                                             help_text="meeting_time: the slot chosen")


class ReschedulingSerializer(serializers.Serializer):
    closes_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=20_000)


class ProxyInSerializer(serializers.Serializer):
    holder = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                      help_text="the member id of the voter who carries the proxy")
    giver = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID,
                                     help_text="admins: the member id of a voter whose paper proxy they record")


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
    return qs.select_related("author", "group").prefetch_related(Prefetch("named_voters"), Prefetch("options"))


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


def _member(group, member_id: int, field: str) -> Membership:
    membership = Membership.objects.select_related("user").filter(group=group, pk=member_id).first()
    if membership is None:
        raise DomainError("unknown_member", _("No member of the group has this id."), status=400, field=field)
    return membership


class ProposalDetail(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        proposal = services.close_if_due(proposal=proposal)
        services.record_view(proposal=proposal, user=request.user)
        return _detail(request, proposal)

    @extend_schema(request=ProposalCreateSerializer(partial=True), responses={200: ProposalDetailSerializer})
    def patch(self, request, pk):
        """Change the text and settings before the first stance (409 proposal_has_stances after)."""
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = ProposalCreateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "voters" in values and values["voters"] != "members":
            values["voters"] = services.resolve_voters(group=proposal.group, emails=values["voters"])
        if "bucket" in values and values["bucket"] is not None:
            bucket = Bucket.objects.select_related("round").filter(pk=values["bucket"], round__group=proposal.group).first()
            if bucket is None:
                raise DomainError("invalid_bucket", _("This bucket is not in the group."), status=400, field="bucket")
            values["bucket"] = bucket
        proposal = services.edit_proposal(proposal=proposal, actor=request.user, **values)
        return _detail(request, proposal)


class StanceView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=StanceSerializer, responses={200: ProposalDetailSerializer})
    def put(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = StanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member_id, proxy_for, via = values.pop("member"), values.pop("proxy_for"), values.pop("via")
        if member_id is not None and proxy_for is not None:
            raise DomainError("invalid", _("Give either member (an admin's entry) or proxy_for, not both."), status=400)
        if member_id is not None:
            voter = _member(proposal.group, member_id, "member").user
            services.set_stance(proposal=proposal, user=voter, cast_by=request.user, via=via, **values)
        elif proxy_for is not None:
            voter = _member(proposal.group, proxy_for, "proxy_for").user
            services.set_stance(proposal=proposal, user=voter, cast_by=request.user, via="proxy", **values)
        else:
            services.set_stance(proposal=proposal, user=request.user, **values)
        return _detail(request, proposal)


class ExtendView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=ReschedulingSerializer, responses={200: ProposalDetailSerializer})
    def post(self, request, pk):
        """More time for an open proposal (author, admins); the reason is kept in its history."""
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = ReschedulingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.extend_proposal(proposal=proposal, actor=request.user, **data.validated_data)
        return _detail(request, proposal)


class ReopenView(GenericAPIView):
    serializer_class = ProposalDetailSerializer

    @extend_schema(request=ReschedulingSerializer, responses={200: ProposalDetailSerializer})
    def post(self, request, pk):
        """Reopen a closed proposal (admins, within 30 days); the reason is kept in its history."""
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = ReschedulingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.reopen_proposal(proposal=proposal, actor=request.user, **data.validated_data)
        return _detail(request, proposal)


class ProxyList(GenericAPIView):
    """The proxies given on a proposal; a voter gives theirs (`holder`), an admin records a
    paper one (`giver` and `holder`)."""

    serializer_class = ProxySerializer

    @extend_schema(responses=ProxySerializer(many=True))
    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        page = self.paginate_queryset(selectors.proxies_of(proposal))
        return self.get_paginated_response(ProxySerializer(page, many=True).data)

    @extend_schema(request=ProxyInSerializer, responses={201: ProxySerializer})
    def post(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        data = ProxyInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holder = _member(proposal.group, data.validated_data["holder"], "holder").user
        giver_id = data.validated_data["giver"]
        giver = request.user if giver_id is None else _member(proposal.group, giver_id, "giver").user
        proxy = services.give_proxy(proposal=proposal, giver=giver, holder=holder, recorded_by=request.user)
        return Response(ProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class ProxyWithdraw(GenericAPIView):
    serializer_class = ProxySerializer

    @extend_schema(request=None, responses={200: ProxySerializer})
    def post(self, request, pk):
        """Its giver (or an admin) takes a proxy back while the proposal is open."""
        proxy = Proxy.objects.select_related("proposal", "giver", "holder", "recorded_by").filter(pk=pk).first()
        if proxy is None:
            raise Http404
        selectors.get_proposal_for(request.user, proxy.proposal_id)
        proxy = services.withdraw_proxy(proxy=proxy, actor=request.user)
        return Response(ProxySerializer(proxy).data)


class CalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


@extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
class InvitationIcs(GenericAPIView):
    """The chosen slot of a closed meeting-time poll as a calendar invitation (RFC 5545)."""

    serializer_class = None
    renderer_classes = [renderers.JSONRenderer, CalendarRenderer]

    def get(self, request, pk):
        proposal, _membership = selectors.get_proposal_for(request.user, pk)
        proposal = services.close_if_due(proposal=proposal)
        return calendar.invitation_response(proposal, request=request)


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
