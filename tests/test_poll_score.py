"""Score polls: each voter scores every option from 0 to `score_max`; the highest total wins,
a tie has no winner. Scores out of range, missing or for unknown options are refused."""

import pytest

from proposals.counting import Option, score_results
from proposals.models import Proposal, Stance
from tests.builders import add_voters, close_proposal

pytestmark = pytest.mark.django_db


def test_totals_and_averages_are_exact():
    result = score_results([Option(1, "A"), Option(2, "B")],
                           [({"scores": {"1": 5, "2": 1}}, 1), ({"scores": {"1": 0, "2": 3}}, 2)])
    assert [(o["total"], o["average"]) for o in result["options"]] == [(5, "1.67"), (7, "2.33")]
    assert result["winner"] == 2


def test_equal_totals_have_no_winner():
    result = score_results([Option(1, "A"), Option(2, "B")], [({"scores": {"1": 3, "2": 3}}, 1)])
    assert result["winner"] is None


def _poll(api, admin_user, **extra):
    body = {"title": "Rate the venues", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "score",
            "options": [{"label": "La Fabrique"}, {"label": "Le Labo"}], **extra}
    response = api(admin_user).post("/api/groups/artefacts/proposals/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_score_poll_from_opening_to_its_winner(group, admin_user, api):
    people = add_voters(group, 2)
    poll = _poll(api, admin_user, score_max=10)
    assert poll["score_max"] == 10
    fab, labo = [o["id"] for o in poll["options"]]
    api(people[0]).put(f"/api/proposals/{poll['id']}/stance/", {"scores": {fab: 8, labo: 3}}, format="json")
    api(people[1]).put(f"/api/proposals/{poll['id']}/stance/", {"scores": {str(fab): 2, str(labo): 9}}, format="json")
    closed = close_proposal(Proposal.objects.get(pk=poll["id"]))
    assert closed.winner_id == labo
    assert [o["total"] for o in closed.final_results["options"]] == [10, 12]


@pytest.mark.parametrize("scores", [{"A": 1}, {"first": 11, "second": 0}, {"first": -1, "second": 0},
                                    {"first": 3}, {"first": "3.5", "second": 1}, [3, 4]])
def test_bad_scores_are_refused(group, admin_user, member, api, scores):
    poll = _poll(api, admin_user, score_max=10)
    ids = {"first": poll["options"][0]["id"], "second": poll["options"][1]["id"]}
    if isinstance(scores, dict):
        scores = {ids.get(k, k): v for k, v in scores.items()}
    response = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"scores": scores}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_scores"
    assert not Stance.objects.exists()


def test_a_choice_is_not_a_score(group, admin_user, member, api):
    poll = _poll(api, admin_user)
    response = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"choice": "agree"}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("body, code", [
    ({"score_max": 0}, "invalid_score_max"),
    ({"score_max": 11}, "invalid_score_max"),
    ({"options": [{"label": "Only one"}]}, "invalid_options"),
    ({"options": [{"label": "Same"}, {"label": "same"}]}, "invalid_options"),
    ({"options": [{"label": " "}, {"label": "B"}]}, "invalid_options"),
])
def test_bad_poll_settings_are_refused(group, admin_user, api, body, code):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Rate", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "score",
        "options": [{"label": "A"}, {"label": "B"}], **body}, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Proposal.objects.exists()
