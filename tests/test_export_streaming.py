"""Exports stream: 20,000 allocation rows come out in small pieces (a line at a time from a
database iterator, or COPY's blocks on PostgreSQL), never as a list of rows or model instances
or the whole file held in memory."""

import tracemalloc
import types
from decimal import Decimal

import pytest
from django.utils import timezone

from allocations.models import Allocation, Envelope
from buckets.models import Bucket, Round
from groups.models import User
from results import exports

pytestmark = pytest.mark.django_db

MEMBERS, BUCKETS = 200, 100  # 20,000 allocations


@pytest.fixture
def big_round(group):
    now = timezone.now()
    round = Round.objects.create(group=group, title="Big", envelope_amount=Decimal("100.00"), published_at=now,
                                 funding_opens_at=now, funding_closes_at=now + timezone.timedelta(days=1))
    users = User.objects.bulk_create(
        [User(email=f"m{i}@big.example", name=f"=Member {i}", password="!") for i in range(MEMBERS)]
    )
    envelopes = Envelope.objects.bulk_create(
        [Envelope(round=round, user=u, amount=Decimal("100.00"), allocated=Decimal("100.00")) for u in users]
    )
    buckets = Bucket.objects.bulk_create(
        [Bucket(round=round, title=f"Bucket {i}", status="open", min_goal=Decimal("100.00"),
                max_goal=Decimal("1000.00"), total=Decimal("200.00"), contributors_count=MEMBERS)
         for i in range(BUCKETS)]
    )
    Allocation.objects.bulk_create(
        (Allocation(envelope=e, bucket=b, amount=Decimal("1.00")) for e in envelopes for b in buckets),
        batch_size=5000,
    )
    return round


def test_twenty_thousand_rows_stream_one_line_at_a_time(api, big_round, admin_user):
    response = api(admin_user).get(f"/api/rounds/{big_round.pk}/export/allocations.csv?sep=semicolon")
    assert response.status_code == 200
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith("\ufeff".encode()) and first.count(b";") == len(exports.ALLOCATIONS.columns) - 1
    tracemalloc.start()
    lines, pieces, total, biggest, tail = 1, 1, Decimal("0"), 0, b""
    for chunk in chunks:
        pieces += 1
        biggest = max(biggest, len(chunk))
        *rows, tail = (tail + chunk).split(b"\r\n")
        for row in rows:
            lines += 1
            total += Decimal(row.decode().split(";")[7].replace(",", "."))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert tail == b""
    assert lines == 1 + MEMBERS * BUCKETS
    assert total == Decimal("20000.00")
    # Streamed in pieces of at most ~64 KB (the file is about 1.5 MB), never built whole.
    assert pieces > 10 and biggest < 150_000, (pieces, biggest)
    # Holding 20,000 rows (let alone model instances) would take several megabytes.
    assert peak < 3_000_000, peak


def test_the_rows_come_from_a_database_iterator_not_a_list(big_round, monkeypatch):
    """The queryset is consumed with .iterator(chunk_size=…) over values_list: spy on it."""
    from django.db.models import query

    calls = []
    original = query.QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append((self._iterable_class.__name__, chunk_size))
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(query.QuerySet, "iterator", spy)
    # The big round has no expenses (their export streams the same way: test_expenses_export.py).
    for kind in ("results", "allocations", "envelopes"):
        lines = exports.csv_lines(round=big_round, kind=kind)
        assert isinstance(lines, types.GeneratorType)
        next(lines)  # the header
        next(lines)  # the first row: the database iterator is open now
    assert calls == [
        ("ValuesListIterable", exports.CHUNK_SIZE),
        ("ValuesListIterable", exports.CHUNK_SIZE),
        ("ValuesListIterable", exports.CHUNK_SIZE),
    ]
