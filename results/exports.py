"""The exports of a round for admins and accountants: results (a row a bucket), allocations
(a row a member and bucket) and envelopes (a row a member), each as CSV and as .xlsx, in two
flavours:

- machine (the default): `,` separators, decimal points, the columns' stable keys as
  headers, status codes, ISO 8601 timestamps in UTC: what a script reads;
- French (`?sep=semicolon`): `;` separators, decimal commas, French headers, statuses in
  words, `dd/mm/yyyy hh:mm` in the group's time zone: what a French spreadsheet opens as is.

Every CSV is UTF-8 with a BOM. Every user-written cell starting with = + - @ (or a tab / CR)
gets a leading single quote in CSV, so that a spreadsheet never runs it as a formula; in
.xlsx such text is written as a string cell, which no spreadsheet evaluates.

Streamed: rows are produced one by one from `values_list(...).iterator()`, never loaded all
at once, so that 200,000 rows take no more memory than 20. On PostgreSQL the machine flavour
of the allocations (the big one) comes from COPY … TO STDOUT WITH CSV, formatted by the
database byte for byte as the Python path writes it. The .xlsx is written by openpyxl's
write-only mode, row by row, into a temporary file that is then streamed.

Columns are declared in one list per export (`Column`): a column read from the database is
one line. Every amount comes from the rows the results page reads (allocations.figures), so
the sums of the three exports equal the results.
"""

import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allocations.figures import (
    completion_shares_of,
    figures_of,
    member_figures_queryset,
    pending_envelopes,
    returned_after_funding,
    split_allocation,
)
from allocations.models import Allocation
from allocations.selectors import entered_on_behalf
from buckets.models import Bucket, Round
from cobudget.csvsafe import Echo, neutralise
from cobudget.dates import zone_of
from cobudget.money import CURRENCY_SYMBOLS, ZERO, places_for
from expenses.models import Expense
from results.selectors import percent_of_min, result_buckets

BOM = "\ufeff"
CHUNK_SIZE = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 (so .xlsx) cannot hold; a CSV keeps them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# What a column holds, which decides how each flavour writes it.
ID = "id"  # a stable integer id
INT = "int"
MONEY = "money"
PERCENT = "percent"
WHEN = "when"  # an aware datetime
STATUS = "status"  # a bucket status code
EXPENSE_STATUS = "expense_status"  # an expense's status code
DAY = "day"  # a date (no time, no zone): an expense's day, a payment's
BOOL = "bool"
CODE = "code"  # a code such as the currency, written as is
USER_TEXT = "user_text"  # typed by people: formulas neutralised


@dataclass(frozen=True)
class Column:
    """One column: its stable key (the machine header), its header in words, what it holds,
    and the database field it is read from (None: the export's `derive` fills it in)."""

    key: str
    label: str
    kind: str
    source: str | None = None


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    help: str
    columns: tuple[Column, ...]
    query: Callable[[Round], object]  # the queryset the `source` fields are read from
    # Called once per download with the round: returns what fills the derived cells of a row
    # (a dict of the source values, completed in place).
    derive: Callable[[Round], Callable[[dict], None]] = lambda round: lambda row: None
    # Rows after the database's (a draft round's members still to receive an envelope).
    tail: Callable[[Round], Iterable[dict]] = lambda round: ()

    @property
    def sources(self) -> list[str]:
        return [c.source for c in self.columns if c.source is not None]


def rows_of(export: Export, round: Round) -> Iterator[dict]:
    """The export's rows as dicts of raw values (Decimal, datetime, int, str, None) keyed by
    column key, streamed from the database."""
    derive = export.derive(round)
    sources = export.sources
    keys = [c.key for c in export.columns if c.source is not None]
    for values in export.query(round).values_list(*sources).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(keys, values, strict=True))
        derive(row)
        yield row
    for row in export.tail(round):
        derive(row)
        yield row


# --- results: one row a bucket ---------------------------------------------------------------


