"""What an event says: the JSON `data` for programs, and a sentence for a chat room.

Written when the event happens, from the object in the emitter's transaction. Titles, amounts,
dates and links only: never a person's name or address (a chat room is outside the group).
Sentences are in the instance's language (French by default), dates in the group's time zone.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from buckets.models import Bucket, Phase, Round
from cobudget.money import format_money
from groups.models import Group
from proposals.models import Proposal


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _iso(value):
    return value.isoformat() if value is not None else None


def _round(round: Round) -> dict:
    return {
        "id": round.pk, "title": round.title, "kind": round.kind, "phase": str(round.phase),
        "currency": round.currency, "proposals_open_at": _iso(round.proposals_open_at),
        "funding_opens_at": _iso(round.funding_opens_at), "funding_closes_at": _iso(round.funding_closes_at),
        "meeting_at": _iso(round.meeting_at), "closed_at": _iso(round.closed_at), "url": _url(f"/rounds/{round.pk}/"),
    }


def _bucket(bucket: Bucket) -> dict:
    return {
        "id": bucket.pk, "round": bucket.round_id, "title": bucket.title, "status": bucket.status,
        "min_goal": str(bucket.min_goal), "max_goal": str(bucket.max_goal), "total": str(bucket.total),
        "currency": bucket.round.currency, "url": _url(f"/buckets/{bucket.pk}/"),
    }


def _proposal(proposal: Proposal) -> dict:
    data = {
        "id": proposal.pk, "title": proposal.title, "status": proposal.status, "closes_at": _iso(proposal.closes_at),
        "closed_at": _iso(proposal.closed_at), "outcome": proposal.outcome, "url": _url(f"/proposals/{proposal.pk}/"),
    }
    if proposal.closed_at is not None:
        data["counts"] = {"agree": proposal.final_agree, "abstain": proposal.final_abstain,
                          "disagree": proposal.final_disagree, "block": proposal.final_block,
                          "voters": proposal.final_voters, "voted": proposal.final_voted}
    return data


def data_for(event: str, obj) -> dict:
    if isinstance(obj, Round):
        return {"round": _round(obj)}
    if isinstance(obj, Bucket):
        return {"bucket": _bucket(obj), "round": {"id": obj.round_id, "title": obj.round.title}}
    if isinstance(obj, Proposal):
        return {"proposal": _proposal(obj)}
    raise TypeError(f"no payload for {type(obj).__name__}")


def _when(value, group: Group) -> str:
    return formats.date_format(timezone.localtime(value, ZoneInfo(group.time_zone)), "DATETIME_FORMAT")


def _link(title: str, url: str, chat: str) -> str:
    if chat == "slack":
        return f"<{url}|{title.replace('>', '›').replace('|', '¦')}>"
    return f"[{title.replace(']', '］')}]({url})"


def text_for(event: str, obj, group: Group, *, chat: str) -> str:
    """The chat message, in the instance's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _text(event, obj, group, chat)


def _text(event: str, obj, group: Group, chat: str) -> str:
    if event == "round.opened":
        link = _link(obj.title, _url(f"/rounds/{obj.pk}/"), chat)
        if obj.phase == Phase.FUNDING and obj.funding_closes_at:
            return _("%(round)s: funding is open until %(when)s.") % {"round": link, "when": _when(obj.funding_closes_at, group)}
        if obj.phase == Phase.FUNDING:
            return _("%(round)s: funding is open.") % {"round": link}
        return _("%(round)s is open: propose your projects.") % {"round": link}
    if event == "round.closing_soon":
        return _("%(round)s: funding closes on %(when)s.") % {
            "round": _link(obj.title, _url(f"/rounds/{obj.pk}/"), chat), "when": _when(obj.funding_closes_at, group)}
    if event == "round.closed":
        counts = {status: obj.buckets.filter(status=status).count()
                  for status in (Bucket.Status.FUNDED, Bucket.Status.TO_DECIDE, Bucket.Status.NOT_FUNDED)}
        return _("%(round)s is closed: %(funded)d funded, %(to_decide)d to decide, %(not_funded)d not funded.") % {
            "round": _link(obj.title, _url(f"/rounds/{obj.pk}/results/"), chat), **counts}
    if event == "bucket.published":
        return _("New project in %(round)s: %(bucket)s, minimum goal %(goal)s.") % {
            "round": obj.round.title, "bucket": _link(obj.title, _url(f"/buckets/{obj.pk}/"), chat),
            "goal": format_money(obj.min_goal, obj.round.currency)}
    if event == "bucket.funded":
        return _("%(bucket)s is funded: %(total)s.") % {
            "bucket": _link(obj.title, _url(f"/buckets/{obj.pk}/"), chat), "total": format_money(obj.total, obj.round.currency)}
    if event == "proposal.opened":
        return _("New proposal: %(proposal)s, open until %(when)s.") % {
            "proposal": _link(obj.title, _url(f"/proposals/{obj.pk}/"), chat), "when": _when(obj.closes_at, group)}
    if event == "proposal.closing_soon":
        return _("%(proposal)s closes on %(when)s: vote if you have not.") % {
            "proposal": _link(obj.title, _url(f"/proposals/{obj.pk}/"), chat), "when": _when(obj.closes_at, group)}
    if event == "proposal.closed":
        return _("%(proposal)s is closed: %(outcome)s.") % {
            "proposal": _link(obj.title, _url(f"/proposals/{obj.pk}/"), chat), "outcome": obj.get_outcome_display()}
    raise ValueError(event)
