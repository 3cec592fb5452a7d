"""Statements for the few hottest paths (the allocation, by token and from the bucket page).

On PostgreSQL they run on the connection Django holds, in its transaction, with server-side
binding and prepared once per connection (the ORM binds client-side, so the server parses
and plans each of its statements again); `pipeline` sends several in one round trip, each
run with its own snapshot as if sent one by one. On SQLite they run through Django's cursor.
Errors come out as Django's database errors. Why and how much: bench/README.md.
"""

from collections.abc import Callable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


def fetchone(sql: str, params: Sequence):
    """The first row of one statement (or None)."""
    return pipeline([(sql, params)], fetch=True)[0]


def pipeline(statements: Sequence[tuple[str, Sequence]], *, fetch: bool) -> list:
    """Run `statements` in order; with fetch (statements that all return rows), return each
    one's first row (None for none)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        rows = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                rows.append(cursor.fetchone() if fetch else None)
        return rows
    try:
        return _run_postgres(connection, statements, fetch=fetch)
    finally:
        if connection.queries_logged:  # DEBUG, or a test counting queries: they count as the ORM's do
            connection.queries_log.extend({"sql": f"{sql} -- {list(params)!r}", "time": "0.000"}
                                          for sql, params in statements)


def _run_postgres(connection, statements, *, fetch: bool) -> list:
    import psycopg

    with connection.wrap_database_errors:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        if len(statements) == 1:
            sql, params = statements[0]
            with psycopg.Cursor(raw) as cursor:
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


class Compiled:
    """A queryset (a values_list) whose SQL the ORM writes once, then run as a prepared
    statement with each call's values: the ORM's query and rules without compiling it, nor
    having PostgreSQL plan it, on every request. `build(**values)` returns the queryset; each
    value (an id or a key) must reach the SQL as a parameter of its own. On SQLite the
    queryset itself runs."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled = None

    def _compile(self, values: dict):
        stand_ins = {name: -918_273_645 - i if isinstance(value, int) else f"\x1e{name}\x1e"
                     for i, (name, value) in enumerate(sorted(values.items()))}
        sql, params = self.build(**stand_ins).query.sql_with_params()
        by_value = {value: name for name, value in stand_ins.items()}
        slots = [by_value.get(p) if isinstance(p, int | str) else None for p in params]
        if set(slots) - {None} != set(values):
            raise ValueError(f"each of {sorted(values)} must be a parameter of the query")
        return sql, list(params), slots

    def statement(self, **values) -> tuple[str, list]:
        """(sql, params) for fetchone or pipeline, on PostgreSQL."""
        if self._compiled is None:
            self._compiled = self._compile(values)
        sql, params, slots = self._compiled
        return sql, [p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True)]

    def fetchone(self, **values):
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            return self.build(**values).first()
        return fetchone(*self.statement(**values))
