"""Two-factor authentication required of a group's officers (Group.require_mfa_for_officers).

Admins and accountants read and change everything in their group; a group may ask that they
protect their account with an authenticator app (allauth.mfa's TOTP). Until they have one,
they can do nothing but set it up (trust.middleware for pages and the session API,
trust.permissions for the token API, and the allocation fast path's statement)."""

from allauth.mfa.models import Authenticator
from django.db import connection

from groups.models import Group, Membership, Role

OFFICER_ROLES = (Role.ADMIN, Role.ACCOUNTANT)
TOTP = Authenticator.Type.TOTP


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=TOTP).exists()


def groups_requiring_mfa(user) -> list[Group]:
    """The groups whose officer `user` is, that require two-factor authentication, while the
    user has none; empty when nothing is asked of them. A user loaded by the session's backend
    (groups.backends) carries the answer in `_mfa_missing`, read in the same statement: then
    only a refusal costs a query."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "_mfa_missing", None) is False:
        return []
    groups = [m.group for m in Membership.objects.filter(
        user_id=user.pk, role__in=OFFICER_ROLES, group__require_mfa_for_officers=True).select_related("group")]
    return groups if groups and not _has_totp(user) else []


def mfa_missing_sql(user: str) -> str:
    """The same rule as one SQL boolean for the person whose id is the column `user`."""
    qn = connection.ops.quote_name
    roles = ", ".join(f"'{role}'" for role in OFFICER_ROLES)
    return (
        f"(EXISTS (SELECT 1 FROM {qn(Membership._meta.db_table)} mm INNER JOIN {qn(Group._meta.db_table)} mg "
        f"ON mg.id = mm.group_id WHERE mm.user_id = {user} AND mm.role IN ({roles}) AND mg.require_mfa_for_officers) "
        f"AND NOT EXISTS (SELECT 1 FROM {qn(Authenticator._meta.db_table)} ma WHERE ma.user_id = {user} AND ma.type = '{TOTP.value}'))"
    )
