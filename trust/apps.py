from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    """Reading the audit trail, a person's data (export, erasure), a group's archive and the
    two-factor requirement: what reads from every app sits here, at the top."""

    name = "trust"
    verbose_name = _("Trust")
    default_auto_field = "django.db.models.BigAutoField"
