"""Measures 2-6, run in this process against the benchmark's seeded PostgreSQL database."""

import csv
import io
import statistics
import time
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import queries
from bench.report import Row


def _fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


# --- 2. queries per page ------------------------------------------------------------------------


def measure_queries(*, small, large) -> Row:
    details, passed, worst, worst_small, missing = [], True, 0, 0, []
    pairs = zip(queries.list_targets(small), queries.list_targets(large), strict=True)
    for (name, who, small_path), (_n, _w, large_path) in pairs:
        if not queries.exists(small_path):
            missing.append(name)
            continue
        s_status, s_count = queries.count_queries(queries.client_for(queries.viewer(small, who)), small_path)
        l_status, l_count = queries.count_queries(queries.client_for(queries.viewer(large, who)), large_path)
        ok = s_status == l_status == 200 and s_count == l_count and l_count <= queries.MAX_QUERIES
        passed &= ok
        worst, worst_small = max(worst, l_count), max(worst_small, s_count)
        status = "" if s_status == l_status == 200 else f" (HTTP {s_status} / {l_status})"
        details.append(f"{name} `{large_path}`: {s_count} → {l_count} queries{status}{'' if ok else ' — FAIL'}")
    if missing:
        details.append("not built yet, so not measured: " + ", ".join(missing))
    measured = len(details) - (1 if missing else 0)
    return Row(
        number=2,
        measure=f"queries per list page/endpoint ({measured} measured), small → large",
        value=f"max {worst}",
        baseline=f"max {worst_small}",
        ratio=(worst / worst_small) if worst_small else None,
        target=f"same count, ≤ {queries.MAX_QUERIES}",
        passed=passed if measured else None,
        note=(f"Small: {len(small.member_ids)} members, {len(small.bucket_ids)} buckets, {small.allocations} "
              f"allocations, {len(small.proposal_ids)} proposals. Large: {len(large.member_ids)} members, "
              f"{len(large.bucket_ids)} buckets, {large.allocations} allocations, {len(large.proposal_ids)} proposals. "
              "Each page is requested once to warm per-process caches, then counted on the second request "
              "(the response read to its end)."),
        details=details,
    )


# --- 5. round page ----------------------------------------------------------------------------


