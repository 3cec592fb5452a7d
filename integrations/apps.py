from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Webhooks (chat rooms and programs) and personal calendar feeds."""

    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cobudget import events
        from integrations import webhooks

        events.listen(webhooks.on_event)
