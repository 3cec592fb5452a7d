"""Closing a round early asks first, stating in numbers what closing now does: how far ahead
of the planned date, which projects would be funded, left to the meeting or not funded,
what was allocated. Nothing changes until confirmed; a stale or replayed confirmation
changes nothing."""

import re
from decimal import Decimal

import pytest

from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(group, admin_user, member, member2):
    round_ = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round_, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    decide = make_bucket(round_, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round_, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    open_funding(round_)
    allocate(member, funded, "200.00")
    allocate(member2, funded, "150.00")
    allocate(member, decide, "230.00")
    allocate(member2, lost, "100.00")
    return round_


def state(round_):
    return (Round.objects.get(pk=round_.pk).closed_at, dict(Bucket.objects.values_list("title", "status")),
            Proposal.objects.count())


def test_the_page_states_what_closing_now_does(client, round_, admin_user):
    before = state(round_)
    client.force_login(admin_user)
    html = client.get(f"/rounds/{round_.pk}/close/").content.decode()
    assert "Close “Round 2026” now?" in html
    # funding was planned to close in 15 days (tests/builders.make_round)
    assert re.search(r"Allocation ends now for everyone, 2\xa0weeks(, 1\xa0day)? before the planned closing \(", html)
    assert "1 project funded at the amount reached: €350.00." in html
    assert "1 project left to the meeting, €230.00: a proposal opens to decide it." in html
    assert "1 project not funded: its €100.00 go back to the members who gave them." in html
    assert "€680.00 allocated out of €1,290.00 in envelopes; €610.00 never allocated." in html
    assert "Each member receives one e-mail" in html
    assert client.post(f"/rounds/{round_.pk}/close/").status_code == 200  # a post without confirmation: the page
    assert state(round_) == before


def test_confirming_closes_and_a_replay_changes_nothing(client, round_, admin_user):
    client.force_login(admin_user)
    url = f"/rounds/{round_.pk}/close/"
    token = confirmation_token(client.get(url))
    response = client.post(url, {"confirm": token}, follow=True)
    assert "The round is closed. Here are its results." in response.content.decode()
    after = state(round_)
    assert after[0] is not None and after[2] == 1
    again = client.post(url, {"confirm": token}, follow=True)
    assert "The round was already closed." in again.content.decode()
    assert state(round_) == after


def test_a_stale_confirmation_shows_the_new_outcomes_and_closes_nothing(client, round_, admin_user, member2):
    client.force_login(admin_user)
    url = f"/rounds/{round_.pk}/close/"
    token = confirmation_token(client.get(url))
    allocate(member2, Bucket.objects.get(title="Vélo cargo"), "100.00")  # now 330 of 400: still to decide, more money
    before = state(round_)
    response = client.post(url, {"confirm": token})
    assert response.status_code == 409
    assert "1 project left to the meeting, €330.00" in response.content.decode()
    assert state(round_) == before


def test_close_round_checks_the_confirmed_outcomes_under_its_locks(round_, admin_user):
    before = state(round_)
    wrong = {"funded": (1, Decimal("350.00")), "to_decide": (1, Decimal("230.00")), "not_funded": (1, Decimal("99.00"))}
    with pytest.raises(DomainError) as refused:
        closing.close_round(round=round_, actor=admin_user, expect=wrong)
    assert refused.value.code == "confirmation_stale"
    assert state(round_) == before
    right = {**wrong, "not_funded": (1, Decimal("100.00"))}
    assert closing.close_round(round=round_, actor=admin_user, expect=right) is True


def test_members_may_not_see_the_page(client, round_, member):
    client.force_login(member)
    assert client.get(f"/rounds/{round_.pk}/close/").status_code == 403
