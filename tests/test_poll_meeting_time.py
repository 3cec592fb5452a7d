"""Meeting-time polls: options are slots; each voter answers yes, maybe or no for every slot;
the slot with the most yes (then maybe) is chosen at close, or the author picks one on a tie;
the chosen slot is downloadable as an .ics invitation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from proposals.models import Proposal, Stance
from tests.builders import add_voters, close_proposal

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TUESDAY = datetime(2099, 3, 10, 18, 0, tzinfo=PARIS)


def _poll(api, admin_user):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Next board meeting", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "meeting_time",
        "options": [{"starts_at": TUESDAY.isoformat()},
                    {"starts_at": (TUESDAY + timedelta(days=1)).isoformat(),
                     "ends_at": (TUESDAY + timedelta(days=1, hours=3)).isoformat()}],
    }, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_slots_get_a_readable_label_and_a_default_length(group, admin_user, api, settings):
    settings.LANGUAGE_CODE = "fr"
    poll = _poll(api, admin_user)
    first, second = poll["options"]
    assert first["label"] == "mardi 10 mars 2099, 18:00–20:00"
    assert second["label"].endswith("18:00–21:00")


def test_the_slot_with_most_yes_is_chosen_and_given_as_an_invitation(group, admin_user, member, api):
    people = add_voters(group, 2)
    poll = _poll(api, admin_user)
    tue, wed = [o["id"] for o in poll["options"]]
    answers = [{tue: "yes", wed: "maybe"}, {tue: "no", wed: "yes"}, {tue: "yes", wed: "no"}]
    for person, availability in zip(people + [member], answers, strict=True):
        response = api(person).put(f"/api/proposals/{poll['id']}/stance/", {"availability": availability},
                                   format="json")
        assert response.status_code == 200, response.json()
    closed = close_proposal(Proposal.objects.get(pk=poll["id"]))
    assert closed.chosen_option_id == tue == closed.winner_id
    assert [(o["yes"], o["maybe"], o["no"]) for o in closed.final_results["options"]] == [(2, 0, 1), (1, 1, 1)]
    response = api(member).get(f"/api/proposals/{poll['id']}/invitation.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Next board meeting"
    assert event.decoded("DTSTART") == TUESDAY
    assert event.decoded("DTEND") == TUESDAY + timedelta(hours=2)


def test_a_tie_chooses_nothing_until_the_author_picks_a_slot(group, admin_user, member, api):
    poll = _poll(api, admin_user)
    tue, wed = [o["id"] for o in poll["options"]]
    api(member).put(f"/api/proposals/{poll['id']}/stance/", {"availability": {tue: "yes", wed: "yes"}}, format="json")
    close_proposal(Proposal.objects.get(pk=poll["id"]))
    refused = api(member).get(f"/api/proposals/{poll['id']}/invitation.ics")
    assert refused.status_code == 409 and refused.json()["code"] == "no_slot_chosen"
    response = api(admin_user).post(f"/api/proposals/{poll['id']}/outcome/",
                                    {"statement": "Wednesday suits the treasurer.", "chosen_option": wed}, format="json")
    assert response.status_code == 200 and response.json()["chosen_option"] == wed
    assert api(member).get(f"/api/proposals/{poll['id']}/invitation.ics").status_code == 200


def test_an_incomplete_or_unknown_answer_is_refused(group, admin_user, member, api):
    poll = _poll(api, admin_user)
    tue, wed = [o["id"] for o in poll["options"]]
    for availability in ({tue: "yes"}, {tue: "yes", wed: "perhaps"}, {tue: "yes", wed: "no", 999999: "yes"}):
        response = api(member).put(f"/api/proposals/{poll['id']}/stance/", {"availability": availability},
                                   format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_availability"
    assert not Stance.objects.exists()


def test_a_slot_needs_a_start(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "When?", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "meeting_time",
        "options": [{"label": "Tuesday"}, {"label": "Wednesday"}]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_options"
