"""The quorum in words and in a bar (issue 13): « 9 votes sur 15 nécessaires » and whether it
is met, where the page used to say only "Quorum : 25 %" and "9 ont voté"."""

import re

import pytest

from proposals import services
from tests.builders import add_voters, open_proposal

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


@pytest.fixture
def sixty(group, admin_user):
    return [admin_user, *add_voters(group, 59)]


def _page(client, user, proposal, settings):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(user)
    return client.get(f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_nine_of_sixty_at_25_percent_says_how_many_are_needed(client, sixty, group, settings):
    proposal = open_proposal(group, sixty[0], quorum_percent=25)
    for voter in sixty[1:10]:
        services.set_stance(proposal=proposal, user=voter, choice="agree")
    html = _page(client, sixty[20], proposal, settings)
    assert "9 votes sur 15 nécessaires" in html
    assert f"Quorum non atteint{NNBSP}: il manque 6 votes." in html
    bar = re.search(r'<progress class="quorum-bar" max="(\d+)" value="(\d+)"', html)
    assert bar and bar.groups() == ("15", "9")
    assert f"Quorum{NNBSP}: 25\u00a0% des votants doivent participer (15 sur 60)." in html


def test_the_quorum_reached_says_so_and_the_bar_is_full(client, sixty, group, settings):
    proposal = open_proposal(group, sixty[0], quorum_percent=25)
    for voter in sixty[1:17]:
        services.set_stance(proposal=proposal, user=voter, choice="abstain")
    html = _page(client, sixty[20], proposal, settings)
    assert "16 votes sur 15 nécessaires" in html and "Quorum atteint." in html
    assert re.search(r'<progress class="quorum-bar" max="15" value="15"', html)


def test_the_api_gives_the_votes_needed_and_whether_the_quorum_is_met(api, sixty, group):
    proposal = open_proposal(group, sixty[0], quorum_percent=25)
    body = api(sixty[1]).get(f"/api/proposals/{proposal.pk}/").json()
    assert (body["votes_needed"], body["quorum_met"], body["voters_count"]) == (15, False, 60)


def test_one_vote_needed_reads_in_the_singular(client, group, admin_user, member, settings):
    proposal = open_proposal(group, admin_user, quorum_percent=50)
    html = _page(client, member, proposal, settings)
    assert "0 vote sur 1 nécessaire" in html and "il manque 1 vote." in html
