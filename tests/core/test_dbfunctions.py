"""core.dbfunctions.analyze_new_indexes: a migration's new indexes get SQLite statistics only
where the database plans from statistics."""

from __future__ import annotations

import pytest
from django.db import connection

from salesdesk.core.dbfunctions import analyze_new_indexes
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


class _Editor:
    connection = connection


def _stat_rows(index: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE idx = %s", [index])
        return cursor.fetchall()


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite statistics only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DROP TABLE sqlite_stat1")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DROP TABLE sqlite_stat1")


def test_a_database_never_analysed_is_left_to_the_defaults(sqlite_only):
    analyze_new_indexes(_Editor(), "customer_live_region_idx")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None


def test_an_analysed_database_gets_the_new_index_statistics(sqlite_only):
    CustomerFactory.create_batch(3)  # an empty index gets no statistics row
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "customer_live_list_idx"')
    assert _stat_rows("customer_live_region_idx") == []
    analyze_new_indexes(_Editor(), "customer_live_region_idx")
    assert _stat_rows("customer_live_region_idx") == [("customer_live_region_idx",)]


def test_postgresql_is_left_alone():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    analyze_new_indexes(_Editor(), "customer_live_region_idx")  # no error, nothing to do
