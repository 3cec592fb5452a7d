"""Decisions taken in the room (API.md): `{title, text, for, against, abstain, bucket?,
outcome}`; a bucket left to decide becomes funded or not funded through the one settling
service, in the same transaction; counts cannot exceed the voters present or represented."""

import pytest

from buckets.models import Bucket
from meetings.models import Decision
from proposals import services as proposal_services
from proposals.models import Proposal
from tests.builders import attend, plan_meeting, round_with_bucket_to_decide

pytestmark = pytest.mark.django_db


def _decide(api, user, meeting, **body):
    body.setdefault("against", 0)
    return api(user).post(f"/api/meetings/{meeting.pk}/decisions/", body, format="json")


def test_the_board_funds_a_bucket_left_to_decide(group, admin_user, member, member2, api):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user, member, member2])
    response = _decide(api, admin_user, meeting, bucket=training.pk, outcome="adopted", **{"for": 2, "abstain": 1})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["for"], body["against"], body["abstain"]) == (2, 0, 1)
    assert body["title"] == "Fund “Training” at the amount reached"
    training.refresh_from_db()
    assert training.status == Bucket.Status.FUNDED and training.decided_at is not None


def test_a_rejection_leaves_it_unfunded_and_the_later_vote_cannot_overturn_it(group, admin_user, member, member2, api):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user, member])
    _decide(api, admin_user, meeting, bucket=training.pk, outcome="rejected", against=2, **{"for": 0})
    training.refresh_from_db()
    assert training.status == Bucket.Status.NOT_FUNDED
    # the proposal the round's closing opened for it closes later, adopted: the room's decision stands
    proposal = Proposal.objects.get(bucket=training, settles_bucket=True)
    for person in (admin_user, member, member2):
        proposal_services.set_stance(proposal=proposal, user=person, choice="agree")
    assert proposal_services.close_proposal(proposal=proposal, actor=None, notify=False).outcome == "adopted"
    training.refresh_from_db()
    assert training.status == Bucket.Status.NOT_FUNDED


def test_a_bucket_already_settled_is_refused_and_no_decision_is_written(group, admin_user, member, member2, api):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user, member])
    _decide(api, admin_user, meeting, bucket=training.pk, outcome="adopted", **{"for": 2})
    again = _decide(api, admin_user, meeting, bucket=training.pk, outcome="rejected", against=2, **{"for": 0})
    assert again.status_code == 409 and again.json()["code"] == "bucket_not_to_decide"
    assert Decision.objects.count() == 1


def test_more_votes_than_voters_present_or_represented_is_refused(group, admin_user, member, api):
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user], represented={member: admin_user})
    response = _decide(api, admin_user, meeting, title="Adopt the budget", outcome="adopted", against=1, **{"for": 2})
    assert response.status_code == 400 and response.json()["code"] == "invalid_counts"
    assert "(2)" in response.json()["detail"]
    assert _decide(api, admin_user, meeting, title="Adopt the budget", outcome="adopted",
                   **{"for": 2}).status_code == 201


def test_a_decision_needs_the_attendance_first(group, admin_user, api):
    meeting = plan_meeting(group, admin_user)
    response = _decide(api, admin_user, meeting, title="Adopt the budget", outcome="adopted", **{"for": 1})
    assert response.status_code == 409 and response.json()["code"] == "no_attendance"


@pytest.mark.parametrize("body", [{"outcome": "maybe", "for": 1}, {"outcome": "adopted", "for": -1},
                                  {"outcome": "adopted"}, {"outcome": "adopted", "for": 1, "title": ""}])
def test_bad_decisions_are_refused(group, admin_user, api, body):
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user])
    response = api(admin_user).post(f"/api/meetings/{meeting.pk}/decisions/", {"against": 0, **body}, format="json")
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_without_the_quorum_the_meeting_cannot_decide(group, admin_user, member, member2, api):
    meeting = plan_meeting(group, admin_user, quorum_percent=100)
    attend(meeting, admin_user, group, [admin_user, member])
    response = _decide(api, admin_user, meeting, title="Adopt the budget", outcome="adopted", **{"for": 2})
    assert response.status_code == 409 and response.json()["code"] == "meeting_no_quorum"
    assert "2 of the 3 needed" in response.json()["detail"]
    assert not Decision.objects.exists()