def _derive_results(round: Round):
    def derive(row: dict) -> None:
        row["percent_of_min"] = percent_of_min(total=row["total"], min_goal=row["min_goal"])
        if row["status"] != Bucket.Status.TO_DECIDE:
            row["proposal_id"] = None
        if row["funded"] is None:  # never funded: nothing to pay nor to give back
            row["paid"] = row["returned"] = row["balance"] = None
        else:
            row["balance"] = row["funded"] - row["paid"]
        row["currency"] = round.currency

    return derive


RESULTS = Export(
    name="results",
    title=_("Results"),
    help=_("one row a project"),
    query=result_buckets,
    derive=_derive_results,
    columns=(
        Column("bucket_id", _("Project no."), ID, "pk"),
        Column("title", _("Project"), USER_TEXT, "title"),
        Column("status", _("Status"), STATUS, "status"),
        Column("min_goal", _("Minimum goal"), MONEY, "min_goal"),
        Column("max_goal", _("Maximum goal"), MONEY, "max_goal"),
        Column("total", _("Total allocated"), MONEY, "total"),
        Column("contributors", _("Contributors"), INT, "contributors_count"),
        Column("percent_of_min", _("% of the minimum"), PERCENT),
        Column("proposal_id", _("Proposal no."), ID, "proposal_id"),
        # After funding (blank for a project never funded): what it was funded with, what its
        # paid expenses took, the balance (funded − paid) and what its completion or the
        # cancellation of its funding gave back (the whole balance, once it is done).
        Column("funded", _("Funded"), MONEY, "funded_amount"),
        Column("paid", _("Paid"), MONEY, "paid_amount"),
        Column("balance", _("Balance"), MONEY),
        Column("returned", _("Returned"), MONEY, "returned_amount"),
        Column("currency", _("Currency"), CODE),
    ),
)


# --- allocations: one row a member and bucket ------------------------------------------------


def _derive_allocations(round: Round):
    behalf = entered_on_behalf(round)  # as many entries as paper forms, not as rows
    shares = completion_shares_of(round)

    def derive(row: dict) -> None:
        row["entered_by"] = behalf.get((row["user_id"], row["bucket_id"]))
        row["funded"], row["returned"] = split_allocation(row["amount"], row["bucket_status"],
                                                          shares.get((row["user_id"], row["bucket_id"])))
        row["currency"] = round.currency

    return derive


ALLOCATIONS = Export(
    name="allocations",
    title=_("Allocations"),
    help=_("one row a member and project"),
    query=lambda round: Allocation.objects.filter(envelope__round=round).order_by("pk"),
    derive=_derive_allocations,
    columns=(
        Column("allocation_id", _("Allocation no."), ID, "pk"),
        Column("user_id", _("Member no."), ID, "envelope__user_id"),
        Column("member_email", _("E-mail"), USER_TEXT, "envelope__user__email"),
        Column("member_name", _("Member"), USER_TEXT, "envelope__user__name"),
        Column("bucket_id", _("Project no."), ID, "bucket_id"),
        Column("bucket_title", _("Project"), USER_TEXT, "bucket__title"),
        Column("bucket_status", _("Project status"), STATUS, "bucket__status"),
        Column("amount", _("Amount"), MONEY, "amount"),
        Column("updated_at", _("Last changed"), WHEN, "updated_at"),
        Column("entered_by", _("Entered on the member's behalf by"), USER_TEXT),
        # The row's parts as the round's figures count them (allocations.figures): `funded` on
        # a funded project, less what its completion gave back in a fixed round; `returned`
        # what went back (a project not funded, or that share). Their sums are the results'.
        Column("funded", _("Funded"), MONEY),
        Column("returned", _("Returned"), MONEY),
        Column("currency", _("Currency"), CODE),
    ),
)


# --- envelopes: one row a member --------------------------------------------------------------


def _derive_envelopes(round: Round):
    def derive(row: dict) -> None:
        figures = figures_of(amount=row["envelope"], allocated=row["allocated"], funded=row["funded"],
                             to_decide=row["to_decide"], returned=row["returned"])
        row.update(funded=figures.funded, to_decide=figures.to_decide, returned=figures.returned,
                   open=figures.open, unspent=figures.unspent, currency=round.currency)

    return derive


