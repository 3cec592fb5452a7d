"""Pages: the audit trail and the group's archive (admins), a person's data (export, erasure)."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from audit.selectors import Filters, actions_in, entries_for, object_types_in, present
from cobudget.errors import DomainError
from groups.models import Role
from groups.selectors import get_group_for, members_of
from trust import archive, audit_read, privacy
from trust.api import password_checker

AUDIT_PER_PAGE = 50


def _admin_group(request, slug):
    group, membership = get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise Http404
    return group, membership


@login_required
def audit_page(request, slug):
    group, membership = _admin_group(request, slug)
    try:
        filters = audit_read.filters_from(request.GET, group=group)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        filters = Filters()
    page = Paginator(entries_for(group_id=group.pk, filters=filters), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    zone = ZoneInfo(group.time_zone)
    rows = present(page.object_list)
    for row in rows:
        row["local_at"] = timezone.localtime(row["at"], zone)
        row["changes"] = audit_read.changes(row, zone=zone)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "trust/audit.html", {
        "group": group, "membership": membership, "page": page, "rows": rows,
        "actions": actions_in(group_id=group.pk), "people": members_of(group),
        "types": object_types_in(group_id=group.pk),
        "filters": request.GET, "query": query.urlencode(),
    })


@login_required
def group_archive(request, slug):
    group, _membership = _admin_group(request, slug)
    handle = archive.write_archive(group)
    audit.record_download(actor=request.user, group=group, export="archive.zip", obj=group)
    filename = f"{group.slug}-archive-{timezone.localdate().isoformat()}.zip"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               strip=False, required=False)
    confirm = forms.BooleanField(label=gettext_lazy("I understand: my account is erased for good."), required=True)


@login_required
def my_data(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            privacy.erase_account(user=user, password=form.cleaned_data["password"],
                                  authenticate=password_checker(request, user))
        except DomainError as exc:
            form.add_error("password" if exc.field == "password" else None, str(exc.detail))
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Thank you for taking part."))
            return redirect("account_login")
    return render(request, "trust/my_data.html", {
        "form": form, "last_admin_of": privacy.last_admin_of(request.user),
        "former_name": _("Former member #%(n)d") % {"n": request.user.pk},
    })
