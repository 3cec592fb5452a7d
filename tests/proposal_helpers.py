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
