"""`reason_required` (API.md): none, objections (disagree and block) or all; a missing reason
is a 409 reason_required and no stance is written."""

import pytest

from proposals import services
from proposals.models import Stance
from tests.builders import open_proposal

pytestmark = pytest.mark.django_db


def _put(api, user, proposal, body):
    return api(user).put(f"/api/proposals/{proposal.pk}/stance/", body, format="json")


def test_by_default_a_block_needs_no_reason(group, admin_user, member):
    proposal = open_proposal(group, admin_user)
    services.set_stance(proposal=proposal, user=member, choice="block")
    assert Stance.objects.get(proposal=proposal).choice == "block"


def test_objections_need_a_reason_and_agreeing_does_not(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user, reason_required="objections")
    refused = _put(api, member, proposal, {"choice": "block"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "reason_required"
    assert _put(api, member, proposal, {"choice": "disagree", "reason": "   "}).json()["code"] == "reason_required"
    assert not Stance.objects.filter(proposal=proposal).exists()
    assert _put(api, member2, proposal, {"choice": "agree"}).status_code == 200
    assert _put(api, member, proposal, {"choice": "block", "reason": "Our lease forbids it."}).status_code == 200
    assert Stance.objects.get(proposal=proposal, user=member).reason == "Our lease forbids it."


def test_all_means_every_stance_gives_its_reason(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user, reason_required="all")
    assert _put(api, member, proposal, {"choice": "agree"}).json()["code"] == "reason_required"
    assert _put(api, member, proposal, {"choice": "agree", "reason": "Useful."}).status_code == 200


def test_a_poll_cannot_ask_for_reasons_to_objections(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Which day?", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "dot_vote",
        "options": [{"label": "Monday"}, {"label": "Tuesday"}], "reason_required": "objections",
    }, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_reason_required"


def test_an_unknown_reason_rule_is_refused(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "X", "closes_at": "2099-01-01T12:00:00+01:00", "reason_required": "sometimes",
    }, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_reason_required"
