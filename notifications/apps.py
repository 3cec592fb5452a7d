from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from groups import services as group_services
        from notifications.invitations import queue_invitations

        if queue_invitations not in group_services.INVITATION_HOOKS:
            group_services.INVITATION_HOOKS.append(queue_invitations)