def _page_times(pages: list[tuple], repeat: int) -> list[tuple[float, int, int]]:
    """For each (client, path): the median time of `repeat` GETs after a warm-up, its query count
    and its size. The pages are requested in turns (A B B A …), so that a drift of the
    machine's speed weighs on each alike."""
    for client, path in pages:
        client.get(path)  # warm: template loading, translations
    times = [[] for _ in pages]
    sizes = [0 for _ in pages]
    for turn in range(repeat):
        order = range(len(pages)) if turn % 2 == 0 else reversed(range(len(pages)))
        for i in order:
            client, path = pages[i]
            started = time.perf_counter()
            response = client.get(path)
            times[i].append(time.perf_counter() - started)
            sizes[i] = len(response.content)
    results = []
    for (client, path), page_times, size in zip(pages, times, sizes, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        results.append((statistics.median(page_times), len(ctx.captured_queries), size))
    return results


def measure_round_page(*, big, small, repeat: int = 9) -> Row:
    path_big, path_small = f"/rounds/{big.round.pk}/", f"/rounds/{small.round.pk}/"
    note = (f"GET of the round page by a member, median of {repeat} after a warm-up, the two sizes in turns, "
            "in-process (Django test client: the server's time without the network).")
    if not queries.exists(path_big):
        return Row(5, "round page server time, 500 vs 20 buckets", "-", "-", None, "≤ 5×", None,
                   note="The round page is not built yet.")
    (t_big, q_big, size_big), (t_small, q_small, size_small) = _page_times([
        (queries.client_for(queries.viewer(big, "member")), path_big),
        (queries.client_for(queries.viewer(small, "member")), path_small),
    ], repeat)
    ratio = t_big / t_small
    return Row(
        number=5,
        measure=f"round page server time, {len(big.bucket_ids)} vs {len(small.bucket_ids)} buckets",
        value=_fmt_ms(t_big),
        baseline=_fmt_ms(t_small),
        ratio=ratio,
        target="≤ 5×",
        passed=ratio <= 5,
        note=note,
        details=[
            f"{len(big.bucket_ids)} buckets: {_fmt_ms(t_big)}, {q_big} queries, {size_big // 1024} KiB of HTML",
            f"{len(small.bucket_ids)} buckets: {_fmt_ms(t_small)}, {q_small} queries, {size_small // 1024} KiB of HTML",
        ],
    )


# --- 4. export ------------------------------------------------------------------------------


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset the process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


COPY_SQL = """
COPY (
    SELECT a.id, u.id, u.email, u.name, b.id, b.title, b.status, a.amount, a.updated_at, r.currency
    FROM allocations_allocation a
    JOIN allocations_envelope e ON e.id = a.envelope_id
    JOIN groups_user u ON u.id = e.user_id
    JOIN buckets_bucket b ON b.id = a.bucket_id
    JOIN buckets_round r ON r.id = e.round_id
    WHERE e.round_id = %s
    ORDER BY a.id
) TO STDOUT WITH CSV HEADER
"""


def _copy_time(round_id: int) -> tuple[float, int]:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        size = 0
        with cursor.cursor.copy(COPY_SQL.replace("%s", str(int(round_id)))) as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - started, size


def _export_time(client, path: str) -> tuple[float, int, int, int]:
    rss_before = _rss_kib("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    response = client.get(path)
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = _rss_kib("VmHWM")
    return elapsed, size, lines, max(0, peak - rss_before), response.status_code


def measure_export(*, scale, repeat: int = 3) -> Row:
    path = f"/api/rounds/{scale.round.pk}/export/allocations.csv"
    if not queries.exists(path):
        return Row(4, "allocations.csv export vs COPY … TO STDOUT", "-", "-", None, "≤ 3×, < 50 MB", None,
                   note="The export is not built yet.")
    client = queries.client_for(scale.accountant)
    copy_times, export_runs = [], []
    for _ in range(repeat):
        copy_times.append(_copy_time(scale.round.pk)[0])
        export_runs.append(_export_time(client, path))
    copy_best = min(copy_times)
    best = min(export_runs, key=lambda run: run[0])
    elapsed, size, lines, _growth, status = best
    growth_mb = max(run[3] for run in export_runs) / 1024
    ratio = elapsed / copy_best
    rows = lines - 1
    ok = status == 200 and rows == scale.allocations and ratio <= 3 and growth_mb < 50
    return Row(
        number=4,
        measure=f"allocations.csv of {rows:,} rows vs COPY … TO STDOUT WITH CSV",
        value=_fmt_ms(elapsed),
        baseline=_fmt_ms(copy_best),
        ratio=ratio,
        target="≤ 3×, peak memory < +50 MB",
        passed=ok,
        note=("GET by the accountant through the Django test client, the streamed body read to its end, best of "
              f"{repeat}; the baseline is psycopg reading COPY (the same rows and columns, joined) TO STDOUT WITH CSV, "
              "best of the same number, alternated. Memory: growth of the process's peak RSS (VmHWM, reset before "
              "each export) over its RSS before the request."),
        details=[
            f"HTTP {status}, {rows:,} data rows, {size / 1e6:.1f} MB of CSV",
            f"peak memory growth during the export: {growth_mb:.1f} MB (target < 50 MB)",
            "export runs: " + ", ".join(_fmt_ms(run[0]) for run in export_runs)
            + "; COPY runs: " + ", ".join(_fmt_ms(t) for t in copy_times),
        ],
    )


# --- 3. closing -----------------------------------------------------------------------------


GROUP_BY_SQL = """
SELECT bucket_id, SUM("after" - "before"), COUNT(DISTINCT member_id)
FROM allocations_ledgerentry
WHERE round_id = %s AND bucket_id IS NOT NULL AND kind IN ('allocation', 'refund')
GROUP BY bucket_id
"""


class TransactionWatch:
    """Counts the transactions a block of code commits: every query must run inside an atomic
    block, and the outermost block must commit once."""

    def __init__(self):
        self.commits = 0
        self.outside = []
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        if not connection.in_atomic_block:
            self.outside.append(sql[:80])
        return execute(sql, params, many, context)

    def __enter__(self):
        original = connection.commit

        def counting_commit():
            self.commits += 1
            return original()

        connection.commit = counting_commit
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        del connection.commit


def measure_closing(*, scale, repeat: int = 5) -> Row:
    from buckets.models import Bucket, Round

    path = f"/api/rounds/{scale.round.pk}/close/"
    if not queries.exists(path):
        return Row(3, "closing a round vs a bare SQL GROUP BY", "-", "-", None, "≤ 3×, one transaction", None,
                   note="The close endpoint is not built yet.")
    with connection.cursor() as cursor:
        group_by = []
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(GROUP_BY_SQL, [scale.round.pk])
            cursor.fetchall()
            group_by.append(time.perf_counter() - started)
    baseline = statistics.median(group_by)
    client = queries.client_for(scale.admin)
    client.get(f"/api/rounds/{scale.round.pk}/")  # warm the client and the session
    with TransactionWatch() as watch:
        started = time.perf_counter()
        response = client.post(path, content_type="application/json")
        elapsed = time.perf_counter() - started
    round = Round.objects.get(pk=scale.round.pk)
    statuses = dict(Bucket.objects.filter(round=round).values_list("status").annotate(n=Count("id")))
    # Within a request, DRF/Django read the session and the user outside the service's transaction.
    outside_writes = [s for s in watch.outside if not s.lstrip().upper().startswith("SELECT")]
    one_transaction = watch.commits == 1 and not outside_writes
    ratio = elapsed / baseline
    return Row(
        number=3,
        measure=(f"closing a round of {len(scale.member_ids):,} members, {len(scale.bucket_ids)} buckets, "
                 f"{scale.allocations:,} allocations vs SQL GROUP BY"),
        value=_fmt_ms(elapsed),
        baseline=_fmt_ms(baseline),
        ratio=ratio,
        target="≤ 3×, one transaction",
        passed=response.status_code == 200 and round.closed_at is not None and ratio <= 3 and one_transaction,
        note=(f"POST {path} by an admin (Django test client); the baseline is the median of {repeat} runs of "
              "SELECT bucket_id, SUM(after - before), COUNT(DISTINCT member_id) FROM the ledger rows of the round "
              "GROUP BY bucket_id. One transaction: every write ran inside an atomic block and the outermost "
              "block committed once."),
        details=[
            f"HTTP {response.status_code}; round closed: {round.closed_at is not None}; buckets now {statuses}",
            f"{watch.statements} SQL statements, {watch.commits} commit(s), "
            f"{len(outside_writes)} write(s) outside a transaction",
        ],
    )


class QueryCounter:
    """Counts every statement (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# --- 6. import --------------------------------------------------------------------------------


def import_csv(rows: int, *, domain: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "role", "envelope"])
    for i in range(rows):
        role = "contributor" if i % 20 == 19 else "member"
        envelope = "500.00" if i % 10 == 0 and role == "member" else ""
        writer.writerow([f"imported{i:05d}@{domain}", f"Imported Person {i:05d}", role, envelope])
    return out.getvalue()


def measure_import(*, rows: int = 10_000) -> Row:
    from allocations.models import Envelope
    from demo.scale import seed_scale
    from groups import services
    from groups.models import Membership

    scale = seed_scale(members=20, buckets=3, allocations=20, slug="import")
    data = import_csv(rows, domain="import.example")
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = services.import_members(group=scale.group, data=data, actor=scale.admin)
        elapsed = time.perf_counter() - started
    count = counter.count
    per_thousand = count / (rows / 1000)
    members = Membership.objects.filter(group=scale.group).count()
    envelopes = Envelope.objects.filter(round=scale.round).count()
    custom = Envelope.objects.filter(round=scale.round, amount=Decimal("500.00")).count()
    expected_envelopes = 20 + sum(1 for i in range(rows) if i % 20 != 19)
    correct = members == 21 + rows and envelopes == expected_envelopes and custom == rows // 10
    return Row(
        number=6,
        measure=f"import_members of {rows:,} rows (queries per 1,000 rows)",
        value=f"{per_thousand:.1f} q/1000",
        baseline=f"{count} queries",
        ratio=None,
        target="≤ 20 per 1,000",
        passed=per_thousand <= 20 and correct,
        note=("groups.services.import_members (what the command and the page call) on a group with an open "
              f"round: {rows:,} new people, 1 in 20 a contributor, 1 in 10 with its own envelope."),
        details=[
            f"{count} queries in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s); result: {result}",
            f"memberships {members}, envelopes {envelopes} (expected {expected_envelopes}), "
            f"custom envelopes {custom} (expected {rows // 10}); correct: {correct}",
        ],
    )