def _pending_rows(round: Round) -> Iterator[dict]:
    """A draft round: the members who will receive the default envelope at publication."""
    for user_id, email, name in pending_envelopes(round).order_by("user_id").values_list(
        "user_id", "user__email", "user__name"
    ):
        yield {"envelope_id": None, "user_id": user_id, "member_email": email, "member_name": name,
               "envelope": round.envelope_amount, "custom_amount": False, "allocated": ZERO,
               "funded": ZERO, "to_decide": ZERO, "returned": ZERO}


ENVELOPES = Export(
    name="envelopes",
    title=_("Envelopes"),
    help=_("one row a member"),
    query=lambda round: member_figures_queryset(round).order_by("pk"),
    derive=_derive_envelopes,
    tail=_pending_rows,
    columns=(
        Column("envelope_id", _("Envelope no."), ID, "pk"),
        Column("user_id", _("Member no."), ID, "user_id"),
        Column("member_email", _("E-mail"), USER_TEXT, "user__email"),
        Column("member_name", _("Member"), USER_TEXT, "user__name"),
        Column("envelope", _("Envelope"), MONEY, "amount"),
        Column("custom_amount", _("Amount set for this member"), BOOL, "is_custom"),
        Column("allocated", _("Allocated"), MONEY, "allocated"),
        Column("funded", _("Funded"), MONEY, "funded"),
        Column("to_decide", _("To decide"), MONEY, "to_decide"),
        Column("returned", _("Returned"), MONEY, "returned"),
        Column("open", _("Being funded"), MONEY),
        Column("unspent", _("Unspent"), MONEY),
        Column("currency", _("Currency"), CODE),
    ),
)

# --- expenses: one row an expense --------------------------------------------------------------


EXPENSES = Export(
    name="expenses",
    title=_("Expenses"),
    help=_("one row an expense of a funded project"),
    query=lambda round: Expense.objects.filter(bucket__round=round).order_by("pk"),
    derive=lambda round: lambda row: row.update(currency=round.currency),
    columns=(
        Column("expense_id", _("Expense no."), ID, "pk"),
        Column("bucket_id", _("Project no."), ID, "bucket_id"),
        Column("bucket_title", _("Project"), USER_TEXT, "bucket__title"),
        Column("description", _("Description"), USER_TEXT, "description"),
        Column("supplier", _("Supplier"), USER_TEXT, "supplier"),
        Column("amount", _("Amount"), MONEY, "amount"),
        Column("spent_on", _("Spent on"), DAY, "spent_on"),
        Column("status", _("Status"), EXPENSE_STATUS, "status"),
        Column("submitted_by", _("Submitted by"), USER_TEXT, "submitted_by__name"),
        Column("submitted_at", _("Submitted at"), WHEN, "submitted_at"),
        Column("decided_by", _("Decided by"), USER_TEXT, "decided_by__name"),
        Column("decided_at", _("Decided at"), WHEN, "decided_at"),
        Column("reason", _("Reason"), USER_TEXT, "reason"),
        Column("paid_at", _("Paid on"), DAY, "paid_at"),
        Column("payment_reference", _("Payment reference"), USER_TEXT, "payment_reference"),
        Column("paid_by", _("Payment recorded by"), USER_TEXT, "paid_by__name"),
        Column("receipt_name", _("Receipt"), USER_TEXT, "receipt_name"),
        Column("currency", _("Currency"), CODE),
    ),
)

EXPORTS = {export.name: export for export in (RESULTS, ALLOCATIONS, ENVELOPES, EXPENSES)}
KINDS = tuple(EXPORTS)


# --- flavours ---------------------------------------------------------------------------------


