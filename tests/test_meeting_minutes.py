"""Sealed minutes (API.md, PRODUCT.md "The board and its record"): an HTML page and a PDF
holding attendance, quorum, each decision with its counts and outcome, every proposal closed
since the previous minutes and the results of the rounds closed in between; fixed when
sealed, SHA-256 chained to the previous minutes; afterwards every change is 409
minutes_sealed; a correction is new minutes that refer to the old ones."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from proposals import services as proposal_services
from tests.builders import (
    attend,
    close_proposal,
    member_id,
    open_proposal,
    plan_meeting,
    round_with_bucket_to_decide,
    vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(group, admin_user, member, member2):
    """A board meeting held: a bucket funded in the room, a remote vote closed before it."""
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    remote = open_proposal(group, admin_user, title="Change the bank", majority="two_thirds")
    vote(remote, [(admin_user, "agree"), (member, "agree")])
    proposal_services.give_proxy(proposal=remote, giver=member2, holder=member)
    proposal_services.set_stance(proposal=remote, user=member2, choice="disagree", cast_by=member, via="proxy")
    proposal_services.set_statement(proposal=close_proposal(remote), actor=admin_user, statement="The account moves in June.")
    meeting = plan_meeting(group, admin_user, title="Board meeting of March", place="Tours")
    attend(meeting, admin_user, group, [admin_user, member], represented={member2: member})
    services.record_decision(meeting=meeting, actor=admin_user, bucket=training, votes_for=2, votes_against=1,
                             votes_abstain=0, outcome="adopted")
    return meeting


def test_the_sealed_minutes_hold_the_whole_record(held, admin_user, api):
    response = api(admin_user).post(f"/api/meetings/{held.pk}/seal/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == 1 and body["previous_sha256"] == "" and len(body["sha256"]) == 64
    html = api(admin_user).get(f"/api/meetings/{held.pk}/minutes.html").content.decode()
    assert hashlib.sha256(html.encode()).hexdigest() == body["sha256"]
    for expected in (
        "Minutes no. 1", "Board meeting of March", "Tours",
        "Present (2):", "Member2, represented by Member",
        "3 of the 3 voting members present or represented",
        "Fund “Training” at the amount reached", "For: 2 — against: 1 — abstentions: 0.",
        "“Training” is funded at the amount reached, €160.00.",
        "Change the bank", "Agree: 2 — abstain: 0 — disagree: 1 — block: 0.", "The account moves in June.",
        "Member2 (by proxy, cast by Member)",
        "Round 2026", "Website",
        "First minutes of the register.",
    ):
        assert expected in html, expected


def test_the_pdf_is_drawn_from_the_same_document(held, admin_user, member, api):
    pytest.importorskip("weasyprint")
    services.seal_minutes(meeting=held, actor=admin_user)
    response = api(member).get(f"/api/meetings/{held.pk}/minutes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert "artefacts-pv-1-" in response["Content-Disposition"]


def test_a_sealed_meeting_refuses_every_change(held, admin_user, member, group, api):
    services.seal_minutes(meeting=held, actor=admin_user)
    sealed = Meeting.objects.get(pk=held.pk)
    for method, path, body in (
        ("post", "seal/", {}),
        ("put", "attendance/", {"present": [member_id(group, member)]}),
        ("post", "decisions/", {"title": "More", "for": 1, "against": 0, "outcome": "adopted"}),
        ("patch", "", {"title": "Renamed"}),
    ):
        response = getattr(api(admin_user), method)(f"/api/meetings/{held.pk}/{path}", body, format="json")
        assert response.status_code == 409 and response.json()["code"] == "minutes_sealed", path
    after = Meeting.objects.get(pk=held.pk)
    assert (after.title, after.minutes_html, after.sha256, after.sealed_at) == (
        sealed.title, sealed.minutes_html, sealed.sha256, sealed.sealed_at)
    assert after.decisions.count() == 1 and after.attendance.count() == 3


def test_the_next_minutes_chain_to_the_previous_and_hold_only_what_came_after(held, group, admin_user, member,
                                                                               member2):
    first = services.seal_minutes(meeting=held, actor=admin_user, now=timezone.now())
    later = open_proposal(group, admin_user, title="Buy chairs")
    vote(later, [(admin_user, "agree")])
    close_proposal(later)
    second = plan_meeting(group, admin_user, title="Board meeting of April", buckets=[], proposals=[])
    attend(second, admin_user, group, [admin_user, member, member2])
    second = services.seal_minutes(meeting=second, actor=admin_user, now=timezone.now() + timedelta(seconds=1))
    assert second.number == 2 and second.previous_sha256 == first.sha256
    assert f'<meta name="previous-sha256" content="{first.sha256}">' in second.minutes_html
    assert "Buy chairs" in second.minutes_html and "Change the bank" not in second.minutes_html


def test_a_correction_is_new_minutes_that_refer_to_the_old_ones(held, admin_user, api):
    services.seal_minutes(meeting=held, actor=admin_user)
    response = api(admin_user).post(f"/api/meetings/{held.pk}/correct/",
                                    {"text": "Karim was present, not represented."}, format="json")
    assert response.status_code == 201, response.json()
    correction = Meeting.objects.get(pk=response.json()["id"])
    assert correction.corrects_id == held.pk
    sealed = services.seal_minutes(meeting=correction, actor=admin_user)
    assert "These minutes correct minutes no. 1" in sealed.minutes_html
    assert "Karim was present, not represented." in sealed.minutes_html
    assert Meeting.objects.get(pk=held.pk).minutes_html == Meeting.objects.get(pk=held.pk).minutes_html
    assert sealed.previous_sha256 == Meeting.objects.get(pk=held.pk).sha256


def test_an_unsealed_meeting_shows_a_draft_and_cannot_be_corrected(held, admin_user, api):
    html = api(admin_user).get(f"/api/meetings/{held.pk}/minutes.html").content.decode()
    assert "Draft: these minutes are not sealed" in html
    response = api(admin_user).post(f"/api/meetings/{held.pk}/correct/", {"text": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_correction"


def test_only_admins_seal(held, member, api):
    assert api(member).post(f"/api/meetings/{held.pk}/seal/").status_code == 403
    assert Meeting.objects.get(pk=held.pk).sealed_at is None


def test_the_meeting_leaves_its_trace_in_the_audit_trail(held, admin_user):
    from audit.models import AuditEntry

    services.seal_minutes(meeting=held, actor=admin_user)
    actions = list(AuditEntry.objects.filter(object_type="meeting").order_by("id").values_list("action", flat=True))
    assert actions == ["meeting.planned", "meeting.attendance_recorded", "meeting.decision_recorded",
                       "meeting.minutes_sealed"]
    sealed = AuditEntry.objects.get(action="meeting.minutes_sealed")
    assert sealed.after["sha256"] == Meeting.objects.get(pk=held.pk).sha256
