"""Reading a round's exports as an accountant's spreadsheet would, whatever the file: CSV or
.xlsx, machine or French flavour, back into rows keyed by the columns' stable keys, with
amounts as Decimal and statuses as codes (so that tests compare every file with the others)."""

import csv
import io
from decimal import Decimal

from django.utils import translation
from openpyxl import load_workbook

from buckets.models import Bucket
from results.exports import BOOL, EXPORTS, MONEY, PERCENT, STATUS

FLAVOURS = [("csv", False), ("csv", True), ("xlsx", False), ("xlsx", True)]


def download(client, round, kind: str, *, extension: str = "csv", french: bool = False):
    url = f"/api/rounds/{round.pk}/export/{kind}.{extension}" + ("?sep=semicolon" if french else "")
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def _french_statuses() -> dict[str, str]:
    with translation.override("fr"):
        return {str(label): code for code, label in Bucket.Status.choices}


def read(client, round, kind: str, *, extension: str = "csv", french: bool = False) -> list[dict]:
    """The rows of an export, keyed by column key, amounts as Decimal, statuses as codes."""
    columns = EXPORTS[kind].columns
    data = body(download(client, round, kind, extension=extension, french=french))
    if extension == "csv":
        text = data.decode("utf-8")
        assert text.startswith("\ufeff")
        table = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";" if french else ","))
    else:
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        table = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    header, rows = table[0], table[1:]
    assert len(header) == len(columns)
    statuses = _french_statuses()
    found = []
    for row in rows:
        record = {}
        for column, value in zip(columns, row, strict=True):
            if column.kind in (MONEY, PERCENT):
                value = Decimal(str(value).replace(",", ".")) if value != "" else None
            elif column.kind == STATUS and french:
                value = statuses[value]
            elif column.kind == BOOL and extension == "csv":
                value = value in ("1", "oui")
            record[column.key] = value
        found.append(record)
    return found


def total(rows, key: str, **where) -> Decimal:
    return sum((row[key] for row in rows if all(row[k] == v for k, v in where.items())), Decimal("0.00"))
