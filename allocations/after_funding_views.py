"""Completing a funded bucket and cancelling its funding: the API (API.md, "After funding")
and the bucket page's forms, each confirmed in numbers first (cobudget.confirm, no
JavaScript needed). The services decide (allocations.after_funding)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from allocations import after_funding
from allocations.api import BucketWithMineSerializer
from buckets import selectors as bucket_selectors
from cobudget import confirm
from cobudget.errors import DomainError
from cobudget.money import format_money
from groups.models import User


def given_back_payload(given: after_funding.GiveBack) -> dict:
    return {"amount": f"{given.amount:.2f}", "funders": given.funders,
            "to": "envelopes" if given.to_envelopes else "returned"}


def _response(request, pk, given):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    body = BucketWithMineSerializer(bucket, context={"request": request}).data
    return Response({**body, "given_back": given_back_payload(given)})


class CompleteResponse(BucketWithMineSerializer):
    given_back = serializers.DictField(help_text="{amount, funders, to: envelopes (permanent fund) | returned "
                                                 "(fixed round)}: what completing gave back", read_only=True)

    class Meta(BucketWithMineSerializer.Meta):
        fields = [*BucketWithMineSerializer.Meta.fields, "given_back"]


class CancelFundingInput(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the funding is cancelled (the funders read it).", allow_blank=True,
                                   required=False)


class BucketComplete(GenericAPIView):
    serializer_class = CompleteResponse

    @extend_schema(request=None, responses=CompleteResponse, description=(
        "Complete a funded bucket (accountants, admins): no expense may wait for a decision or a payment; what is "
        "left (funded − paid) is returned: to its funders' envelopes pro rata in a permanent fund, counted as "
        "returned in a fixed round. 409 bucket_not_funded, bucket_completed, funding_cancelled, expenses_outstanding."))
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        given = after_funding.complete_bucket(bucket=bucket, actor=request.user)
        return _response(request, pk, given)


class BucketCancelFunding(GenericAPIView):
    serializer_class = CompleteResponse

    @extend_schema(request=CancelFundingInput, responses=CompleteResponse, description=(
        "Cancel a funded bucket's funding (admins) while nothing is paid: everything is returned as `complete` "
        "does, the bucket becomes not_funded with cancelled_at and cancel_reason; the ledger keeps every funder's "
        "rows. 400 reason_required; 409 bucket_has_payments, bucket_not_funded, bucket_completed, funding_cancelled."))
    def post(self, request, pk):
        bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
        data = CancelFundingInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = after_funding.cancel_funding(bucket=bucket, actor=request.user, reason=data.validated_data.get("reason", ""))
        return _response(request, pk, given)


# --- pages ---------------------------------------------------------------------------------------


def _consequence(bucket, action: str) -> confirm.Consequence:
    given = after_funding.preview(bucket, action)
    currency = bucket.round.currency
    funded = bucket.funded_amount if bucket.funded_amount is not None else bucket.total
    lines = [given.sentence()]
    if action == after_funding.COMPLETE:
        title = _("Complete “%(title)s”?") % {"title": bucket.title}
        lines.append(_("Funded %(funded)s, paid %(paid)s: %(left)s left.") % {
            "funded": format_money(funded, currency), "paid": format_money(bucket.paid_amount, currency),
            "left": format_money(bucket.balance, currency)})
        lines.append(_("No expense can be submitted afterwards. This cannot be undone."))
        label = _("Complete the bucket")
    else:
        title = _("Cancel the funding of “%(title)s”?") % {"title": bucket.title}
        lines.append(_("The bucket becomes not funded; the page says when and why. Every funder’s history stays "
                       "in the ledger. This cannot be undone."))
        label = _("Cancel the funding")
    notes = []
    if given.shares and len(given.shares) <= 12:
        names = {user.pk: user.display_name for user in User.objects.filter(pk__in=list(given.shares))}
        notes.append(_("Shares: %(shares)s.") % {"shares": " · ".join(
            f"{names.get(member, '#' + str(member))} {format_money(share, currency)}"
            for member, share in sorted(given.shares.items(), key=lambda item: (-item[1], item[0])))})
    return confirm.Consequence(title=title, lines=lines, figures=given.figures, confirm_label=label,
                               back_url=reverse("bucket", args=[bucket.pk]), back_label=bucket.title, notes=notes,
                               danger=action == after_funding.CANCEL)


def _refused(request, bucket, exc: DomainError):
    messages.error(request, str(exc.detail))
    return redirect("bucket", pk=bucket.pk)


@login_required
@require_POST
def bucket_complete(request, pk):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    try:
        after_funding.require_may(request.user, bucket, after_funding.COMPLETE)
        after_funding.check(bucket, after_funding.COMPLETE)
    except DomainError as exc:
        return _refused(request, bucket, exc)

    def run(confirmed):
        given = after_funding.complete_bucket(bucket=bucket, actor=request.user, expect=confirmed.figures)
        messages.success(request, _("The bucket is completed.") + " " + given.sentence())
        return redirect("bucket", pk=bucket.pk)

    try:
        return confirm.confirm_or_run(request, action="complete", target=bucket.pk,
                                      consequence=lambda: _consequence(_fresh(bucket), after_funding.COMPLETE), run=run)
    except DomainError as exc:
        return _refused(request, bucket, exc)


@login_required
@require_POST
def bucket_cancel_funding(request, pk):
    bucket, _membership = bucket_selectors.get_bucket_for(request.user, pk)
    reason = request.POST.get("reason", "")
    try:
        after_funding.require_may(request.user, bucket, after_funding.CANCEL)
        after_funding.check(bucket, after_funding.CANCEL)
        after_funding.clean_reason(reason)
    except DomainError as exc:
        return _refused(request, bucket, exc)

    def consequence():
        fresh = _fresh(bucket)
        shown = _consequence(fresh, after_funding.CANCEL)
        shown.lines.insert(1, _("Reason given: %(reason)s") % {"reason": reason.strip()})
        return shown

    def run(confirmed):
        given = after_funding.cancel_funding(bucket=bucket, actor=request.user, reason=reason, expect=confirmed.figures)
        messages.success(request, _("The funding is cancelled.") + " " + given.sentence())
        return redirect("bucket", pk=bucket.pk)

    try:
        return confirm.confirm_or_run(request, action="cancel-funding", target=bucket.pk, consequence=consequence,
                                      run=run)
    except DomainError as exc:
        return _refused(request, bucket, exc)


def _fresh(bucket):
    """The bucket as it stands now (a confirmation compares today's figures)."""
    bucket.refresh_from_db(fields=["status", "total", "paid_amount", "funded_amount", "returned_amount",
                                   "completed_at", "cancelled_at"])
    return bucket
