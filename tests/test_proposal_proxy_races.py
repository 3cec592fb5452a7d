"""Proxies under real concurrency (PostgreSQL): the group's limit holds when many voters give
their proxy to the same holder at once, and a giver voting while their holder votes for them
leaves one stance that counts, the giver's own whenever it came last or the proxy was gone."""

import pytest

from groups.models import Group
from proposals import services
from proposals.models import Proxy, Stance
from tests.builders import add_voters, open_proposal
from tests.conftest import requires_postgres
from tests.proposal_helpers import outcome_of, run_at_once

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_proxies_to_one_holder_stay_within_the_limit(group, admin_user):
    givers = add_voters(group, 6)
    Group.objects.filter(pk=group.pk).update(max_proxies_per_voter=2)
    proposal = open_proposal(group, admin_user)
    results, errors = run_at_once([
        outcome_of(lambda g=g: services.give_proxy(proposal=proposal, giver=g, holder=admin_user)) for g in givers
    ])
    assert errors == []
    assert results.count("ok") == 2 and results.count("proxy_limit_reached") == 4
    assert Proxy.objects.filter(proposal=proposal, holder=admin_user, ended_at=None).count() == 2


def test_the_giver_and_the_holder_voting_at_once_leave_one_latest_stance(group, admin_user):
    giver, holder = add_voters(group, 2)
    for _ in range(5):
        proposal = open_proposal(group, admin_user)
        services.give_proxy(proposal=proposal, giver=giver, holder=holder)
        results, errors = run_at_once([
            outcome_of(lambda p=proposal: services.set_stance(proposal=p, user=giver, choice="disagree")),
            outcome_of(lambda p=proposal: services.set_stance(proposal=p, user=giver, choice="agree", cast_by=holder,
                                                              via="proxy")),
        ])
        assert errors == []
        latest = Stance.objects.get(proposal=proposal, user=giver, is_latest=True)
        # the giver's own vote always counts; the holder's either came first (and was replaced)
        # or was refused because the proxy was already superseded
        assert latest.choice == "disagree" and latest.via == ""
        assert results[1] in ("ok", "proxy_superseded")
        assert Proxy.objects.get(proposal=proposal).end == "superseded"
