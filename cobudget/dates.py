"""Dates written one way per context, in the group's time zone.

Two styles, whatever the page: `datetime` for a moment (« 1er décembre 2026 à 21:14 », a
deadline, a comment, a phase) and `date` for a day (« 2 décembre 2026 », a decision in the
history, a link's expiry). Pages call them through the `when` template tag
(groups/templatetags/cobudget.py) with the group whose clock counts.
"""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

STYLES = ("datetime", "date")


def zone_of(group_or_zone) -> zoneinfo.ZoneInfo:
    """The time zone of a group (or a zone name); the site's for anything else."""
    name = getattr(group_or_zone, "time_zone", group_or_zone) or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def format_when(value: datetime, style: str = "datetime", zone=None) -> str:
    if value is None:
        return ""
    if style not in STYLES:
        raise ValueError(f"unknown date style {style!r}")
    # A day (date, an expense's spent_on) has no time zone and is written as it is.
    local = timezone.localtime(value, zone_of(zone)) if isinstance(value, datetime) and timezone.is_aware(value) else value
    if not isinstance(value, datetime):
        style = "date"
    day = formats.date_format(local, "j F Y")
    if local.day == 1 and (get_language() or "")[:2] == "fr":
        day = "1er" + day[1:]  # « le 1er décembre », as French writes the first of the month
    if style == "date":
        return day
    return _("%(date)s at %(time)s") % {"date": day, "time": formats.time_format(local, "H:i")}
