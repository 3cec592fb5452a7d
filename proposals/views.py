"""Proposal pages. One access helper per object (selectors.get_proposal_for) gives 404 to
anyone outside the group; every write goes through proposals.services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cobudget.errors import DomainError
from cobudget.pages import perform
from groups import selectors as group_selectors
from groups.models import Membership, Role
from proposals import exports, selectors, services
from proposals.forms import CommentForm, ProposalForm, RescheduleForm, StanceForm, StatementForm
from proposals.models import Proposal, Stance

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


def _form_field(form, exc) -> str | None:
    """The form field a service's refusal belongs to (a meeting-time poll's options are its slots)."""
    if exc.field == "options" and form.cleaned_data.get("kind") == "meeting_time":
        return "slot_1"
    return exc.field if exc.field in form.fields else None


@login_required
def proposal_new(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    if not selectors.can_propose(membership):
        messages.error(request, _("Only admins and members can open a proposal; you can comment on open ones."))
        return redirect("proposal-list", slug=slug)
    default_close = (timezone.localtime() + timedelta(days=7)).replace(second=0, microsecond=0)
    form = ProposalForm(request.POST or None, group=group, initial={"closes_at": default_close})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.open_proposal(group=group, author=request.user, **form.service_values())
        except DomainError as exc:
            form.add_error(_form_field(form, exc), str(exc.detail))
        else:
            messages.success(request, _("The proposal is open; its voters are told."))
            return redirect("proposal", pk=proposal.pk)
    return render(request, "proposals/form.html", {"group": group, "form": form})


@login_required
def proposal_edit(request, pk):
    """Change a proposal before anyone has voted (its author, admins)."""
    proposal, membership = selectors.get_proposal_for(request.user, pk)
    if not selectors.can_manage(request.user, proposal, membership):
        messages.error(request, _("Only the author or an admin of the group can do this."))
        return redirect("proposal", pk=pk)
    form = ProposalForm(request.POST or None, group=proposal.group, initial=ProposalForm.initial_for(proposal))
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        if proposal.settles_bucket:
            values.pop("kind")
        try:
            services.edit_proposal(proposal=proposal, actor=request.user, **values)
        except DomainError as exc:
            if exc.code in ("proposal_has_stances", "proposal_closed"):
                messages.error(request, str(exc.detail))
                return redirect("proposal", pk=pk)
            form.add_error(_form_field(form, exc), str(exc.detail))
        else:
            messages.success(request, _("The proposal is saved."))
            return redirect("proposal", pk=pk)
    return render(request, "proposals/form.html", {"group": proposal.group, "form": form, "proposal": proposal})


def _ballot_context(proposal, options, stance, posted=None) -> dict:
    """What the ballot inputs show: the voter's saved ballot, or what they just sent."""
    initial = {"choice": None, "scores": {}, "ranks": {}, "dots": {}, "availability": {}}
    if posted is not None:
        initial["choice"] = posted.get("choice")
        for option in options:
            for key, prefix in (("scores", "score"), ("ranks", "rank"), ("dots", "dots")):
                value = posted.get(f"{prefix}-{option.pk}", "")
                if value.strip().isdigit():
                    initial[key][option.pk] = int(value)
            if posted.get(f"avail-{option.pk}"):
                initial["availability"][option.pk] = posted.get(f"avail-{option.pk}")
    elif stance is not None and not proposal.anonymous:
        initial["choice"] = stance.choice
        data = stance.data or {}
        initial["scores"] = {int(k): v for k, v in data.get("scores", {}).items()}
        initial["ranks"] = {option_id: i for i, option_id in enumerate(data.get("ranking", []), start=1)}
        initial["dots"] = {int(k): v for k, v in data.get("dots", {}).items()}
        initial["availability"] = {int(k): v for k, v in data.get("availability", {}).items()}
    return {
        "options": options,
        "ballot_initial": initial,
        "choice_options": Stance.Choice.choices,
        "score_range": range(0, (proposal.score_max or 0) + 1),
        "rank_range": range(1, len(options) + 1),
        "availability_choices": [("yes", _("yes")), ("maybe", _("maybe")), ("no", _("no"))],
    }


