"""The minutes (procès-verbal) of a meeting as one standalone HTML document: what is sealed,
shown at /minutes.html and drawn as a PDF.

The document holds the attendance and the quorum, the agenda, every decision taken in the
room with its counts, every proposal closed since the previous minutes with its counts,
outcome and statement, and the results of the rounds closed in between. It is written once
for the whole group, in the instance's language and the group's time zone, and carries the
SHA-256 of the previous minutes (<meta name="previous-sha256">), so that hashing the document
chains it to the register."""

import hashlib
import re
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from buckets.models import Round
from meetings import selectors
from meetings.models import Meeting
from proposals import selectors as proposal_selectors
from proposals.models import Proposal, Stance
from results.selectors import round_results

PREVIOUS_META = re.compile(r'<meta name="previous-sha256" content="([0-9a-f]*)">')


def sha256_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def previous_sha256_in(html: str) -> str | None:
    """The previous minutes' hash written inside a document (None when there is no such line)."""
    match = PREVIOUS_META.search(html)
    return match.group(1) if match else None


def _remote_decisions(group, since: datetime | None, until: datetime) -> list:
    proposals = Proposal.objects.filter(group=group, closed_at__lte=until).exclude(closed_at=None)
    if since is not None:
        proposals = proposals.filter(closed_at__gt=since)
    proposals = list(proposals.select_related("author").prefetch_related("options").order_by("closed_at", "pk"))
    tallies = proposal_selectors.tallies(proposals)
    entered: dict[int, list] = {}
    for stance in (Stance.objects.filter(proposal__in=proposals, is_latest=True).exclude(via="")
                   .select_related("user", "cast_by").order_by("user__name", "user__email")):
        entered.setdefault(stance.proposal_id, []).append(stance)
    rows = []
    for proposal in proposals:
        labels = {o.pk: o.label for o in proposal.options.all()}
        tally = tallies[proposal.pk]
        winner = labels.get(proposal.winner_id) if proposal.winner_id else None
        chosen = labels.get(proposal.chosen_option_id) if proposal.chosen_option_id else None
        rows.append({"proposal": proposal, "tally": tally, "winner": winner, "chosen": chosen,
                     "results": tally.results, "entered": entered.get(proposal.pk, [])})
    return rows


def _rounds_closed(group, since: datetime | None, until: datetime) -> list:
    rounds = Round.objects.filter(group=group, closed_at__lte=until).exclude(closed_at=None)
    if since is not None:
        rounds = rounds.filter(closed_at__gt=since)
    return [round_results(r) for r in rounds.select_related("group").order_by("closed_at", "pk")]


def render(meeting: Meeting, *, until: datetime, number: int | None, previous: Meeting | None,
           sealed_at: datetime | None, sealed_by=None) -> str:
    """The minutes document. `previous` is the group's previous sealed minutes (None for the
    first); a document without `sealed_at` is a draft and says so."""
    group = meeting.group
    since = previous.sealed_at if previous is not None else None
    attendance = selectors.attendance_of(meeting)
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zoneinfo.ZoneInfo(group.time_zone)):
        context = {
            "meeting": meeting,
            "group": group,
            "number": number,
            "sealed_at": sealed_at,
            "sealed_by": sealed_by,
            "since": since,
            "until": until,
            "previous": previous,
            "previous_sha256": previous.sha256 if previous is not None else "",
            "present": [a for a in attendance if a.status == "present"],
            "represented": [a for a in attendance if a.status == "represented"],
            "quorum": selectors.quorum_of(meeting, attendance),
            "agenda": selectors.agenda_of(meeting),
            "decisions": selectors.decisions_of(meeting),
            "remote": _remote_decisions(group, since, until),
            "rounds": _rounds_closed(group, since, until),
            "site_url": settings.SITE_URL,
        }
        return render_to_string("meetings/minutes_document.html", context)


def draft(meeting: Meeting) -> str:
    """The minutes as they would be sealed now (not stored)."""
    previous = selectors.previous_minutes(meeting)
    return render(meeting, until=timezone.now(), number=None, previous=previous, sealed_at=None)


def document(meeting: Meeting) -> str:
    return meeting.minutes_html if meeting.is_sealed else draft(meeting)


def pdf(html: str) -> bytes:
    """The same document drawn by WeasyPrint (Pango and HarfBuzz from Debian, DejaVu fonts)."""
    from weasyprint import HTML  # loads the system libraries only when a PDF is asked for

    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


def verify_register(group) -> list[tuple[Meeting, list[str]]]:
    """Recompute the group's chain of sealed minutes, in register order: each document's
    SHA-256 against the one stored, its previous hash against the previous minutes' (stored
    and written inside the document), and numbers following on. [(minutes, problems)]."""
    report = []
    previous = None
    for meeting in Meeting.objects.filter(group=group).exclude(sealed_at=None).order_by("number", "pk"):
        problems = []
        expected_number = (previous.number if previous is not None else 0) + 1
        if meeting.number != expected_number:
            problems.append(f"number {meeting.number}, expected {expected_number}")
        actual = sha256_of(meeting.minutes_html)
        if actual != meeting.sha256:
            problems.append(f"content changed: its SHA-256 is {actual}, sealed as {meeting.sha256}")
        expected_previous = previous.sha256 if previous is not None else ""
        if meeting.previous_sha256 != expected_previous:
            problems.append(f"previous hash {meeting.previous_sha256 or '(none)'}, the previous minutes have "
                            f"{expected_previous or '(none)'}")
        inside = previous_sha256_in(meeting.minutes_html)
        if inside != expected_previous:
            problems.append(f"the document names {inside or '(none)'} as previous hash, expected "
                            f"{expected_previous or '(none)'}")
        report.append((meeting, problems))
        previous = meeting
    return report
