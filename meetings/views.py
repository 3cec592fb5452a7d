"""Meeting pages: the list, planning a meeting, the meeting page (agenda, attendance,
decisions, minutes) and the projector mode the secretary runs the meeting from. Every write
goes through meetings.services; a refusal is said in words."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from cobudget.pages import perform
from groups import selectors as group_selectors
from meetings import selectors, services
from meetings.forms import CorrectionForm, DecisionForm, MeetingForm
from meetings.models import Attendance


@login_required
def meeting_list(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    return render(request, "meetings/list.html", {
        "group": group, "membership": membership, "meetings": selectors.meetings_of(group),
        "can_run": selectors.can_run(membership),
    })


def _default_start(group):
    now = timezone.now()
    meeting_at = (Round.objects.filter(group=group, meeting_at__gt=now).order_by("meeting_at")
                  .values_list("meeting_at", flat=True).first())
    start = meeting_at or (timezone.localtime(now) + timedelta(days=7)).replace(hour=18, minute=30)
    return timezone.localtime(start).replace(second=0, microsecond=0)


@login_required
def meeting_new(request, slug):
    group, membership = group_selectors.get_group_for(request.user, slug)
    if not selectors.can_run(membership):
        messages.error(request, _("Only an admin of the group may do this."))
        return redirect("meeting-list", slug=slug)
    initial = {"title": _("Board meeting"), "starts_at": _default_start(group)}
    form = MeetingForm(request.POST or None, group=group, initial=initial)
    if request.method == "GET":
        form.initial["buckets"] = list(form.fields["buckets"].queryset)
        form.initial["proposals"] = list(form.fields["proposals"].queryset)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(group=group, actor=request.user, **form.service_values())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.detail))
        else:
            messages.success(request, _("The meeting is planned with its agenda."))
            return redirect("meeting", pk=meeting.pk)
    return render(request, "meetings/form.html", {"group": group, "form": form})


def _attendance_rows(meeting):
    """Every member of the group with their attendance, for the attendance form."""
    recorded = {a.user_id: a for a in selectors.attendance_of(meeting)}
    sitting = set(selectors.voting_members(meeting).values_list("pk", flat=True))
    rows = []
    for membership in selectors.members_of(meeting.group):
        attendance = recorded.get(membership.user_id)
        rows.append({
            "membership": membership,
            "status": attendance.status if attendance else "absent",
            "proxy_id": attendance.proxy_id if attendance else None,
            "votes": membership.pk in sitting,
        })
    return rows


def _context(request, meeting, membership) -> dict:
    attendance = selectors.attendance_of(meeting)
    return {
        "meeting": meeting,
        "group": meeting.group,
        "membership": membership,
        "can_run": selectors.can_run(membership) and not meeting.is_sealed,
        "is_admin": selectors.can_run(membership),
        "agenda": selectors.agenda_of(meeting),
        "present": [a for a in attendance if a.status == Attendance.Status.PRESENT],
        "represented": [a for a in attendance if a.status == Attendance.Status.REPRESENTED],
        "quorum": selectors.quorum_of(meeting, attendance),
        "decisions": selectors.decisions_of(meeting),
        "decision_form": DecisionForm(),
        "correction_form": CorrectionForm(),
        "previous": selectors.previous_minutes(meeting),
        "corrections": list(meeting.corrections.all()),
    }


@login_required
def meeting_detail(request, pk):
    meeting, membership = selectors.get_meeting_for(request.user, pk)
    context = _context(request, meeting, membership)
    if context["can_run"]:
        context["attendance_rows"] = _attendance_rows(meeting)
    return render(request, "meetings/detail.html", context)


@login_required
def meeting_projector(request, pk):
    """The meeting on the projector: one agenda item at a time in large type, the quorum, the
    decisions taken; the secretary records the show of hands from here."""
    meeting, membership = selectors.get_meeting_for(request.user, pk)
    context = _context(request, meeting, membership)
    agenda = context["agenda"]
    try:
        index = min(max(int(request.GET.get("item", "1")), 1), max(len(agenda), 1)) - 1
    except ValueError:
        index = 0
    context.update({
        "item": agenda[index] if agenda else None,
        "index": index + 1,
        "count": len(agenda),
        "previous_item": index if index > 0 else None,
        "next_item": index + 2 if index + 1 < len(agenda) else None,
    })
    return render(request, "meetings/projector.html", context)


def _back(request, pk):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("meeting", pk=pk)


@login_required
@require_POST
def meeting_attendance(request, pk):
    """The attendance form: `status-<member id>` (absent, present, represented) and
    `proxy-<member id>` for who carries a represented member's proxy."""
    meeting, _membership = selectors.get_meeting_for(request.user, pk)
    present, represented = [], {}
    for key, value in request.POST.items():
        if not key.startswith("status-") or not key[7:].isdigit():
            continue
        member_id = int(key[7:])
        if value == "present":
            present.append(member_id)
        elif value == "represented":
            proxy = request.POST.get(f"proxy-{member_id}", "")
            if not proxy.isdigit():
                messages.error(request, _("Say who carries the proxy of each member represented."))
                return _back(request, pk)
            represented[member_id] = int(proxy)
    perform(request, lambda: services.set_attendance(meeting=meeting, actor=request.user, present=present,
                                                     represented=represented),
            success=_("The attendance is saved."))
    return _back(request, pk)


@login_required
@require_POST
def meeting_decision(request, pk):
    meeting, _membership = selectors.get_meeting_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the decision: %(errors)s") % {"errors": form.errors.as_text()})
        return _back(request, pk)
    data = form.cleaned_data
    bucket = None
    if data["bucket"]:
        bucket = Bucket.objects.select_related("round").filter(pk=data["bucket"], round__group=meeting.group).first()
    perform(request, lambda: services.record_decision(
        meeting=meeting, actor=request.user, title=data["title"], text=data["text"], votes_for=data["votes_for"],
        votes_against=data["votes_against"], votes_abstain=data["votes_abstain"], outcome=data["outcome"],
        bucket=bucket,
    ), success=_("The decision is recorded."))
    return _back(request, pk)


@login_required
@require_POST
def meeting_seal(request, pk):
    meeting, _membership = selectors.get_meeting_for(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm: sealed minutes can never change."))
        return redirect("meeting", pk=pk)
    perform(request, lambda: services.seal_minutes(meeting=meeting, actor=request.user),
            success=_("The minutes are sealed."))
    return redirect("meeting", pk=pk)


@login_required
@require_POST
def meeting_correct(request, pk):
    meeting, _membership = selectors.get_meeting_for(request.user, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is corrected."))
        return redirect("meeting", pk=pk)
    try:
        correction = services.correct_minutes(meeting=meeting, actor=request.user, text=form.cleaned_data["text"])
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("meeting", pk=pk)
    messages.success(request, _("The correction is ready: seal it to add it to the register."))
    return redirect("meeting", pk=correction.pk)
