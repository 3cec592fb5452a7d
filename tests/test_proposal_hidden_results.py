"""results_hidden_until_close: counted, never shown (not even to admins or the author) until close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(group, admin_user, member, member2):
    proposal = services.open_proposal(
        group=group, title="Elect the treasurer", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=2), results_hidden_until_close=True,
    )
    services.set_stance(proposal=proposal, user=member, choice="agree", reason="Secret reason")
    services.set_stance(proposal=proposal, user=member2, choice="disagree")
    return proposal


def test_hidden_from_everyone_until_close(api, client, proposal, admin_user, member, accountant):
    for user in (admin_user, member, accountant):
        body = api(user).get(f"/api/proposals/{proposal.pk}/").json()
        assert body["counts"] is None
        assert body["stances"] is None
        assert body["voted_count"] == 2  # participation is shown, not the results
        assert api(user).get(f"/api/proposals/{proposal.pk}/stances/").status_code == 409
        listed = api(user).get("/api/groups/artefacts/proposals/").json()["results"][0]
        assert listed["counts"] is None
        client.force_login(user)
        html = client.get(f"/proposals/{proposal.pk}/").content.decode()
        assert 'id="count-agree"' not in html
        assert "hidden until the proposal closes" in html
        if user != member:  # the member sees only their own reason, in their own form
            assert "Secret reason" not in html


def test_a_voter_still_sees_their_own_stance(api, proposal, member):
    assert api(member).get(f"/api/proposals/{proposal.pk}/").json()["my_stance"]["choice"] == "agree"


def test_shown_after_close(api, client, proposal, admin_user):
    body = api(admin_user).post(f"/api/proposals/{proposal.pk}/close/").json()
    assert body["counts"] == {"agree": 1, "abstain": 0, "disagree": 1, "block": 0}
    assert [s["reason"] for s in body["stances"] if s["reason"]] == ["Secret reason"]
    client.force_login(admin_user)
    assert "Secret reason" in client.get(f"/proposals/{proposal.pk}/").content.decode()
