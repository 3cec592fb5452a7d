"""Reads that pages and the API share for rounds and buckets."""

from buckets.models import Round
from groups.models import Role
from groups.selectors import role_of


def rounds_for(*, group, user):
    """Rounds of a group the user may see: drafts only for admins."""
    rounds = Round.objects.filter(group=group).order_by("-created_at")
    if role_of(user, group) != Role.ADMIN:
        rounds = rounds.exclude(published_at=None)
    return rounds
