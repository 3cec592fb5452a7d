"""Words and numbers the proposal pages show: the quorum in words, a stance's origin, the
width of a result bar."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def quorum_words(tally) -> str:
    """« 9 votes sur 15 nécessaires »: how many took part against how many the quorum needs."""
    voted, needed = tally.voted_count, tally.votes_needed
    votes = ngettext("%(n)s vote", "%(n)s votes", voted) % {"n": voted}
    return ngettext("%(votes)s of the %(needed)s needed", "%(votes)s of the %(needed)s needed", needed) % {
        "votes": votes, "needed": needed}


@register.filter
def quorum_status(tally) -> str:
    if tally.quorum_met:
        return _("Quorum reached.")
    missing = tally.votes_needed - tally.voted_count
    return ngettext("Quorum not reached: %(n)s more vote needed.", "Quorum not reached: %(n)s more votes needed.",
                    missing) % {"n": missing}


@register.filter
def stance_origin(stance) -> str:
    """"by phone, entered by Alice", "by proxy, cast by Karim"; empty for the voter's own."""
    who = stance.cast_by.display_name if stance.cast_by_id else _("Former member")
    if stance.via == "phone":
        return _("by phone, entered by %(name)s") % {"name": who}
    if stance.via == "paper":
        return _("on paper, entered by %(name)s") % {"name": who}
    if stance.via == "proxy":
        return _("by proxy, cast by %(name)s") % {"name": who}
    return ""


@register.filter
def bar_width(value, widest) -> str:
    """A bar's width in percent of the widest one, written with a point for CSS."""
    try:
        value, widest = int(value), int(widest)
    except (TypeError, ValueError):
        return "0"
    if widest <= 0:
        return "0"
    return str(value * 100 // widest)


@register.filter
def get_item(mapping, key):
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key, mapping.get(str(key)))


@register.filter
def widest(rows, key) -> int:
    return max([int(row.get(key) or 0) for row in rows] + [0])