@dataclass
class Flavour:
    """How cells are written: the machine flavour or the French one. Built before the first
    row (headers and labels translated once), so that streaming needs no active language."""

    french: bool
    headers: list[str]
    statuses: dict[str, str] = field(default_factory=dict)
    expense_statuses: dict[str, str] = field(default_factory=dict)
    yes: str = "1"
    no: str = "0"
    zone: object = None

    @classmethod
    def of(cls, export: Export, round: Round, *, french: bool) -> "Flavour":
        if not french:
            return cls(french=False, headers=[c.key for c in export.columns])
        with translation.override("fr"):
            return cls(
                french=True,
                headers=[str(c.label) for c in export.columns],
                statuses={code: str(label) for code, label in Bucket.Status.choices},
                expense_statuses={code: str(label) for code, label in Expense.Status.choices},
                yes=gettext("yes"),
                no=gettext("no"),
                zone=zone_of(round.group),
            )

    def local(self, value: datetime) -> datetime:
        """A moment in the group's time zone, without its offset (what a spreadsheet shows)."""
        return timezone.localtime(value, self.zone).replace(tzinfo=None)

    def text(self, kind: str, value) -> str:
        """A CSV cell."""
        if value is None:
            return ""
        if kind == USER_TEXT:
            return neutralise(str(value))
        if kind in (MONEY, PERCENT):
            text = f"{value:.2f}"
            return text.replace(".", ",") if self.french else text
        if kind == WHEN:
            return self.local(value).strftime("%d/%m/%Y %H:%M") if self.french else value.isoformat()
        if kind == DAY:
            return value.strftime("%d/%m/%Y") if self.french else value.isoformat()
        if kind == STATUS:
            return self.statuses.get(value, value) if self.french else value
        if kind == EXPENSE_STATUS:
            return self.expense_statuses.get(value, value) if self.french else value
        if kind == BOOL:
            return self.yes if value else self.no
        return str(value)


# --- CSV --------------------------------------------------------------------------------------


def _csv_lines(export: Export, round: Round, flavour: Flavour, rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=";" if flavour.french else ",", lineterminator="\r\n")
    yield BOM + writer.writerow(flavour.headers)
    columns = [(c.key, c.kind) for c in export.columns]
    for row in rows:
        yield writer.writerow([flavour.text(kind, row[key]) for key, kind in columns])


def csv_lines(*, round: Round, kind: str, semicolon: bool = False) -> Iterator[str]:
    """The export as an iterator of CSV lines (the first one starts with the BOM), formatted
    in Python: what every database runs."""
    export = EXPORTS[kind]
    flavour = Flavour.of(export, round, french=semicolon)
    return _csv_lines(export, round, flavour, rows_of(export, round))


def csv_bytes(*, round: Round, kind: str, semicolon: bool = False) -> Iterator[bytes]:
    """The export as UTF-8 pieces: csv_lines encoded, or on PostgreSQL for the machine
    flavour of the allocations the header line then COPY's blocks (the same bytes)."""
    if kind == "allocations" and not semicolon and connection.vendor == "postgresql":
        flavour = Flavour.of(ALLOCATIONS, round, french=False)
        yield next(_csv_lines(ALLOCATIONS, round, flavour, [])).encode("utf-8")
        yield from allocations_copy(round)
        return
    for line in csv_lines(round=round, kind=kind, semicolon=semicolon):
        yield line.encode("utf-8")


# --- allocations through PostgreSQL's COPY (machine flavour) ------------------------------------


def _sql_text(column: str) -> str:
    """A user-written text column as Flavour.text writes it (a formula neutralised), empty as
    NULL so that COPY leaves the cell unquoted like csv.writer does."""
    return (f"NULLIF(CASE WHEN left({column}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
            f"THEN '''' || {column} ELSE {column} END, '')")


