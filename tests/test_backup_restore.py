"""Backup and restore as the README describes them: `pg_dump -Fc` of a live database,
`pg_restore` into a fresh one, and the checks pass there — `check_ledger` (and
`verify_minutes` for each group once that command exists); the append-only triggers of the
ledger and the audit trail come back with the data. A restored copy whose totals disagree
with its ledger is caught."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import get_commands
from django.db import connection

from groups.models import Group
from results.services import close_round
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import requires_postgres

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                       reason="pg_dump and pg_restore are not installed (apt-get install postgresql-client)"),
]


def _libpq_env(settings: dict) -> dict:
    env = dict(os.environ)
    env.update({"PGHOST": settings.get("HOST") or "127.0.0.1", "PGPORT": str(settings.get("PORT") or 5432),
                "PGUSER": settings.get("USER") or "postgres"})
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _admin(settings: dict, sql: str) -> None:
    with psycopg.connect(dbname="postgres", host=settings.get("HOST") or "127.0.0.1", port=settings.get("PORT") or 5432,
                         user=settings.get("USER") or "postgres", password=settings.get("PASSWORD") or None,
                         autocommit=True) as admin:
        admin.execute(sql)


def _manage(database_url: str, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def restored_name():
    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored"
    _admin(settings, f'DROP DATABASE IF EXISTS "{name}"')
    yield name
    _admin(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_passes_the_checks(tmp_path, restored_name):
    from groups import services as group_services
    from tests.conftest import make_user

    admin = make_user("admin@example.org")
    member = make_user("member@example.org")
    group = group_services.create_group(creator=admin, name="Artefacts", slug="artefacts")
    group_services.add_member(group=group, email=member.email, actor=admin, send_invitation=False)
    closed = make_round(group, admin, phase="funding", title="Last year")
    allocate(member, make_bucket(closed, member, title="Garden", min_amount="10.00"), "40.00")
    close_round(round=closed, actor=admin)
    running = make_round(group, admin, phase="funding", title="This year")
    allocate(member, make_bucket(running, admin, title="Bikes"), "15.00")

    settings = connection.settings_dict
    env = _libpq_env(settings)
    dump = tmp_path / "cobudget.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-d", settings["NAME"], "-f", str(dump)], env=env, check=True,
                   capture_output=True)
    _admin(settings, f'CREATE DATABASE "{restored_name}"')
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_name, str(dump)], env=env, check=True,
                   capture_output=True)

    url = f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{restored_name}"
    checked = _manage(url, "check_ledger")
    assert checked.returncode == 0, checked.stderr
    if "verify_minutes" in get_commands():
        for slug in Group.objects.values_list("slug", flat=True):
            verified = _manage(url, "verify_minutes", slug)
            assert verified.returncode == 0, verified.stderr

    with psycopg.connect(dbname=restored_name, host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"],
                         password=env.get("PGPASSWORD"), autocommit=True) as copy:
        counts = {table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("allocations_ledgerentry", "audit_auditentry", "buckets_bucket", "groups_membership")}
        with connection.cursor() as cursor:
            for table, count in counts.items():
                cursor.execute(f"SELECT count(*) FROM {table}")
                assert cursor.fetchone()[0] == count, table
        # The append-only triggers came back with the data.
        for table in ("allocations_ledgerentry", "audit_auditentry"):
            with pytest.raises(psycopg.Error, match="append-only"):
                copy.execute(f"DELETE FROM {table}")
        # And a copy whose totals disagree with its ledger does not pass.
        copy.execute("UPDATE buckets_bucket SET total = total + 1 WHERE title = 'Bikes'")
    broken = _manage(url, "check_ledger")
    assert broken.returncode != 0 and "difference" in broken.stderr