def ballot_from_post(proposal, options, post) -> dict:
    """The service's ballot from a page's inputs: `choice`, or one input per option
    (score-ID, rank-ID, dots-ID, avail-ID). Empty inputs are left out."""
    if proposal.kind == Proposal.Kind.PROPOSAL:
        return {"choice": post.get("choice") or None}
    if proposal.kind == Proposal.Kind.RANKED_CHOICE:
        ranks = {}
        for option in options:
            value = post.get(f"rank-{option.pk}", "").strip()
            if value:
                if not value.isdigit():
                    raise DomainError("invalid_ranking", _("A rank is a whole number."), status=400, field="ranking")
                ranks[option.pk] = int(value)
        if len(set(ranks.values())) != len(ranks):
            raise DomainError("invalid_ranking", _("Give each rank to one option only."), status=400, field="ranking")
        return {"ranking": sorted(ranks, key=ranks.get)}
    key, prefix = {
        Proposal.Kind.SCORE: ("scores", "score"), Proposal.Kind.DOT_VOTE: ("dots", "dots"),
        Proposal.Kind.MEETING_TIME: ("availability", "avail"),
    }[proposal.kind]
    values = {}
    for option in options:
        value = post.get(f"{prefix}-{option.pk}", "").strip()
        if value and not (proposal.kind == Proposal.Kind.DOT_VOTE and value == "0"):
            values[str(option.pk)] = value
    return {key: values}


def _vote_context(request, proposal, membership, *, stance_form=None, error=None, posted=None):
    tally = selectors.tally_of(proposal)
    visible = selectors.results_visible(proposal)
    mine = selectors.my_stance(proposal, request.user)
    is_voter = selectors.is_voter(request.user, proposal)
    options = selectors.options_of(proposal)
    if mine is not None and proposal.is_poll:
        mine.summary = selectors.ballot_summary(proposal.kind, mine.data, {o.pk: o.label for o in options})
    carried = selectors.proxies_carried(proposal, request.user) if proposal.closed_at is None else []
    if carried:
        ids = dict(Membership.objects.filter(group_id=proposal.group_id, user_id__in=[p.giver_id for p in carried])
                   .values_list("user_id", "pk"))
        for proxy in carried:
            proxy.giver_membership_id = ids.get(proxy.giver_id)
    if stance_form is None:
        stance_form = StanceForm(initial={"reason": mine.reason} if mine else None)
    bars = []
    for choice, label in Stance.Choice.choices:
        count = tally.counts[choice]
        bars.append({"choice": choice, "label": label, "count": count})
    context = {
        "proposal": proposal,
        "membership": membership,
        "tally": tally,
        "bars": bars,
        "results_visible": visible,
        "stances": selectors.latest_stances(proposal) if visible else [],
        "voted_stances": selectors.latest_stances(proposal) if proposal.anonymous else [],
        "anonymous_reasons": selectors.anonymous_reasons(proposal) if proposal.anonymous and visible else [],
        "choice_labels": dict(Stance.Choice.choices),
        "my_stance": mine,
        "is_voter": is_voter,
        "carried": carried,
        "can_vote": (is_voter and not (proposal.anonymous and mine)) or bool(carried),
        "is_open": proposal.closed_at is None,
        "stance_form": stance_form,
        "vote_error": error,
    }
    context.update(_ballot_context(proposal, options, mine, posted))
    return context


@login_required
def proposal_detail(request, pk):
    proposal, membership = selectors.get_proposal_for(request.user, pk)
    proposal = services.close_if_due(proposal=proposal)
    services.record_view(proposal=proposal, user=request.user)
    context = _vote_context(request, proposal, membership)
    can_manage = selectors.can_manage(request.user, proposal, membership)
    is_admin = membership.role == Role.ADMIN
    is_open = proposal.closed_at is None
    voters = selectors.voter_memberships(proposal) if is_open else []
    proxy_mine = selectors.proxy_given(proposal, request.user) if is_open else None
    now = timezone.now()
    context.update(
        {
            "group": proposal.group,
            "can_manage": can_manage,
            "is_admin": is_admin,
            "named_voters": None if proposal.voters_are_members else sorted(
                proposal.named_voters.all(), key=lambda u: u.display_name.lower()
            ),
            "voters_seen": selectors.voters_seen(proposal),
            "comments": selectors.comments_of(proposal),
            "comment_form": CommentForm(),
            "statement_form": StatementForm(initial={"statement": proposal.statement}),
            "can_edit": can_manage and is_open and not Stance.objects.filter(proposal=proposal).exists(),
            "can_reopen": is_admin and not is_open and not proposal.settles_bucket and not proposal.anonymous
            and now - proposal.closed_at <= services.REOPEN_WITHIN,
            "reschedule_form": RescheduleForm(initial={
                "closes_at": timezone.localtime(max(proposal.closes_at, now) + timedelta(days=2)).replace(second=0, microsecond=0)
            }),
            "events": selectors.events_of(proposal),
            "outcome_labels": dict(Proposal.Outcome.choices),
            "proxies": selectors.proxies_of(proposal),
            "proxy_mine": proxy_mine,
            "proxy_limit": proposal.group.max_proxies_per_voter,
            "voter_choices": [m for m in voters if m.user_id != request.user.pk],
            "all_voters": voters,
            "can_give_proxy": is_open and context["is_voter"] and proposal.group.max_proxies_per_voter > 0
            and (context["my_stance"] is None or context["my_stance"].via == Stance.Via.PROXY),
            "chosen": next((o for o in context["options"] if o.pk == proposal.chosen_option_id), None),
        }
    )
    return render(request, "proposals/detail.html", context)


