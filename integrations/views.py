"""Pages: a group's webhooks (admins), a person's calendar link, and the calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cobudget.errors import DomainError
from groups.models import Role
from groups.selectors import get_group_for
from integrations import calendar, webhooks
from integrations.forms import EVENT_LABELS, WebhookForm
from integrations.models import Webhook

RECENT_DELIVERIES = 10


def _admin_group(request, slug):
    group, membership = get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise Http404
    return group, membership


@login_required
def webhook_list(request, slug):
    group, membership = _admin_group(request, slug)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.create_webhook(group=group, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.detail))
        else:
            messages.success(request, _("The webhook is added: the next events will be sent to it."))
            return redirect("group-webhooks", slug=slug)
    hooks = list(Webhook.objects.filter(group=group).order_by("created_at", "id"))
    labels = dict(EVENT_LABELS)
    for hook in hooks:
        hook.recent = list(hook.deliveries.order_by("-created_at", "-id")[:RECENT_DELIVERIES])
        hook.event_labels = [labels.get(event, event) for event in hook.events]
    return render(request, "integrations/webhooks.html",
                  {"group": group, "membership": membership, "form": form, "hooks": hooks})


@login_required
@require_POST
def webhook_delete(request, slug, pk):
    group, _membership = _admin_group(request, slug)
    webhook = get_object_or_404(Webhook, group=group, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("group-webhooks", slug=slug)
    webhooks.delete_webhook(webhook=webhook, actor=request.user)
    messages.success(request, _("The webhook is deleted: nothing more is sent to it."))
    return redirect("group-webhooks", slug=slug)


@login_required
def my_calendar(request):
    if request.method == "POST":
        calendar.renew_token(request.user)
        messages.success(request, _("Here is your new calendar address; the old one no longer works."))
        return redirect("my-calendar")
    return render(request, "integrations/calendar.html", {"url": calendar.url_of(calendar.token_for(request.user))})


def calendar_feed(request, token):
    """No login: calendar applications hold the token instead (404 for any other)."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cobudget.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
