from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from cobudget.clientip import client_ip
from cobudget.errors import DomainError
from groups import selectors, services
from groups.models import Group, Membership, Role


class TokenThrottle(AnonRateThrottle):
    """Per client address: REMOTE_ADDR, or with NUM_PROXIES set the address our own proxies
    added to X-Forwarded-For (never an address the client wrote there itself)."""

    scope = "token"

    def get_ident(self, request):
        return client_ip(request)


class TokenRequest(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=4096)
    code = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                 help_text="With two-factor authentication: the authenticator app's code, or a recovery code.")


def _check_second_factor(request, user, code: str) -> None:
    """An account with two-factor authentication gets a token only with a valid code (the
    login form would ask for it too); allauth checks it, with its own rate limit, and a
    recovery code or a TOTP code serves once."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return
    if not code:
        raise DomainError("mfa_code_required", _("This account uses two-factor authentication: send the code of your "
                                                 "authenticator app, or a recovery code, as “code”."), status=400, field="code")
    with allauth_context.request_context(request._request):
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            raise DomainError("invalid_mfa_code", _("This two-factor code is not valid."), status=400, field="code")
    form.authenticator.record_usage()


@extend_schema(request=TokenRequest, responses=inline_serializer("Token", {"token": serializers.CharField()}))
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request):
    """Exchange an e-mail and password for an API token."""
    data = TokenRequest(data=request.data)
    data.is_valid(raise_exception=True)
    # Through allauth's adapter, so that failures count against the account in the same
    # counter as the login form's (ACCOUNT_RATE_LIMITS "login_failed"): a locked-out account
    # is locked out here too, and failures here lock the form.
    try:
        user = get_account_adapter(request).authenticate(
            request, email=data.validated_data["email"].lower(), password=data.validated_data["password"]
        )
    except ValidationError:
        raise DomainError("too_many_login_attempts",
                          _("Too many failed attempts for this account; try again in a few minutes."), status=429) from None
    if user is None or not user.is_active:
        raise DomainError("invalid_credentials", _("Unable to log in with these credentials."), status=400)
    _check_second_factor(request, user, data.validated_data.get("code", ""))
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})


class GroupSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = ["name", "slug", "currency", "my_role", "require_mfa_for_officers"]

    def get_my_role(self, group) -> str | None:
        return selectors.role_of(self.context["request"].user, group)


class GroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=60)
    currency = serializers.ChoiceField(choices=[c for c, _ in Group._meta.get_field("currency").choices], default="EUR")


class GroupListCreate(GenericAPIView):
    serializer_class = GroupSerializer

    def get_queryset(self):
        return Group.objects.filter(memberships__user=self.request.user).order_by("name")

    @extend_schema(responses=GroupSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(GroupSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=GroupCreateSerializer, responses={201: GroupSerializer})
    def post(self, request):
        data = GroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.create_group(creator=request.user, **data.validated_data)
        return Response(GroupSerializer(group, context={"request": request}).data, status=status.HTTP_201_CREATED)


class GroupUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    join_policy = serializers.ChoiceField(choices=Group.JoinPolicy.choices, required=False)
    show_member_emails = serializers.BooleanField(required=False)
    require_mfa_for_officers = serializers.BooleanField(required=False)


class GroupDetail(GenericAPIView):
    serializer_class = GroupSerializer

    def get(self, request, slug):
        group, _ = selectors.get_group_for(request.user, slug)
        return Response(GroupSerializer(group, context={"request": request}).data)

    @extend_schema(request=GroupUpdateSerializer, responses=GroupSerializer)
    def patch(self, request, slug):
        """Admins change the group's settings (each change is kept in the audit trail)."""
        group, membership = selectors.get_group_for(request.user, slug)
        if membership.role != Role.ADMIN:
            raise PermissionDenied()
        data = GroupUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.update_group_settings(group=group, actor=request.user, **data.validated_data)
        return Response(GroupSerializer(group, context={"request": request}).data)


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.SerializerMethodField()
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role"]

    def get_email(self, membership) -> str | None:
        # Member e-mails are for admins and accountants, unless the group shows them to all.
        viewer = self.context.get("viewer_role")
        if viewer in (Role.ADMIN, Role.ACCOUNTANT) or self.context.get("show_emails") or (
            membership.user_id == self.context["request"].user.id
        ):
            return membership.user.email
        return None


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


def _member_context(request, group, membership):
    return {"request": request, "viewer_role": membership.role, "show_emails": group.show_member_emails}


class MemberList(GenericAPIView):
    serializer_class = MemberSerializer

    @extend_schema(responses=MemberSerializer(many=True), parameters=[OpenApiParameter(
        "q", str, description="Words of the name (and of the e-mail address, for those who may see them); "
                              "accents and case do not matter.")])
    def get(self, request, slug):
        group, membership = selectors.get_group_for(request.user, slug)
        q = request.query_params.get("q", "")[:200]
        members = selectors.members_of(group, q=q, search_emails=selectors.sees_member_emails(membership, group))
        page = self.paginate_queryset(members)
        return self.get_paginated_response(
            MemberSerializer(page, many=True, context=_member_context(request, group, membership)).data
        )

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer, 200: MemberSerializer})
    def post(self, request, slug):
        group, membership = selectors.get_group_for(request.user, slug)
        if membership.role != Role.ADMIN:
            raise PermissionDenied()
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new, created = services.add_member(group=group, actor=request.user, **data.validated_data)
        return Response(
            MemberSerializer(new, context=_member_context(request, group, membership)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MemberDetail(GenericAPIView):
    serializer_class = MemberSerializer

    def _get(self, request, slug, pk):
        group, membership = selectors.get_group_for(request.user, slug)
        target = get_object_or_404(Membership.objects.select_related("user"), group=group, pk=pk)
        return group, membership, target

    def get(self, request, slug, pk):
        group, membership, target = self._get(request, slug, pk)
        return Response(MemberSerializer(target, context=_member_context(request, group, membership)).data)

    @extend_schema(request=MemberUpdateSerializer)
    def patch(self, request, slug, pk):
        group, membership, target = self._get(request, slug, pk)
        if membership.role != Role.ADMIN:
            raise PermissionDenied()
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.change_role(membership=target, role=data.validated_data["role"], actor=request.user)
        return Response(MemberSerializer(target, context=_member_context(request, group, membership)).data)

    def delete(self, request, slug, pk):
        group, membership, target = self._get(request, slug, pk)
        if membership.role != Role.ADMIN:
            raise PermissionDenied()
        services.remove_member(membership=target, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
