"""A round closed early shows when it actually closed, wherever a closed round is shown: the
phase strip, the round page, the group page, the results, the exports page and the API; the
planned date is said to be the planned one."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from buckets.models import Round
from results import services as closing
from tests.builders import make_bucket, make_round, open_funding

pytestmark = pytest.mark.django_db

CLOSED = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 17:30 in Paris
PLANNED = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)  # 18:00 in Paris


@pytest.fixture
def closed_early(group, admin_user, member):
    round = make_round(group, admin_user, title="Budget 2026", phase="proposals")
    make_bucket(round, member, min_amount="200.00", max_amount="400.00")
    open_funding(round)
    closing.close_round(round=round, actor=admin_user, now=CLOSED, notify=False)
    Round.objects.filter(pk=round.pk).update(funding_opens_at=CLOSED - timedelta(days=10), funding_closes_at=PLANNED,
                                             meeting_at=PLANNED + timedelta(days=1))
    return Round.objects.get(pk=round.pk)


def text(response) -> str:
    return re.sub(r"<[^>]+>", "", response.content.decode())


def test_every_page_says_when_it_closed(client, closed_early, admin_user, group):
    client.force_login(admin_user)
    closed, planned = "2 March 2026 at 17:30", "20 March 2026 at 18:00"  # in the group's time zone
    html = client.get(f"/rounds/{closed_early.pk}/").content.decode()
    round_page = re.sub(r"<[^>]+>", "", html)
    assert f"Closed on {closed}" in round_page and f"closed early; planned for {planned}" in round_page
    assert "Funding closes" not in round_page
    strip = re.sub(r"<[^>]+>", "", html.split('class="timeline"')[1].split("</ol>")[0])
    assert closed in strip and planned not in strip
    for path in ("results/", "exports/"):
        assert f"Closed on {closed}" in text(client.get(f"/rounds/{closed_early.pk}/{path}")), path
    group_page = text(client.get(f"/g/{group.slug}/"))
    assert f"Closed on {closed}" in group_page and "Funding closes" not in group_page


def test_the_api_gives_the_actual_closing_time(api, closed_early, member):
    body = api(member).get(f"/api/rounds/{closed_early.pk}/").json()
    assert body["closed_at"].startswith("2026-03-02T17:30:00") or body["closed_at"].startswith("2026-03-02T16:30:00")
    results = api(member).get(f"/api/rounds/{closed_early.pk}/results/").json()
    assert results["round"]["closed_at"].startswith("2026-03-02T16:30:00")
