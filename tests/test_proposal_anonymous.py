"""Secret ballots (API.md: `anonymous`): stances are counted but never shown with names, to
anyone, anywhere (API, pages, exports, admin, history); who saw it and who voted are still
known. What was chosen is stored apart from who voted, as counts that name nobody, so the two
cannot be joined."""

import pytest

from proposals.models import AnonymousBallot, AnonymousReason, Stance
from tests.builders import add_voters, close_proposal, open_proposal

pytestmark = pytest.mark.django_db

CHOICES = {"agree", "abstain", "disagree", "block"}


@pytest.fixture
def secret(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user, anonymous=True, title="Elect the treasurer")
    api(admin_user).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "agree"}, format="json")
    api(member).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "disagree", "reason": "Too soon."},
                    format="json")
    api(member2).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "agree"}, format="json")
    return proposal


def test_nothing_stored_with_a_voter_says_what_they_chose(secret):
    stances = list(Stance.objects.filter(proposal=secret).values("user", "choice", "data", "reason"))
    assert len(stances) == 3
    assert all(s["choice"] == "" and s["data"] is None and s["reason"] == "" for s in stances)
    # the ballots are counts by content, the reasons rows with a random id: no user, no time
    assert sorted(AnonymousBallot.objects.values_list("content", "count")) == [
        ('{"choice":"abstain"}', 0), ('{"choice":"agree"}', 2), ('{"choice":"block"}', 0),
        ('{"choice":"disagree"}', 1)]
    for model in (AnonymousBallot, AnonymousReason):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"user", "voter", "created_at", "cast_by"}, model
    assert AnonymousReason.objects.get().text == "Too soon."


def test_results_are_hidden_while_open_and_counted_at_close(secret, admin_user, member, api):
    body = api(admin_user).get(f"/api/proposals/{secret.pk}/").json()
    assert body["results_hidden_until_close"] is True
    assert body["counts"] is None and body["stances"] is None
    assert (body["voted_count"], body["seen_count"]) == (3, 3)
    closed = close_proposal(secret)
    assert (closed.final_agree, closed.final_disagree, closed.outcome) == (2, 1, "adopted")
    body = api(member).get(f"/api/proposals/{secret.pk}/").json()
    assert body["counts"] == {"agree": 2, "abstain": 0, "disagree": 1, "block": 0}
    assert {s["voter"]["name"] for s in body["stances"]} == {admin_user.display_name, "Member", "Member2"}
    assert all(s["choice"] is None and s["reason"] == "" and s["data"] is None for s in body["stances"])
    assert body["my_stance"]["choice"] is None
    assert body["anonymous_reasons"] == [{"choice": "disagree", "text": "Too soon."}]


def test_the_history_of_stances_tells_who_voted_and_never_what(secret, member, api):
    close_proposal(secret)
    history = api(member).get(f"/api/proposals/{secret.pk}/stances/").json()["results"]
    assert len(history) == 3
    assert all(item["choice"] is None and item["reason"] == "" for item in history)


def test_the_page_lists_who_voted_without_their_choices(secret, member, client):
    close_proposal(secret)
    client.force_login(member)
    page = client.get(f"/proposals/{secret.pk}/").content.decode()
    assert "Secret ballot" in page and "Who voted" in page
    voted = page.split('id="who-voted"')[1].split("</ul>")[0]
    assert "Member2" in voted
    assert not any(f"stance-{c}" in voted for c in CHOICES)
    assert "Too soon." in page  # the reason, shown without its author


def test_exports_and_admin_show_no_choice_next_to_a_name(secret, admin_user, client):
    close_proposal(secret)
    client.force_login(admin_user)
    csv = b"".join(client.get("/g/artefacts/decisions.csv").streaming_content).decode("utf-8-sig")
    assert "Member2" not in csv and "2,0,1,0" in csv  # counts only
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    page = client.get(f"/admin/proposals/proposal/{secret.pk}/change/").content.decode()
    assert "Member2" in page  # who voted is known…
    stance_rows = page.split("Stances")[1].split("</fieldset>")[0] if "Stances" in page else page
    assert not any(f">{label}<" in stance_rows for label in ("Agree", "Disagree", "Abstain", "Block"))
    assert "Too soon." not in stance_rows  # …never what they chose or why


def test_a_secret_ballot_is_final_once_cast(secret, member, api):
    response = api(member).put(f"/api/proposals/{secret.pk}/stance/", {"choice": "agree"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "stance_final"
    assert AnonymousBallot.objects.get(content='{"choice":"disagree"}').count == 1


def test_a_secret_poll_counts_its_ballots_too(group, admin_user, api):
    people = add_voters(group, 3)
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Which project first?", "closes_at": "2099-01-01T12:00:00+01:00", "kind": "ranked_choice",
        "anonymous": True, "options": [{"label": "Garden"}, {"label": "Bikes"}, {"label": "Solar"}],
    }, format="json")
    assert response.status_code == 201, response.json()
    proposal_id = response.json()["id"]
    garden, bikes, solar = [o["id"] for o in response.json()["options"]]
    for person, ranking in zip(people, ([garden, bikes], [bikes, garden], [garden]), strict=True):
        assert api(person).put(f"/api/proposals/{proposal_id}/stance/", {"ranking": ranking},
                               format="json").status_code == 200
    from proposals.models import Proposal

    closed = close_proposal(Proposal.objects.get(pk=proposal_id))
    assert closed.winner_id == garden
    assert not Stance.objects.filter(proposal_id=proposal_id).exclude(data=None).exists()


def test_the_four_counters_exist_before_anyone_votes(group, admin_user):
    """Otherwise the counter a first ballot creates would tell what the first voter chose."""
    proposal = open_proposal(group, admin_user, anonymous=True)
    assert sorted(AnonymousBallot.objects.filter(proposal=proposal).values_list("content", "count")) == [
        ('{"choice":"abstain"}', 0), ('{"choice":"agree"}', 0), ('{"choice":"block"}', 0),
        ('{"choice":"disagree"}', 0)]


def test_a_closed_secret_ballot_is_not_reopened(secret, admin_user, api):
    close_proposal(secret)
    response = api(admin_user).post(f"/api/proposals/{secret.pk}/reopen/", {
        "closes_at": "2099-01-01T10:00:00+01:00", "reason": "One more voter"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "secret_ballot_final"
