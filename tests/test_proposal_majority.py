"""Qualified majorities (API.md, Proposals: `majority`): two thirds and three quarters of agree
+ disagree, unanimous = no disagree; abstentions left out; compared exactly in integers, and
decided at close on real stances."""

import pytest

from proposals.counting import majority_reached, proposal_outcome
from proposals.models import Proposal
from tests.builders import add_voters, close_proposal, open_proposal, vote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "agree, disagree, reached",
    [
        (2, 1, True),   # two thirds of 3, exactly
        (1, 1, False),
        (1, 2, False),
        (5, 2, True),   # 7 votes: 5 ≥ 14/3
        (4, 3, False),  # 7 votes: 4 < 14/3
        (14, 7, True),  # 21 votes: exactly two thirds
        (13, 7, False),
        (0, 0, False),  # everyone abstained: nothing adopted
    ],
)
def test_two_thirds_boundaries(agree, disagree, reached):
    assert majority_reached(agree=agree, disagree=disagree, majority="two_thirds") is reached


@pytest.mark.parametrize("agree, disagree, reached", [(3, 1, True), (2, 1, False), (6, 2, True), (5, 2, False), (0, 0, False)])
def test_three_quarters_boundaries(agree, disagree, reached):
    assert majority_reached(agree=agree, disagree=disagree, majority="three_quarters") is reached


@pytest.mark.parametrize("agree, disagree, reached", [(5, 0, True), (5, 1, False), (0, 0, False)])
def test_unanimous_means_no_disagree(agree, disagree, reached):
    assert majority_reached(agree=agree, disagree=disagree, majority="unanimous") is reached


def test_simple_majority_is_unchanged():
    assert majority_reached(agree=2, disagree=1, majority="simple")
    assert not majority_reached(agree=1, disagree=1, majority="simple")


def test_abstentions_are_left_out_of_two_thirds_but_count_for_the_quorum():
    # 7 voters: 4 agree, 2 disagree, 1 abstains: 4 ≥ 2/3 of 6, quorum of 100 % met.
    counts = {"agree": 4, "disagree": 2, "abstain": 1}
    assert proposal_outcome(voters_count=7, counts=counts, quorum_percent=100, block_vetoes=True,
                            majority="two_thirds") == "adopted"
    # 4 agree, 3 disagree among 7: 4 < 14/3.
    counts = {"agree": 4, "disagree": 3}
    assert proposal_outcome(voters_count=7, counts=counts, quorum_percent=0, block_vetoes=True,
                            majority="two_thirds") == "rejected"


def test_a_block_that_does_not_veto_counts_against_the_two_thirds():
    counts = {"agree": 2, "block": 1}
    assert proposal_outcome(voters_count=3, counts=counts, quorum_percent=0, block_vetoes=False,
                            majority="two_thirds") == "adopted"
    counts = {"agree": 2, "disagree": 1, "block": 1}
    assert proposal_outcome(voters_count=4, counts=counts, quorum_percent=0, block_vetoes=False,
                            majority="two_thirds") == "rejected"


def test_an_unknown_majority_is_a_programming_error():
    with pytest.raises(ValueError):
        majority_reached(agree=1, disagree=0, majority="most")


def test_two_thirds_of_three_board_members_adopts_at_close(group, admin_user):
    board = [admin_user, *add_voters(group, 2)]
    proposal = open_proposal(group, admin_user, voters=board, majority="two_thirds")
    vote(proposal, [(board[0], "agree"), (board[1], "agree"), (board[2], "disagree")])
    assert close_proposal(proposal).outcome == Proposal.Outcome.ADOPTED


def test_two_thirds_of_seven_with_an_abstention(group, admin_user):
    people = [admin_user, *add_voters(group, 6)]
    proposal = open_proposal(group, admin_user, majority="two_thirds")
    vote(proposal, [(p, "agree") for p in people[:4]] + [(people[4], "disagree"), (people[5], "disagree"),
                                                         (people[6], "abstain")])
    closed = close_proposal(proposal)
    assert (closed.final_agree, closed.final_disagree, closed.final_abstain) == (4, 2, 1)
    assert closed.outcome == Proposal.Outcome.ADOPTED


def test_four_of_seven_is_not_two_thirds(group, admin_user):
    people = [admin_user, *add_voters(group, 6)]
    proposal = open_proposal(group, admin_user, majority="two_thirds")
    vote(proposal, [(p, "agree") for p in people[:4]] + [(p, "disagree") for p in people[4:]])
    assert close_proposal(proposal).outcome == Proposal.Outcome.REJECTED


def test_unanimous_is_rejected_by_one_disagree(group, admin_user):
    people = [admin_user, *add_voters(group, 3)]
    proposal = open_proposal(group, admin_user, majority="unanimous")
    vote(proposal, [(p, "agree") for p in people[:3]] + [(people[3], "disagree")])
    assert close_proposal(proposal).outcome == Proposal.Outcome.REJECTED


def test_an_unknown_majority_is_refused_by_the_api_and_nothing_is_opened(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Change the statutes", "closes_at": "2099-01-01T12:00:00+01:00", "majority": "most",
    }, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_majority"
    assert "two_thirds" in response.json()["detail"]
    assert not Proposal.objects.exists()


def test_the_majority_is_read_back_by_the_api(group, admin_user, api):
    response = api(admin_user).post("/api/groups/artefacts/proposals/", {
        "title": "Change the statutes", "closes_at": "2099-01-01T12:00:00+01:00", "majority": "two_thirds",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["majority"] == "two_thirds"
    assert response.json()["kind"] == "proposal" and response.json()["winner"] is None
