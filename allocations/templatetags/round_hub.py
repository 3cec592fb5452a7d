"""{% round_hub round "results" %}: the links every page of a round offers, by role, so that
an admin or the accountant reaches results, exports, envelopes, paper forms, guidelines,
editing and closing early from wherever they are (and the group page lists them per round).

Who sees what:
- everyone in the group: the projects, the guidelines, and the results once the round is
  closed;
- admins and accountants: the results while they are live, the exports, the envelopes, the
  queue of expenses to decide and to pay;
- admins: paper forms (while funding), editing, closing early.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from buckets.models import Phase
from groups.models import Role
from groups.selectors import membership_of

register = template.Library()

READERS = (Role.ADMIN, Role.ACCOUNTANT)


def hub_links(round, role: str | None, current: str = "") -> list[dict]:
    """The links of a round's hub for a person of `role`, in the order they are shown."""
    phase = round.phase
    closed = round.closed_at is not None
    links = [("round", _("Projects"), reverse("round", args=[round.pk]))]
    if round.published_at is not None and (closed or role in READERS):
        label = _("Results") if closed else _("Live results")
        links.append(("results", label, reverse("round-results", args=[round.pk])))
    if role in READERS:
        links.append(("exports", _("Exports"), reverse("round-exports", args=[round.pk])))
        links.append(("envelopes", _("Envelopes"), reverse("round-envelopes", args=[round.pk])))
        links.append(("expenses", _("Expenses"),
                      reverse("group-expenses", args=[round.group.slug]) + f"?round={round.pk}"))
    if role == Role.ADMIN and phase == Phase.FUNDING:
        links.append(("paper", _("Paper forms"), reverse("round-paper", args=[round.pk])))
    links.append(("guidelines", _("Guidelines"), reverse("round-guidelines", args=[round.pk])))
    if role == Role.ADMIN:
        links.append(("edit", _("Edit the round"), reverse("round-edit", args=[round.pk])))
        if round.published_at is not None and not closed:
            label = _("Close early") if round.kind == round.Kind.FIXED else _("Close the fund")
            links.append(("close", label, reverse("round-close", args=[round.pk])))
    return [{"key": key, "label": label, "url": url, "current": key == current} for key, label, url in links]


@register.inclusion_tag("allocations/_round_hub.html", takes_context=True)
def round_hub(context, round, current="", compact=False):
    membership = context.get("membership")
    if membership is None or getattr(membership, "group_id", None) != round.group_id:
        membership = membership_of(context["request"].user, round.group)
    role = membership.role if membership is not None else None
    return {"round": round, "links": hub_links(round, role, current), "compact": compact}
