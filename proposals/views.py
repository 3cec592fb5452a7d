"""Proposal pages. One access helper per object (selectors.get_proposal_for) gives 404 to
anyone outside the group; every write goes through proposals.services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cobudget.errors import DomainError
from cobudget.pages import perform
from groups import selectors as group_selectors
from proposals import exports, selectors, services
from proposals.forms import CommentForm, ProposalForm, StanceForm, StatementForm
from proposals.models import Stance

DECISIONS_PER_PAGE = 20


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def proposal_list(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    proposals = list(selectors.open_proposals(group=group, user=request.user))
    tallies = selectors.tallies(proposals)
    awaiting = {p.pk for p in selectors.awaiting_vote(request.user)}
    rows = [(p, tallies[p.pk], p.pk in awaiting) for p in proposals]
    return render(
        request,
        "proposals/list.html",
        {"group": group, "membership": membership, "rows": rows, "can_propose": selectors.can_propose(membership)},
    )


@login_required
def proposal_new(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    if not selectors.can_propose(membership):
        messages.error(request, _("Only admins and members can open a proposal; you can comment on open ones."))
        return redirect("proposal-list", slug=slug)
    default_close = (timezone.localtime() + timedelta(days=7)).replace(second=0, microsecond=0)
    form = ProposalForm(request.POST or None, group=group, initial={"closes_at": default_close})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.open_proposal(
                group=group,
                author=request.user,
                title=data["title"],
                details=data["details"],
                closes_at=data["closes_at"],
                voters="members" if data["voters"] == "members" else list(data["named_voters"]),
                quorum_percent=data["quorum_percent"],
                block_vetoes=data["block_vetoes"],
                results_hidden_until_close=data["results_hidden_until_close"],
                bucket=data["bucket"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.detail))
        else:
            messages.success(request, _("The proposal is open; its voters are told."))
            return redirect("proposal", pk=proposal.pk)
    return render(request, "proposals/form.html", {"group": group, "form": form})


def _vote_context(request, proposal, membership, *, stance_form=None, error=None):
    tally = selectors.tally_of(proposal)
    visible = selectors.results_visible(proposal)
    mine = selectors.my_stance(proposal, request.user)
    is_voter = selectors.is_voter(request.user, proposal)
    if stance_form is None:
        stance_form = StanceForm(initial={"choice": mine.choice, "reason": mine.reason} if mine else None)
    bars = []
    for choice, label in Stance.Choice.choices:
        count = tally.counts[choice]
        bars.append({"choice": choice, "label": label, "count": count})
    return {
        "proposal": proposal,
        "membership": membership,
        "tally": tally,
        "bars": bars,
        "results_visible": visible,
        "stances": selectors.latest_stances(proposal) if visible else [],
        "my_stance": mine,
        "is_voter": is_voter,
        "is_open": proposal.closed_at is None,
        "stance_form": stance_form,
        "vote_error": error,
    }


@login_required
def proposal_detail(request, pk):
    proposal, membership = selectors.get_proposal_for(request.user, pk)
    proposal = services.close_if_due(proposal=proposal)
    services.record_view(proposal=proposal, user=request.user)
    context = _vote_context(request, proposal, membership)
    context.update(
        {
            "group": proposal.group,
            "can_manage": selectors.can_manage(request.user, proposal, membership),
            "named_voters": None if proposal.voters_are_members else sorted(
                proposal.named_voters.all(), key=lambda u: u.display_name.lower()
            ),
            "voters_seen": selectors.voters_seen(proposal),
            "comments": selectors.comments_of(proposal),
            "comment_form": CommentForm(),
            "statement_form": StatementForm(initial={"statement": proposal.statement}),
        }
    )
    return render(request, "proposals/detail.html", context)


@login_required
@require_POST
def proposal_stance(request, pk):
    proposal, membership = selectors.get_proposal_for(request.user, pk)
    form = StanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.set_stance(proposal=proposal, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            error = str(exc.detail)
        else:
            form = None  # show the saved stance
    else:
        error = _("Choose agree, abstain, disagree or block.")
    if _is_htmx(request):
        proposal.refresh_from_db()
        context = _vote_context(request, proposal, membership, stance_form=form, error=error)
        if error is None:
            context["vote_saved"] = True
        return render(request, "proposals/_vote_panel.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your stance is saved."))
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proposal_close(request, pk):
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    try:
        proposal = services.close_proposal(proposal=proposal, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The proposal is closed: %(outcome)s.") % {"outcome": proposal.get_outcome_display()})
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proposal_outcome(request, pk):
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.set_statement(proposal=proposal, actor=request.user, statement=form.cleaned_data["statement"]), success=_("The outcome statement is saved."))
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proposal_comment(request, pk):
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.add_comment(proposal=proposal, author=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            return redirect(f"/proposals/{pk}/#comment-{comment.pk}")
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("proposal", pk=pk)


@login_required
def decisions(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.decisions(group=group, q=q), DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "proposals/decisions.html", {"group": group, "membership": membership, "page": page, "q": q})


@login_required
def decisions_csv(request, slug):
    group, _membership = group_selectors.get_group_for(request.user, slug)
    return exports.decisions_csv_response(group=group, q=request.GET.get("q", ""), sep=request.GET.get("sep", "comma"))
