"""The audit trail as the page, the API and the CSV read it: filters from a query string,
changes laid out field by field, the CSV stream."""

import csv
import json
import re
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.selectors import Filters, entries_for, present
from buckets.models import Bucket, Guideline, Round
from cobudget.csvsafe import Echo, neutralise
from cobudget.errors import DomainError
from groups.models import Group, Membership

_MODELS = {"round": Round, "bucket": Bucket, "group": Group, "guideline": Guideline, "membership": Membership}


def filters_from(query, *, group: Group) -> Filters:
    """?action=&actor=&type=&since=YYYY-MM-DD&until=YYYY-MM-DD (days in the group's time
    zone, `until` included). A value that cannot be read is a 400 naming the field."""
    actor = (query.get("actor") or "").strip()
    if actor and not actor.isdigit():
        raise DomainError("invalid", _("The person is given by their id."), status=400, field="actor")
    zone = ZoneInfo(group.time_zone)
    days = {}
    for name in ("since", "until"):
        raw = (query.get(name) or "").strip()
        if not raw:
            days[name] = None
            continue
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            raise DomainError("invalid", _("Write the date as YYYY-MM-DD."), status=400, field=name)
        days[name] = day
    since = datetime.combine(days["since"], time.min, zone) if days["since"] else None
    until = datetime.combine(days["until"], time.max, zone) if days["until"] else None
    return Filters(
        action=(query.get("action") or "").strip()[:64],
        actor_id=int(actor) if actor else None,
        object_type=(query.get("type") or "").strip()[:64],
        since=since,
        until=until,
    )


# Keys of `before`/`after` that are not a field of the object's model.
_KEY_LABELS = {
    "coleads": gettext_lazy("co-leads"), "budget_items": gettext_lazy("budget items"), "via": gettext_lazy("joined by"),
    "fields": gettext_lazy("fields changed"), "export": gettext_lazy("export"), "reason": gettext_lazy("reason"),
    "amount": gettext_lazy("amount"), "envelopes": gettext_lazy("envelopes"), "into": gettext_lazy("merged into"),
    "events": gettext_lazy("events"), "url": gettext_lazy("address"), "outcome": gettext_lazy("outcome"),
    "created": gettext_lazy("invited"), "updated": gettext_lazy("updated"), "unchanged": gettext_lazy("unchanged"),
    "admins_demoted": gettext_lazy("admins demoted"), "funded": gettext_lazy("funded"), "to_decide": gettext_lazy("to decide"),
    "not_funded": gettext_lazy("not funded"), "closed_at": gettext_lazy("closed at"), "published_at": gettext_lazy("published at"),
    "resolved_at": gettext_lazy("resolved at"), "bucket": gettext_lazy("bucket"), "guideline": gettext_lazy("guideline"),
}
_VIA = {"invitation": gettext_lazy("invitation"), "link": gettext_lazy("invite link"), "request": gettext_lazy("request approved"),
        "open": gettext_lazy("open group")}
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")


def _field(object_type: str, key: str):
    model = _MODELS.get(object_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _field_label(object_type: str, key: str) -> str:
    if key in _KEY_LABELS:
        return str(_KEY_LABELS[key])
    label = getattr(_field(object_type, key), "verbose_name", None)
    return str(label) if label else key.replace("_", " ")


def _text(value, *, choices=None, zone=None) -> str:
    """A value in words: choices by their label, times in the group's time zone, decimals the
    local way, people by name."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(item, choices=choices, zone=zone) for item in value) or "—"
    if isinstance(value, dict):
        if set(value) == {"id", "name"}:
            return value["name"] or f"#{value['id']}"
        if "description" in value and "min_amount" in value:
            return f"{value['description']} ({_text(value['min_amount'])} – {_text(value['max_amount'])})"
        return ", ".join(f"{k}: {_text(v, zone=zone)}" for k, v in value.items())
    if isinstance(value, str):
        if choices and value in choices:
            return str(choices[value])
        if _DECIMAL.fullmatch(value):
            return formats.number_format(Decimal(value), decimal_pos=len(value.split(".")[1]), use_l10n=True)
        moment = parse_datetime(value) if "T" in value else None
        if moment is not None:
            return formats.date_format(timezone.localtime(moment, zone) if zone else moment, "SHORT_DATETIME_FORMAT")
    return str(value)


def changes(row: dict, *, zone=None) -> list[dict]:
    """Field by field: `[{label, before, after}]` for the page."""
    before = row["before"] if isinstance(row["before"], dict) else {}
    after = row["after"] if isinstance(row["after"], dict) else {}
    kind = row["object"]["type"]
    shown = []
    for key in dict.fromkeys([*before, *after]):
        field = _field(kind, key)
        choices = dict(field.choices) if getattr(field, "choices", None) else (_VIA if key == "via" else None)
        if key == "fields" and kind in _MODELS:
            value = [_field_label(kind, name) for name in after.get(key, [])]
            shown.append({"label": _field_label(kind, key), "before": "", "after": ", ".join(value)})
            continue
        shown.append({
            "label": _field_label(kind, key),
            "before": _text(before.get(key), choices=choices, zone=zone) if key in before else "",
            "after": _text(after.get(key), choices=choices, zone=zone) if key in after else "",
        })
    return shown


CSV_HEADER = ["id", "at", "actor_id", "actor", "action", "object_type", "object_id", "object", "before", "after"]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def csv_response(*, group: Group, filters: Filters, semicolon: bool = False) -> StreamingHttpResponse:
    writer = csv.writer(Echo(), delimiter=";" if semicolon else ",")
    entries = entries_for(group_id=group.pk, filters=filters)

    def stream():
        yield "\ufeff"
        yield writer.writerow(CSV_HEADER)
        batch = []
        for entry in entries.iterator(chunk_size=500):
            batch.append(entry)
            if len(batch) == 500:
                yield from _rows(writer, batch)
                batch = []
        yield from _rows(writer, batch)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{group.slug}-audit-{stamp}.csv"'
    return response


def _rows(writer, batch):
    for row in present(batch):
        actor = row["actor"]
        yield writer.writerow([
            row["id"], row["at"].astimezone(ZoneInfo("UTC")).isoformat(), actor["id"] if actor else "",
            neutralise(actor["name"] if actor else ""), row["action"], row["object"]["type"], row["object"]["id"],
            neutralise(row["object"]["label"]), neutralise(_json(row["before"])), neutralise(_json(row["after"])),
        ])
