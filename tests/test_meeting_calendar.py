"""Meetings are in each member's personal calendar (API.md: the .ics feed holds the meetings of
their groups), with the place, linked to the meeting page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.builders import plan_meeting
from tests.test_calendar_feed import _events, _feed, _second

pytestmark = pytest.mark.django_db


def test_the_feed_holds_the_meetings_of_my_groups(api, group, admin_user, member, outsider, other_group):
    meeting = plan_meeting(group, admin_user, title="Board meeting of March", place="Tours",
                   starts_at=timezone.now() + timedelta(days=4))
    plan_meeting(other_group, outsider, title="Not mine")
    events = _events(_feed(api(member).get("/api/me/calendar/").json()["url"]))
    event = events["Meeting: Board meeting of March"]
    assert event["DTSTART"].dt == _second(meeting.starts_at)
    assert event["URL"].endswith(f"/meetings/{meeting.pk}/") and "Tours" in str(event["DESCRIPTION"])
    assert list(event.walk("VALARM"))
    assert not any("Not mine" in summary for summary in events)
