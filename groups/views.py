from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cobudget import confirm
from cobudget.errors import DomainError
from groups import selectors, services
from groups.forms import (
    GroupForm,
    GroupSettingsForm,
    ImportForm,
    InviteForm,
    JoinRequestForm,
    RoleForm,
    SignupByLinkForm,
    WelcomeForm,
)
from groups.models import Group, InviteLink, JoinRequest, Membership, Role


def _admin_group(request, slug):
    group, membership = selectors.get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise Http404
    return group, membership


@login_required
def group_create(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("name", "slug", "currency")}
            group = services.create_group(
                creator=request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                currency=form.cleaned_data["currency"],
                **data,
            )
        except DomainError as exc:
            form.add_error(exc.field, str(exc.detail))
        else:
            messages.success(request, _("The group is created. Invite its members."))
            return redirect("group-members", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form})


@login_required
def members(request, slug):
    group, membership = _admin_group(request, slug)
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(selectors.members_of(group, q=q, search_emails=True), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/members.html",
        {
            "group": group,
            "membership": membership,
            "page": page,
            "q": q,
            "invite_form": InviteForm(),
            "import_form": ImportForm(),
            "roles": Role.choices,
            "links": group.invite_links.filter(revoked_at=None),
            "join_requests": group.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user"),
            "settings_form": GroupSettingsForm(instance=group),
        },
    )


