"""A closing process killed with SIGKILL half-way (every status updated, the proposals
opened, the transaction not committed), then the sweep again: one result, ledger clean."""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from buckets.models import Bucket, Round
from proposals.models import Proposal
from results import services as closing
from tests.builders import (
    allocate,
    assert_ledger_clean,
    make_bucket,
    make_round,
    open_funding,
    pass_deadline,
    statuses,
)

ROOT = Path(__file__).resolve().parent.parent

CHILD_CODE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobudget.settings")
import django
django.setup()
from tests.test_closing_killed import close_and_hang
close_and_hang(int(sys.argv[1]))
"""


def close_and_hang(round_id: int) -> None:
    """In the child process: start closing the round; once every status is updated and every
    proposal opened, inside the still-open transaction, print PAUSED and sleep until killed."""
    original = closing._open_decision_proposals

    def open_then_hang(**kwargs):
        original(**kwargs)
        print("PAUSED", flush=True)
        time.sleep(600)

    closing._open_decision_proposals = open_then_hang
    closing.close_round(round=Round.objects.get(pk=round_id))
    print("NOT KILLED", flush=True)


def _database_url_for_child() -> str | None:
    """The child process must reach this test's database (committed data)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings.get("USER") or "postgres"
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    name = str(settings["NAME"])
    if connection.vendor == "sqlite" and name and ":memory:" not in name and "mode=memory" not in name:
        return f"sqlite:///{Path(name).resolve()}"
    return None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_close_killed_half_way_leaves_nothing_and_the_sweep_closes_it_once(group, admin_user, member, member2):
    url = _database_url_for_child()
    if url is None:
        pytest.skip("the test database is SQLite in memory: a child process cannot reach it "
                    "(run with DATABASE_URL=postgres://… or TEST_DATABASE_NAME=a file)")
    round = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round, member, title="Funded", min_amount="300.00", max_amount="600.00")
    decide = make_bucket(round, member, title="To decide", min_amount="400.00", max_amount="800.00")
    make_bucket(round, member2, title="Lost", min_amount="1000.00", max_amount="2000.00")
    open_funding(round)
    allocate(member, funded, "300.00")
    allocate(member2, decide, "250.00")
    pass_deadline(round)
    connection.close()  # SQLite: no connection of ours holds the file while the child writes

    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "", "CONN_MAX_AGE": "0"}
    env.pop("TEST_DATABASE_NAME", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_CODE, str(round.pk)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([child.stdout], [], [], 1)
            if ready:
                line = child.stdout.readline()
                if line.strip() == "PAUSED" or line == "":
                    break
        assert line.strip() == "PAUSED", child.stderr.read() if child.poll() is not None else "child did not pause"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()

    # Killed inside its transaction: nothing of the close remains.
    assert Round.objects.get(pk=round.pk).closed_at is None
    assert set(statuses(round).values()) == {"open"}
    assert not Proposal.objects.filter(bucket__round=round).exists()

    # The sweep again: one result.
    assert closing.close_due_rounds() == 1
    assert closing.close_due_rounds() == 0
    assert statuses(round) == {"Funded": "funded", "To decide": "to_decide", "Lost": "not_funded"}
    assert Proposal.objects.filter(bucket__round=round).count() == 1
    assert Bucket.objects.get(pk=decide.pk).proposals.count() == 1
    assert_ledger_clean(round)
