"""The proposals API (API.md): opening, reading, stances, closing, the outcome statement."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _in(days=3):
    return (timezone.now() + timedelta(days=days)).isoformat()


@pytest.fixture
def proposal(api, group, admin_user, member, member2):
    response = api(admin_user).post(
        "/api/groups/artefacts/proposals/",
        {"title": "Adopt the new statutes", "details": "See **article 4**.<script>x</script>", "closes_at": _in()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_opens_a_proposal_with_the_fields_of_the_contract(proposal):
    for key in (
        "id", "title", "details", "closes_at", "voters", "quorum_percent", "block_vetoes",
        "results_hidden_until_close", "bucket", "status", "outcome", "statement", "details_html",
        "counts", "voters_count", "voted_count", "seen_count",
    ):
        assert key in proposal
    assert proposal["voters"] == "members"
    assert proposal["status"] == "open" and proposal["outcome"] is None
    assert proposal["counts"] == {"agree": 0, "abstain": 0, "disagree": 0, "block": 0}
    assert proposal["voters_count"] == 3  # the admin and two members
    assert "<strong>article 4</strong>" in proposal["details_html"]
    assert "<script>" not in proposal["details_html"]


def test_a_contributor_or_an_accountant_reads_but_cannot_open(api, proposal, contributor, accountant):
    for user in (contributor, accountant):
        assert api(user).get("/api/groups/artefacts/proposals/").json()["count"] == 1
        assert api(user).get(f"/api/proposals/{proposal['id']}/").status_code == 200
        response = api(user).post("/api/groups/artefacts/proposals/", {"title": "x", "closes_at": _in()}, format="json")
        assert response.status_code == 403


def test_bad_input_is_a_400_with_a_code(api, group, admin_user):
    client = api(admin_user)
    past = client.post("/api/groups/artefacts/proposals/", {"title": "x", "closes_at": _in(-1)}, format="json")
    assert past.status_code == 400 and past.json()["code"] == "invalid_closes_at"
    quorum = client.post(
        "/api/groups/artefacts/proposals/", {"title": "x", "closes_at": _in(), "quorum_percent": 101}, format="json"
    )
    assert quorum.status_code == 400 and quorum.json()["code"]
    unknown = client.post(
        "/api/groups/artefacts/proposals/",
        {"title": "x", "closes_at": _in(), "voters": ["nobody@example.org"]},
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_voter"


def test_a_stance_changes_the_counts(api, proposal, member):
    response = api(member).put(f"/api/proposals/{proposal['id']}/stance/", {"choice": "agree", "reason": "Yes"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["agree"] == 1 and body["voted_count"] == 1
    assert body["my_stance"]["choice"] == "agree"
    assert body["stances"][0]["reason"] == "Yes"


def test_an_unknown_choice_is_a_400(api, proposal, member):
    response = api(member).put(f"/api/proposals/{proposal['id']}/stance/", {"choice": "maybe"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"


def test_only_the_author_or_an_admin_closes_early(api, group, proposal, member, member2):
    url = f"/api/proposals/{proposal['id']}/close/"
    refused = api(member).post(url)
    assert refused.status_code == 403
    first = api(member2).put(f"/api/proposals/{proposal['id']}/stance/", {"choice": "agree"}, format="json")
    assert first.status_code == 200
    closed = api(group.memberships.get(role="admin").user).post(url)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "adopted"
    again = api(group.memberships.get(role="admin").user).post(url)
    assert again.status_code == 200 and again.json()["closed_at"] == closed.json()["closed_at"]


def test_the_author_closes_their_own_proposal(api, group, member, admin_user):
    created = api(member).post("/api/groups/artefacts/proposals/", {"title": "Mine", "closes_at": _in()}, format="json")
    assert api(member).post(f"/api/proposals/{created.json()['id']}/close/").status_code == 200


def test_the_outcome_statement_comes_after_close(api, proposal, admin_user, member):
    url = f"/api/proposals/{proposal['id']}/outcome/"
    early = api(admin_user).post(url, {"statement": "Adopted."}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "proposal_open"
    api(admin_user).post(f"/api/proposals/{proposal['id']}/close/")
    assert api(member).post(url, {"statement": "Mine"}, format="json").status_code == 403
    done = api(admin_user).post(url, {"statement": "The statutes are **rejected**."}, format="json")
    assert done.status_code == 200
    assert done.json()["statement"] == "The statutes are **rejected**."
    assert "<strong>rejected</strong>" in done.json()["statement_html"]


def test_a_stance_after_close_is_refused(api, proposal, admin_user, member):
    api(admin_user).post(f"/api/proposals/{proposal['id']}/close/")
    response = api(member).put(f"/api/proposals/{proposal['id']}/stance/", {"choice": "agree"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "proposal_closed"


def test_a_stance_after_closes_at_is_refused_even_before_the_sweep(api, proposal, member):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=proposal["id"]).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = api(member).put(f"/api/proposals/{proposal['id']}/stance/", {"choice": "agree"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "proposal_closed"
    # reading it after its deadline shows it closed, sweep or not
    assert api(member).get(f"/api/proposals/{proposal['id']}/").json()["status"] == "closed"


def test_comments_by_anyone_in_the_group(api, proposal, contributor):
    url = f"/api/proposals/{proposal['id']}/comments/"
    response = api(contributor).post(url, {"body": "As a *non-shareholder*, I think…"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"id", "author", "body", "body_html", "created_at"}
    assert "<em>non-shareholder</em>" in body["body_html"]
    assert api(contributor).get(url).json()["count"] == 1
    empty = api(contributor).post(url, {"body": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["code"]


def test_the_list_filters_open_and_closed(api, proposal, admin_user):
    api(admin_user).post("/api/groups/artefacts/proposals/", {"title": "Second", "closes_at": _in()}, format="json")
    api(admin_user).post(f"/api/proposals/{proposal['id']}/close/")
    assert [p["title"] for p in api(admin_user).get("/api/groups/artefacts/proposals/?status=open").json()["results"]] == ["Second"]
    closed = api(admin_user).get("/api/groups/artefacts/proposals/?status=closed").json()["results"]
    assert [p["title"] for p in closed] == ["Adopt the new statutes"]


def test_anonymous_gets_401(api, proposal):
    assert api(None).get(f"/api/proposals/{proposal['id']}/").status_code == 401
