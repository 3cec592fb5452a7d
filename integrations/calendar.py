"""A person's calendar (RFC 5545): the phases and deadlines of the published rounds of their
groups, and the closing times of their groups' proposals; what calendar applications poll at
/calendar/<token>.ics. The token is the only key: a new one (POST /api/me/calendar/) revokes
the old. Titles and links only, in the person's language; times in UTC."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from buckets.models import Round
from groups.models import Membership, Role, User
from integrations.models import CalendarToken
from meetings.models import Meeting
from proposals.models import Proposal

RECENT = timedelta(days=60)  # closed proposals stay this long in the feed


def url_of(token: CalendarToken) -> str:
    return f"{settings.SITE_URL}/calendar/{token.token}.ics"


def token_for(user: User) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def renew_token(user: User) -> CalendarToken:
    """A new address; the old one stops working at once."""
    with transaction.atomic(durable=True):
        CalendarToken.objects.filter(user=user).delete()
        return CalendarToken.objects.create(user=user)


def user_for_token(token: str) -> User | None:
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "cobudget"


def _event(uid: str, summary: str, start, url: str, group_name: str, *, alarm: bool = False) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start)
    event.add("summary", summary)
    event.add("description", group_name)
    event.add("url", url)
    if alarm:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", summary)
        reminder.add("trigger", timedelta(days=-1))
        event.add_component(reminder)
    return event


def feed(user: User, *, now=None) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//cobudget//calendar//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "cobudget")
    calendar.add("x-published-ttl", "PT1H")
    memberships = {m.group_id: m for m in Membership.objects.filter(user=user).select_related("group")}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        rounds = Round.objects.filter(group_id__in=memberships, published_at__isnull=False).order_by("pk")
        for round in rounds:
            group = memberships[round.group_id].group
            url = f"{settings.SITE_URL}/rounds/{round.pk}/"
            dates = [
                ("proposals", round.proposals_open_at, _("Proposals open: %(round)s"), False),
                ("funding-opens", round.funding_opens_at, _("Funding opens: %(round)s"), False),
                ("funding-closes", round.funding_closes_at, _("Funding closes: %(round)s"), True),
                ("meeting", round.meeting_at, _("Board meeting: %(round)s"), False),
            ]
            for key, when, summary, alarm in dates:
                if when is not None:
                    calendar.add_component(_event(f"round-{round.pk}-{key}", summary % {"round": round.title},
                                                  when, url, group.name, alarm=alarm))
        proposals = Proposal.objects.filter(group_id__in=memberships).filter(
            closed_at__isnull=True) | Proposal.objects.filter(group_id__in=memberships, closed_at__gte=now - RECENT)
        for proposal in proposals.order_by("pk"):
            group = memberships[proposal.group_id].group
            calendar.add_component(_event(
                f"proposal-{proposal.pk}-closes", _("Vote closes: %(title)s") % {"title": proposal.title},
                proposal.closes_at, f"{settings.SITE_URL}/proposals/{proposal.pk}/", group.name,
                alarm=proposal.closed_at is None and memberships[proposal.group_id].role in (Role.ADMIN, Role.MEMBER),
            ))
        meetings = Meeting.objects.filter(group_id__in=memberships, starts_at__gte=now - RECENT)
        for meeting in meetings.order_by("pk"):
            group = memberships[meeting.group_id].group
            place = f"{group.name} · {meeting.place}" if meeting.place else group.name
            calendar.add_component(_event(
                f"meeting-{meeting.pk}", _("Meeting: %(title)s") % {"title": meeting.title}, meeting.starts_at,
                f"{settings.SITE_URL}/meetings/{meeting.pk}/", place, alarm=meeting.sealed_at is None,
            ))
    return calendar.to_ical()
