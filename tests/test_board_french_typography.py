"""The board's pages rendered in French follow French typography (cobudget/typography.py):
every kind of vote, open and closed, the meeting page, the projector and the sealed minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cobudget.typography import page_faults
from meetings import services as meeting_services
from proposals import services
from tests.builders import attend, option_ids, plan_meeting, round_with_bucket_to_decide
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(group, admin_user, member, member2, settings):
    from groups import services as group_services

    settings.LANGUAGE_CODE = "fr"  # what the group's texts and minutes are written in
    elodie = make_user("elodie@example.org", "Élodie Martin", language="fr")
    group_services.add_member(group=group, email=elodie.email, actor=None, send_invitation=False)
    voters = [admin_user, member, member2, elodie]
    _round, training = round_with_bucket_to_decide(group, admin_user, [member, member2])
    later = timezone.now() + timedelta(days=3)
    pages = []
    for kind, options, ballot in (
        ("score", ["Atelier", "Entrepôt"], lambda ids: {"scores": {ids[0]: 1, ids[1]: 0}}),
        ("ranked_choice", ["Atelier", "Entrepôt", "Jardin"], lambda ids: {"ranking": [ids[0]]}),
        ("dot_vote", ["Atelier", "Entrepôt"], lambda ids: {"dots": {ids[0]: 1}}),
        ("meeting_time", [{"starts_at": later + timedelta(days=1)}, {"starts_at": later + timedelta(days=2)}],
         lambda ids: {"availability": {ids[0]: "yes", ids[1]: "no"}}),
    ):
        for closed in (False, True):
            poll = services.open_proposal(group=group, author=admin_user, title=f"Sondage {kind}", closes_at=later,
                                          notify=False, kind=kind, options=options, voters=voters, quorum_percent=50)
            services.set_stance(proposal=poll, user=elodie, **ballot(option_ids(poll)))
            if closed:
                services.close_proposal(proposal=poll, actor=None, notify=False)
            pages.append(f"/proposals/{poll.pk}/")
    secret = services.open_proposal(group=group, author=admin_user, title="Élection", closes_at=later, notify=False,
                                    anonymous=True, quorum_percent=50, reason_required="objections")
    services.set_stance(proposal=secret, user=elodie, choice="block", reason="Trop tôt.")
    services.give_proxy(proposal=secret, giver=member2, holder=member)
    pages.append(f"/proposals/{secret.pk}/")
    meeting = plan_meeting(group, admin_user, title="Conseil d’administration", place="Orléans", items=["Affaires diverses"])
    attend(meeting, admin_user, group, [admin_user, elodie], represented={member: elodie})
    meeting_services.record_decision(meeting=meeting, actor=admin_user, bucket=training, votes_for=1,
                                     votes_against=1, votes_abstain=1, outcome="rejected")
    pages += [f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/projector/", "/g/artefacts/meetings/",
              "/g/artefacts/meetings/new/", "/g/artefacts/decisions/"]
    sealed = meeting_services.seal_minutes(meeting=meeting, actor=admin_user)
    pages += [f"/meetings/{sealed.pk}/", f"/api/meetings/{sealed.pk}/minutes.html"]
    return admin_user, pages


def test_the_board_pages_in_french_follow_french_typography(client, board):
    admin_user, pages = board
    client.force_login(admin_user)
    faults = []
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        faults += [f"{url}: {fault}" for fault in page_faults(response.content.decode())]
    assert not faults, "\n".join(faults)
