"""Builders shared by the tests of proposals, polls, proxies and meetings."""

from datetime import timedelta

from django.utils import timezone

from groups import services as group_services
from groups.models import Membership, Role
from proposals import services
from tests.conftest import make_user


def add_voters(group, n, start=0, prefix="voter"):
    """n new members of `group` (they vote on "members" proposals)."""
    people = []
    for i in range(start, start + n):
        email = f"{prefix}{i}@example.org"
        make_user(email, f"{prefix.title()} {i:02d}")
        membership, _ = group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None,
                                                  send_invitation=False)
        people.append(membership.user)
    return people


def open_(group, author, **kwargs):
    kwargs.setdefault("closes_at", timezone.now() + timedelta(days=3))
    kwargs.setdefault("title", "Buy a 3D printer")
    return services.open_proposal(group=group, author=author, notify=False, **kwargs)


def vote(proposal, choices):
    for user, choice in choices:
        services.set_stance(proposal=proposal, user=user, choice=choice)


def close(proposal):
    return services.close_proposal(proposal=proposal, actor=None, notify=False)


def member_id(group, user) -> int:
    return Membership.objects.get(group=group, user=user).pk


def option_ids(proposal) -> list[int]:
    return list(proposal.options.order_by("position").values_list("id", flat=True))


def run_at_once(workers):
    """Start every worker at once (a barrier), wait for all; returns (results, errors)."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(workers))
    errors, results = [], [None] * len(workers)

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def outcome_of(fn):
    """A worker that returns "ok" or the DomainError's code."""
    from cobudget.errors import DomainError

    def run():
        try:
            fn()
            return "ok"
        except DomainError as exc:
            return exc.code

    return run
