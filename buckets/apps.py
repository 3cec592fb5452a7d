from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BucketsConfig(AppConfig):
    name = "buckets"
    verbose_name = _("Rounds and buckets")
