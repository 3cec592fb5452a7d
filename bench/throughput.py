"""Measures 1 and 7: allocations per second through gunicorn and PostgreSQL (wrk, 16
connections, 200 members over 10 buckets; 1 with API tokens, 7 as the bucket page's htmx form
with a session and CSRF) against pgbench's TPC-B transaction with the same 16 clients on the
same server, each for the same duration, in turns (A B B A A B B A) in the same run."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from bench import db
from bench.report import Row

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "allocate.lua"
BROWSER_LUA = Path(__file__).resolve().parent / "browser.lua"
TARGET = 0.15
BROWSER_TARGET = 0.10
CLIENTS = 16
PGBENCH_SCALE = 16  # one branch per client: TPC-B's usual setting (scale >= clients)
# The bench's gunicorn runs as in production, with a broker (a Redis database of its own,
# flushed before and after, so that nothing else's queue is touched). An allocation queues no
# task: the co-leads' notice is an outbox row that the beat's sweep sends (allocations.outbox);
# no worker runs during the measurement (on this machine it would take the same 2 cores).
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise SystemExit(
            f"bench: `{tool}` is missing. Install it with:  apt-get install -y {package}\n"
            "(Debian's package; the benchmark needs it to measure throughput.)"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flush_redis(url: str) -> int:
    """Empty the bench's own Redis database; returns how many keys it held (the queued tasks)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        keys = client.dbsize()
        client.flushdb()
    except redis.RedisError as exc:
        raise SystemExit(f"bench: Redis at {url} is needed as the broker of the bench's gunicorn: {exc}") from exc
    finally:
        client.close()
    return keys