def _member_of(proposal, value) -> Membership | None:
    if not str(value or "").isdigit():
        return None
    return Membership.objects.select_related("user").filter(group_id=proposal.group_id, pk=int(value)).first()


@login_required
@require_POST
def proposal_stance(request, pk):
    """A stance from the page: one's own, as a proxy holder (`proxy_for`), or entered by an
    admin for a voter who answered by phone or on paper (`member`, `via`)."""
    proposal, membership = selectors.get_proposal_for(request.user, pk)
    form = StanceForm(request.POST)
    error = None
    options = selectors.options_of(proposal)
    on_behalf = request.POST.get("member")
    if form.is_valid():
        try:
            ballot = ballot_from_post(proposal, options, request.POST)
            voter, cast_by, via = request.user, None, ""
            if on_behalf or request.POST.get("proxy_for"):
                target = _member_of(proposal, on_behalf or request.POST.get("proxy_for"))
                if target is None:
                    raise DomainError("unknown_member", _("Choose a member of the group."), status=400)
                voter, cast_by = target.user, request.user
                via = request.POST.get("via") if on_behalf else Stance.Via.PROXY
                if on_behalf and via not in (Stance.Via.PHONE, Stance.Via.PAPER):
                    via = Stance.Via.PAPER
            services.set_stance(proposal=proposal, user=voter, reason=form.cleaned_data["reason"], cast_by=cast_by,
                                via=via, **ballot)
        except DomainError as exc:
            error = str(exc.detail)
        else:
            form = None  # show the saved stance
    else:
        error = _("Check your stance: %(errors)s") % {"errors": form.errors.as_text()}
    if _is_htmx(request) and not on_behalf:
        proposal.refresh_from_db()
        context = _vote_context(request, proposal, membership, stance_form=form, error=error,
                                posted=request.POST if error else None)
        if error is None:
            context["vote_saved"] = True
        return render(request, "proposals/_vote_panel.html", context)
    if error:
        messages.error(request, error)
    elif on_behalf:
        messages.success(request, _("The stance is recorded, marked as entered by you."))
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
        messages.success(request, _("The proposal is closed: %(outcome)s.") % {"outcome": proposal.outcome_label})
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proposal_outcome(request, pk):
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.set_statement(
            proposal=proposal, actor=request.user, statement=form.cleaned_data["statement"],
            chosen_option=form.cleaned_data.get("chosen_option"),
        ), success=_("The outcome statement is saved."))
    return redirect("proposal", pk=pk)


def _reschedule(request, pk, service, success):
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new closing time and say why."))
        return redirect("proposal", pk=pk)
    perform(request, lambda: service(proposal=proposal, actor=request.user, **form.cleaned_data), success=success)
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proposal_extend(request, pk):
    return _reschedule(request, pk, services.extend_proposal, _("The proposal is extended; the reason is in its history."))


@login_required
@require_POST
def proposal_reopen(request, pk):
    return _reschedule(request, pk, services.reopen_proposal, _("The proposal is reopened; the reason is in its history."))


@login_required
@require_POST
def proposal_proxy(request, pk):
    """Give one's proxy to another voter, or (admins) record a paper proxy (`giver`)."""
    proposal, _membership = selectors.get_proposal_for(request.user, pk)
    holder = _member_of(proposal, request.POST.get("holder"))
    giver = _member_of(proposal, request.POST.get("giver")) if request.POST.get("giver") else None
    if holder is None or (request.POST.get("giver") and giver is None):
        messages.error(request, _("Choose a member of the group."))
        return redirect("proposal", pk=pk)
    perform(request, lambda: services.give_proxy(
        proposal=proposal, giver=giver.user if giver else request.user, holder=holder.user, recorded_by=request.user,
    ), success=_("The proxy is recorded: %(name)s may vote for its giver.") % {"name": holder.user.display_name})
    return redirect("proposal", pk=pk)


@login_required
@require_POST
def proxy_withdraw(request, pk):
    from proposals.models import Proxy

    proxy = Proxy.objects.select_related("proposal").filter(pk=pk).first()
    if proxy is None:
        raise Http404
    selectors.get_proposal_for(request.user, proxy.proposal_id)
    perform(request, lambda: services.withdraw_proxy(proxy=proxy, actor=request.user), success=_("The proxy is withdrawn."))
    return redirect("proposal", pk=proxy.proposal_id)


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
