"""Proof that each voter saw the vote: the first view of each voter is recorded once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import ProposalView

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(group, admin_user, member, member2):
    return services.open_proposal(
        group=group, title="Hire an intern", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=2),
    )


def test_seen_count_counts_each_voter_once(api, proposal, member, member2, contributor):
    url = f"/api/proposals/{proposal.pk}/"
    assert api(member).get(url).json()["seen_count"] == 1
    assert api(member).get(url).json()["seen_count"] == 1
    assert api(contributor).get(url).json()["seen_count"] == 1  # not a voter: not counted
    assert api(member2).get(url).json()["seen_count"] == 2
    assert ProposalView.objects.filter(proposal=proposal).count() == 2


def test_the_page_records_the_first_view_and_says_who_saw_it(client, proposal, member, admin_user):
    client.force_login(member)
    client.get(f"/proposals/{proposal.pk}/")
    first = ProposalView.objects.get(proposal=proposal, user=member).first_seen_at
    client.get(f"/proposals/{proposal.pk}/")
    assert ProposalView.objects.get(proposal=proposal, user=member).first_seen_at == first
    client.force_login(admin_user)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Seen by 2 of 3 voters" in html


def test_seen_count_is_frozen_at_close(api, proposal, member, member2, admin_user):
    api(member).get(f"/api/proposals/{proposal.pk}/")
    api(admin_user).post(f"/api/proposals/{proposal.pk}/close/")  # the admin's own view is recorded first
    assert api(member2).get(f"/api/proposals/{proposal.pk}/").json()["seen_count"] == 1


def test_a_voter_who_votes_without_reading_has_seen_it(api, proposal, member2):
    api(member2).put(f"/api/proposals/{proposal.pk}/stance/", {"choice": "agree"}, format="json")
    assert ProposalView.objects.filter(proposal=proposal, user=member2).count() == 1
