"""Pages of results: the results page (fit to be projected at the board meeting), its live
fragment, the admin's "close now" form and the exports page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from allocations.figures import round_figures
from allocations.selectors import topups_of
from buckets.models import Bucket
from buckets.selectors import get_round_for
from cobudget import confirm
from cobudget.dates import format_when
from cobudget.errors import DomainError
from cobudget.money import money_formatter
from groups.models import Role
from results import exports, services
from results.selectors import can_export, can_see_member_detail, closing_outcomes, round_results

LIVE_REFRESH_SECONDS = 10


def _context(request, round, membership):
    with_members = can_see_member_detail(membership) and request.GET.get("members") == "1"
    results = round_results(round, with_members=with_members)
    params = {key: "1" for key in ("projector", "members") if request.GET.get(key) == "1"}
    live_url = f"/rounds/{round.pk}/results/live/" + (f"?{urlencode(params)}" if params else "")
    permanent = round.kind == round.Kind.PERMANENT
    return {
        "permanent": permanent,
        # A permanent fund funds its buckets one by one: the latest funding first.
        "funded_items": sorted(results.funded, key=lambda item: (item.bucket.funded_at is not None,
                                                                  item.bucket.funded_at, item.bucket.pk), reverse=True)
        if permanent else results.funded,
        "topups": list(topups_of(round).order_by("granted_at", "pk")) if permanent else [],
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


def _closing_consequence(round) -> confirm.Consequence:
    """What closing now does, in numbers: the outcome of every open bucket by the round's rule,
    the money allocated and not, and how far ahead of the planned date."""
    money = money_formatter(round.currency)
    outcomes = closing_outcomes(round)
    lines = []
    now = timezone.now()
    if round.funding_closes_at is not None and round.funding_closes_at > now:
        lines.append(_("Allocation ends now for everyone, %(delay)s before the planned closing (%(date)s).") % {
            "delay": timeuntil(round.funding_closes_at, now),
            "date": format_when(round.funding_closes_at, "datetime", round.group)})
    else:
        lines.append(_("Allocation ends now for everyone."))
    wording = {
        Bucket.Status.FUNDED: lambda n: ngettext(
            "%(n)d project funded at the amount reached: %(amount)s.",
            "%(n)d projects funded at the amount reached: %(amount)s.", n),
        Bucket.Status.TO_DECIDE: lambda n: ngettext(
            "%(n)d project left to the meeting, %(amount)s: a proposal opens to decide it.",
            "%(n)d projects left to the meeting, %(amount)s: a proposal opens for each.", n),
        Bucket.Status.NOT_FUNDED: lambda n: ngettext(
            "%(n)d project not funded: its %(amount)s go back to the members who gave them.",
            "%(n)d projects not funded: their %(amount)s go back to the members who gave them.", n),
    }
    for status in (Bucket.Status.FUNDED, Bucket.Status.TO_DECIDE, Bucket.Status.NOT_FUNDED):
        if status in outcomes:
            n, amount = outcomes[status]
            lines.append(wording[status](n) % {"n": n, "amount": money(amount)})
    if not outcomes:
        lines.append(_("No project is open: there is nothing to settle."))
    figures = round_figures(round)
    lines.append(_("%(allocated)s allocated out of %(envelopes)s in envelopes; %(unspent)s never allocated.") % {
        "allocated": money(figures.allocated), "envelopes": money(figures.envelope), "unspent": money(figures.unspent)})
    lines.append(_("Each member receives one e-mail with the results and the proposals to vote on."))
    return confirm.Consequence(
        title=_("Close “%(title)s” now?") % {"title": round.title},
        lines=lines,
        notes=[_("Closing cannot be undone: allocations can no longer change.")],
        figures=(round.closed_at is None, sorted((status, n, amount) for status, (n, amount) in outcomes.items()),
                 figures.allocated, figures.envelope),
        confirm_label=_("Close the round now"),
        back_url=reverse("round", args=[round.pk]),
        back_label=round.title,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_round_page(request, round_id):
    """Close early: a page states what closing now does, in numbers; confirming closes."""
    round, membership = get_round_for(request.user, round_id)
    if membership.role != Role.ADMIN:
        raise PermissionDenied
    if round.closed_at is not None:
        messages.info(request, _("The round was already closed."))
        return redirect("round-results", round_id=round.pk)
    if round.published_at is None:
        messages.error(request, _("A draft round cannot be closed; publish it first."))
        return redirect("round", pk=round.pk)

    def run(confirmed):
        outcomes = {status: (n, amount) for status, n, amount in confirmed.figures[1]}
        if services.close_round(round=round, actor=request.user, expect=outcomes):
            messages.success(request, _("The round is closed. Here are its results."))
        else:
            messages.info(request, _("The round was already closed."))
        return redirect("round-results", round_id=round.pk)

    try:
        return confirm.confirm_or_run(request, action="close", target=round.pk,
                                      consequence=lambda: _closing_consequence(round), run=run)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("round-results", round_id=round.pk)


@login_required
@require_http_methods(["GET"])
def exports_page(request, round_id):
    round, membership = get_round_for(request.user, round_id)
    if not can_export(membership):
        raise PermissionDenied
    files = []
    for export in exports.EXPORTS.values():
        base = reverse(f"api-export-{export.name}", args=[round.pk]).removesuffix(".csv")
        files.append({
            "name": export.name,
            "title": export.title,
            "help": export.help,
            "french": [(_("Excel (.xlsx)"), f"{base}.xlsx?sep=semicolon", "xlsx-fr"),
                       (_("CSV with ;"), f"{base}.csv?sep=semicolon", "csv-fr")],
            "machine": [(_("CSV with ,"), f"{base}.csv", "csv"), (_("Excel (.xlsx)"), f"{base}.xlsx", "xlsx")],
        })
    return render(request, "results/exports.html", {
        "round": round, "group": round.group, "membership": membership, "files": files,
        "totals": round_figures(round).totals(), "zone": round.group.time_zone,
    })
