"""core.prepared: statements prepared on PostgreSQL, still seen by Django's query logging."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.models import NumberSequence
from salesdesk.core.prepared import prepared_cursor, prepares

pytestmark = pytest.mark.django_db

SQL = 'SELECT "last" FROM "core_numbersequence" WHERE "prefix" = %s AND "year" = %s'


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_statements_run_and_are_logged():
    NumberSequence.objects.create(prefix="SO", year=2026, last=41)
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute(SQL, ["SO", 2026])
        assert cursor.fetchone() == (41,)
        cursor.execute(SQL, ["FH", 2026])
        assert cursor.fetchone() is None
    assert [q["sql"] for q in queries if "core_numbersequence" in q["sql"]] != []
    assert len(queries) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_prepares_them_once_per_connection():
    with prepared_cursor() as cursor:
        cursor.execute(SQL, ["SO", 2026])
        cursor.execute(SQL, ["SO", 2027])
    statements = [s for s in _prepared_here() if "core_numbersequence" in s]
    assert len(statements) == 1
    assert "$1" in statements[0]  # bound on the server


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_preparing_can_be_switched_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    assert not prepares()
    with prepared_cursor() as cursor:
        cursor.execute(SQL + " AND 1 = 1", ["SO", 2026])
    assert not [s for s in _prepared_here() if "1 = 1" in s]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite")
def test_sqlite_gets_an_ordinary_cursor():
    assert not prepares()
    with prepared_cursor() as cursor:
        cursor.execute(SQL, ["SO", 2026])
        assert cursor.fetchone() is None
