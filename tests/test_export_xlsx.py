"""Every export also exists as .xlsx (API.md, "Exports"): typed cells (ids as integers,
amounts as numbers in a money format, dates as dates in the group's time zone, text as text
that never runs as a formula), written by openpyxl's write-only mode, so that 100,000 rows
take no more memory than the CSV of the same rows."""

import io
import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from allocations.models import Allocation, Envelope
from buckets.models import Bucket, Round
from groups.models import User
from results import exports
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.export_readers import body, download

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(group, admin_user, member, member2):
    member.name = '=HYPERLINK("http://evil.example","x")'
    member.save()
    round_ = make_round(group, admin_user, title="Budget 2026", phase="proposals")
    bucket = make_bucket(round_, member, title="@SUM(A1) Four", min_amount="100.00", max_amount="5000.00")
    open_funding(round_)
    allocate(member, bucket, "430.00")
    allocate(member2, bucket, "120.50")
    Allocation.objects.update(updated_at=datetime(2026, 3, 1, 12, 5, tzinfo=UTC))
    closing.close_round(round=round_, actor=admin_user, notify=False)
    return round_


def sheet(client, round_, kind, french=False):
    response = download(client, round_, kind, extension="xlsx", french=french)
    assert response["Content-Type"] == exports.XLSX_TYPE
    return load_workbook(io.BytesIO(body(response))).worksheets[0]


def test_cells_are_typed(api, round_, accountant):
    ws = sheet(api(accountant), round_, "allocations")
    assert [cell.value for cell in ws[1]] == [column.key for column in exports.ALLOCATIONS.columns]
    first = {column.key: cell for column, cell in zip(exports.ALLOCATIONS.columns, ws[2], strict=True)}
    assert isinstance(first["allocation_id"].value, int) and first["allocation_id"].data_type == "n"
    assert first["amount"].data_type == "n" and first["amount"].value == 430
    assert "€" in first["amount"].number_format and "0.00" in first["amount"].number_format
    assert first["updated_at"].is_date and first["updated_at"].number_format == "dd/mm/yyyy hh:mm"
    assert first["updated_at"].value == datetime(2026, 3, 1, 13, 5)  # 12:05 UTC in Paris, as a spreadsheet date
    assert first["bucket_status"].value == "funded"


def test_user_text_is_text_never_a_formula(api, round_, accountant):
    ws = sheet(api(accountant), round_, "allocations")
    names = {cell.value: cell for cell in ws["D"][1:]}
    formula = names['=HYPERLINK("http://evil.example","x")']
    assert formula.data_type == "s"
    assert all(cell.data_type == "s" for cell in ws["F"][1:])  # bucket titles such as @SUM(A1)


def test_the_french_workbook_has_french_headers_and_statuses(api, round_, accountant):
    ws = sheet(api(accountant), round_, "results", french=True)
    assert [cell.value for cell in ws[1]][:3] == ["N° de projet", "Projet", "Statut"]
    assert ws["C2"].value == "Financé"
    assert ws["F2"].value == Decimal("550.50") or str(ws["F2"].value) == "550.5"


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak_growth_mib(run) -> float:
    """Growth of the process's peak resident memory (VmHWM, reset first) over its memory
    before `run()`: what building the file costs, whatever allocator it goes through."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _rss_kib("VmRSS")
    run()
    return (_rss_kib("VmHWM") - before) / 1024


MEMBERS, BUCKETS = 500, 200  # 100,000 allocations


@pytest.fixture
def huge_round(group):
    now = timezone.now()
    round_ = Round.objects.create(group=group, title="Huge", envelope_amount=Decimal("1000.00"), published_at=now,
                                  funding_opens_at=now, funding_closes_at=now + timezone.timedelta(days=1))
    users = User.objects.bulk_create(
        [User(email=f"m{i}@huge.example", name=f"Member {i}", password="!") for i in range(MEMBERS)], batch_size=1000,
    )
    envelopes = Envelope.objects.bulk_create(
        [Envelope(round=round_, user=u, amount=Decimal("1000.00"), allocated=Decimal("200.00")) for u in users],
        batch_size=1000,
    )
    buckets = Bucket.objects.bulk_create(
        [Bucket(round=round_, title=f"Bucket {i}", status="open", min_goal=Decimal("100.00"),
                max_goal=Decimal("10000.00"), total=Decimal("500.00"), contributors_count=MEMBERS)
         for i in range(BUCKETS)]
    )
    Allocation.objects.bulk_create(
        (Allocation(envelope=e, bucket=b, amount=Decimal("1.00")) for e in envelopes for b in buckets), batch_size=5000,
    )
    return round_


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="measures memory through Linux's /proc")
def test_a_hundred_thousand_rows_take_the_memory_of_the_csv(huge_round):
    def csv():
        for _piece in exports.csv_bytes(round=huge_round, kind="allocations", semicolon=True):
            pass

    rows = []

    def xlsx():
        with exports.xlsx_file(round=huge_round, kind="allocations", french=True) as out:
            out.seek(0, os.SEEK_END)
            rows.append(out.tell())

    xlsx_growth = _peak_growth_mib(xlsx)
    csv_growth = _peak_growth_mib(csv)
    assert rows[0] > 1_000_000  # the workbook of 100,000 rows was written
    # One bound for both files. Both grow by a few MiB at most; the same workbook built
    # in openpyxl's ordinary mode (every cell held until saved) grows by several hundred.
    bound = 16
    assert csv_growth < bound, csv_growth
    assert xlsx_growth < bound, xlsx_growth
