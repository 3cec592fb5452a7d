"""Ranked choice by instant runoff (API.md: `ranking`; results give the rounds): each round
counts every ballot for its best option still in the race; more than half of the ballots
still counting wins; otherwise the last is eliminated (tied last ones together, unless every
option left is tied: no winner). Bad rankings are refused and nothing is written."""

import pytest

from proposals.counting import Option, ranked_choice_results
from proposals.models import Stance
from tests.builders import add_voters, close_proposal, option_ids

pytestmark = pytest.mark.django_db

A, B, C, D = (Option(1, "A"), Option(2, "B"), Option(3, "C"), Option(4, "D"))


def _count(ballots, options=(A, B, C)):
    return ranked_choice_results(list(options), [({"ranking": r}, w) for r, w in ballots])


def _votes(record):
    return {c["option"]: c["votes"] for c in record["counts"]}


def test_a_majority_of_first_preferences_wins_in_round_one():
    result = _count([([1, 2], 3), ([2, 1], 2)])
    assert result["winner"] == 1 and len(result["rounds"]) == 1
    assert _votes(result["rounds"][0]) == {1: 3, 2: 2, 3: 0}


def test_the_last_is_eliminated_and_its_ballots_move_on():
    # 9 ballots: A 4, B 3, C 2. C out; its ballots go to B: B 5 of 9 wins in round 2.
    result = _count([([1], 4), ([2, 1], 3), ([3, 2], 2)])
    first, second = result["rounds"]
    assert _votes(first) == {1: 4, 2: 3, 3: 2} and first["eliminated"] == [3]
    assert _votes(second) == {1: 4, 2: 5} and second["winner"] == 2
    assert result["winner"] == 2
    assert [o["first_preferences"] for o in result["options"]] == [4, 3, 2]


def test_exhausted_ballots_leave_the_count():
    # A 3, B 2, C 2: B and C tie last and go out together; their ballots rank nothing else.
    result = _count([([1], 3), ([2], 2), ([3], 2)])
    assert result["rounds"][0]["eliminated"] == [2, 3]
    last = result["rounds"][1]
    assert last["exhausted"] == 4 and _votes(last) == {1: 3} and result["winner"] == 1


def test_exactly_half_is_not_a_majority():
    result = _count([([1], 2), ([2], 2)], options=(A, B))
    assert result["winner"] is None  # every option left is tied
    assert result["rounds"][0]["eliminated"] == []


def test_a_four_option_race_over_three_rounds():
    ballots = [([1, 2], 5), ([2, 1], 4), ([3, 2], 3), ([4, 3], 2)]
    result = _count(ballots, options=(A, B, C, D))
    # D out, its ballots to C; then B (4) out, its ballots to A: A 9 of 14.
    assert [r["eliminated"] for r in result["rounds"]] == [[4], [2], []]
    assert _votes(result["rounds"][1]) == {1: 5, 2: 4, 3: 5}
    assert _votes(result["rounds"][2]) == {1: 9, 3: 5}
    assert result["winner"] == 1


def _poll(api, admin_user, **extra):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Which project first?", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "ranked_choice",
        "options": [{"label": "Garden"}, {"label": "Bikes"}, {"label": "Solar roof"}], **extra,
    }, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize("ranking, code", [
    ([1, 1], "invalid_ranking"),  # replaced by real ids below
    ([], "invalid_ranking"),
    ("Garden", "invalid_ranking"),
    ([999999], "invalid_ranking"),
])
def test_a_ranking_with_duplicates_or_unknown_options_is_refused(group, admin_user, member, api, ranking, code):
    poll = _poll(api, admin_user)
    ids = [o["id"] for o in poll["options"]]
    if ranking == [1, 1]:
        ranking = [ids[0], ids[1], ids[0]]
    response = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"ranking": ranking}, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Stance.objects.exists()


def test_a_ranking_for_another_poll_s_options_is_refused(group, admin_user, member, api):
    first, second = _poll(api, admin_user), _poll(api, admin_user)
    response = api(member).put(f"/api/proposals/{first['id']}/stance/",
                               {"ranking": [second["options"][0]["id"]]}, format="json")
    assert response.status_code == 400


def test_the_api_gives_each_round_and_the_winner_at_close(group, admin_user, api):
    from proposals.models import Proposal

    people = add_voters(group, 5)
    poll = _poll(api, admin_user)
    garden, bikes, solar = [o["id"] for o in poll["options"]]
    rankings = [[garden], [garden, bikes], [bikes, garden], [solar, bikes], [solar, bikes]]
    for person, ranking in zip(people, rankings, strict=True):
        response = api(person).put(f"/api/proposals/{poll['id']}/stance/", {"ranking": ranking}, format="json")
        assert response.status_code == 200, response.json()
    live = api(admin_user).get(f"/api/proposals/{poll['id']}/").json()
    assert [r["eliminated"] for r in live["results"]["rounds"]] == [[bikes], []]
    assert live["results"]["winner"] == garden
    closed = close_proposal(Proposal.objects.get(pk=poll["id"]))
    assert closed.winner_id == garden and closed.outcome == "adopted"
    body = api(admin_user).get(f"/api/proposals/{poll['id']}/").json()
    assert body["winner"] == garden and len(body["results"]["rounds"]) == 2
    assert option_ids(closed) == [garden, bikes, solar]


def test_no_quorum_means_no_winner(group, admin_user, member, api):
    from proposals.models import Proposal

    add_voters(group, 3)
    poll = _poll(api, admin_user, quorum_percent=50)
    api(member).put(f"/api/proposals/{poll['id']}/stance/", {"ranking": [poll["options"][0]["id"]]}, format="json")
    closed = close_proposal(Proposal.objects.get(pk=poll["id"]))
    assert closed.outcome == "no_quorum" and closed.winner_id is None
    assert closed.final_results["rounds"][0]["counts"][0]["votes"] == 1
