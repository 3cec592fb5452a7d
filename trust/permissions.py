from rest_framework import exceptions, permissions

from groups.mfa import groups_requiring_mfa
from trust.middleware import refusal


class OfficersHaveMFA(permissions.BasePermission):
    """The API's side of Group.require_mfa_for_officers (a token reaches no middleware that
    knows its person): 403 `mfa_required` until the officer has set up two-factor
    authentication. Exporting or deleting one's data stays open (RGPD)."""

    def has_permission(self, request, view):
        if getattr(view, "open_without_mfa", False):
            return True
        groups = groups_requiring_mfa(request.user)
        if groups:
            raise exceptions.PermissionDenied(refusal(groups), code="mfa_required")
        return True
