"""A real worker with its beat (`celery -A cobudget worker -B`) against the running Redis
closes a round whose funding_closes_at passes, within a bounded wait, and tells a bucket's
co-leads of an allocation left in the outbox."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.utils import timezone

from buckets.models import Round
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.test_closing_killed import _database_url_for_child

ROOT = Path(__file__).resolve().parent.parent
MAX_WAIT_SECONDS = 90


def _private_redis_url(url: str, seed: str) -> str:
    """The same Redis server, on a database number of this run's own, so that another
    engineer's worker never takes our sweep (nor ours theirs)."""
    parsed = urlparse(url)
    db = 1 + int(hashlib.sha1(seed.encode()).hexdigest(), 16) % 15
    return urlunparse(parsed._replace(path=f"/{db}"))


def _first_sweep_in(path: Path, *, seconds: int) -> None:
    """Seed beat's schedule file as if the minutely sweep had last run (60 − seconds) ago,
    so that the test waits seconds for the first sweep instead of a whole minute."""
    from celery.beat import PersistentScheduler

    from cobudget.celery import app

    scheduler = PersistentScheduler(app=app, schedule_filename=str(path))
    entry = scheduler.schedule["sweep-every-minute"]
    entry.last_run_at = app.now() - timedelta(seconds=entry.schedule.run_every.total_seconds() - seconds)
    scheduler.sync()
    scheduler.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_and_beat_close_the_round_on_time(group, admin_user, member, member2, tmp_path, monkeypatch):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker must share the test's database")
    database_url = _database_url_for_child()
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, title="On time", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(member, bucket, "150.00")
    from allocations.models import AllocationNotice
    from cobudget.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", False)  # as in production: the notice waits for the sweep
    allocate(member2, bucket, "20.00")
    assert AllocationNotice.objects.filter(entry__member=member2).exists()
    schedule = tmp_path / "beat-schedule"
    _first_sweep_in(schedule, seconds=8)
    closes_at = timezone.now() + timedelta(seconds=5)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=closes_at, meeting_at=closes_at + timedelta(days=1))

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": _private_redis_url(redis_url, connection.settings_dict["NAME"]),
        "CONN_MAX_AGE": "0",
    }
    env.pop("TEST_DATABASE_NAME", None)
    log = open(tmp_path / "worker.log", "w+")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cobudget", "worker", "-B", "--pool=solo", "--loglevel=INFO",
         "--schedule", str(schedule), "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        closed_at = None
        while time.monotonic() < deadline and worker.poll() is None:
            closed_at = Round.objects.filter(pk=round.pk).values_list("closed_at", flat=True).first()
            if closed_at is not None and not AllocationNotice.objects.exists():
                break
            time.sleep(1)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert closed_at is not None, f"the worker did not close the round within {MAX_WAIT_SECONDS} s:\n{output[-3000:]}"
    assert closed_at >= closes_at
    bucket.refresh_from_db()
    assert bucket.status == "funded"
    from notifications.models import Kind, Notification

    assert not AllocationNotice.objects.exists(), output[-3000:]
    assert Notification.objects.filter(kind=Kind.BUCKET_ALLOCATION, user=member, url=f"/buckets/{bucket.pk}/").exists()
