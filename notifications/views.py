"""Pages: the last notifications, the e-mail preferences, the one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cobudget.errors import DomainError
from notifications import delivery, selectors, services
from notifications.models import BATCHED_KINDS, Kind, Mode


@login_required
def notification_list(request):
    items = selectors.recent_for(request.user)
    # Shown with their unread markers, then marked read: the next visit shows them as read.
    services.mark_read(user=request.user, ids=[n.pk for n in items if n.read_at is None])
    return render(request, "notifications/list.html", {"items": items})


def _preference_rows(user):
    current = services.preferences_of(user)
    return [
        {
            "kind": kind,
            "label": label,
            "mode": current[kind],
            "batched": kind in BATCHED_KINDS,
        }
        for kind, label in Kind.choices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        modes = {kind: request.POST.get(kind) for kind in Kind.values if request.POST.get(kind)}
        try:
            services.set_preferences(user=request.user, modes=modes)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("notification-preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": _preference_rows(request.user), "modes": Mode.choices},
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058) without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user, kind = delivery.read_unsubscribe_token(token)
    except DomainError as exc:
        return render(request, "notifications/unsubscribe_invalid.html", {"detail": exc.detail}, status=400)
    context = {"token": token, "email": user.email, "kind_label": delivery.kind_label(kind)}
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe.html", context)
