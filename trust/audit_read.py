"""The audit trail as the page, the API and the CSV read it: filters from a query string,
changes laid out field by field, the CSV stream."""

import csv
import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

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


def _field_label(object_type: str, key: str) -> str:
    model = _MODELS.get(object_type)
    if model is not None:
        try:
            label = getattr(model._meta.get_field(key), "verbose_name", None)
        except FieldDoesNotExist:
            label = None
        if label:
            return str(label)
    return key.replace("_", " ")


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) or "—"
    if isinstance(value, dict):
        if set(value) == {"id", "name"}:
            return value["name"] or f"#{value['id']}"
        if "description" in value and "min_amount" in value:
            return f"{value['description']} ({value['min_amount']}–{value['max_amount']})"
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def changes(row: dict) -> list[dict]:
    """Field by field: `[{label, before, after}]` for the page."""
    before = row["before"] if isinstance(row["before"], dict) else {}
    after = row["after"] if isinstance(row["after"], dict) else {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        {"label": _field_label(row["object"]["type"], key),
         "before": _text(before.get(key)) if key in before else "",
         "after": _text(after.get(key)) if key in after else ""}
        for key in keys
    ]


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
