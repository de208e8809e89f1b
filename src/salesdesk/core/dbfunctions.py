"""Database functions that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, Func, IntegerField

EPOCH = dt.date(2000, 1, 1)


class DayNumber(Func):
    """Days since 2000-01-01 of a date column, as an integer, on SQLite and PostgreSQL."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND(julianday({sql}) - julianday('2000-01-01')) AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date - DATE '2000-01-01')", params

    def as_sql(self, compiler, connection, **extra):  # other backends: not supported here
        raise NotImplementedError("DayNumber supports SQLite and PostgreSQL")


class _DateStart(Func):
    """The first day of a date column's period, as a date, without per-row Python on SQLite."""

    output_field = DateField()
    sqlite_template = ""
    postgresql_unit = ""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return self.sqlite_template.format(sql=sql), params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(date_trunc('{self.postgresql_unit}', {sql})::date)", params

    def as_sql(self, compiler, connection, **extra):  # other backends: not supported here
        raise NotImplementedError(f"{type(self).__name__} supports SQLite and PostgreSQL")


class MonthStart(_DateStart):
    """The first day of the month (Chinese financial months are calendar months)."""

    sqlite_template = "(substr({sql}, 1, 7) || '-01')"
    postgresql_unit = "month"


class WeekStart(_DateStart):
    """The Monday of the week (weeks start on Monday)."""

    # 'weekday 0' moves forward to the Sunday ending the week (or stays on it); 6 days back is Monday.
    sqlite_template = "date({sql}, 'weekday 0', '-6 days')"
    postgresql_unit = "week"


def plain_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as the engine gives them, without Django's per-value
    converters: dates stay 'YYYY-MM-DD' text on SQLite (they sort as the dates do), integers
    stay integers. For reads of thousands of keys of which a page shows a few (the statement
    read 7,700 rows' dates through converters: a third of its time)."""
    from django.db import connections, router

    alias = queryset.db or router.db_for_read(queryset.model)
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def analyze_new_indexes(schema_editor, *names: str) -> None:
    """For a migration adding indexes: on SQLite, analyse them when the database has been
    analysed before. SQLite then plans from sqlite_stat1 (the bench data, or an office that ran
    ANALYZE), where an index without its row looks worse than the old ones and is not used; a
    database never analysed is planned from defaults, which already choose them. PostgreSQL
    keeps statistics per column, which a new index does not change."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return
        for name in names:
            cursor.execute(f'ANALYZE "{name}"')