def _queued_tasks(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        return client.llen("celery")
    finally:
        client.close()


def _lua_script(template: Path, data: str, directory: str) -> str:
    """`template` with its `-- DATA` line replaced by `data` (Lua tables), written in `directory`."""
    path = os.path.join(directory, template.name)
    with open(path, "w") as fh:
        fh.write(template.read_text().replace("-- DATA", data, 1))
    return path


class Gunicorn:
    """`gunicorn cobudget.wsgi` with the README's worker configuration, on a free loopback port."""

    def __init__(self, *, url: str, workers: int, threads: int, redis_url: str):
        self.port = free_port()
        self.args = [
            sys.executable, "-m", "gunicorn", "cobudget.wsgi",
            "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
        ]
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_NAME"}}
        env.update(DATABASE_URL=url, REDIS_URL=redis_url, DEBUG="0", HTTPS="0", CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"),
                   LOG_LEVEL="ERROR")  # not one "Conflict" warning line per refused request
        self.env = env
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("bench: gunicorn did not answer /healthz within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __exit__(self, *exc):
        self.stop()


_BENCH_LINE = re.compile(r"BENCH (.*)")


def run_wrk(*, port: int, script: str, duration: int) -> dict:
    wrk = require("wrk", "wrk")
    # One wrk thread is enough for 16 connections and leaves the cores to the server.
    cmd = [wrk, "-t1", f"-c{CLIENTS}", f"-d{duration}s", "--timeout", "10s", "-s", script,
           f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    match = _BENCH_LINE.search(out.stdout)
    if out.returncode != 0 or not match:
        raise SystemExit(f"bench: wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    stats = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    stats["stderr"] = out.stderr.strip()
    return stats


_TPS = re.compile(r"tps = ([0-9.]+) \(without initial connection time\)")
_DONE = re.compile(r"number of transactions actually processed: ([0-9]+)")


class Pgbench:
    """A scratch database initialised for TPC-B (`pgbench -i -s 16`), dropped afterwards."""

    def __init__(self, url: str):
        self.pgbench = require("pgbench", "postgresql-contrib postgresql-client")
        self.url = db.with_database(url, db.database_name(url) + "_pgbench")

    def __enter__(self):
        db.recreate(self.url)
        subprocess.run([self.pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), self.url], check=True,
                       capture_output=True, timeout=600)
        return self

    def run(self, *, duration: int) -> tuple[float, int]:
        """pgbench's TPC-B with 16 clients for `duration` seconds: (tps, transactions)."""
        out = subprocess.run([self.pgbench, "-c", str(CLIENTS), "-j", "2", "-T", str(duration), self.url],
                             capture_output=True, text=True, timeout=duration + 120)
        tps, done = _TPS.search(out.stdout), _DONE.search(out.stdout)
        if out.returncode != 0 or not tps or not done:
            raise SystemExit(f"bench: pgbench failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return float(tps.group(1)), int(done.group(1))

    def __exit__(self, *exc):
        db.drop(self.url)


# The two sides run in turns, A B B A A B B A, in slices of the duration: a machine whose speed
# drifts during the run (a neighbour on the host, a checkpoint) weighs on both sides alike.
SLICES = 4
ORDER = "ABBAABBA"


def _rules_hold(round_id: int) -> list[str]:
    from django.db.models import F

    from allocations.ledger import ledger_differences
    from allocations.models import Envelope
    from buckets.models import Bucket

    problems = ledger_differences(round_ids=[round_id])
    if Envelope.objects.filter(round_id=round_id, allocated__gt=F("amount")).exists():
        problems.append("an envelope is overspent")
    if Bucket.objects.filter(round_id=round_id, total__gt=F("max_goal")).exists():
        problems.append("a bucket is past its maximum goal")
    return problems


def _sessions(user_ids) -> list[tuple[str, str, str]]:
    """(session key, CSRF cookie, the form's masked CSRF token) of each member, logged in as
    the login page would log them in (a session of settings.SESSION_ENGINE, saved in the
    database whatever the engine, so that the bench's gunicorn reads it)."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.test import Client

    from groups.models import User

    found = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        client = Client()
        client.force_login(user, backend="groups.backends.ModelBackend")
        secret = _get_new_csrf_string()
        found.append((client.cookies["sessionid"].value, secret, _mask_cipher_secret(secret)))
    return found


def _turns(run_a, pgbench, piece: int) -> tuple[dict, list[float]]:
    """wrk (A) and pgbench (B) in turns, A B B A A B B A: wrk's counts summed, pgbench's rates."""
    stats = {"ok": 0, "refused": 0, "other": 0, "duration_us": 0, "socket_errors": 0, "p50_us": [], "p99_us": [],
             "stderr": ""}
    tps_slices = []
    for side in ORDER[: 2 * SLICES]:
        if side == "A":
            part = run_a(piece)
            for key in ("ok", "refused", "other", "duration_us", "socket_errors"):
                stats[key] += part[key]
            stats["p50_us"].append(part["p50_us"])
            stats["p99_us"].append(part["p99_us"])
            stats["stderr"] = (stats["stderr"] + "\n" + part["stderr"]).strip()
        else:
            tps_slices.append(pgbench.run(duration=piece)[0])
    stats["p50_us"] = sorted(stats["p50_us"])[len(stats["p50_us"]) // 2]
    stats["p99_us"] = max(stats["p99_us"])
    return stats, tps_slices


def measure(*, url: str, duration: int, workers: int, threads: int, measures=(1, 7)) -> list[Row]:
    """Measures 1 (the token PUT) and 7 (the bucket page's htmx form), each in its own turns
    with pgbench, on the same gunicorn and the same round."""
    from allocations.models import AllocationNotice, LedgerEntry
    from demo.scale import create_tokens, seed_scale

    require("wrk", "wrk")
    require("pgbench", "postgresql-contrib postgresql-client")
    scale = seed_scale(members=200, buckets=10, allocations=400, slug="load", max_goal=Decimal("100000"))
    keys = create_tokens(scale.member_ids)
    sessions = _sessions(scale.member_ids)
    ledger_before = LedgerEntry.objects.filter(round=scale.round).count()
    _flush_redis(BENCH_REDIS_URL)
    piece = max(1, round(duration / SLICES))
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, Pgbench(url) as pgbench:
            buckets = ", ".join(str(b) for b in scale.bucket_ids)
            token_list = ", ".join(f'"{keys[uid]}"' for uid in scale.member_ids)
            token_script = _lua_script(LUA, f"tokens = {{{token_list}}}\nbuckets = {{{buckets}}}\n", tmp)
            with Gunicorn(url=url, workers=workers, threads=threads, redis_url=BENCH_REDIS_URL) as server:
                session_list = ", ".join("{" + ", ".join(f'"{v}"' for v in s) + "}" for s in sessions)
                browser_script = _lua_script(BROWSER_LUA, (
                    f"sessions = {{{session_list}}}\nbuckets = {{{buckets}}}\n"
                    f'origin = "http://127.0.0.1:{server.port}"\n'), tmp)
                scripts = {1: token_script, 7: browser_script}
                for number in measures:  # warm-up: imports, connections, caches
                    run_wrk(port=server.port, script=scripts[number], duration=3)
                pgbench.run(duration=2)  # warm-up: its tables in the cache
                for number in measures:
                    results[number] = _turns(
                        lambda seconds, script=scripts[number]: run_wrk(port=server.port, script=script,
                                                                        duration=seconds),
                        pgbench, piece)
        queued = _queued_tasks(BENCH_REDIS_URL)
    finally:
        _flush_redis(BENCH_REDIS_URL)  # the notices are not the measure's: no worker sends them
    problems = _rules_hold(scale.round.pk)
    written = LedgerEntry.objects.filter(round=scale.round).count() - ledger_before
    outbox = AllocationNotice.objects.filter(entry__round=scale.round).count()
    turns = " ".join("wrk" if side == "A" else "pgbench" for side in ORDER[: 2 * SLICES])
    server_note = (
        f"gunicorn cobudget.wsgi --workers {workers} --threads {threads} (DEBUG=0, LOG_LEVEL=ERROR, CONN_MAX_AGE="
        f"{os.environ.get('CONN_MAX_AGE', '60')}); pgbench -c {CLIENTS} -j 2 (TPC-B, -s {PGBENCH_SCALE}); "
        f"wrk and pgbench {SLICES * piece} s each, in turns of {piece} s ({turns}) after a warm-up of each, "
        "so that a drift of the machine's speed weighs on both alike. As in production, gunicorn has "
        f"a broker and a cache (REDIS_URL={BENCH_REDIS_URL}, flushed before and after); an allocation queues no "
        "task: the co-leads' notice is an outbox row written in its transaction, sent by the beat's sweep; no worker "
        "runs during the measurement (on the README's deployment it does; on these 2 cores it would compete for "
        "the CPU)."
    )
    after = [
        f"{written} ledger rows written by measures {', '.join(map(str, measures))}; {outbox} co-lead notices waiting "
        f"in the outbox for the sweep; {queued} tasks queued in Redis",
        "rules after the run: " + ("check_ledger clean, no envelope overspent, no bucket past its maximum"
                                   if not problems else "; ".join(problems[:5])),
    ]
    what = {
        1: (f"wrk -t1 -c{CLIENTS} PUTs /api/buckets/{{id}}/allocation/ with {len(keys)} members' API tokens over "
            f"{len(scale.bucket_ids)} buckets (JSON; 1 request in 50 asks for more than the envelope: 409).",
            "allocation throughput (PUT allocation ÷ pgbench TPC-B, 16 clients)", TARGET, "refused with 409"),
        7: (f"wrk -t1 -c{CLIENTS} POSTs the bucket page's allocation form as htmx does, with the session and CSRF "
            f"cookies of {len(sessions)} logged-in members over {len(scale.bucket_ids)} buckets, the form's CSRF "
            "token and HX-Request; the answer is the fragment the page swaps in (1 request in 50 asks for more than "
            "the envelope: the fragment says why).",
            "browser allocation throughput (htmx POST with session and CSRF ÷ pgbench TPC-B, 16 clients)",
            BROWSER_TARGET, "refused in words in the fragment"),
    }
    rows = []
    for number in measures:
        stats, tps_slices = results[number]
        how, title, target, refused_how = what[number]
        seconds = stats["duration_us"] / 1e6
        per_second = stats["ok"] / seconds
        tps = sum(tps_slices) / len(tps_slices)  # equal slices: the mean is the rate over their sum
        ratio = per_second / tps
        rules_ok = not problems and stats["other"] == 0 and stats["refused"] > 0
        rows.append(Row(
            number=number,
            measure=title,
            value=f"{per_second:.0f} alloc/s",
            baseline=f"{tps:.0f} tps",
            ratio=ratio,
            target=f"≥ {target}, rules enforced",
            passed=ratio >= target and rules_ok,
            note=f"{how} {server_note}",
            details=[
                f"{stats['ok']} allocations accepted in {seconds:.1f} s; {stats['refused']} {refused_how}; "
                f"{stats['other']} other answers; {stats['socket_errors']} socket errors",
                f"latency p50 {stats['p50_us'] / 1000:.1f} ms (median of the turns), p99 "
                f"{stats['p99_us'] / 1000:.1f} ms (the worst turn's)",
                "pgbench tps by turn: " + ", ".join(f"{t:.0f}" for t in tps_slices),
                *after,
            ] + ([f"wrk stderr: {stats['stderr'][:300]}"] if stats["stderr"] else []),
        ))
    return rows
