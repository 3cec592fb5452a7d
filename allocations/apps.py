from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationsConfig(AppConfig):
    name = "allocations"
    verbose_name = _("Envelopes and allocations")

    def ready(self):
        # A member who joins gets an envelope in each open round; an imported amount becomes
        # theirs; a round's new default amount reaches the envelopes nobody customised.
        from allocations import services
        from buckets import services as bucket_services
        from groups import services as group_services

        if services.on_membership_changed not in group_services.MEMBERSHIP_HOOKS:
            group_services.MEMBERSHIP_HOOKS.append(services.on_membership_changed)
        # Imports take the set-based path: a few queries per thousand rows.
        from allocations.imports import on_memberships_imported

        if on_memberships_imported not in group_services.BULK_MEMBERSHIP_HOOKS:
            group_services.BULK_MEMBERSHIP_HOOKS.append(on_memberships_imported)
        if services.on_membership_removed not in group_services.REMOVAL_HOOKS:
            group_services.REMOVAL_HOOKS.append(services.on_membership_removed)
        # The members page asks before removing someone, stating what goes back.
        from allocations import selectors
        from groups import selectors as group_selectors

        if selectors.removal_consequences not in group_selectors.REMOVAL_CONSEQUENCE_HOOKS:
            group_selectors.REMOVAL_CONSEQUENCE_HOOKS.append(selectors.removal_consequences)
        if services.on_round_changed not in bucket_services.ROUND_HOOKS:
            bucket_services.ROUND_HOOKS.append(services.on_round_changed)
