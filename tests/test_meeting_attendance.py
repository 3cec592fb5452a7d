"""Attendance (API.md): `present` member ids, `represented` {member id: proxy member id}.
Whoever carries a proxy is present, nobody carries their own, a voter carries at most the
group's `max_proxies_per_voter`; the quorum counts the voters present or represented."""

import pytest

from groups.models import Group
from meetings.models import Attendance
from tests.builders import add_voters, attend, member_id, plan_meeting

pytestmark = pytest.mark.django_db


def _put(api, user, meeting, body):
    return api(user).put(f"/api/meetings/{meeting.pk}/attendance/", body, format="json")


def test_present_and_represented_make_the_quorum(group, admin_user, api):
    people = add_voters(group, 5)  # 6 voters with the admin; 50 %: 3 needed
    meeting = plan_meeting(group, admin_user)
    response = _put(api, admin_user, meeting, {
        "present": [member_id(group, admin_user), member_id(group, people[0])],
        "represented": {str(member_id(group, people[1])): member_id(group, people[0])},
    })
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["quorum"] == {"voters": 6, "present": 2, "represented": 1, "needed": 3, "met": True}
    assert body["attendance"]["represented"] == {str(member_id(group, people[1])): member_id(group, people[0])}


def test_the_attendance_is_replaced_each_time(group, admin_user, member, member2, api):
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user, member])
    attend(meeting, admin_user, group, [member2])
    assert list(Attendance.objects.values_list("user__email", flat=True)) == [member2.email]


@pytest.mark.parametrize("case, code", [
    ("self", "invalid_proxy"), ("holder_absent", "invalid_proxy"), ("both", "invalid_attendance"),
    ("unknown", "unknown_member"), ("non_voter", "invalid_proxy"),
])
def test_bad_attendance_is_refused_and_nothing_changes(group, admin_user, member, member2, accountant, api,
                                                       case, code):
    meeting = plan_meeting(group, admin_user)
    attend(meeting, admin_user, group, [admin_user])
    a, m, m2, acc = (member_id(group, u) for u in (admin_user, member, member2, accountant))
    body = {
        "self": {"present": [a, m], "represented": {str(m2): m2}},
        "holder_absent": {"present": [a], "represented": {str(m2): m}},
        "both": {"present": [a, m], "represented": {str(m): a}},
        "unknown": {"present": [a, 999999]},
        "non_voter": {"present": [a], "represented": {str(acc): a}},
    }[case]
    response = _put(api, admin_user, meeting, body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert list(Attendance.objects.values_list("user", flat=True)) == [admin_user.pk]


def test_one_voter_carries_at_most_the_groups_limit(group, admin_user, member, member2, api):
    meeting = plan_meeting(group, admin_user)
    a, m, m2 = (member_id(group, u) for u in (admin_user, member, member2))
    refused = _put(api, admin_user, meeting, {"present": [a], "represented": {str(m): a, str(m2): a}})
    assert refused.status_code == 409 and refused.json()["code"] == "proxy_limit_reached"
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=2)
    assert _put(api, admin_user, meeting, {"present": [a], "represented": {str(m): a, str(m2): a}}).status_code == 200


def test_only_admins_record_the_attendance(group, admin_user, member, api):
    meeting = plan_meeting(group, admin_user)
    assert _put(api, member, meeting, {"present": [member_id(group, member)]}).status_code == 403


def test_a_board_meeting_counts_its_quorum_against_the_board(group, admin_user, member, member2, api):
    others = add_voters(group, 6)  # 9 voting members in the group, 3 on the board
    response = api(admin_user).post("/api/groups/artefacts/meetings/", {
        "title": "Conseil", "starts_at": "2099-03-12T18:30:00+01:00", "quorum_percent": 50,
        "voters": [member_id(group, u) for u in (admin_user, member, member2)],
    }, format="json")
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    body = api(admin_user).put(f"/api/meetings/{meeting_id}/attendance/", {
        "present": [member_id(group, admin_user), member_id(group, others[0])],
        "represented": {str(member_id(group, member)): member_id(group, admin_user)},
    }, format="json").json()
    assert body["quorum"] == {"voters": 3, "present": 1, "represented": 1, "needed": 2, "met": True}
    refused = api(admin_user).put(f"/api/meetings/{meeting_id}/attendance/", {
        "present": [member_id(group, admin_user)],
        "represented": {str(member_id(group, others[1])): member_id(group, admin_user)},
    }, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_proxy"
