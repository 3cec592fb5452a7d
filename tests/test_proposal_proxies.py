"""Proxies (pouvoirs), API.md: a voter votes for another who delegated, within the group's
`max_proxies_per_voter` (default 1, 0 for none; 409 proxy_limit_reached). The rule chosen
(proposals/services.py): the giver's own vote always prevails; once they vote, their proxy is
superseded and its holder can no longer vote for them."""

import pytest

from groups.models import Group
from proposals.models import Proxy, Stance
from tests.builders import add_voters, member_id, open_proposal

pytestmark = pytest.mark.django_db


def _give(api, actor, group, proposal, holder, **extra):
    return api(actor).post(f"/api/proposals/{proposal.pk}/proxies/", {"holder": member_id(group, holder), **extra},
                           format="json")


def _vote_for(api, holder, group, proposal, giver, choice="agree"):
    return api(holder).put(f"/api/proposals/{proposal.pk}/stance/", {"proxy_for": member_id(group, giver),
                                                                    "choice": choice}, format="json")


def test_a_voter_votes_for_the_one_who_gave_them_their_proxy(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    assert _give(api, member, group, proposal, member2).status_code == 201
    response = _vote_for(api, member2, group, proposal, member, "disagree")
    assert response.status_code == 200, response.json()
    stance = Stance.objects.get(proposal=proposal)
    assert (stance.user, stance.cast_by, stance.via, stance.choice) == (member, member2, "proxy", "disagree")
    body = response.json()
    assert body["voted_count"] == 1 and body["counts"]["disagree"] == 1
    assert [(p["giver"]["name"], p["holder"]["name"], p["end"]) for p in body["proxies"]] == [
        (member.display_name, member2.display_name, "")]


def test_the_proxy_is_shown_in_the_history_of_stances(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    _give(api, member, group, proposal, member2)
    _vote_for(api, member2, group, proposal, member)
    history = api(admin_user).get(f"/api/proposals/{proposal.pk}/stances/").json()["results"]
    assert history[0]["via"] == "proxy" and history[0]["cast_by"]["name"] == member2.display_name


def test_without_a_proxy_nobody_votes_for_another(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    response = _vote_for(api, member2, group, proposal, member)
    assert response.status_code == 409 and response.json()["code"] == "no_proxy"
    assert not Stance.objects.exists()


def test_a_proxy_for_oneself_or_for_a_non_voter_is_refused(group, admin_user, member, accountant, api):
    proposal = open_proposal(group, admin_user)
    itself = _give(api, member, group, proposal, member)
    assert itself.status_code == 400 and itself.json()["code"] == "invalid_proxy"
    non_voter = _give(api, member, group, proposal, accountant)
    assert non_voter.status_code == 400 and non_voter.json()["code"] == "invalid_proxy"
    own = _vote_for(api, member, group, proposal, member)
    assert own.status_code == 400 and own.json()["code"] == "invalid_proxy"
    assert not Proxy.objects.exists() and not Stance.objects.exists()


def test_one_voter_carries_at_most_the_groups_limit(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)  # default limit: 1
    assert _give(api, member, group, proposal, admin_user).status_code == 201
    refused = _give(api, member2, group, proposal, admin_user)
    assert refused.status_code == 409 and refused.json()["code"] == "proxy_limit_reached"
    assert Proxy.objects.filter(holder=admin_user).count() == 1


def test_admins_raise_the_limit_with_the_group_api(group, admin_user, member, member2, api):
    response = api(admin_user).patch("/api/groups/artefacts/", {"max_proxies_per_voter": 2}, format="json")
    assert response.status_code == 200 and response.json()["max_proxies_per_voter"] == 2
    assert api(member).patch("/api/groups/artefacts/", {"max_proxies_per_voter": 5}, format="json").status_code == 403
    proposal = open_proposal(group, admin_user)
    assert _give(api, member, group, proposal, admin_user).status_code == 201
    assert _give(api, member2, group, proposal, admin_user).status_code == 201


def test_a_group_with_a_limit_of_zero_takes_no_proxy(group, admin_user, member, api):
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=0)
    proposal = open_proposal(group, admin_user)
    refused = _give(api, member, group, proposal, admin_user)
    assert refused.status_code == 409 and refused.json()["code"] == "proxy_limit_reached"


def test_a_lowered_limit_holds_when_the_holder_votes(group, admin_user, member, member2, api):
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=2)
    proposal = open_proposal(group, admin_user)
    _give(api, member, group, proposal, admin_user)
    _give(api, member2, group, proposal, admin_user)
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=1)
    refused = _vote_for(api, admin_user, group, proposal, member)
    assert refused.status_code == 409 and refused.json()["code"] == "proxy_limit_reached"
    assert not Stance.objects.exists()


