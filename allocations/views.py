"""The round page (live cards and my envelope), the bucket page with its allocation form,
and the admins' pages: publish, envelopes table, top-up, paper forms, withdraw and merge."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize_input
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from allocations import selectors, services
from buckets import selectors as bucket_selectors
from buckets.forms import CommentForm
from buckets.models import Bucket, Phase
from buckets.services import (
    EDITABLE_STATUSES,
    check_accept_funding,
    funding_threshold,
    require_colead,
)
from buckets.views import phase_timeline
from cobudget import confirm
from cobudget.errors import DomainError
from cobudget.money import ZERO, money_formatter, parse_amount, percent_formatter
from cobudget.pages import perform
from cobudget.search import french
from groups.models import ENVELOPE_ROLES, Role
from groups.selectors import members_of
from groups.templatetags.cobudget import percent_of

SORT_CHOICES = [
    ("newest", gettext_lazy("newest")),
    ("most", gettext_lazy("most funded")),
    ("least", gettext_lazy("least funded")),
    ("mine", gettext_lazy("mine")),
]


FUNDED_SHOWN = 10  # on the round page of a permanent fund; the results page lists them all


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _present_cards(cards, currency: str) -> list[dict]:
    """What each card of the round page prints, as strings formatted once here rather than by
    filters and blocktranslates per value in the template (the same messages and output as
    allocations/_progress.html): a round of 500 buckets renders in a fraction of the time."""
    money, percent = money_formatter(currency), percent_formatter()
    funding = _("Funding: %(total)s of %(min)s minimum, %(max)s maximum")
    of_min = _("of %(min)s minimum (%(pct)s)")
    maximum = _("maximum %(max)s")
    url = reverse("bucket", args=[0]).removesuffix("0/")  # /buckets/{id}/ without a reverse() per card
    contributors = {}
    presented = []
    for card in cards:
        total, least, most = escape(money(card.total)), escape(money(card.min_goal)), escape(money(card.max_goal))
        n = card.contributors_count
        if n not in contributors:
            contributors[n] = ngettext("%(n)s contributor", "%(n)s contributors", n) % {"n": n}
        # As blocktranslate does: the values escaped, the translated sentence trusted.
        presented.append({
            "pk": str(card.pk),
            "url": f"{url}{card.pk}/",
            "title": card.title,
            "status": card.status,
            "status_label": card.get_status_display(),
            "open_flags_count": card.open_flags_count,
            "tags": card.tags,
            "summary": card.summary,
            "funded": "funded" if card.min_goal and card.total >= card.min_goal else "",
            "value": f"{card.total:f}",
            "max": f"{card.max_goal:f}" if card.max_goal else "1",
            # Where the minimum sits on the bar (which is scaled to the maximum).
            "marker": f"{percent_of(card.min_goal, card.max_goal):f}" if 0 < card.min_goal < card.max_goal else "",
            "total": total,
            "funding": mark_safe(funding % {"total": total, "min": least, "max": most}),
            "of_min": mark_safe(of_min % {"min": least, "pct": escape(percent(card.percent_of_min))}),
            "maximum": mark_safe(maximum % {"max": most}),
            "contributors": mark_safe(contributors[n]),
            "leads": ", ".join(card.leads),
            "mine": money(card.my_allocation) if card.my_allocation else "",
        })
    return presented


def _live_context(request, round, membership):
    sort = request.GET.get("sort", "newest")
    if sort not in dict(SORT_CHOICES):
        sort = "newest"
    q, tag = request.GET.get("q", "").strip()[:200], request.GET.get("tag", "").strip()[:50]
    cards = selectors.round_cards(round=round, user=request.user, membership=membership, sort=sort, q=q, tag=tag)
    return {
        "round": round,
        "membership": membership,
        "envelope": selectors.envelope_of(round=round, user=request.user),
        "buckets": _present_cards(cards, round.currency),
        "sort": sort,
        "q": q,
        "tag": tag,
        # What the live part polls with, so that a search or a filter survives each refresh.
        "live_query": urlencode({k: v for k, v in (("sort", sort), ("q", q), ("tag", tag)) if v}),
    }


@login_required
def round_page(request, pk):
    round, membership = bucket_selectors.get_round_for(request.user, pk)
    context = _live_context(request, round, membership)
    context.update({
        "is_admin": membership.role == Role.ADMIN,
        "can_read_all": membership.role in (Role.ADMIN, Role.ACCOUNTANT),
        "can_propose": membership.role != Role.ACCOUNTANT and round.accepts_new_buckets,
        "timeline": phase_timeline(round, admin=membership.role == Role.ADMIN),
        "totals": selectors.round_totals(round),
        "sort_choices": SORT_CHOICES,
        "round_tags": selectors.round_tags(round),
    })
    if round.kind == round.Kind.PERMANENT:
        topups = list(selectors.topups_of(round)[:20])
        funded = selectors.funded_by_date(round)
        context.update({
            "funded_by_date": funded[:FUNDED_SHOWN],
            "funded_count": len(funded),
            "funded_more": len(funded) > FUNDED_SHOWN,
            "topups": topups,
            "topup_period": services.default_period(round),
            "topup_placeholder": localize_input(topups[0].amount) if topups else "",
        })
    return render(request, "allocations/round.html", context)


@login_required
def round_cards(request, pk):
    """The live part of the round page, polled by htmx every few seconds."""
    round, membership = bucket_selectors.get_round_for(request.user, pk)
    return render(request, "allocations/_round_live.html", _live_context(request, round, membership))


def _allocation_panel(bucket, round, envelope, mine, phase) -> dict:
    """What the allocation panel prints, formatted here once rather than by filters and
    blocktranslates in _allocation.html (the same messages and output as _progress.html and
    _envelope_bar.html): it is re-rendered after every allocation from the bucket page."""
    money = money_formatter(round.currency)
    total, least, most = escape(money(bucket.total)), escape(money(bucket.min_goal)), escape(money(bucket.max_goal))
    n = bucket.contributors_count
    action = reverse("bucket-allocate", args=[bucket.pk])
    panel = {
        "funded": "funded" if bucket.min_goal and bucket.total >= bucket.min_goal else "",
        "value": f"{bucket.total:f}",
        "max": f"{bucket.max_goal:f}" if bucket.max_goal else "1",
        # Where the minimum sits on the bar (which is scaled to the maximum).
        "marker": f"{percent_of(bucket.min_goal, bucket.max_goal):f}" if 0 < bucket.min_goal < bucket.max_goal else "",
        "total": total,
        # As blocktranslate does: the values escaped, the translated sentence trusted.
        "funding": mark_safe(_("Funding: %(total)s of %(min)s minimum, %(max)s maximum")
                             % {"total": total, "min": least, "max": most}),
        "of_min": mark_safe(_("of %(min)s minimum (%(pct)s)")
                            % {"min": least, "pct": escape(percent_formatter()(bucket.percent_of_min))}),
        "maximum": mark_safe(_("maximum %(max)s") % {"max": most}),
        "contributors": mark_safe(ngettext("%(n)s contributor", "%(n)s contributors", n) % {"n": n}),
        "funding_now": phase == Phase.FUNDING,
        "action": action,
        "mine": money(mine),
    }
    if envelope is not None:
        panel.update({
            "remaining": money(envelope.remaining),
            "envelope": money(envelope.amount),
            "sheet_url": reverse("round-allocate", args=[round.pk]),
            "envelope_max": f"{envelope.amount:f}" if envelope.amount else "1",
            "allocated": f"{envelope.allocated:f}",
        })
    return panel


def _bucket_context(request, bucket, membership, *, envelope, mine, error=None, saved=False):
    round = bucket.round
    phase = round.phase
    return {
        "bucket": bucket,
        "round": round,
        "membership": membership,
        "envelope": envelope,
        "mine": mine,
        "can_allocate": envelope is not None and phase == Phase.FUNDING and bucket.status == Bucket.Status.OPEN,
        "error": error,
        "saved": saved,
        "panel": _allocation_panel(bucket, round, envelope, mine, phase),
    }


@login_required
def bucket_page(request, pk):
    bucket, membership = bucket_selectors.get_bucket_for(request.user, pk)
    context = _bucket_context(request, bucket, membership,
                              envelope=selectors.envelope_of(round=bucket.round, user=request.user),
                              mine=selectors.my_allocation(bucket=bucket, user=request.user))
    # The co-leads are shown anyway: read once, they also say whether the reader is one (as
    # is_colead_or_admin would, without a query of its own).
    coleads = list(bucket.coleads.all())
    is_lead = membership is not None and (
        membership.role == Role.ADMIN or any(lead.pk == request.user.pk for lead in coleads))
    merge_targets = []
    if is_lead and bucket.status in (Bucket.Status.DRAFT, Bucket.Status.OPEN):
        merge_targets = Bucket.objects.filter(
            round=bucket.round, status__in=[Bucket.Status.DRAFT, Bucket.Status.OPEN]
        ).exclude(pk=bucket.pk).order_by("title")
    context.update({
        "items": bucket.budget_items.all(),
        "coleads": coleads,
        "tags": bucket.tags.all(),
        "comments": bucket_selectors.comments_of(bucket),
        "comment_form": CommentForm(),
        "is_lead": is_lead,
        "merge_targets": merge_targets,
        "flags": [],
        "accept_funding": _accept_funding(request.user, bucket),
    })
    return render(request, "allocations/bucket.html", context)


def _accept_funding(user, bucket) -> dict | None:
    """For a co-lead of an open bucket of a permanent fund: whether its funding may be
    accepted now, or how much it still needs (buckets.services.check_accept_funding decides)."""
    round = bucket.round
    if round.kind != round.Kind.PERMANENT or bucket.status != Bucket.Status.OPEN:
        return None  # the common case, settled without asking who the reader is
    try:
        check_accept_funding(bucket=bucket, actor=user, round=round)
        reached = True
    except DomainError as exc:
        if exc.code != "funding_not_reached":
            return None  # not theirs to accept, or nothing to accept here
        reached = False
    needed = max(funding_threshold(bucket, round), Decimal("0.01"))
    return {"reached": reached, "needed": needed, "missing": max(needed - bucket.total, ZERO),
            "threshold": round.funded_if_percent_of_min}


@login_required
@require_POST
def bucket_allocate(request, pk):
    """The allocation form: an htmx request gets the updated fragment (or the refusal in
    words); a plain POST is redirected back to the bucket page. Members allocate here, most
    of them in a round's last hours: the fragment is read in one query before the change
    (the access rule) and one after (selectors.allocation_target)."""
    bucket = selectors.allocation_target(bucket_id=pk, user=request.user)
    if bucket is None:
        raise Http404
    error = None
    try:
        services.set_allocation(member=request.user, bucket=bucket, amount=request.POST.get("amount", ""), actor=request.user)
    except DomainError as exc:
        error = str(exc.detail)
    if _is_htmx(request):
        if error is None:  # a refusal changed nothing: the panel read before stands
            bucket = selectors.allocation_target(bucket_id=pk, user=request.user) or bucket
        context = _bucket_context(request, bucket, None, envelope=bucket.my_envelope, mine=bucket.my_amount,
                                  error=error, saved=error is None)
        if error is not None:
            context["typed"] = request.POST.get("amount", "")
        return render(request, "allocations/_allocation.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your allocation is saved."))
    return redirect("bucket", pk=bucket.pk)


def _given_back(n: int, amount, currency: str) -> str:
    if n == 0:
        return _("No one has allocated to it yet: no money moves.")
    return ngettext(
        "%(n)d contribution, %(amount)s, goes back to the envelope of the member who gave it.",
        "%(n)d contributions, %(amount)s in all, go back to the envelopes of the members who gave them.", n,
    ) % {"n": n, "amount": money_formatter(currency)(amount)}


def _refund_consequence(bucket, *, title: str, lines: list[str], confirm_label: str, extra=()) -> confirm.Consequence:
    n, amount = selectors.refund_preview(bucket)
    return confirm.Consequence(
        title=title,
        lines=[_given_back(n, amount, bucket.round.currency), *lines],
        figures=(bucket.status, n, amount, *extra),
        confirm_label=confirm_label,
        back_url=reverse("bucket", args=[bucket.pk]),
        back_label=bucket.title,
    )


def _refuse_unless_editable(request, bucket) -> bool:
    if bucket.status not in EDITABLE_STATUSES:
        messages.error(request, _("This bucket is no longer open."))
        return True
    return False


@login_required
@require_POST
def bucket_withdraw(request, pk):
    """Withdraw a bucket: a confirmation page states what goes back, then it is done."""
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    try:
        require_colead(request.user, bucket)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("bucket", pk=bucket.pk)
    if _refuse_unless_editable(request, bucket):
        return redirect("bucket", pk=bucket.pk)

    def consequence():
        return _refund_consequence(
            bucket,
            title=_("Withdraw “%(title)s”?") % {"title": bucket.title},
            lines=[_("The bucket stays visible, marked withdrawn, and can no longer be funded. This cannot be undone.")],
            confirm_label=_("Withdraw the bucket"),
        )

    def run(confirmed):
        n, amount = confirmed.figures[1:3]
        services.withdraw_bucket(bucket=bucket, actor=request.user, expect=(n, amount))
        messages.success(request, _("The bucket is withdrawn.") + " " + _given_back(n, amount, bucket.round.currency))
        return redirect("bucket", pk=bucket.pk)

    return _confirm(request, action="withdraw", target=bucket.pk, consequence=consequence, run=run,
                    back=reverse("bucket", args=[bucket.pk]))


@login_required
@require_POST
def bucket_merge(request, pk):
    """Merge a bucket into another: a confirmation page states what goes back, then it is done."""
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    try:
        into, _m = bucket_selectors.get_bucket_for(request.user, int(request.POST.get("into", "0") or 0))
        services.check_merge(bucket=bucket, into=into, actor=request.user)
    except (DomainError, ValueError, Http404) as exc:
        messages.error(request, str(getattr(exc, "detail", "")) or _("Choose the bucket to merge into."))
        return redirect("bucket", pk=bucket.pk)
    if _refuse_unless_editable(request, bucket):
        return redirect("bucket", pk=bucket.pk)

    def consequence():
        return _refund_consequence(
            bucket,
            title=_("Merge “%(title)s” into “%(into)s”?") % {"title": bucket.title, "into": into.title},
            lines=[
                _("Its co-leads join “%(into)s”; members who wish to can allocate to it.") % {"into": into.title},
                _("“%(title)s” stays visible, marked merged. This cannot be undone.") % {"title": bucket.title},
            ],
            confirm_label=_("Merge the buckets"),
            extra=(into.pk, into.status),
        )

    def run(confirmed):
        n, amount = confirmed.figures[1:3]
        services.merge_bucket(bucket=bucket, into=into, actor=request.user, expect=(n, amount))
        messages.success(request, _("The bucket is merged.") + " " + _given_back(n, amount, bucket.round.currency))
        return redirect("bucket", pk=into.pk)

    return _confirm(request, action="merge", target=bucket.pk, consequence=consequence, run=run,
                    back=reverse("bucket", args=[bucket.pk]))


def _confirm(request, *, action, target, consequence, run, back):
    """confirm.confirm_or_run, a refusal of the service said in words on the page it came from."""
    try:
        return confirm.confirm_or_run(request, action=action, target=target, consequence=consequence, run=run)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect(back)


# --- admin pages ----------------------------------------------------------------------------


def _admin_round(request, pk, *, readers=False):
    round, membership = bucket_selectors.get_round_for(request.user, pk)
    allowed = (Role.ADMIN, Role.ACCOUNTANT) if readers else (Role.ADMIN,)
    if membership.role not in allowed:
        raise Http404
    return round, membership


@login_required
@require_POST
def round_publish(request, pk):
    round, _membership = _admin_round(request, pk)
    perform(request, lambda: services.publish_round(round=round, actor=request.user), success=_("The round is published; every member has an envelope."))
    return redirect("round", pk=round.pk)


def topup_sentence(*, period: str, envelopes: int, amount, currency: str) -> str:
    money = money_formatter(currency)
    return ngettext(
        "Top-up “%(period)s”: %(n)d envelope × %(amount)s = %(total)s.",
        "Top-up “%(period)s”: %(n)d envelopes × %(amount)s = %(total)s.", envelopes,
    ) % {"period": period, "n": envelopes, "amount": money(amount), "total": money(amount * envelopes)}


@login_required
@require_POST
def round_topup(request, pk):
    """Grant a top-up: a confirmation page states N envelopes × amount = total, then it is
    granted once for its period."""
    round, _membership = _admin_round(request, pk)
    try:
        amount, period = services.check_topup(round=round, amount=request.POST.get("amount", ""),
                                              period=request.POST.get("period", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("round", pk=round.pk)

    def consequence():
        count = selectors.topup_envelopes(round).count()
        return confirm.Consequence(
            title=_("Grant the top-up “%(period)s”?") % {"period": period},
            lines=[
                topup_sentence(period=period, envelopes=count, amount=amount, currency=round.currency),
                _("Each of these members' envelopes grows by %(amount)s; the ledger records it under your name.")
                % {"amount": money_formatter(round.currency)(amount)},
                _("A period is granted once: “%(period)s” cannot be granted again in this round.") % {"period": period},
            ],
            figures=(period, amount, count),
            confirm_label=_("Grant the top-up"),
            back_url=reverse("round", args=[round.pk]),
            back_label=round.title,
            danger=False,
        )

    def run(confirmed):
        topup = services.grant_topup(round=round, amount=amount, period=period, actor=request.user,
                                     expect_envelopes=confirmed.figures[2])
        messages.success(request, _("Granted.") + " " + topup_sentence(
            period=topup.period, envelopes=topup.envelopes, amount=topup.amount, currency=round.currency))
        return redirect("round", pk=round.pk)

    return _confirm(request, action="topup", target=f"{round.pk}:{period}", consequence=consequence, run=run,
                    back=reverse("round", args=[round.pk]))


@login_required
def round_envelopes(request, pk):
    """The envelopes table: one amount input per member (admins edit, accountants read)."""
    round, membership = _admin_round(request, pk, readers=True)
    is_admin = membership.role == Role.ADMIN
    envelopes = {e.user_id: e for e in selectors.envelopes_of_round(round)}
    rows = [
        {"membership": m, "envelope": envelopes.get(m.user_id)}
        for m in members_of(round.group).filter(role__in=ENVELOPE_ROLES)
    ]
    errors = {}
    if request.method == "POST":
        if not is_admin:
            raise Http404
        changed = 0
        for row in rows:
            raw = request.POST.get(f"amount-{row['membership'].pk}")
            if raw is None or not raw.strip():
                continue
            current = row["envelope"].amount if row["envelope"] else None
            try:
                amount = parse_amount(raw, currency=round.currency)
                if amount == current:
                    continue
                services.set_envelope_amount(round=round, user=row["membership"].user, amount=amount, actor=request.user)
                changed += 1
            except DomainError as exc:
                errors[row["membership"].pk] = str(exc.detail)
        if not errors:
            messages.success(request, ngettext("%(n)d envelope changed.", "%(n)d envelopes changed.", changed) % {"n": changed})
            return redirect("round-envelopes", pk=round.pk)
        envelopes = {e.user_id: e for e in selectors.envelopes_of_round(round)}
        for row in rows:
            row["envelope"] = envelopes.get(row["membership"].user_id)
    for row in rows:
        envelope = row["envelope"]
        row["error"] = errors.get(row["membership"].pk)
        row["typed"] = request.POST.get(f"amount-{row['membership'].pk}") if errors else None
        # The amount the member has if the field stays empty: shown as its placeholder, written
        # the local way; the field holds an amount only when one was set for this member.
        row["current"] = envelope.amount if envelope is not None else round.envelope_amount
        row["placeholder"] = localize_input(row["current"])
        row["value"] = localize_input(envelope.amount) if envelope is not None and envelope.is_custom else ""
    return render(request, "allocations/envelopes.html", {
        "round": round, "membership": membership, "rows": rows, "is_admin": is_admin,
        "totals": selectors.round_totals(round),
    })


def _paper_amounts(post) -> dict[int, str]:
    """{bucket id: typed amount} from the sheet's `amount-<bucket id>` inputs; an empty one
    means 0 (the allocation is removed)."""
    amounts = {}
    for name, value in post.items():
        prefix, _sep, bucket_id = name.partition("-")
        if prefix == "amount" and bucket_id.isdigit():
            amounts[int(bucket_id)] = value.strip() or "0"
    return amounts


def _next_member(members: list, chosen):
    """The member after `chosen` in the list (by name), the one whose form comes next."""
    if chosen is None:
        return None
    index = members.index(chosen) + 1
    return members[index] if index < len(members) else None


@login_required
def paper_form(request, pk):
    """An admin enters a member's whole paper form on one sheet: pick the member, see their
    envelope, what is left and their amount on every open bucket, type the form, save it in
    one transaction (every line or none, the line at fault named). The page stays on that
    member and offers the next one."""
    round, membership = _admin_round(request, pk)
    members = list(members_of(round.group).filter(role__in=ENVELOPE_ROLES))
    envelopes = {e.user_id: e for e in selectors.envelopes_of_round(round)}
    chosen_id = request.POST.get("member") or request.GET.get("member") or ""
    chosen = next((m for m in members if str(m.pk) == chosen_id), None)
    if chosen_id and chosen is None:
        messages.error(request, _("Choose a member of the list."))
        return redirect("round-paper", pk=round.pk)
    after = _next_member(members, chosen)
    buckets = list(Bucket.objects.filter(round=round, status=Bucket.Status.OPEN).order_by(french("title"), "pk"))
    error, field, typed = "", "", {}
    if request.method == "POST" and chosen is not None:
        amounts = _paper_amounts(request.POST)
        before = selectors.allocations_of(round=round, user=chosen.user)
        try:
            results = services.set_allocations(member=chosen.user, round=round, amounts=amounts, actor=request.user)
        except DomainError as exc:
            error, field = str(exc.detail), exc.field or ""
        except Bucket.DoesNotExist:
            error = _("This form names a bucket of another round.")
        else:
            changed = sum(1 for bucket_id, result in results.items() if result.amount != before.get(bucket_id, ZERO))
            envelope = selectors.envelope_of(round=round, user=chosen.user)
            money = money_formatter(round.currency)
            messages.success(request, ngettext(
                "Saved for %(name)s: %(n)d line changed. Allocated %(allocated)s of %(envelope)s; %(left)s left.",
                "Saved for %(name)s: %(n)d lines changed. Allocated %(allocated)s of %(envelope)s; %(left)s left.",
                changed,
            ) % {"name": chosen.user.display_name, "n": changed, "allocated": money(envelope.allocated),
                 "envelope": money(envelope.amount), "left": money(envelope.remaining)})
            target = after if request.POST.get("then") == "next" and after is not None else chosen
            return redirect(f"{reverse('round-paper', args=[round.pk])}?member={target.pk}")
        typed = {bucket_id: request.POST.get(f"amount-{bucket_id}", "") for bucket_id in amounts}
        messages.error(request, _("Nothing was saved. %(error)s") % {"error": error})
    envelope = envelopes.get(chosen.user_id) if chosen is not None else None
    current = selectors.allocations_of(round=round, user=chosen.user) if chosen is not None else {}
    lines = [{
        "bucket": bucket,
        "current": current.get(bucket.pk, ZERO),
        "value": typed.get(bucket.pk, localize_input(current[bucket.pk]) if bucket.pk in current else ""),
        "error": error if field == f"amount-{bucket.pk}" else "",
    } for bucket in buckets]
    return render(request, "allocations/paper.html", {
        "round": round, "membership": membership,
        "choices": [{"membership": m, "envelope": envelopes.get(m.user_id)} for m in members],
        "chosen": chosen, "after": after, "envelope": envelope, "lines": lines,
        "can_allocate": round.phase == Phase.FUNDING,
    })
