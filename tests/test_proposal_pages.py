"""The proposal pages: open one, vote (with and without htmx), close, state the outcome, comment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(group, admin_user, member, member2):
    return services.open_proposal(
        group=group, title="Paint the workshop", details="In **green**", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=2),
    )


def test_a_member_opens_a_board_vote_from_the_form(client, group, member, member2, contributor):
    client.force_login(member)
    assert client.get("/g/artefacts/proposals/new/").status_code == 200
    response = client.post(
        "/g/artefacts/proposals/new/",
        {
            "title": "Board: renew the lease",
            "details": "Three more years.",
            "closes_at": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "voters": "named",
            "named_voters": [member.pk, contributor.pk],
            "quorum_percent": "50",
            "block_vetoes": "on",
        },
    )
    proposal = Proposal.objects.get(title="Board: renew the lease")
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/"
    assert set(proposal.named_voters.all()) == {member, contributor}
    assert proposal.quorum_percent == 50 and proposal.block_vetoes and not proposal.voters_are_members


def test_the_form_says_what_is_wrong(client, member):
    client.force_login(member)
    html = client.post(
        "/g/artefacts/proposals/new/",
        {"title": "x", "closes_at": "2001-01-01T10:00", "voters": "named", "quorum_percent": "0"},
    ).content.decode()
    assert "The closing time must be in the future." in html or "Name at least one voter" in html


def test_a_contributor_is_sent_back_from_the_form(client, contributor):
    client.force_login(contributor)
    response = client.get("/g/artefacts/proposals/new/")
    assert response.status_code == 302


def test_the_open_list_and_the_dashboard_show_what_awaits_my_vote(client, proposal, member):
    client.force_login(member)
    html = client.get("/g/artefacts/proposals/").content.decode()
    assert "Paint the workshop" in html and "Awaiting your vote" in html
    assert "Paint the workshop" in client.get("/").content.decode()
    services.set_stance(proposal=proposal, user=member, choice="agree")
    assert "Paint the workshop" not in client.get("/").content.decode()


def test_a_stance_without_javascript_redirects_back(client, proposal, member):
    client.force_login(member)
    response = client.post(f"/proposals/{proposal.pk}/stance/", {"choice": "disagree", "reason": "Too bright"})
    assert response.status_code == 302
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'id="count-disagree">1<' in html and "Too bright" in html


def test_a_stance_with_htmx_returns_the_panel(client, proposal, member):
    client.force_login(member)
    response = client.post(f"/proposals/{proposal.pk}/stance/", {"choice": "agree"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="vote-panel"')
    assert 'id="count-agree">1<' in html


def test_a_non_voter_is_told_in_the_panel(client, group, admin_user, member, contributor):
    board = services.open_proposal(
        group=group, title="Board only", author=admin_user, notify=False, voters=[admin_user],
        closes_at=timezone.now() + timedelta(days=2),
    )
    client.force_login(member)
    assert "you can still give your opinion in the comments" in client.get(f"/proposals/{board.pk}/").content.decode()
    html = client.post(f"/proposals/{board.pk}/stance/", {"choice": "agree"}, HTTP_HX_REQUEST="true").content.decode()
    assert "You are not a voter on this proposal" in html
    client.post(f"/proposals/{board.pk}/comments/", {"body": "My **opinion**"})
    assert "<strong>opinion</strong>" in client.get(f"/proposals/{board.pk}/").content.decode()


def test_the_author_closes_and_states_the_outcome(client, proposal, admin_user, member):
    services.set_stance(proposal=proposal, user=member, choice="agree")
    client.force_login(admin_user)
    client.post(f"/proposals/{proposal.pk}/close/")
    client.post(f"/proposals/{proposal.pk}/outcome/", {"statement": "We paint in **May**."})
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'id="outcome">Adopted<' in html
    assert "<strong>May</strong>" in html
    assert "Save my stance" not in html


def test_a_member_cannot_close_someone_elses_proposal(client, proposal, member):
    client.force_login(member)
    assert "Close the vote now" not in client.get(f"/proposals/{proposal.pk}/").content.decode()
    client.post(f"/proposals/{proposal.pk}/close/")
    proposal.refresh_from_db()
    assert proposal.closed_at is None


def test_a_poll_is_opened_from_the_form_and_its_errors_are_shown_where_they_belong(client, group, member):
    from proposals.models import Proposal

    client.force_login(member)
    closes = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    html = client.post("/g/artefacts/proposals/new/", {
        "title": "When do we meet?", "closes_at": closes, "voters": "members", "quorum_percent": "0",
        "kind": "meeting_time", "slot_1": "2099-03-10T18:00",
    }).content.decode()
    assert "Give from 2 to 20 options." in html.split('name="slot_1"')[1][:600]
    response = client.post("/g/artefacts/proposals/new/", {
        "title": "Which project first?", "closes_at": closes, "voters": "members", "quorum_percent": "0",
        "kind": "ranked_choice", "options": "Garden\nBikes\n\nSolar roof",
    })
    poll = Proposal.objects.get(title="Which project first?")
    assert response.status_code == 302 and poll.kind == "ranked_choice"
    assert list(poll.options.values_list("label", flat=True)) == ["Garden", "Bikes", "Solar roof"]
