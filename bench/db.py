"""The benchmark's own PostgreSQL databases: created afresh at each run, never `test` nor the
application's database."""

from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cobudget_bench"
PROTECTED = {"test", "postgres", "template0", "template1", "cobudget"}


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def check_url(url: str) -> None:
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"bench: DATABASE_URL must be a PostgreSQL URL (postgres://…), not {url!r}")
    name = database_name(url)
    if not name or name in PROTECTED or "bench" not in name:
        raise SystemExit(
            f"bench: refusing to recreate the database {name!r}: its name must contain 'bench' "
            f"(default {DEFAULT_URL}); the benchmark drops and recreates it."
        )


def _admin_connection(url: str) -> psycopg.Connection:
    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def recreate(url: str) -> None:
    """DROP and CREATE the database of `url` (whose name was checked by check_url)."""
    name = database_name(url)
    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(url: str) -> None:
    name = database_name(url)
    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_version(url: str) -> str:
    with _admin_connection(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def server_settings(url: str) -> dict:
    names = ["max_connections", "shared_buffers", "synchronous_commit", "fsync"]
    with _admin_connection(url) as conn:
        return {n: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone()[0] for n in names}
