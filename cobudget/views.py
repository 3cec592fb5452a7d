"""Pages composed from several apps: the dashboard and the group page.

This project package sits above every app, so it may read from all of them.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from allocations import selectors as allocation_selectors
from buckets import selectors as bucket_selectors
from groups import selectors as group_selectors
from groups import services as group_services
from groups.models import ENVELOPE_ROLES, JoinRequest, Role
from meetings import selectors as meeting_selectors
from proposals import selectors as proposal_selectors


@login_required
def dashboard(request):
    memberships = list(group_selectors.groups_of(request.user))
    admin_groups = [m.group_id for m in memberships if m.role == Role.ADMIN]
    pending_requests = (
        JoinRequest.objects.filter(group_id__in=admin_groups, status=JoinRequest.Status.PENDING)
        .select_related("group", "user")
        .order_by("created_at")[:20]
    )
    # Admins and accountants reach each round's results, exports and tools from here.
    managed = [
        round
        for m in memberships if m.role in (Role.ADMIN, Role.ACCOUNTANT)
        for round in bucket_selectors.rounds_for(group=m.group, user=request.user).select_related("group")[:6]
    ]
    return render(
        request,
        "dashboard.html",
        {
            "managed_rounds": managed,
            "memberships": memberships,
            # The first-visit guide explains envelopes: for those who receive one, or may soon.
            "guide_applies": not memberships or any(m.role in ENVELOPE_ROLES for m in memberships),
            "envelopes": allocation_selectors.envelopes_for_dashboard(request.user),
            "my_buckets": bucket_selectors.led_by(request.user),
            "awaiting_vote": proposal_selectors.awaiting_vote(request.user),
            "pending_requests": pending_requests,
        },
    )


@login_required
def group_page(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    return render(
        request,
        "group.html",
        {
            "group": group,
            "membership": membership,
            "is_admin": membership.role == Role.ADMIN,
            "guide_applies": membership.role in ENVELOPE_ROLES,
            "rounds": bucket_selectors.rounds_for(group=group, user=request.user),
            "open_proposals": proposal_selectors.open_proposals(group=group, user=request.user)[:10],
            "meetings": meeting_selectors.meetings_of(group)[:5],
            "member_count": group.memberships.count(),
        },
    )


def favicon(request):
    """Browsers ask /favicon.ico whatever the page says."""
    return redirect(static("favicon.ico"), permanent=True)


def developers(request):
    """The API, its token and its documentation, for the people who script cobudget."""
    return render(request, "developers.html")


def guide(request):
    """How a round works (envelope, buckets, allocating): the first-visit guide, any time."""
    return render(request, "guide.html")


@login_required
@require_POST
def guide_dismiss(request):
    """Close the first-visit guide for good: htmx removes it in place; a plain post goes back."""
    group_services.dismiss_guide(user=request.user)
    if request.headers.get("HX-Request") == "true":
        return HttpResponse("")
    back = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return redirect(back)


def set_language(request):
    """Django's language switch, which also keeps a signed-in person's choice on their account:
    their mails and calendar then speak the language they chose on the site."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if (request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES)
            and request.user.language != language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
