"""Pages: a funded bucket's expenses (the form is on the bucket page, through the
`bucket_expenses` tag) and the accountant's queue of a group, with its decision and payment
forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from cobudget.errors import DomainError
from cobudget.pages import perform
from expenses import attachments, files, selectors, services
from expenses.api import stream_file
from expenses.forms import ExpenseForm, PayForm, RejectForm
from expenses.models import Attachment, Expense
from groups.selectors import get_group_for


def _bucket_url(bucket) -> str:
    return reverse("bucket", args=[bucket.pk]) + "#expenses"


@csrf_protect
@login_required
def _add_expense(request, pk):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    form = ExpenseForm(request.POST, request.FILES)
    error = None
    try:
        services.check_may_submit(request.user, bucket)
        if form.is_valid():
            data = form.cleaned_data
            services.submit(bucket=bucket, actor=request.user, description=data["description"], amount=data["amount"],
                            spent_on=data["spent_on"], supplier=data["supplier"],
                            receipt=request.FILES.get("receipt"), request=request)
            messages.success(request, _("Expense submitted: the accountant will look at it."))
            return redirect(_bucket_url(bucket))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.detail)) from None
        error = exc
        if exc.field in form.fields:
            form.add_error(exc.field, str(exc.detail))
        else:
            form.add_error(None, str(exc.detail))
    return render(request, "expenses/expense_form.html", {
        "bucket": bucket, "round": bucket.round, "group": bucket.round.group, "form": form,
        "left": services.left_to_ask(bucket),
    }, status=409 if error is not None and error.status == 409 else 400)


@csrf_exempt
@require_POST
def add_expense(request, pk):
    """Uploads are limited before the body is read: the CSRF check, which reads it, runs
    after (csrf_protect on the inner view)."""
    try:
        files.check_request_size(request)
    except DomainError as exc:
        if not request.user.is_authenticated:
            return redirect_to_login(request)
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        messages.error(request, str(exc.detail))
        return redirect(_bucket_url(bucket))
    files.limit_uploads(request)
    return _add_expense(request, pk)


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as to_login

    return to_login(request.get_full_path())


@login_required
def queue(request, slug):
    group, membership = get_group_for(request.user, slug)
    if not services.is_officer(request.user, group):
        raise PermissionDenied
    expenses = selectors.queue_of(group)
    round_id = request.GET.get("round")
    if round_id and round_id.isdigit():
        expenses = expenses.filter(bucket__round_id=int(round_id))
    expenses = list(expenses[:500])
    return render(request, "expenses/queue.html", {
        "group": group, "membership": membership,
        "to_decide": [e for e in expenses if e.status == Expense.Status.PENDING],
        "to_pay": [e for e in expenses if e.status == Expense.Status.APPROVED],
        "done": [e for e in expenses if e.status in (Expense.Status.PAID, Expense.Status.REJECTED)],
        "is_accountant": services.is_accountant(request.user, group),
        "reject_form": RejectForm(), "pay_form": PayForm(),
    })


def _queue_url(expense) -> str:
    return reverse("group-expenses", args=[expense.bucket.round.group.slug]) + f"#expense-{expense.pk}"


@login_required
@require_POST
def approve(request, pk):
    expense = selectors.get_expense_for(request.user, pk)
    perform(request, lambda: services.approve(expense=expense, actor=request.user),
            success=_("Expense approved: it waits for its payment."))
    return redirect(_queue_url(expense))


@login_required
@require_POST
def reject(request, pk):
    expense = selectors.get_expense_for(request.user, pk)
    perform(request, lambda: services.reject(expense=expense, actor=request.user, reason=request.POST.get("reason", "")),
            success=_("Expense rejected; its co-leads see why."))
    return redirect(_queue_url(expense))


@login_required
@require_POST
def pay(request, pk):
    expense = selectors.get_expense_for(request.user, pk)
    perform(request, lambda: services.pay(expense=expense, actor=request.user, paid_at=request.POST.get("paid_at", ""),
                                          payment_reference=request.POST.get("payment_reference", "")),
            success=_("Payment recorded."))
    return redirect(_queue_url(expense))


# --- a bucket's images and documents -----------------------------------------------------------


@csrf_protect
@login_required
def _add_attachment(request, pk):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    try:
        attachments.add(bucket=bucket, actor=request.user, upload=request.FILES.get("file"), request=request)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.detail)) from None
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("File attached."))
    return redirect(reverse("bucket", args=[bucket.pk]) + "#files")


@csrf_exempt
@require_POST
def add_attachment(request, pk):
    """As add_expense: the size is checked and uploads limited before the body is read."""
    try:
        files.check_request_size(request, field="file")
    except DomainError as exc:
        if not request.user.is_authenticated:
            return redirect_to_login(request)
        bucket, _membership = selectors.get_bucket_for(request.user, pk)
        messages.error(request, str(exc.detail))
        return redirect(reverse("bucket", args=[bucket.pk]) + "#files")
    files.limit_uploads(request)
    return _add_attachment(request, pk)


def _attachment_for(request, pk, fid):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    attachment = Attachment.objects.filter(bucket=bucket, pk=fid).first()
    if attachment is None:
        raise Http404
    return attachment


@login_required
def attachment_file(request, pk, fid):
    attachment = _attachment_for(request, pk, fid)
    return stream_file(attachment.file, name=attachment.name, content_type=attachment.content_type)


@login_required
def attachment_thumbnail(request, pk, fid):
    attachment = _attachment_for(request, pk, fid)
    if not attachment.thumbnail:
        raise Http404
    # Drawn by us from the image (expenses.attachments.thumbnail_of): shown inline in an <img>.
    return stream_file(attachment.thumbnail, name="thumbnail.jpg", content_type="image/jpeg", inline=True)


@login_required
@require_POST
def remove_attachment(request, pk, fid):
    attachment = _attachment_for(request, pk, fid)
    perform(request, lambda: attachments.remove(attachment=attachment, actor=request.user),
            success=_("File removed."))
    return redirect(reverse("bucket", args=[pk]) + "#files")
