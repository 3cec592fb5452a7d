"""The board's pages pass axe-core with no serious or critical violation: every kind of
ballot, the meeting page with its forms, the projector mode and the planning form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from tests.builders import attend, plan_meeting, round_with_bucket_to_decide
from tests.conftest import browser_login
from tests.test_browser_accessibility import axe_page, violations  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_pages_pass_axe(axe_page, live_server, group, admin_user, member, member2):  # noqa: F811
    _round, _training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    later = timezone.now() + timedelta(days=3)
    polls = {
        kind: services.open_proposal(group=group, author=admin_user, title=f"A {kind} poll", closes_at=later,
                                     notify=False, kind=kind, options=options)
        for kind, options in (
            ("score", ["Tours", "Blois"]), ("ranked_choice", ["Garden", "Bikes", "Solar"]),
            ("dot_vote", ["Website", "Training"]),
            ("meeting_time", [{"starts_at": later + timedelta(days=2)}, {"starts_at": later + timedelta(days=3)}]),
        )
    }
    secret = services.open_proposal(group=group, author=admin_user, title="Elect", closes_at=later, notify=False,
                                    anonymous=True, quorum_percent=50)
    meeting = plan_meeting(group, admin_user, items=["Any other business"])
    attend(meeting, admin_user, group, [admin_user, member], represented={member2: member})
    pages = {f"{kind} poll": f"/proposals/{p.pk}/" for kind, p in polls.items()}
    pages.update({
        "secret ballot": f"/proposals/{secret.pk}/",
        "proposal form": f"/g/{group.slug}/proposals/new/",
        "meetings": f"/g/{group.slug}/meetings/",
        "meeting form": f"/g/{group.slug}/meetings/new/",
        "meeting": f"/meetings/{meeting.pk}/",
        "projector": f"/meetings/{meeting.pk}/projector/",
        "minutes": f"/api/meetings/{meeting.pk}/minutes.html",
    })
    page = axe_page
    browser_login(page, live_server, admin_user)
    found = {}
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        problems = violations(page)
        if problems:
            found[name] = problems
    assert found == {}
