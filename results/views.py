"""Pages of results: the results page (fit to be projected at the board meeting), its live
fragment, the admin's "close now" form and the exports page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buckets.selectors import get_round_for
from cobudget.errors import DomainError
from groups.models import Role
from results import services
from results.selectors import can_export, can_see_member_detail, round_results

LIVE_REFRESH_SECONDS = 10


def _context(request, round, membership):
    with_members = can_see_member_detail(membership) and request.GET.get("members") == "1"
    results = round_results(round, with_members=with_members)
    params = {key: "1" for key in ("projector", "members") if request.GET.get(key) == "1"}
    live_url = f"/rounds/{round.pk}/results/live/" + (f"?{urlencode(params)}" if params else "")
    return {
        "live_url": live_url,
        "round": round,
        "group": round.group,
        "membership": membership,
        "results": results,
        "is_admin": membership.role == Role.ADMIN,
        "can_export": can_export(membership),
        "can_see_members": can_see_member_detail(membership),
        "show_members": with_members,
        "projector": request.GET.get("projector") == "1",
        "refresh_seconds": LIVE_REFRESH_SECONDS,
    }


@login_required
def results_page(request, round_id):
    round, membership = get_round_for(request.user, round_id)
    return render(request, "results/results.html", _context(request, round, membership))


@login_required
def results_live(request, round_id):
    """The part of the results page that htmx refreshes every few seconds while funding."""
    round, membership = get_round_for(request.user, round_id)
    return render(request, "results/results_live.html", _context(request, round, membership))


@login_required
@require_POST
def close_round_page(request, round_id):
    round, membership = get_round_for(request.user, round_id)
    if membership.role != Role.ADMIN:
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the round closes now."))
        return redirect("round-results", round_id=round.pk)
    try:
        closed = services.close_round(round=round, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("round-results", round_id=round.pk)
    if closed:
        messages.success(request, _("The round is closed. Here are its results."))
    else:
        messages.info(request, _("The round was already closed."))
    return redirect("round-results", round_id=round.pk)


@login_required
@require_http_methods(["GET"])
def exports_page(request, round_id):
    round, membership = get_round_for(request.user, round_id)
    if not can_export(membership):
        raise PermissionDenied
    base = f"/api/rounds/{round.pk}/export/"
    exports = [
        (_("Results"), _("one row a project"), f"{base}results.csv"),
        (_("Allocations"), _("one row a member and project"), f"{base}allocations.csv"),
        (_("Envelopes"), _("one row a member"), f"{base}envelopes.csv"),
    ]
    return render(
        request,
        "results/exports.html",
        {"round": round, "group": round.group, "membership": membership, "exports": exports},
    )
