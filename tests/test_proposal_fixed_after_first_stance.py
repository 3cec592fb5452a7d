"""A proposal is fixed once someone has voted (PRODUCT.md, The board): PATCH only before the
first stance (409 proposal_has_stances after, nothing changed); then only `extend` (author,
admins, while open) and `reopen` (admins, within 30 days of closing), each kept in its
history with its reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Proposal, ProposalEvent
from tests.builders import close_proposal, open_proposal, vote

pytestmark = pytest.mark.django_db


def test_the_author_edits_text_and_settings_before_anyone_votes(group, admin_user, member, api):
    proposal = open_proposal(group, member)
    response = api(member).patch(f"/api/proposals/{proposal.pk}/", {
        "title": "Buy a larger 3D printer", "majority": "two_thirds", "reason_required": "objections",
    }, format="json")
    assert response.status_code == 200, response.json()
    proposal.refresh_from_db()
    assert (proposal.title, proposal.majority, proposal.reason_required) == (
        "Buy a larger 3D printer", "two_thirds", "objections")


def test_after_the_first_stance_an_edit_is_refused_and_nothing_changes(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user)
    vote(proposal, [(member, "agree")])
    response = api(admin_user).patch(f"/api/proposals/{proposal.pk}/", {"title": "Something else",
                                                                         "majority": "unanimous"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "proposal_has_stances"
    proposal.refresh_from_db()
    assert (proposal.title, proposal.majority) == ("Buy a 3D printer", "simple")


def test_a_member_who_is_not_the_author_cannot_edit(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user)
    assert api(member).patch(f"/api/proposals/{proposal.pk}/", {"title": "Mine"}, format="json").status_code == 403


def test_an_edit_with_an_unknown_majority_changes_nothing(group, admin_user, api):
    proposal = open_proposal(group, admin_user)
    response = api(admin_user).patch(f"/api/proposals/{proposal.pk}/", {"title": "New", "majority": "most"},
                                     format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_majority"
    proposal.refresh_from_db()
    assert proposal.title == "Buy a 3D printer"


def test_extending_keeps_the_reason_in_the_history(group, admin_user, member, api):
    proposal = open_proposal(group, admin_user)
    vote(proposal, [(member, "agree")])
    later = proposal.closes_at + timedelta(days=2)
    response = api(admin_user).post(f"/api/proposals/{proposal.pk}/extend/", {
        "closes_at": later.isoformat(), "reason": "Half the board is on holiday.",
    }, format="json")
    assert response.status_code == 200, response.json()
    history = response.json()["history"]
    assert [(e["action"], e["reason"]) for e in history] == [("extended", "Half the board is on holiday.")]
    proposal.refresh_from_db()
    assert proposal.closes_at == later


def test_extending_needs_a_reason_and_a_later_time(group, admin_user, api):
    proposal = open_proposal(group, admin_user)
    later = (proposal.closes_at + timedelta(days=1)).isoformat()
    earlier = (proposal.closes_at - timedelta(hours=1)).isoformat()
    assert api(admin_user).post(f"/api/proposals/{proposal.pk}/extend/", {"closes_at": later, "reason": " "},
                                format="json").status_code == 400
    response = api(admin_user).post(f"/api/proposals/{proposal.pk}/extend/", {"closes_at": earlier, "reason": "x"},
                                    format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_closes_at"
    assert not ProposalEvent.objects.exists()


def test_a_closed_proposal_is_not_extended_but_reopened_by_an_admin(group, admin_user, member, member2, api):
    proposal = open_proposal(group, member)
    vote(proposal, [(member, "agree"), (member2, "disagree")])
    close_proposal(proposal)
    new_close = (timezone.now() + timedelta(days=2)).isoformat()
    refused = api(member).post(f"/api/proposals/{proposal.pk}/extend/", {"closes_at": new_close, "reason": "x"},
                               format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "proposal_closed"
    assert api(member).post(f"/api/proposals/{proposal.pk}/reopen/", {"closes_at": new_close, "reason": "x"},
                            format="json").status_code == 403
    response = api(admin_user).post(f"/api/proposals/{proposal.pk}/reopen/", {
        "closes_at": new_close, "reason": "Karim voted by phone before the close; we missed it.",
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "open" and body["outcome"] is None
    event = body["history"][0]
    assert event["action"] == "reopened" and event["previous"]["outcome"] == "rejected"
    assert event["reason"].startswith("Karim")
    # the stances stay and may change again
    vote(proposal, [(member2, "agree")])
    assert close_proposal(proposal).outcome == Proposal.Outcome.ADOPTED


def test_reopening_more_than_30_days_after_the_close_is_refused(group, admin_user):
    proposal = open_proposal(group, admin_user)
    services.close_proposal(proposal=proposal, actor=None, notify=False,
                            now=timezone.now() - timedelta(days=31))
    with pytest.raises(Exception) as refused:
        services.reopen_proposal(proposal=proposal, actor=admin_user, closes_at=timezone.now() + timedelta(days=1),
                                 reason="Too late")
    assert refused.value.code == "reopen_too_late"
    proposal.refresh_from_db()
    assert proposal.closed_at is not None and not ProposalEvent.objects.exists()


def test_a_vote_that_settled_a_bucket_cannot_be_reopened(group, admin_user):
    from tests.builders import make_bucket, make_round

    round_ = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round_, admin_user, title="Garden", max_amount="100.00")
    proposal = open_proposal(group, None, bucket=bucket, settles_bucket=True)
    close_proposal(proposal)
    with pytest.raises(Exception) as refused:
        services.reopen_proposal(proposal=proposal, actor=admin_user, closes_at=timezone.now() + timedelta(days=1),
                                 reason="Again")
    assert refused.value.code == "proposal_settled_bucket"


def test_the_edit_page_works_until_the_first_stance(client, group, admin_user, member):
    from django.contrib.messages import get_messages

    proposal = open_proposal(group, member)
    client.force_login(member)
    form = client.get(f"/proposals/{proposal.pk}/edit/").content.decode()
    assert 'value="Buy a 3D printer"' in form
    closes = timezone.localtime(proposal.closes_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/proposals/{proposal.pk}/edit/", {
        "title": "Buy two 3D printers", "closes_at": closes, "voters": "members", "quorum_percent": "10",
        "majority": "three_quarters", "kind": "proposal", "block_vetoes": "on",
    })
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.majority, proposal.quorum_percent) == ("Buy two 3D printers", "three_quarters", 10)
    vote(proposal, [(admin_user, "agree")])
    response = client.post(f"/proposals/{proposal.pk}/edit/", {
        "title": "Buy three", "closes_at": closes, "voters": "members", "quorum_percent": "10", "kind": "proposal",
    })
    assert response.status_code == 302
    assert any("can no longer be edited" in str(m) for m in get_messages(response.wsgi_request))
    proposal.refresh_from_db()
    assert proposal.title == "Buy two 3D printers"


def test_edits_extensions_and_reopenings_are_in_the_audit_trail(group, admin_user, member, api):
    from audit.models import AuditEntry

    proposal = open_proposal(group, member)
    api(member).patch(f"/api/proposals/{proposal.pk}/", {"majority": "two_thirds"}, format="json")
    vote(proposal, [(member, "agree")])
    later = (proposal.closes_at + timedelta(days=1)).isoformat()
    api(member).post(f"/api/proposals/{proposal.pk}/extend/", {"closes_at": later, "reason": "Holidays"}, format="json")
    close_proposal(proposal)
    api(admin_user).post(f"/api/proposals/{proposal.pk}/reopen/", {"closes_at": later, "reason": "Missed"},
                         format="json")
    entries = list(AuditEntry.objects.filter(object_type="proposal").order_by("id").values_list("action", "after"))
    assert [action for action, _after in entries] == ["proposal.edited", "proposal.extended", "proposal.reopened"]
    assert entries[0][1] == {"majority": "two_thirds"}
    assert entries[1][1]["reason"] == "Holidays" and entries[2][1]["reason"] == "Missed"
