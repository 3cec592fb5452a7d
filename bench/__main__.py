"""`python -m bench` (make bench): build the benchmark's own PostgreSQL database, run the seven
measures, print one table and write bench/results.md.

Options: --duration S (throughput runs, default 20), --only 1,3 (a subset), --workers/--threads
(gunicorn, default the README's 3 × 2), --no-write (do not touch results.md), --keep (leave
the database for inspection).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk and of pgbench (default 20)")
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="measures to run, e.g. 2,5")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (README: 3)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (README: 2)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    only = {int(n) for n in args.only.split(",") if n.strip()}
    sys.path.insert(0, str(ROOT))
    from bench import db

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or db.DEFAULT_URL
    if not url.startswith("postgres"):
        url = db.DEFAULT_URL
    db.check_url(url)
    # This process is the application too: the same settings as production (DEBUG off), its
    # own database, and tasks queued in memory rather than run here (a worker would run them).
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobudget.settings")

    started = time.monotonic()
    print(f"bench: recreating {db.database_name(url)} on {url.split('@')[-1]}", flush=True)
    db.recreate(url)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from cobudget.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    call_command("migrate", verbosity=0)

    from bench import inprocess, report, throughput
    from demo.scale import seed_scale

    rows = []
    try:
        if only & {1, 7}:
            measures = sorted(only & {1, 7})
            print(f"bench {', '.join(map(str, measures))}: throughput, wrk and pgbench for {args.duration} s each …",
                  flush=True)
            rows += throughput.measure(url=url, duration=args.duration, workers=args.workers, threads=args.threads,
                                       measures=measures)
        if 2 in only:
            print("bench 2: queries per page at two sizes …", flush=True)
            small = seed_scale(members=100, buckets=10, allocations=500, proposals=6, slug="small")
            large = seed_scale(members=10_000, buckets=1_000, allocations=100_000, proposals=100, slug="large")
            rows.append(inprocess.measure_queries(small=small, large=large))
        fed = None
        if only & {3, 4, 5}:
            t0 = time.perf_counter()
            fed = seed_scale(members=10_000, buckets=500, allocations=100_000, slug="federation")
            print(f"bench: seeded 10,000 members, 500 buckets, 100,000 allocations in {time.perf_counter() - t0:.1f} s",
                  flush=True)
        if 5 in only:
            print("bench 5: round page, 500 vs 20 buckets …", flush=True)
            twenty = seed_scale(members=1_000, buckets=20, allocations=4_000, slug="twenty")
            rows.append(inprocess.measure_round_page(big=fed, small=twenty))
        if 4 in only:
            print("bench 4: allocations.csv vs COPY …", flush=True)
            rows.append(inprocess.measure_export(scale=fed))
        if 3 in only:
            print("bench 3: closing vs GROUP BY …", flush=True)
            rows.append(inprocess.measure_closing(scale=fed))
        if 6 in only:
            print("bench 6: import_members of 10,000 rows …", flush=True)
            rows.append(inprocess.measure_import())
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            db.drop(url)

    rows.sort(key=lambda r: r.number)
    print()
    print(report.table(rows))
    print()
    for row in rows:
        print(f"{row.number}. {row.note}")
        for line in row.details:
            print(f"   - {line}")
    elapsed = time.monotonic() - started
    info = report.machine(db.server_version(url), {
        "postgresql settings": ", ".join(f"{k}={v}" for k, v in db.server_settings(url).items()),
        "gunicorn": f"--workers {args.workers} --threads {args.threads}",
        "bench duration": f"{elapsed:.0f} s (throughput runs {args.duration} s each)",
    })
    if not args.no_write and only == {1, 2, 3, 4, 5, 6, 7}:
        report.RESULTS.write_text(report.markdown(rows, info, "make bench"))
        print(f"\nwritten to {report.RESULTS.relative_to(ROOT)}")
    failed = [r for r in rows if r.passed is False]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} measures meet their target" + (
        "" if not failed else f"; failing: {', '.join(str(r.number) for r in failed)}"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
