"""Pages: the audit trail (admins)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from audit.selectors import Filters, actions_in, entries_for, object_types_in, present
from cobudget.errors import DomainError
from groups.models import Role
from groups.selectors import get_group_for, members_of
from trust import audit_read

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
        row["changes"] = audit_read.changes(row)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "trust/audit.html", {
        "group": group, "membership": membership, "page": page, "rows": rows,
        "actions": actions_in(group_id=group.pk), "people": members_of(group),
        "types": object_types_in(group_id=group.pk),
        "filters": request.GET, "query": query.urlencode(),
    })
