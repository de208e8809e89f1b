"""Server-side prepared statements for the hottest writes on PostgreSQL (order entry, issue 3).

Django binds parameters on the client (psycopg's ClientCursor): each execution sends the SQL
with the values inlined, and PostgreSQL parses and plans it again. A statement run through
`prepared_cursor()` is bound on the server and prepared once per connection (psycopg keeps the
prepared statements of a connection, at most 100, least recently used first out): the
parse and plan of the order entry statements cost more than their execution. The rest of
Django keeps client-side binding (server-side binding changes how some ORM queries are typed).

Statements still go through Django's cursor wrapper: execute wrappers, query logging and
CaptureQueriesContext see them. SALESDESK_DB_PREPARED_STATEMENTS=0 turns preparing off, e.g.
behind PgBouncer in transaction pooling mode older than 1.21 (docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        """Server-side binding; every execute prepared (psycopg caches it per connection)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


_cursor_class = None
_EXPLICIT_ONLY = 2**31


def prepares() -> bool:
    """Whether prepared_cursor() prepares: PostgreSQL, unless switched off."""
    return connection.vendor == "postgresql" and getattr(settings, "DB_PREPARED_STATEMENTS", True)


class _LoggedCursor(CursorDebugWrapper):
    """Django's debug wrapper, logging the statement with its values: psycopg keeps no text of
    a prepared execution for Django's last_executed_query to read."""

    def execute(self, sql, params=None):
        try:
            shown = self.db.ops.compose_sql(sql, params)
        except Exception:  # a value mogrify cannot show: log the statement as written
            shown = sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor() -> Iterator:
    """A cursor of the default connection whose statements are prepared on PostgreSQL.

    Elsewhere (SQLite, or preparing switched off) an ordinary cursor. Use %s placeholders and
    SQL whose parameter types PostgreSQL can infer (column comparisons, INSERT values).
    """
    global _cursor_class
    if not prepares():
        with connection.cursor() as cursor:
            yield cursor
        return
    if _cursor_class is None:
        _cursor_class = _preparing_cursor_class()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    pg = connection.connection
    with connection.wrap_database_errors:
        raw = _cursor_class(pg)
    # Wrapped as connection.cursor() wraps (execute wrappers, error mapping, query logging).
    wrapper = _LoggedCursor if connection.queries_logged else CursorWrapper
    cursor = wrapper(raw, connection)
    # Django opens connections with prepare_threshold=None (automatic preparing off, for
    # connection poolers), which makes psycopg ignore prepare=True as well. While this cursor
    # runs, a threshold no statement reaches lets the explicit prepares through and keeps
    # automatic preparing off; the connection keeps its prepared statements afterwards.
    threshold = pg.prepare_threshold
    if threshold is None:
        pg.prepare_threshold = _EXPLICIT_ONLY
    try:
        yield cursor
    finally:
        pg.prepare_threshold = threshold
        cursor.close()
