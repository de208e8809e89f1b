"""Database functions that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Func, IntegerField

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
