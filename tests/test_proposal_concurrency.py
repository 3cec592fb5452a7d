"""Closing happens once, and every stance is either counted or refused, under real concurrency
(threads on PostgreSQL: SQLite has no row locks)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import Role
from proposals import services
from proposals.models import Proposal, ProposalView, Stance
from tests.conftest import make_user, requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _run(workers):
    """Start every worker at once (a barrier), wait for all, re-raise the first error."""
    barrier = threading.Barrier(len(workers))
    errors, results = [], [None] * len(workers)

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def voters(group, admin_user):
    people = [admin_user]
    for i in range(8):
        email = f"c{i}@example.org"
        make_user(email)
        membership, _ = group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None, send_invitation=False)
        people.append(membership.user)
    return people


def _open(group, author, hours=1):
    return services.open_proposal(
        group=group, title="Concurrent", author=author, notify=False, closes_at=timezone.now() + timedelta(hours=hours)
    )


def test_two_sweeps_at_once_close_each_proposal_once(group, voters):
    proposals = [_open(group, voters[0]) for _ in range(3)]
    for p in proposals:
        services.set_stance(proposal=p, user=voters[1], choice="agree")
    later = timezone.now() + timedelta(hours=2)
    results, errors = _run([lambda: services.close_due_proposals(now=later) for _ in range(8)])
    assert errors == []
    assert sum(results) == 3  # each proposal closed by exactly one sweep
    for p in proposals:
        p.refresh_from_db()
        assert p.closed_at == later and p.outcome == Proposal.Outcome.ADOPTED
        assert (p.final_voted, p.final_agree) == (1, 1)


def test_an_early_close_racing_the_sweep_gives_one_outcome(group, voters):
    proposal = _open(group, voters[0])
    services.set_stance(proposal=proposal, user=voters[1], choice="disagree")
    later = timezone.now() + timedelta(hours=2)
    workers = [lambda: services.close_due_proposals(now=later)] * 4 + [
        lambda: services.close_proposal(proposal=proposal, actor=voters[0], notify=False)
    ] * 4
    _results, errors = _run(workers)
    assert errors == []
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.REJECTED and proposal.final_disagree == 1


def test_every_stance_racing_the_close_is_counted_or_refused(group, voters):
    proposal = _open(group, voters[0], hours=5)
    later = timezone.now() + timedelta(hours=6)

    def vote(user):
        def fn():
            try:
                services.set_stance(proposal=proposal, user=user, choice="agree")
                return "saved"
            except DomainError as exc:
                return exc.code

        return fn

    workers = [vote(u) for u in voters[1:]] + [lambda: services.close_due_proposals(now=later)] * 4
    results, errors = _run(workers)
    assert errors == []
    stance_results = results[: len(voters) - 1]
    assert set(stance_results) <= {"saved", "proposal_closed"}
    proposal.refresh_from_db()
    assert proposal.final_voted == stance_results.count("saved") == proposal.final_agree
    assert Stance.objects.filter(proposal=proposal).count() == stance_results.count("saved")


def test_concurrent_changes_by_one_voter_leave_one_latest_stance(group, voters):
    proposal = _open(group, voters[0])
    choices = ["agree", "disagree", "abstain", "block"] * 2
    _results, errors = _run(
        [lambda c=c: services.set_stance(proposal=proposal, user=voters[1], choice=c, reason=c) for c in choices]
    )
    assert errors == []
    assert Stance.objects.filter(proposal=proposal, user=voters[1], is_latest=True).count() == 1
    assert Stance.objects.filter(proposal=proposal, user=voters[1]).count() >= 4


def test_concurrent_first_views_record_one_view(group, voters):
    proposal = _open(group, voters[0])
    results, errors = _run([lambda: services.record_view(proposal=proposal, user=voters[2]) for _ in range(8)])
    assert errors == []
    assert results.count(True) == 1
    assert ProposalView.objects.filter(proposal=proposal, user=voters[2]).count() == 1
