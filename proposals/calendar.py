"""The calendar invitation for the slot a meeting-time poll chose (RFC 5545, one VEVENT)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from cobudget.errors import DomainError
from proposals.models import Proposal, ProposalOption


def chosen_slot(proposal: Proposal) -> ProposalOption | None:
    if proposal.kind != Proposal.Kind.MEETING_TIME or proposal.closed_at is None or proposal.chosen_option_id is None:
        return None
    return ProposalOption.objects.filter(pk=proposal.chosen_option_id, proposal=proposal).first()


def invitation(proposal: Proposal, slot: ProposalOption) -> bytes:
    link = f"{settings.SITE_URL}/proposals/{proposal.pk}/"
    cal = Calendar()
    cal.add("prodid", "-//cobudget//meeting time//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "cobudget"
    # One UID per poll: choosing another slot updates the event people already imported.
    event.add("uid", f"proposal-{proposal.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", proposal.title)
    event.add("description", f"{proposal.statement or proposal.details}\n\n{link}".strip())
    event.add("url", link)
    event.add("sequence", 0)
    cal.add_component(event)
    return cal.to_ical()


def invitation_response(proposal: Proposal, *, request=None) -> HttpResponse:
    slot = chosen_slot(proposal)
    if slot is None:
        raise DomainError("no_slot_chosen", _("No slot is chosen yet: the poll must be closed with a slot chosen."))
    response = HttpResponse(invitation(proposal, slot), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{proposal.group.slug}-meeting-{proposal.pk}.ics"'
    return response
