"""allocations.csv on PostgreSQL comes from COPY … TO STDOUT WITH CSV (bench target 4): the
same bytes as the Python path, whatever people typed: quotes, commas and semicolons, line
breaks (LF, CR, CRLF) inside a cell, formulas to neutralise, empty names, accents,
timestamps with and without microseconds, decimal commas with ?sep=semicolon."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from allocations.models import Allocation, Envelope
from buckets.models import Bucket, Round
from groups.models import User
from results import exports
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db

NASTY = [
    "Plain Name",
    "",
    'Say "hello"',
    "Dupont, Jeanne",
    "Dupont; Jeanne",
    "two\nlines",
    "carriage\rreturn",
    "windows\r\nbreak",
    '"quoted\nand broken"',
    "=SUM(A1:A9)",
    "+33 6 12",
    "-minus",
    "@mention",
    "\tTabbed",
    "\rLeading CR",
    "Zoë Ñandú — 😀",
    "trailing newline\n",
    '""',
]


@pytest.fixture
def nasty_round(group):
    now = timezone.now()
    round = Round.objects.create(group=group, title="Nasty", envelope_amount=Decimal("100.00"), published_at=now,
                                 funding_opens_at=now, funding_closes_at=now + timezone.timedelta(days=1))
    users = User.objects.bulk_create(
        [User(email=f"p{i}@nasty.example", name=name, password="!") for i, name in enumerate(NASTY)]
        + [User(email="=cmd@nasty.example", name="Formula mail", password="!")]
    )
    envelopes = Envelope.objects.bulk_create(
        [Envelope(round=round, user=u, amount=Decimal("100.00"), allocated=Decimal("0.00")) for u in users]
    )
    buckets = Bucket.objects.bulk_create(
        [Bucket(round=round, title=title, status="open", min_goal=Decimal("10.00"), max_goal=Decimal("10.00"))
         for title in ('Repair café, "atelier"', "Line\nbreak", "-1 €", "Plain")]
    )
    whole_second = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    allocations = []
    for i, envelope in enumerate(envelopes):
        for j, bucket in enumerate(buckets):
            amount = Decimal(1 + i * 7 + j * 1001) / 100 + Decimal("1234567.00") * (i == 3)
            allocations.append(Allocation(envelope=envelope, bucket=bucket, amount=amount.quantize(Decimal("0.01"))))
    Allocation.objects.bulk_create(allocations)
    Allocation.objects.filter(envelope=envelopes[0]).update(updated_at=whole_second)
    Allocation.objects.filter(envelope=envelopes[1]).update(updated_at=whole_second.replace(microsecond=500))
    return round


def _python(round, semicolon):
    return "".join(exports.csv_lines(round=round, kind="allocations", semicolon=semicolon)).encode("utf-8")


@requires_postgres
@pytest.mark.parametrize("semicolon", [False, True])
def test_copy_gives_the_bytes_of_the_python_path(nasty_round, semicolon):
    copied = b"".join(exports.csv_bytes(round=nasty_round, kind="allocations", semicolon=semicolon))
    assert copied == _python(nasty_round, semicolon)
    assert b'"two\nlines"' in copied and b"\r\n" in copied and b"'=SUM(A1:A9)" in copied


@requires_postgres
def test_line_breaks_are_converted_whatever_the_piece_boundaries(nasty_round):
    raw = b"".join(exports._copy_blocks(nasty_round))  # rows end with LF
    expected = _python(nasty_round, False).split(b"\r\n", 1)[1]  # without the header
    for step in (1, 2, 5, 13, len(raw)):
        blocks = [raw[i:i + step] for i in range(0, len(raw), step)]
        for size in (1, 64, 1 << 16):
            assert b"".join(exports._crlf(blocks, size=size)) == expected, (step, size)


def test_the_download_is_the_python_export_on_every_database(api, nasty_round, admin_user):
    for query, semicolon in (("", False), ("?sep=semicolon", True)):
        response = api(admin_user).get(f"/api/rounds/{nasty_round.pk}/export/allocations.csv{query}")
        assert response.status_code == 200 and response.streaming
        assert b"".join(response.streaming_content) == _python(nasty_round, semicolon)