# The columns of ALLOCATIONS as the Python path writes them in the machine flavour: amounts
# with 2 places, funded and returned as allocations.figures.split_allocation splits them, updated_at as datetime.isoformat() in UTC (microseconds only when there are
# some), entered_by from the latest allocation row of the ledger for that member and bucket
# when someone else wrote it. COPY's CSV quoting is csv.writer's: a cell is quoted when it
# holds the delimiter, a quote, a CR or a LF, and its quotes are doubled.
ALLOCATIONS_COPY = """
COPY (
    SELECT a.id, e.user_id, {email}, {name}, a.bucket_id, {title}, b.status,
        a.amount::text,
        CASE WHEN date_trunc('second', a.updated_at) = a.updated_at
            THEN to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS+00:00')
            ELSE to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US+00:00') END,
        {entered_by},
        (CASE WHEN b.status = 'funded' THEN a.amount - COALESCE(ret.share, 0) ELSE 0 END)::numeric(14, 2)::text,
        (CASE WHEN b.status = 'funded' THEN COALESCE(ret.share, 0) WHEN b.status = 'not_funded' THEN a.amount
              ELSE 0 END)::numeric(14, 2)::text,
        {currency}
    FROM allocations_allocation a
    JOIN allocations_envelope e ON e.id = a.envelope_id
    JOIN groups_user u ON u.id = e.user_id
    JOIN buckets_bucket b ON b.id = a.bucket_id
    LEFT JOIN (
        SELECT l.member_id, l.bucket_id, actor.email
        FROM allocations_ledgerentry l
        JOIN groups_user actor ON actor.id = l.actor_id
        WHERE l.round_id = {round} AND l.kind = 'allocation' AND l.actor_id <> l.member_id
            AND l.id = (SELECT max(latest.id) FROM allocations_ledgerentry latest
                        WHERE latest.round_id = l.round_id AND latest.kind = 'allocation'
                            AND latest.member_id = l.member_id AND latest.bucket_id = l.bucket_id)
    ) behalf ON behalf.member_id = e.user_id AND behalf.bucket_id = a.bucket_id
    LEFT JOIN (
        SELECT r.member_id, r.bucket_id, sum(r.before - r.after) AS share
        FROM allocations_ledgerentry r
        WHERE r.round_id = {round} AND r.kind = 'return' AND {fixed}
        GROUP BY r.member_id, r.bucket_id
    ) ret ON ret.member_id = e.user_id AND ret.bucket_id = a.bucket_id
    WHERE e.round_id = {round}
    ORDER BY a.id
) TO STDOUT WITH (FORMAT csv, DELIMITER ',')
"""


def _crlf(blocks: Iterable[bytes], *, size: int = 1 << 16) -> Iterator[bytes]:
    """COPY sends a row a block and ends its rows with LF; csv.writer ends them with CRLF.
    Gather about `size` bytes at a time, and turn every LF outside a quoted cell into CRLF (a
    LF inside one is the user's and stays); the quote parity carries over to the next piece."""
    quoted = False
    pending: list[bytes] = []
    gathered = 0
    for block in blocks:
        pending.append(block)
        gathered += len(block)
        if gathered >= size:
            piece, quoted = _lf_to_crlf(b"".join(pending), quoted)
            yield piece
            pending, gathered = [], 0
    if pending:
        yield _lf_to_crlf(b"".join(pending), quoted)[0]


def _lf_to_crlf(piece: bytes, quoted: bool) -> tuple[bytes, bool]:
    if b'"' not in piece:
        return (piece if quoted else piece.replace(b"\n", b"\r\n")), quoted
    parts = piece.split(b'"')
    for i in range(len(parts)):
        if not quoted:
            parts[i] = parts[i].replace(b"\n", b"\r\n")
        if i < len(parts) - 1:
            quoted = not quoted
    return b'"'.join(parts), quoted


def allocations_copy(round: Round) -> Iterator[bytes]:
    """The allocation rows of the machine CSV (UTF-8 bytes) from PostgreSQL's COPY, piece by
    piece as they arrive: the same bytes as the Python path, in a fraction of its time."""
    return _crlf(_copy_blocks(round))


