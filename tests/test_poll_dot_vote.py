"""Dot votes: each voter spreads up to `dots_per_voter` dots over the options; the most dots
win. More dots than allowed is refused and nothing is written."""

import pytest

from proposals.models import Proposal, Stance
from tests.builders import add_voters, close_proposal

pytestmark = pytest.mark.django_db


def _poll(api, admin_user, **extra):
    body = {"title": "Where should the €2,000 go?", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "dot_vote",
            "options": [{"label": "Website"}, {"label": "Training"}, {"label": "Party"}], "dots_per_voter": 5, **extra}
    response = api(admin_user).post("/api/groups/artefacts/proposals/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_dots_add_up_and_the_most_dotted_option_wins(group, admin_user, api):
    people = add_voters(group, 3)
    poll = _poll(api, admin_user)
    web, training, party = [o["id"] for o in poll["options"]]
    for person, dots in zip(people, ({web: 5}, {training: 3, party: 2}, {training: 2, web: 1}), strict=True):
        assert api(person).put(f"/api/proposals/{poll['id']}/stance/", {"dots": dots}, format="json").status_code == 200
    closed = close_proposal(Proposal.objects.get(pk=poll["id"]))
    assert [o["total"] for o in closed.final_results["options"]] == [6, 5, 2]
    assert closed.winner_id == web


def test_exactly_the_allowed_dots_is_fine_one_more_is_refused(group, admin_user, member, api):
    poll = _poll(api, admin_user)
    web, training, _party = [o["id"] for o in poll["options"]]
    refused = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"dots": {web: 4, training: 2}}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "too_many_dots"
    assert "6" in refused.json()["detail"] and "5" in refused.json()["detail"]
    assert not Stance.objects.exists()
    assert api(member).put(f"/api/proposals/{poll['id']}/stance/", {"dots": {web: 3, training: 2}},
                           format="json").status_code == 200


@pytest.mark.parametrize("dots", [{}, {"web": -1}, {"web": 0}, {"999999": 1}, {"web": 1.5}])
def test_bad_dots_are_refused(group, admin_user, member, api, dots):
    poll = _poll(api, admin_user)
    dots = {(poll["options"][0]["id"] if k == "web" else k): v for k, v in dots.items()}
    response = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"dots": dots}, format="json")
    assert response.status_code == 400 and response.json()["code"] in ("invalid_dots", "too_many_dots")
    assert not Stance.objects.exists()


def test_the_number_of_dots_is_bounded(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "X", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "dot_vote", "dots_per_voter": 0,
        "options": [{"label": "A"}, {"label": "B"}]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_dots_per_voter"


def test_the_decision_history_and_its_csv_name_the_winner(group, admin_user, member, api, client):
    import csv
    import io

    poll = _poll(api, admin_user)
    web = poll["options"][0]["id"]
    api(member).put(f"/api/proposals/{poll['id']}/stance/", {"dots": {web: 3}}, format="json")
    close_proposal(Proposal.objects.get(pk=poll["id"]))
    rows = list(csv.DictReader(io.StringIO(
        b"".join(api(member).get("/api/groups/artefacts/decisions.csv").streaming_content).decode("utf-8-sig"))))
    assert (rows[0]["kind"], rows[0]["winner"], rows[0]["outcome"]) == ("dot_vote", "Website", "adopted")
    client.force_login(member)
    page = client.get("/g/artefacts/decisions/").content.decode()
    assert "Decided" in page and "Website" in page