def test_the_givers_own_vote_supersedes_the_proxy(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    _give(api, member, group, proposal, member2)
    _vote_for(api, member2, group, proposal, member, "agree")
    api(member).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "disagree"}, format="json")
    proxy = Proxy.objects.get()
    assert proxy.end == "superseded" and proxy.ended_at is not None
    again = _vote_for(api, member2, group, proposal, member, "agree")
    assert again.status_code == 409 and again.json()["code"] == "proxy_superseded"
    body = api(admin_user).get(f"/api/proposals/{proposal.pk}/").json()
    assert body["counts"]["disagree"] == 1 and body["counts"]["agree"] == 0
    # the holder's stance stays in the history
    history = api(admin_user).get(f"/api/proposals/{proposal.pk}/stances/").json()["results"]
    assert [(s["choice"], s["via"]) for s in history] == [("disagree", ""), ("agree", "proxy")]


def test_a_voter_who_has_voted_gives_no_proxy(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    api(member).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "agree"}, format="json")
    refused = _give(api, member, group, proposal, member2)
    assert refused.status_code == 409 and refused.json()["code"] == "already_voted"


def test_an_admin_records_a_paper_proxy_and_the_giver_withdraws_it(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    response = _give(api, admin_user, group, proposal, member2, giver=member_id(group, member))
    assert response.status_code == 201, response.json()
    assert response.json()["recorded_by"]["name"] == admin_user.display_name
    assert _give(api, member2, group, proposal, admin_user, giver=member_id(group, member)).status_code == 403
    withdrawn = api(member).post(f"/api/proxies/{response.json()['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["end"] == "withdrawn"
    assert _vote_for(api, member2, group, proposal, member).json()["code"] == "no_proxy"


def test_giving_a_new_proxy_replaces_the_previous_one(group, admin_user, member, member2, api):
    proposal = open_proposal(group, admin_user)
    _give(api, member, group, proposal, member2)
    _give(api, member, group, proposal, admin_user)
    assert [(p.holder, p.end) for p in Proxy.objects.order_by("pk")] == [(member2, "withdrawn"), (admin_user, "")]


def test_proxies_count_towards_the_quorum_as_the_givers_stances(group, admin_user):
    people = add_voters(group, 3)
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=3)
    from proposals import services

    proposal = open_proposal(group, admin_user, quorum_percent=100)
    for giver in people:
        services.give_proxy(proposal=proposal, giver=giver, holder=admin_user)
        services.set_stance(proposal=proposal, user=giver, choice="agree", cast_by=admin_user, via="proxy")
    services.set_stance(proposal=proposal, user=admin_user, choice="agree")
    closed = services.close_proposal(proposal=proposal, actor=None, notify=False)
    assert (closed.final_voted, closed.final_voters, closed.outcome) == (4, 4, "adopted")


def test_a_persons_export_holds_the_proxies_they_gave_or_carried(group, admin_user, member, member2, api):
    import io
    import zipfile

    proposal = open_proposal(group, admin_user)
    _give(api, member, group, proposal, member2)
    archive = zipfile.ZipFile(io.BytesIO(api(member2).get("/api/me/export/").content))
    rows = archive.read("proxies.csv").decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith(f"{proposal.pk},{member.pk},{member2.pk},")
