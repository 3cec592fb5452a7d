"""The expenses export (API.md "After funding", "Exports"): one row an expense, as CSV and
.xlsx, machine-readable by default and French with ?sep=semicolon, text that never runs as
a formula, a file name with the round, the export and the day, and an audit row for each
download."""

import csv
import io
import re
import types
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry
from expenses import services
from results import exports
from tests.builders import funded_in_closed_round, pdf_upload
from tests.export_readers import body, download


@pytest.fixture
def round_(group, admin_user, member, member2, accountant):
    bucket = funded_in_closed_round(group, admin_user, member, member2, title="Four solaire", round_title="Budget 2026")

    def submit(amount, description, supplier=""):
        return services.submit(bucket=bucket, actor=member, description=description, amount=amount,
                               spent_on=date(2026, 11, 3), supplier=supplier, receipt=pdf_upload())

    paid = submit("120.50", "Planches", "=HYPERLINK(\"http://evil.example\",\"x\")")
    services.approve(expense=paid, actor=accountant)
    services.pay(expense=paid, actor=accountant, paid_at=date(2026, 11, 20), payment_reference="VIR-0042")
    rejected = submit("30.00", "+Taxi", "")
    services.reject(expense=rejected, actor=admin_user, reason="Hors budget")
    submit("12.00", "Vis", "Brico")
    return bucket.round


def rows(response, delimiter):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_machine_flavour_one_row_an_expense(api, round_, accountant, member):
    table = rows(download(api(accountant), round_, "expenses"), ",")
    assert table[0] == [column.key for column in exports.EXPENSES.columns]
    by_description = {row[3]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert set(by_description) == {"Planches", "'+Taxi", "Vis"}
    paid = by_description["Planches"]
    assert paid["status"] == "paid" and paid["amount"] == "120.50" and paid["spent_on"] == "2026-11-03"
    assert paid["paid_at"] == "2026-11-20" and paid["payment_reference"] == "VIR-0042"
    assert paid["submitted_by"] == member.name and paid["currency"] == "EUR"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", paid["submitted_at"])
    # Formula injection: neutralised in CSV.
    assert paid["supplier"].startswith("'=")
    assert by_description["'+Taxi"]["status"] == "rejected" and by_description["'+Taxi"]["reason"] == "Hors budget"
    assert by_description["Vis"]["status"] == "pending" and by_description["Vis"]["paid_at"] == ""


def test_french_flavour_headers_statuses_and_dates(api, round_, accountant):
    table = rows(download(api(accountant), round_, "expenses", french=True), ";")
    assert table[0][:8] == ["N° de dépense", "N° de projet", "Projet", "Description", "Fournisseur", "Montant",
                            "Dépensé le", "Statut"]
    paid = next(row for row in table[1:] if row[3] == "Planches")
    assert paid[5] == "120,50" and paid[6] == "03/11/2026" and paid[7] == "Payée" and paid[13] == "20/11/2026"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", paid[9])
    assert {row[7] for row in table[1:]} == {"Payée", "Refusée", "En attente"}


@pytest.mark.parametrize("french", [False, True])
def test_xlsx_cells_are_typed_and_text_stays_text(api, round_, accountant, french):
    response = download(api(accountant), round_, "expenses", extension="xlsx", french=french)
    ws = load_workbook(io.BytesIO(body(response))).worksheets[0]
    header = [cell.value for cell in ws[1]]
    assert len(header) == len(exports.EXPENSES.columns)
    cells = {row[3].value: {c.key: cell for c, cell in zip(exports.EXPENSES.columns, row, strict=True)}
             for row in ws.iter_rows(min_row=2)}
    paid = cells["Planches"]
    assert paid["expense_id"].data_type == "n" and paid["amount"].value == Decimal("120.5")
    assert "€" in paid["amount"].number_format
    assert paid["spent_on"].is_date and paid["spent_on"].number_format == "dd/mm/yyyy"
    assert paid["spent_on"].value.date() == date(2026, 11, 3)
    assert paid["submitted_at"].is_date
    assert paid["supplier"].data_type == "s" and paid["supplier"].value.startswith("=HYPERLINK")
    assert paid["status"].value == ("Payée" if french else "paid")


def test_file_names_and_the_audit_trail(api, round_, accountant):
    client = api(accountant)
    names = set()
    for extension in ("csv", "xlsx"):
        for french in (False, True):
            disposition = download(client, round_, "expenses", extension=extension, french=french)["Content-Disposition"]
            name = re.search(r'filename="([^"]+)"', disposition).group(1)
            assert re.fullmatch(rf"artefacts-budget-2026-expenses-\d{{4}}-\d\d-\d\d(-fr)?\.{extension}", name), name
            names.add(name)
    assert len(names) == 4
    exported = sorted(e.after["export"] for e in AuditEntry.objects.filter(action="export.downloaded"))
    assert exported == ["expenses-fr.csv", "expenses-fr.xlsx", "expenses.csv", "expenses.xlsx"]


def test_only_admins_and_accountants_download_it(api, round_, member, admin_user):
    assert api(member).get(f"/api/rounds/{round_.pk}/export/expenses.csv").status_code == 403
    assert api(admin_user).get(f"/api/rounds/{round_.pk}/export/expenses.csv").status_code == 200


def test_streamed_from_a_database_iterator(round_, monkeypatch):
    from django.db.models import query

    calls = []
    original = query.QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(query.QuerySet, "iterator", spy)
    lines = exports.csv_lines(round=round_, kind="expenses")
    assert isinstance(lines, types.GeneratorType)
    next(lines)
    next(lines)
    assert calls == [exports.CHUNK_SIZE]


def test_the_paid_amounts_add_up_to_the_buckets_paid(api, round_, accountant):
    table = rows(download(api(accountant), round_, "expenses"), ",")
    paid = sum(Decimal(row[5]) for row in table[1:] if row[7] == "paid")
    bucket = round_.buckets.get(title="Four solaire")
    assert paid == bucket.paid_amount == Decimal("120.50")
