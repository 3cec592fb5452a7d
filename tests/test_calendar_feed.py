"""A person's calendar (API.md, "Trust and integrations"): GET /calendar/<token>.ics is an
RFC 5545 feed of the round phases and deadlines and the proposal closing times of their
groups; the token is personal and revocable (POST /api/me/calendar/)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from groups import services as group_services
from proposals import services as proposal_services
from tests.builders import make_round


def _feed(url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return Client().get("/" + path)


def _second(value):
    return value.replace(microsecond=0)


def _events(response) -> dict:
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {}
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"]
        events[str(event["SUMMARY"])] = event
    return events


@pytest.fixture
def world(group, admin_user, member, outsider, other_group):
    round = make_round(group, admin_user, phase="funding")
    make_round(group, admin_user, publish=False, title="Secret draft")
    make_round(other_group, outsider, phase="funding", title="Elsewhere")
    proposal = proposal_services.open_proposal(group=group, title="Buy a van", author=admin_user,
                                               closes_at=timezone.now() + timedelta(days=3), notify=False)
    return round, proposal


def test_the_feed_holds_the_rounds_and_proposals_of_my_groups(api, world, member):
    round, proposal = world
    url = api(member).get("/api/me/calendar/").json()["url"]
    response = _feed(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    closes = events["Funding closes: Round 2026"]
    assert closes["DTSTART"].dt == _second(round.funding_closes_at)
    assert closes["URL"].endswith(f"/rounds/{round.pk}/")
    assert list(closes.walk("VALARM"))  # a reminder the day before
    assert events["Funding opens: Round 2026"]["DTSTART"].dt == _second(round.funding_opens_at)
    assert events["Board meeting: Round 2026"]["DTSTART"].dt == _second(round.meeting_at)
    assert events["Vote closes: Buy a van"]["DTSTART"].dt == _second(proposal.closes_at)
    assert not any("Elsewhere" in summary or "Secret draft" in summary for summary in events)


def test_the_feed_speaks_the_persons_language(api, world, member):
    member.language = "fr"
    member.save()
    events = _events(_feed(api(member).get("/api/me/calendar/").json()["url"]))
    assert "Clôture du financement\u202f: Round 2026" in events


def test_each_person_has_their_own_address(api, world, member, outsider):
    mine = api(member).get("/api/me/calendar/").json()["url"]
    theirs = api(outsider).get("/api/me/calendar/").json()["url"]
    assert mine != theirs and api(member).get("/api/me/calendar/").json()["url"] == mine
    assert not any("Round 2026" in summary for summary in _events(_feed(theirs)))


def test_a_new_address_revokes_the_old_one(api, world, member):
    old = api(member).get("/api/me/calendar/").json()["url"]
    new = api(member).post("/api/me/calendar/").json()["url"]
    assert new != old
    assert _feed(old).status_code == 404
    assert _feed(new).status_code == 200


def test_unknown_and_malformed_tokens_are_404(world, db):
    client = Client()
    for path in ("/calendar/not-a-real-token.ics", "/calendar/%00.ics", "/calendar/a%20b.ics", "/calendar/.ics"):
        assert client.get(path).status_code == 404, path


def test_a_person_who_left_the_group_no_longer_sees_it(api, world, group, member):
    url = api(member).get("/api/me/calendar/").json()["url"]
    membership = group.memberships.get(user=member)
    group_services.remove_member(membership=membership, actor=None)
    assert not _events(_feed(url))


def test_the_page_shows_the_address_and_renews_it(client, member, world):
    client.force_login(member)
    page = client.get("/me/calendar/").content.decode()
    from integrations.models import CalendarToken

    token = CalendarToken.objects.get(user=member).token
    assert f"/calendar/{token}.ics" in page
    client.post("/me/calendar/")
    assert CalendarToken.objects.get(user=member).token != token


def test_an_inactive_account_has_no_feed(api, world, member):
    url = api(member).get("/api/me/calendar/").json()["url"]
    member.is_active = False
    member.save()
    assert _feed(url).status_code == 404
