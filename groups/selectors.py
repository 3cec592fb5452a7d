"""Reads shared by pages and the API: who may see what."""

from collections.abc import Callable

from django.http import Http404

from cobudget.search import by_name, display_name, matching
from groups.models import Group, Membership, Role

# What removing a member does beyond this app, for the confirmation page: each hook(membership=)
# returns [(sentence with its numbers, the raw figures)]. Filled by the apps above (allocations:
# the envelopes withdrawn and allocations taken back), which this app does not import.
REMOVAL_CONSEQUENCE_HOOKS: list[Callable] = []


def removal_consequences(membership: Membership) -> list[tuple[str, tuple]]:
    found = []
    for hook in REMOVAL_CONSEQUENCE_HOOKS:
        found.extend(hook(membership=membership))
    return found


def membership_of(user, group) -> Membership | None:
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = user._membership_cache = {}
    if group.pk not in cache:
        cache[group.pk] = Membership.objects.filter(group=group, user=user).first()
    return cache[group.pk]


def role_of(user, group) -> str | None:
    membership = membership_of(user, group)
    return membership.role if membership else None


def is_admin(user, group) -> bool:
    return role_of(user, group) == Role.ADMIN


def can_read_everything(user, group) -> bool:
    return role_of(user, group) in (Role.ADMIN, Role.ACCOUNTANT)


def sees_member_emails(membership, group) -> bool:
    """Member e-mails are for admins and accountants, unless the group shows them to everyone
    (Group.show_member_emails). A person always sees their own: see person_label."""
    return bool(group.show_member_emails) or (
        membership is not None and membership.role in (Role.ADMIN, Role.ACCOUNTANT)
    )


def person_label(user, *, viewer, sees_emails: bool) -> str:
    """How a field that lists people "by e-mail" shows one of them to `viewer`: the e-mail
    address to those who may see it (sees_member_emails) and to the person themself, the
    display name to everyone else."""
    if user.erased_at is None and (sees_emails or (viewer is not None and user.pk == getattr(viewer, "pk", None))):
        return user.email
    return user.display_name


def get_group_for(user, slug: str) -> tuple[Group, Membership]:
    """The group and the user's membership; 404 for anyone outside it."""
    group = Group.objects.filter(slug=slug).first()
    if group is None:
        raise Http404
    membership = membership_of(user, group)
    if membership is None:
        raise Http404
    return group, membership


def groups_of(user):
    return (
        Membership.objects.filter(user=user)
        .select_related("group")
        .order_by("group__name")
    )


def members_of(group, *, q: str = "", search_emails: bool = False):
    """The group's memberships, names in French order; `q` keeps those whose name (and
    e-mail, for those who may see addresses) holds every word, accents and case aside."""
    qs = Membership.objects.filter(group=group).select_related("user")
    if q:
        qs = matching(qs, q, [display_name("user__"), "user__email"] if search_emails else [display_name("user__")])
    return qs.order_by(*by_name("user__"))
