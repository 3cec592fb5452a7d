"""A meeting's agenda (API.md): built from the buckets left to decide and the open proposals
it is given, every one of them by default; only admins plan meetings."""

import pytest

from meetings.models import Meeting
from tests.builders import open_proposal, plan_meeting, round_with_bucket_to_decide

pytestmark = pytest.mark.django_db


def test_by_default_the_agenda_holds_every_bucket_to_decide_and_every_open_proposal(group, admin_user, member,
                                                                                   member2, api):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    lease = open_proposal(group, admin_user, title="Renew the lease")
    response = api(admin_user).post("/api/groups/artefacts/meetings/", {
        "title": "Conseil d'administration", "starts_at": "2099-03-12T18:30:00+01:00", "place": "Tours",
    }, format="json")
    assert response.status_code == 201, response.json()
    agenda = response.json()["agenda"]
    kinds = [(item["kind"], item["title"]) for item in agenda]
    assert ("bucket", "Training") in kinds and ("proposal", "Renew the lease") in kinds
    bucket_item = next(item for item in agenda if item["kind"] == "bucket")
    assert bucket_item["bucket"] == training.pk
    # the proposal the closing opened for the bucket is an open proposal too
    assert {i["proposal"] for i in agenda if i["kind"] == "proposal"} >= {lease.pk}


def test_the_agenda_takes_what_it_is_given(group, admin_user, member, member2, api):
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    lease = open_proposal(group, admin_user, title="Renew the lease")
    open_proposal(group, admin_user, title="Not tonight")
    response = api(admin_user).post("/api/groups/artefacts/meetings/", {
        "title": "CA", "starts_at": "2099-03-12T18:30:00+01:00", "buckets": [training.pk], "proposals": [lease.pk],
        "items": ["Questions diverses"],
    }, format="json")
    assert [(i["kind"], i["title"]) for i in response.json()["agenda"]] == [
        ("bucket", "Training"), ("proposal", "Renew the lease"), ("other", "Questions diverses")]


def test_a_bucket_not_to_decide_or_a_closed_proposal_is_refused(group, admin_user, member, member2, api):
    round_, _training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    website = round_.buckets.get(title="Website")
    response = api(admin_user).post("/api/groups/artefacts/meetings/", {
        "title": "CA", "starts_at": "2099-03-12T18:30:00+01:00", "buckets": [website.pk]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_agenda"
    assert not Meeting.objects.exists()


def test_members_read_meetings_and_only_admins_plan_them(group, admin_user, member, api):
    plan_meeting(group, admin_user)
    assert api(member).get("/api/groups/artefacts/meetings/").json()["count"] == 1
    assert api(member).post("/api/groups/artefacts/meetings/", {
        "title": "CA", "starts_at": "2099-03-12T18:30:00+01:00"}, format="json").status_code == 403


def test_the_group_page_lists_its_meetings(group, admin_user, member, client):
    plan_meeting(group, admin_user, title="Conseil de mars")
    client.force_login(member)
    html = client.get("/g/artefacts/").content.decode()
    assert "<title>Artefacts · cobudget</title>" in html
    assert "Conseil de mars" in html.split('id="meetings-h"')[1]
