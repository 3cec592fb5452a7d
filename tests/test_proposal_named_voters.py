"""The OpenStreetMap France case: only the board votes, anyone in the group gives an opinion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups import services as group_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_vote(api, admin_user, member, member2, contributor):
    response = api(admin_user).post(
        "/api/groups/artefacts/proposals/",
        {
            "title": "Renew the server contract",
            "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
            "voters": [admin_user.email, member.email.upper(), contributor.email],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_named_list_is_the_voters(board_vote, admin_user, member, contributor):
    assert sorted(board_vote["voters"]) == sorted([admin_user.email, member.email, contributor.email])
    assert board_vote["voters_count"] == 3


def test_a_non_voter_gets_409_not_a_voter_but_reads_and_comments(api, board_vote, member2):
    client = api(member2)
    refused = client.put(f"/api/proposals/{board_vote['id']}/stance/", {"choice": "agree"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_a_voter"
    assert client.get(f"/api/proposals/{board_vote['id']}/").status_code == 200
    comment = client.post(f"/api/proposals/{board_vote['id']}/comments/", {"body": "I'd rather wait."}, format="json")
    assert comment.status_code == 201


def test_a_named_contributor_votes(api, board_vote, contributor):
    response = api(contributor).put(f"/api/proposals/{board_vote['id']}/stance/", {"choice": "abstain"}, format="json")
    assert response.status_code == 200
    assert response.json()["counts"]["abstain"] == 1


def test_a_named_voter_who_left_the_group_stops_counting(api, group, board_vote, admin_user, member):
    api(member).put(f"/api/proposals/{board_vote['id']}/stance/", {"choice": "block"}, format="json")
    group_services.remove_member(membership=member.memberships.get(group=group), actor=admin_user)
    body = api(admin_user).get(f"/api/proposals/{board_vote['id']}/").json()
    assert body["voters_count"] == 2
    assert body["counts"]["block"] == 0


def test_only_board_members_see_it_awaiting_their_vote(board_vote, member, member2):
    from proposals.selectors import awaiting_vote

    assert [p.pk for p in awaiting_vote(member)] == [board_vote["id"]]
    assert list(awaiting_vote(member2)) == []
