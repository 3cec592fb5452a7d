"""The round page (live cards and my envelope), the bucket page with its allocation form,
and the admins' pages: publish, envelopes table, top-up, paper forms, withdraw and merge."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from allocations import selectors, services
from buckets import selectors as bucket_selectors
from buckets.forms import AmountField, CommentForm
from buckets.models import Bucket, Phase
from buckets.services import is_colead_or_admin
from buckets.views import phase_timeline
from cobudget.errors import DomainError
from cobudget.money import money_formatter, parse_amount, percent_formatter
from cobudget.pages import perform
from groups.models import ENVELOPE_ROLES, Membership, Role
from groups.selectors import members_of
from groups.templatetags.cobudget import percent_of

SORT_CHOICES = [
    ("newest", gettext_lazy("newest")),
    ("most", gettext_lazy("most funded")),
    ("least", gettext_lazy("least funded")),
    ("mine", gettext_lazy("mine")),
]


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
    return render(request, "allocations/round.html", context)


@login_required
def round_cards(request, pk):
    """The live part of the round page, polled by htmx every few seconds."""
    round, membership = bucket_selectors.get_round_for(request.user, pk)
    return render(request, "allocations/_round_live.html", _live_context(request, round, membership))


def _bucket_context(request, bucket, membership, *, error=None, saved=False):
    round = bucket.round
    envelope = selectors.envelope_of(round=round, user=request.user)
    return {
        "bucket": bucket,
        "round": round,
        "membership": membership,
        "envelope": envelope,
        "mine": selectors.my_allocation(bucket=bucket, user=request.user),
        "can_allocate": envelope is not None and round.phase == Phase.FUNDING and bucket.status == Bucket.Status.OPEN,
        "error": error,
        "saved": saved,
    }


@login_required
def bucket_page(request, pk):
    bucket, membership = bucket_selectors.get_bucket_for(request.user, pk)
    context = _bucket_context(request, bucket, membership)
    is_lead = is_colead_or_admin(request.user, bucket)
    merge_targets = []
    if is_lead and bucket.status in (Bucket.Status.DRAFT, Bucket.Status.OPEN):
        merge_targets = Bucket.objects.filter(
            round=bucket.round, status__in=[Bucket.Status.DRAFT, Bucket.Status.OPEN]
        ).exclude(pk=bucket.pk).order_by("title")
    context.update({
        "items": bucket.budget_items.all(),
        "coleads": bucket.coleads.all(),
        "tags": bucket.tags.all(),
        "comments": bucket_selectors.comments_of(bucket),
        "comment_form": CommentForm(),
        "is_lead": is_lead,
        "merge_targets": merge_targets,
        "flags": [],
    })
    return render(request, "allocations/bucket.html", context)


@login_required
@require_POST
def bucket_allocate(request, pk):
    """The allocation form: an htmx request gets the updated fragment (or the refusal in
    words); a plain POST is redirected back to the bucket page."""
    bucket, membership = bucket_selectors.get_bucket_for(request.user, pk)
    error = None
    try:
        services.set_allocation(member=request.user, bucket=bucket, amount=request.POST.get("amount", ""), actor=request.user)
    except DomainError as exc:
        error = str(exc.detail)
    if _is_htmx(request):
        bucket.refresh_from_db()
        context = _bucket_context(request, bucket, membership, error=error, saved=error is None)
        if error is not None:
            context["typed"] = request.POST.get("amount", "")
        return render(request, "allocations/_allocation.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your allocation is saved."))
    return redirect("bucket", pk=bucket.pk)


@login_required
@require_POST
def bucket_withdraw(request, pk):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    perform(request, lambda: services.withdraw_bucket(bucket=bucket, actor=request.user), success=_("The bucket is withdrawn; every allocation went back to its envelope."))
    return redirect("bucket", pk=bucket.pk)


@login_required
@require_POST
def bucket_merge(request, pk):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    try:
        into, _m = bucket_selectors.get_bucket_for(request.user, int(request.POST.get("into", "0") or 0))
        services.merge_bucket(bucket=bucket, into=into, actor=request.user)
    except (DomainError, ValueError, Http404) as exc:
        messages.error(request, str(getattr(exc, "detail", "")) or _("Choose the bucket to merge into."))
        return redirect("bucket", pk=bucket.pk)
    messages.success(request, _("The bucket is merged; its allocations went back to their envelopes."))
    return redirect("bucket", pk=into.pk)


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


@login_required
@require_POST
def round_topup(request, pk):
    round, _membership = _admin_round(request, pk)
    try:
        count = services.grant_topup(round=round, amount=request.POST.get("amount", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, ngettext("%(n)d envelope received the top-up.", "%(n)d envelopes received the top-up.", count) % {"n": count})
    return redirect("round", pk=round.pk)


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
        row["error"] = errors.get(row["membership"].pk)
        row["typed"] = request.POST.get(f"amount-{row['membership'].pk}") if errors else None
    return render(request, "allocations/envelopes.html", {
        "round": round, "rows": rows, "is_admin": is_admin, "totals": selectors.round_totals(round),
    })


@login_required
def paper_form(request, pk):
    """An admin enters the allocation of a member who handed in a paper form."""
    round, _membership = _admin_round(request, pk)
    members = members_of(round.group).filter(role__in=ENVELOPE_ROLES)
    buckets = Bucket.objects.filter(round=round, status=Bucket.Status.OPEN).order_by("title")
    if request.method == "POST":
        try:
            target = get_object_or_404(Membership.objects.select_related("user"), group=round.group,
                                       pk=int(request.POST.get("member") or 0))
            bucket = get_object_or_404(buckets, pk=int(request.POST.get("bucket") or 0))
            field = AmountField()
            amount = field.clean(request.POST.get("amount", ""))
            result = services.set_allocation(member=target.user, bucket=bucket, amount=amount, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        except Exception as exc:  # a ValidationError from the amount field or a bad id
            if isinstance(exc, Http404):
                raise
            messages.error(request, " ".join(getattr(exc, "messages", [])) or _("Check the form."))
        else:
            messages.success(request, _("Saved for %(name)s: %(amount)s on “%(bucket)s”.") % {
                "name": target.user.display_name, "amount": money_formatter(round.currency)(result.amount),
                "bucket": bucket.title})
            return redirect("round-paper", pk=round.pk)
    return render(request, "allocations/paper.html", {"round": round, "members": members, "buckets": buckets})
