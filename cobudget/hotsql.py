"""Plain statements for the few hottest paths (the allocation PUT and what it reads first).

On PostgreSQL they run on the connection Django holds, in its transaction, but with
server-side parameter binding and prepared once per connection (the ORM's client-side
binding makes the server parse and plan every statement again), and `pipeline` sends several
statements in one network round trip (psycopg's pipeline mode): the server runs them one
after the other, each with its own snapshot, as if they had been sent one by one. On SQLite
the same statements run one by one through Django's cursor.

Errors come out as Django's database errors, and mark the connection as Django would
(a connection cut is closed at the end of the request).
"""

import time
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


def fetchone(sql: str, params: Sequence):
    """The first row of one statement (or None)."""
    return pipeline([(sql, params)], fetch=True)[0]


def pipeline(statements: Sequence[tuple[str, Sequence]], *, fetch: bool) -> list:
    """Run `statements` in order; with fetch (statements that all return rows), return each
    one's first row (None for none)."""
    connection = connections[DEFAULT_DB_ALIAS]  # this thread's, looked up once
    if connection.vendor != "postgresql":
        rows = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                rows.append(cursor.fetchone() if fetch else None)
        return rows
    started = time.monotonic()
    try:
        return _run_postgres(connection, statements, fetch=fetch)
    finally:
        if connection.queries_logged:  # DEBUG, or a test counting queries: they count as usual
            # Sent together: the pipeline's time is on its last statement.
            elapsed = f"{time.monotonic() - started:.3f}"
            for i, (sql, params) in enumerate(statements, 1):
                connection.queries_log.append(
                    {"sql": f"{sql} -- {list(params)!r}", "time": elapsed if i == len(statements) else "0.000"}
                )


def _run_postgres(connection, statements, *, fetch: bool) -> list:
    import psycopg

    with connection.wrap_database_errors:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        if len(statements) == 1:  # nothing to gain from pipeline mode
            sql, params = statements[0]
            with psycopg.Cursor(raw) as cursor:  # server-side binding (Django's cursors bind client-side)
                cursor.execute(sql, params, prepare=True)
                return [cursor.fetchone() if fetch else None]
        cursors = []
        with raw.pipeline():
            for sql, params in statements:
                cursor = psycopg.Cursor(raw)
                cursor.execute(sql, params, prepare=True)
                cursors.append(cursor)
            rows = [cursor.fetchone() if fetch else None for cursor in cursors]
        for cursor in cursors:
            cursor.close()
        return rows
