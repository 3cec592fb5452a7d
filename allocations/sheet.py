"""The allocation sheet (/rounds/{id}/allocate/): every open bucket of a round on one page,
with the member's amount in an input named `amount-{bucket id}` and the envelope left in
sight, the overall view members lacked on paper.

Two ways to save, both through allocations.services:
- all at once (the form's plain POST, which needs no JavaScript): `set_allocations`, one
  transaction, every changed line or none, the line at fault named;
- one line in place (htmx, `line` = the bucket id): `set_allocation`, answered with that
  line and the envelope summary.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allocations import selectors, services
from buckets import selectors as bucket_selectors
from buckets.models import Bucket, Phase
from cobudget.errors import DomainError
from cobudget.money import ZERO, money_parts, parse_amount


@dataclass
class SheetLine:
    """A bucket card (allocations.selectors.BucketCard) with what the sheet shows around it."""

    card: selectors.BucketCard
    typed: str | None = None
    error: str | None = None
    saved: bool = False

    def __getattr__(self, name):
        return getattr(self.card, name)

    @property
    def room(self) -> Decimal:
        """What the bucket still needs to reach its maximum goal."""
        return max(self.card.max_goal - self.card.total, ZERO)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _typed(request, bucket_id: int) -> str | None:
    raw = request.POST.get(f"amount-{bucket_id}")
    return None if raw is None else raw.strip()


def _changed(raw: str, current, currency: str) -> bool:
    """Whether a typed amount differs from the saved one (an unreadable one does: the service
    then names it)."""
    try:
        return parse_amount(raw or "0", currency=currency) != (current or ZERO)
    except DomainError:
        return True


def _context(request, round, membership, *, typed=None, errors=None, saved=()):
    envelope = selectors.envelope_of(round=round, user=request.user)
    typed, errors = typed or {}, errors or {}
    lines = [
        SheetLine(card, typed=typed.get(card.pk), error=errors.get(f"amount-{card.pk}"), saved=card.pk in saved)
        for card in selectors.sheet_lines(round=round, user=request.user, membership=membership)
    ]
    on_sheet = sum((line.my_allocation or ZERO for line in lines), ZERO)
    return {
        "round": round,
        "membership": membership,
        "envelope": envelope,
        "lines": lines,
        "can_allocate": envelope is not None and round.phase == Phase.FUNDING,
        # What the member gave to buckets that are no longer on the sheet (funded, closed).
        "elsewhere": (envelope.allocated - on_sheet) if envelope else ZERO,
        "money": money_parts(round.currency),
        "errors": errors,
    }


def _save_line(request, round, membership, bucket_id: int):
    """One line, in place: set_allocation, answered with the line and the summary."""
    raw = _typed(request, bucket_id) or "0"
    error = None
    try:
        bucket, _m = bucket_selectors.get_bucket_for(request.user, bucket_id)
        if bucket.round_id != round.pk:
            raise Bucket.DoesNotExist
        services.set_allocation(member=request.user, bucket=bucket, amount=raw, actor=request.user)
    except DomainError as exc:
        error = str(exc.detail)
    except (Bucket.DoesNotExist, ValueError):
        error = _("This bucket is not on the sheet any more; reload the page.")
    if not _is_htmx(request):
        (messages.error if error else messages.success)(request, error or _("Your allocation is saved."))
        return redirect("round-allocate", pk=round.pk)
    context = _context(request, round, membership, typed={bucket_id: raw} if error else None,
                       errors={f"amount-{bucket_id}": error} if error else None,
                       saved=() if error else (bucket_id,))
    line = next((line for line in context["lines"] if line.pk == bucket_id), None)
    return render(request, "allocations/_sheet_saved.html", {**context, "line": line, "line_id": bucket_id,
                                                              "line_error": error})


@login_required
def allocation_sheet(request, pk):
    round, membership = bucket_selectors.get_round_for(request.user, pk)
    if request.method != "POST":
        return render(request, "allocations/sheet.html", _context(request, round, membership))
    line = request.POST.get("line", "")
    if line.isdigit():
        return _save_line(request, round, membership, int(line))
    # The whole sheet: the lines whose amount changed, in one transaction.
    visible = set(bucket_selectors.visible_buckets(round=round, user=request.user)
                  .prefetch_related(None).values_list("pk", flat=True))
    current = {line.pk: line.my_allocation for line in selectors.sheet_lines(round=round, user=request.user,
                                                                           membership=membership)}
    typed, amounts = {}, {}
    for bucket_id in visible:
        raw = _typed(request, bucket_id)
        if raw is None:
            continue
        typed[bucket_id] = raw
        if _changed(raw, current.get(bucket_id), round.currency):
            amounts[bucket_id] = raw or "0"
    if not amounts:
        messages.info(request, _("Nothing to save: no amount changed."))
        return redirect("round-allocate", pk=round.pk)
    try:
        services.set_allocations(member=request.user, round=round, amounts=amounts, actor=request.user)
    except DomainError as exc:
        field = exc.field if exc.field and exc.field.startswith("amount-") else "sheet"
        context = _context(request, round, membership, typed=typed, errors={field: str(exc.detail)})
        context["refused"] = {"field": field, "detail": str(exc.detail)}
        return render(request, "allocations/sheet.html", context)
    count = len(amounts)
    messages.success(request, ngettext("%(n)d line saved.", "%(n)d lines saved.", count) % {"n": count})
    return redirect("round-allocate", pk=round.pk)