@login_required
@require_POST
def group_settings(request, slug):
    group, _membership = _admin_group(request, slug)
    form = GroupSettingsForm(request.POST, instance=group)
    if form.is_valid():
        try:
            services.update_group_settings(group=group, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("Settings saved."))
    else:
        messages.error(request, _("Check the settings: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("group-members", slug=slug)


@login_required
@require_POST
def invite(request, slug):
    group, _membership = _admin_group(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("group-members", slug=slug)
    try:
        membership, created = services.add_member(group=group, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        if created:
            messages.success(request, _("%(email)s is invited.") % {"email": membership.user.email})
        else:
            messages.success(request, _("%(email)s was already a member; role updated.") % {"email": membership.user.email})
    return redirect("group-members", slug=slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    group, _membership = _admin_group(request, slug)
    target = get_object_or_404(Membership, group=group, pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership=target, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, _("Role changed."))
        except DomainError as exc:
            messages.error(request, str(exc.detail))
    return redirect("group-members", slug=slug)


def _confirm(request, *, slug, action, target, consequence, run):
    """confirm.confirm_or_run; a refusal of the service said on the members page."""
    try:
        return confirm.confirm_or_run(request, action=action, target=target, consequence=consequence, run=run)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("group-members", slug=slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    """Remove a member: a confirmation page states what they lose and what goes back."""
    group, _membership = _admin_group(request, slug)
    target = get_object_or_404(Membership.objects.select_related("user"), group=group, pk=pk)

    def consequence():
        extra = selectors.removal_consequences(target)
        return confirm.Consequence(
            title=_("Remove %(name)s from %(group)s?") % {"name": target.user.display_name, "group": group.name},
            lines=[
                _("%(name)s (%(email)s, %(role)s) no longer sees the group and its rounds.")
                % {"name": target.user.display_name, "email": target.user.email, "role": target.get_role_display()},
                *[sentence for sentence, _figures in extra],
                _("Their comments, votes and the ledger's history stay."),
            ],
            figures=(target.role, *[figures for _sentence, figures in extra]),
            confirm_label=_("Remove %(name)s") % {"name": target.user.display_name},
            back_url=reverse("group-members", args=[group.slug]),
            back_label=_("Members"),
        )

    def run(confirmed):
        try:
            services.remove_member(membership=target, actor=request.user)
        except Membership.DoesNotExist:  # the same confirmation sent twice at once
            messages.info(request, _("%(name)s was already removed.") % {"name": target.user.display_name})
        else:
            messages.success(request, _("%(name)s is removed from the group.") % {"name": target.user.display_name})
        return redirect("group-members", slug=slug)

    return _confirm(request, slug=slug, action="remove-member", target=target.pk, consequence=consequence, run=run)


@login_required
@require_POST
def import_csv(request, slug):
    group, _membership = _admin_group(request, slug)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect("group-members", slug=slug)
    try:
        result = services.import_members(group=group, data=form.cleaned_data["file"].read(), actor=request.user)
    except DomainError as exc:
        messages.error(request, _("Nothing was imported. %(error)s") % {"error": exc.detail})
    else:
        parts = [
            ngettext("%(n)d invited", "%(n)d invited", result.created) % {"n": result.created},
            ngettext("%(n)d updated", "%(n)d updated", result.updated) % {"n": result.updated},
            ngettext("%(n)d unchanged", "%(n)d unchanged", result.unchanged) % {"n": result.unchanged},
        ]
        messages.success(request, _("Import done: %(counts)s.") % {"counts": ", ".join(parts)})
    return redirect("group-members", slug=slug)


@login_required
@require_POST
def link_create(request, slug):
    group, _membership = _admin_group(request, slug)
    role = request.POST.get("role", Role.MEMBER)
    try:
        services.create_invite_link(group=group, actor=request.user, role=role)
        messages.success(request, _("Invite link created."))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("group-members", slug=slug)


@login_required
@require_POST
def link_revoke(request, slug, pk):
    """Revoke an invite link: a confirmation page says what stops, then it stops."""
    group, _membership = _admin_group(request, slug)
    link = get_object_or_404(InviteLink, group=group, pk=pk)
    if link.revoked_at is not None:
        messages.info(request, _("This invite link was already revoked."))
        return redirect("group-members", slug=slug)

    def consequence():
        link.refresh_from_db()
        lines = [_("The invite link (role: %(role)s) stops working at once.") % {"role": link.get_role_display()}]
        if link.expires_at is not None:
            days = max(0, (link.expires_at - timezone.now()).days)
            lines.append(ngettext("It would have worked %(n)d more day.", "It would have worked %(n)d more days.", days)
                         % {"n": days})
        lines.append(_("People who already joined with it stay members."))
        return confirm.Consequence(
            title=_("Revoke this invite link?"),
            lines=lines,
            figures=(link.revoked_at is None, link.role),
            confirm_label=_("Revoke the link"),
            back_url=reverse("group-members", args=[group.slug]),
            back_label=_("Members"),
        )

    def run(confirmed):
        services.revoke_invite_link(link=link, actor=request.user)
        messages.success(request, _("Invite link revoked: it no longer works."))
        return redirect("group-members", slug=slug)

    return _confirm(request, slug=slug, action="revoke-link", target=link.pk, consequence=consequence, run=run)


def join_link(request, token):
    """An invite link: a logged-in person joins in one click; someone without an account
    creates one here (even when sign-up is closed) and lands in the group."""
    try:
        link = services.usable_link(token)
    except DomainError as exc:
        return render(request, "groups/join_link.html", {"invalid": exc.detail}, status=404)
    group = link.group
    if request.user.is_authenticated:
        if selectors.membership_of(request.user, group) is not None:
            return redirect("group", slug=group.slug)
        if request.method == "POST":
            services.join_by_link(token=token, user=request.user)
            messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
            return redirect("group", slug=group.slug)
        return render(request, "groups/join_link.html", {"link": link, "group": group})
    form = SignupByLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="signup"):
            form.add_error(None, _("Too many accounts were created from here just now; try again in a minute."))
        else:
            try:
                membership = services.signup_by_link(token=token, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.detail))
            else:
                auth_login(request, membership.user, backend="groups.backends.ModelBackend")
                messages.success(request, _("Welcome to %(group)s: your account is ready.") % {"group": group.name})
                return redirect("group", slug=group.slug)
    return render(request, "groups/join_link.html", {"link": link, "group": group, "form": form})


def invitation_welcome(request, token):
    """The page of an e-mail invitation: welcome to the group, choose your password."""
    try:
        invitation = services.read_welcome_token(token)
    except DomainError as exc:
        if exc.code == "welcome_link_used" and request.user.is_authenticated:
            return redirect("dashboard")  # the invitation, followed again from the app
        return render(request, "groups/welcome.html", {"invalid": exc.detail, "code": exc.code}, status=exc.status)
    form = WelcomeForm(request.POST if request.method == "POST" else None, user=invitation.user,
                       initial={"name": invitation.user.name})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.accept_invitation(token=token, **form.cleaned_data)
        except DomainError as exc:
            return render(request, "groups/welcome.html", {"invalid": exc.detail, "code": exc.code},
                          status=exc.status)
        auth_login(request, invitation.user, backend="groups.backends.ModelBackend")
        messages.success(request, _("Welcome to %(group)s: your password is saved.") % {"group": invitation.group.name})
        return redirect("group", slug=invitation.group.slug)
    return render(request, "groups/welcome.html", {"invitation": invitation, "group": invitation.group, "form": form})


@login_required
def join_request(request, slug):
    group = get_object_or_404(Group, slug=slug)
    if selectors.membership_of(request.user, group):
        return redirect("group", slug=slug)
    if group.join_policy == Group.JoinPolicy.INVITATION:
        raise Http404
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.request_to_join(group=group, user=request.user, message=form.cleaned_data["message"])
        if isinstance(result, Membership):
            messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
            return redirect("group", slug=slug)
        messages.success(request, _("Your request is sent; an admin will answer it."))
        return redirect("dashboard")
    return render(request, "groups/join_request.html", {"group": group, "form": form})


@login_required
@require_POST
def join_request_decide(request, slug, pk):
    group, _membership = _admin_group(request, slug)
    jr = get_object_or_404(JoinRequest, group=group, pk=pk)
    approve = request.POST.get("decision") == "approve"
    services.decide_join_request(join_request=jr, approve=approve, actor=request.user)
    messages.success(request, _("Request approved.") if approve else _("Request refused."))
    return redirect("group-members", slug=slug)
