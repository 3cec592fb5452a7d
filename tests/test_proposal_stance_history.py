"""A voter changes their stance until close; every change is kept, only the latest counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Stance

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(group, admin_user, member):
    return services.open_proposal(
        group=group, title="Move the office", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=2),
    )


def test_every_change_is_kept_and_the_latest_counts(api, proposal, member):
    client = api(member)
    url = f"/api/proposals/{proposal.pk}/stance/"
    client.put(url, {"choice": "disagree", "reason": "Too far"}, format="json")
    client.put(url, {"choice": "abstain", "reason": "Not sure now"}, format="json")
    body = client.put(url, {"choice": "agree", "reason": "Convinced by the bus line"}, format="json").json()
    assert body["counts"] == {"agree": 1, "abstain": 0, "disagree": 0, "block": 0}
    assert body["voted_count"] == 1
    history = client.get(f"/api/proposals/{proposal.pk}/stances/").json()
    assert [(s["choice"], s["reason"], s["is_latest"]) for s in history["results"]] == [
        ("agree", "Convinced by the bus line", True),
        ("abstain", "Not sure now", False),
        ("disagree", "Too far", False),
    ]
    assert Stance.objects.filter(proposal=proposal, user=member).count() == 3


def test_the_same_stance_twice_is_one_row(api, proposal, member):
    client = api(member)
    for _ in range(2):
        client.put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "agree", "reason": "ok"}, format="json")
    assert Stance.objects.filter(proposal=proposal, user=member).count() == 1


def test_the_proposal_page_shows_earlier_stances(client, proposal, member):
    services.set_stance(proposal=proposal, user=member, choice="disagree", reason="Too far")
    services.set_stance(proposal=proposal, user=member, choice="agree", reason="Convinced")
    client.force_login(member)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Convinced" in html and "Too far" in html
