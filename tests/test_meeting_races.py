"""Meetings under real concurrency (PostgreSQL): two admins sealing at once seal once; two
meetings sealed at once still form one chain; two decisions on one bucket settle it once."""

import pytest

from buckets.models import Bucket
from meetings import services
from meetings.minutes import verify_register
from meetings.models import Decision, Meeting
from tests.builders import attend, plan_meeting, round_with_bucket_to_decide
from tests.conftest import requires_postgres
from tests.proposal_helpers import outcome_of, run_at_once

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_admins_sealing_at_once_seal_once(group, admin_user, member):
    from groups import services as group_services
    from groups.models import Role

    group_services.change_role(membership=member.memberships.get(group=group), role=Role.ADMIN, actor=admin_user)
    meeting = plan_meeting(group, admin_user, buckets=[], proposals=[])
    attend(meeting, admin_user, group, [admin_user, member])
    results, errors = run_at_once([
        outcome_of(lambda u=u: services.seal_minutes(meeting=meeting, actor=u)) for u in (admin_user, member) * 3
    ])
    assert errors == []
    assert results.count("ok") == 1 and results.count("minutes_sealed") == 5
    sealed = Meeting.objects.get(pk=meeting.pk)
    assert sealed.number == 1 and len(sealed.sha256) == 64


def test_meetings_sealed_at_once_form_one_chain(group, admin_user):
    meetings = [plan_meeting(group, admin_user, title=f"Meeting {i}", buckets=[], proposals=[]) for i in range(5)]
    results, errors = run_at_once([
        outcome_of(lambda m=m: services.seal_minutes(meeting=m, actor=admin_user)) for m in meetings
    ])
    assert errors == [] and results == ["ok"] * 5
    assert sorted(Meeting.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert all(not problems for _meeting, problems in verify_register(group))


def test_two_decisions_on_one_bucket_settle_it_once(group, admin_user, member, member2):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user, member, member2])
    results, errors = run_at_once([
        outcome_of(lambda o=o: services.record_decision(meeting=meeting, actor=admin_user, bucket=training,
                                                        votes_for=2, votes_against=1, outcome=o))
        for o in ("adopted", "rejected") * 3
    ])
    assert errors == []
    assert results.count("ok") == 1 and results.count("bucket_not_to_decide") == 5
    decision = Decision.objects.get(meeting=meeting)
    training.refresh_from_db()
    expected = Bucket.Status.FUNDED if decision.outcome == "adopted" else Bucket.Status.NOT_FUNDED
    assert training.status == expected