def _copy_blocks(round: Round) -> Iterator[bytes]:
    from psycopg import sql

    statement = sql.SQL(ALLOCATIONS_COPY).format(
        email=sql.SQL(_sql_text("u.email")),
        name=sql.SQL(_sql_text("u.name")),
        title=sql.SQL(_sql_text("b.title")),
        entered_by=sql.SQL(_sql_text("behalf.email")),
        currency=sql.Literal(round.currency),
        round=sql.Literal(round.pk),
        fixed=sql.Literal(returned_after_funding(round)),
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        yield from copy


# --- .xlsx ------------------------------------------------------------------------------------


WIDTHS = {ID: 10, INT: 10, MONEY: 14, PERCENT: 10, WHEN: 17, DAY: 11, STATUS: 14, EXPENSE_STATUS: 14, BOOL: 8, CODE: 8,
          USER_TEXT: 32}


def _money_format(currency: str) -> str:
    places = places_for(currency)
    number = "#,##0" + ("." + "0" * places if places else "")
    return f'{number} "{CURRENCY_SYMBOLS.get(currency, currency)}"'


def xlsx_file(*, round: Round, kind: str, french: bool = False):
    """The export as an .xlsx workbook in a temporary file (rewound): openpyxl's write-only
    mode writes each row as it comes, so memory holds a row at a time whatever the count.
    Cells are typed: ids and counts as integers, amounts as numbers in a money format, dates
    as dates in the group's time zone, text as text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    export = EXPORTS[kind]
    flavour = Flavour.of(export, round, french=french)
    if flavour.zone is None:
        flavour.zone = zone_of(round.group)
    workbook = Workbook(write_only=True)
    with translation.override("fr" if french else None):
        sheet = workbook.create_sheet(title=str(export.title)[:31])
    money_format = _money_format(round.currency)
    # Set before the first row, as write-only mode requires: the header stays in sight and
    # each column is wide enough for what it holds.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(export.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column.kind, 14)

    def text_cell(value: str):
        cell = WriteOnlyCell(sheet, value=XML_ILLEGAL.sub("", value))
        cell.data_type = "s"  # "=…" stays text: openpyxl would otherwise write a formula
        return cell

    def cell(kind: str, value):
        if value is None:
            return None
        if kind == MONEY:
            typed = WriteOnlyCell(sheet, value=value)
            typed.number_format = money_format
            return typed
        if kind == PERCENT:
            typed = WriteOnlyCell(sheet, value=value)
            typed.number_format = "0.00"
            return typed
        if kind == WHEN:
            typed = WriteOnlyCell(sheet, value=flavour.local(value).replace(microsecond=0))
            typed.number_format = "dd/mm/yyyy hh:mm"
            return typed
        if kind == DAY:
            typed = WriteOnlyCell(sheet, value=value)
            typed.number_format = "dd/mm/yyyy"
            return typed
        if kind in (ID, INT):
            return int(value)
        if kind == BOOL:
            return bool(value)
        if kind == STATUS:
            return text_cell(flavour.statuses.get(value, value) if french else value)
        if kind == EXPENSE_STATUS:
            return text_cell(flavour.expense_statuses.get(value, value) if french else value)
        return text_cell(str(value))

    sheet.append([text_cell(header) for header in flavour.headers])
    columns = [(c.key, c.kind) for c in export.columns]
    for row in rows_of(export, round):
        sheet.append([cell(kind, row[key]) for key, kind in columns])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


# --- responses --------------------------------------------------------------------------------


def filename(round: Round, kind: str, *, french: bool = False, extension: str = "csv") -> str:
    """e.g. artefacts-budget-2026-results-2026-03-14-fr.csv: the round, the export, the day
    (in the group's time zone) and the flavour, so that downloads never overwrite each other."""
    day = timezone.localtime(timezone.now(), zone_of(round.group)).date().isoformat()
    suffix = "-fr" if french else ""
    return f"{slugify(round.group.slug)}-{slugify(round.title) or round.pk}-{kind}-{day}{suffix}.{extension}"


def streaming_response(*, round: Round, kind: str, semicolon: bool = False) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_bytes(round=round, kind=kind, semicolon=semicolon),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(round, kind, french=semicolon)}"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(*, round: Round, kind: str, french: bool = False) -> FileResponse:
    response = FileResponse(
        xlsx_file(round=round, kind=kind, french=french),
        as_attachment=True,
        filename=filename(round, kind, french=french, extension="xlsx"),
        content_type=XLSX_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response
