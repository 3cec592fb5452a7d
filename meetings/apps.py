from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Board meetings and their sealed minutes. Sits above proposals and the round results:
    it reads both and settles a bucket through the one settling service of buckets."""

    name = "meetings"
    verbose_name = _("Meetings and minutes")
