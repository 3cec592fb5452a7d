"""The meeting's proposal for a bucket to decide is written the local way, in the instance's
language, whoever closed the round; and only an admin (or the sweep) closes a round."""

import pytest
from django.utils import translation

from cobudget.errors import DomainError
from proposals.models import Proposal
from results.services import close_round
from tests.builders import allocate, make_bucket, make_round, open_funding


@pytest.fixture
def round_with_a_bucket_to_decide(group, admin_user, member):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    bucket = make_bucket(round, member, title="Atelier", min_amount="1000.00", max_amount="1500.00")
    open_funding(round)
    allocate(member, bucket, "400.00")
    allocate(admin_user, bucket, "200.00")
    return round


@pytest.mark.django_db
def test_the_decision_is_written_in_french_with_french_amounts(round_with_a_bucket_to_decide, admin_user, settings):
    settings.LANGUAGE_CODE = "fr"
    with translation.override("en"):  # an admin browsing in English closes it
        close_round(round=round_with_a_bucket_to_decide, actor=admin_user)
    proposal = Proposal.objects.get(bucket__title="Atelier")
    assert "600,00\u00a0€" in proposal.details and "1\u00a0000,00\u00a0€" in proposal.details
    assert "Atelier" in proposal.title and "60" in proposal.title
    assert "EUR" not in proposal.details


@pytest.mark.django_db
def test_a_member_cannot_close_a_round_through_the_service(round_with_a_bucket_to_decide, member):
    with pytest.raises(DomainError) as info:
        close_round(round=round_with_a_bucket_to_decide, actor=member)
    assert info.value.status == 403
    round_with_a_bucket_to_decide.refresh_from_db()
    assert round_with_a_bucket_to_decide.closed_at is None
