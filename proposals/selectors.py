"""Reads that pages and the API share for proposals and decisions."""

from django.db.models import Exists, OuterRef, Q

from groups.models import Membership, Role
from proposals.models import Proposal, Stance

VOTING_ROLES = (Role.ADMIN, Role.MEMBER)


def voter_filter(user) -> Q:
    """Proposals on which `user` is a voter: the named list, or every member of the group."""
    member_groups = Membership.objects.filter(user=user, role__in=VOTING_ROLES).values("group_id")
    return Q(voters_are_members=False, named_voters=user) | Q(voters_are_members=True, group_id__in=member_groups)


def awaiting_vote(user):
    if not user.is_authenticated:
        return Proposal.objects.none()
    voted = Stance.objects.filter(proposal=OuterRef("pk"), user=user, is_latest=True)
    return (
        Proposal.objects.filter(closed_at=None)
        .filter(voter_filter(user))
        .filter(group__memberships__user=user)
        .exclude(Exists(voted))
        .select_related("group")
        .distinct()
        .order_by("closes_at")[:20]
    )


def open_proposals(*, group, user):
    return Proposal.objects.filter(group=group, closed_at=None).order_by("closes_at")
