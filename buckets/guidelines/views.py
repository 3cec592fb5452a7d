"""Pages for guidelines and flags. The flags panel itself is included on the bucket page
(buckets/_flags.html); these views handle its forms and the round's guidelines page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buckets.guidelines import selectors, services
from buckets.models import Flag, Guideline
from buckets.selectors import get_bucket_for, get_round_for
from cobudget.errors import DomainError
from cobudget.pages import perform


def _guideline_for(request, pk) -> Guideline:
    guideline = Guideline.objects.select_related("round__group").filter(pk=pk).first()
    if guideline is None:
        raise Http404
    get_round_for(request.user, guideline.round_id)
    return guideline


def _flag_for(request, pk) -> Flag:
    flag = Flag.objects.select_related("guideline", "raised_by").filter(pk=pk).first()
    if flag is None:
        raise Http404
    flag.bucket, _membership = get_bucket_for(request.user, flag.bucket_id)
    return flag


def _panel_response(request, bucket, membership, *, error: str = "", success: str = ""):
    """htmx gets the panel back with the message in it; a plain form post goes back to the
    page it came from (the bucket page) with the message."""
    if request.headers.get("HX-Request"):
        context = selectors.flags_panel(bucket=bucket, user=request.user, membership=membership)
        context.update(error=error, success=success)
        return render(request, "buckets/_flags_panel.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = f"/buckets/{bucket.pk}/"
    return redirect(f"{back}#flags")


@login_required
def guidelines(request, pk):
    round, membership = get_round_for(request.user, pk)
    return render(
        request,
        "buckets/guidelines.html",
        {
            "round": round,
            "group": round.group,
            "guidelines": list(selectors.guidelines_of(round)),
            "can_manage": selectors.can_manage_guidelines(membership),
        },
    )


@login_required
@require_POST
def guideline_add(request, pk):
    round, _membership = get_round_for(request.user, pk)
    perform(
        request,
        lambda: services.create_guideline(
            round=round, actor=request.user,
            title=request.POST.get("title", ""), description=request.POST.get("description", ""),
        ),
        success=_("Guideline added."),
    )
    return redirect("round-guidelines", pk=round.pk)


@login_required
@require_POST
def guideline_edit(request, pk):
    guideline = _guideline_for(request, pk)
    perform(
        request,
        lambda: services.update_guideline(
            guideline=guideline, actor=request.user,
            title=request.POST.get("title", ""), description=request.POST.get("description", ""),
        ),
        success=_("Guideline saved."),
    )
    return redirect("round-guidelines", pk=guideline.round_id)


@login_required
@require_POST
def guideline_move(request, pk):
    guideline = _guideline_for(request, pk)
    try:
        services.move_guideline(guideline=guideline, actor=request.user, direction=request.POST.get("direction", ""))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect(f"/rounds/{guideline.round_id}/guidelines/#guideline-{guideline.pk}")


@login_required
@require_POST
def guideline_delete(request, pk):
    guideline = _guideline_for(request, pk)
    perform(request, lambda: services.delete_guideline(guideline=guideline, actor=request.user), success=_("Guideline deleted."))
    return redirect("round-guidelines", pk=guideline.round_id)


@login_required
def bucket_flags(request, pk):
    """GET: the bucket's flags on a page of their own; POST: raise a flag."""
    bucket, membership = get_bucket_for(request.user, pk)
    if request.method == "POST":
        raw = request.POST.get("guideline", "")
        guideline = Guideline.objects.filter(pk=int(raw), round_id=bucket.round_id).first() if raw.isdigit() else None
        try:
            if guideline is None:
                raise DomainError("invalid", _("Choose one of this round's guidelines."), status=400, field="guideline")
            services.raise_flag(bucket=bucket, guideline=guideline, actor=request.user, comment=request.POST.get("comment", ""))
        except DomainError as exc:
            return _panel_response(request, bucket, membership, error=str(exc.detail))
        return _panel_response(request, bucket, membership, success=_("The bucket is flagged; its co-leads are told."))
    return render(request, "buckets/flags_page.html", {"bucket": bucket, "round": bucket.round})


@login_required
@require_POST
def flag_resolve(request, pk):
    flag = _flag_for(request, pk)
    bucket, membership = get_bucket_for(request.user, flag.bucket_id)
    try:
        services.resolve_flag(flag=flag, actor=request.user)
    except DomainError as exc:
        return _panel_response(request, bucket, membership, error=str(exc.detail))
    return _panel_response(request, bucket, membership, success=_("Flag resolved."))
