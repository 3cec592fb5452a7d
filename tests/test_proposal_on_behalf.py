"""An admin records a stance a voter gave by phone or on paper (API.md: `member` in the stance
PUT): it counts as the voter's, and is marked with how and by whom it was entered."""

import pytest

from proposals.models import Stance
from tests.builders import member_id, open_proposal

pytestmark = pytest.mark.django_db


def test_an_admin_enters_a_stance_given_by_phone(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user)
    response = api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {
        "member": member_id(group, member), "via": "phone", "choice": "disagree", "reason": "Said on the phone.",
    }, format="json")
    assert response.status_code == 200, response.json()
    stance = Stance.objects.get(proposal=proposal)
    assert (stance.user, stance.choice, stance.via, stance.cast_by) == (member, "disagree", "phone", admin_user)
    listed = response.json()["stances"][0]
    assert listed["voter"]["name"] == member.display_name
    assert listed["via"] == "phone" and listed["cast_by"]["name"] == admin_user.display_name
    assert response.json()["counts"]["disagree"] == 1
    assert response.json()["my_stance"] is None  # the admin has not voted themselves


def test_paper_is_the_default_and_the_page_says_who_entered_it(group, admin_user, member, api, client):
    proposal = open_proposal(group, admin_user)
    api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {"member": member_id(group, member),
                                                                  "choice": "agree"}, format="json")
    assert Stance.objects.get(proposal=proposal).via == "paper"
    client.force_login(member)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert f"on paper, entered by {admin_user.display_name}" in page


def test_only_an_admin_enters_a_stance_for_someone_else(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    response = api(member2).put(f"/api/proposals/{proposal.pk}/stance/", {
        "member": member_id(group, member), "choice": "agree"}, format="json")
    assert response.status_code == 403
    assert not Stance.objects.exists()


def test_a_stance_for_someone_who_does_not_vote_is_refused(group, admin_user, member, accountant, api):
    proposal = open_proposal(group, admin_user)
    response = api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {
        "member": member_id(group, accountant), "choice": "agree"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_a_voter"
    unknown = api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {"member": 999999, "choice": "agree"},
                                  format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_member"
    assert not Stance.objects.exists()


def test_the_voter_can_still_change_it_themselves(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user)
    api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {"member": member_id(group, member),
                                                                  "choice": "agree"}, format="json")
    response = api(member).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "abstain"}, format="json")
    assert response.json()["counts"] == {"agree": 0, "abstain": 1, "disagree": 0, "block": 0}
    history = api(member).get(f"/api/proposals/{proposal.pk}/stances/").json()["results"]
    assert [(s["choice"], s["via"]) for s in history] == [("abstain", ""), ("agree", "paper")]
