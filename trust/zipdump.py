"""Writing JSON and CSV files into a ZIP archive (the personal export, the group archive)."""

import csv
import io
import json
import zipfile
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder

from cobudget.csvsafe import neutralise


def write_json(archive: zipfile.ZipFile, name: str, data) -> None:
    archive.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))


def write_csv(archive: zipfile.ZipFile, name: str, header: list[str], rows: Iterable[Iterable]) -> None:
    """UTF-8 with BOM (a French spreadsheet opens it as is); text that a spreadsheet would run
    as a formula is neutralised. Streamed into the archive, row by row."""
    with archive.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(cell) if isinstance(cell, str) else _plain(cell) for cell in row])


def _plain(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
