"""Document numbers without gaps or collisions: SO2026000001, FH2026000001, ..."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import NumberSequence
from .prepared import prepared_cursor


def next_numbers(prefix: str, year: int, count: int = 1) -> list[str]:
    """Take `count` numbers from the series; call inside the writing transaction.

    The UPDATE locks the series row until the caller commits (PostgreSQL; SQLite's IMMEDIATE
    transactions serialize writers anyway), so two clerks saving at once never share a number.
    """
    # One round trip: UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL), prepared on PostgreSQL
    # (core/prepared.py: it runs with every order and shipment). No savepoint: the
    # caller's transaction covers it; only the first number of a year needs one, to survive
    # two clerks creating that row at once.
    table = NumberSequence._meta.db_table
    with transaction.atomic(savepoint=False), prepared_cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "last" = "last" + %s WHERE "prefix" = %s AND "year" = %s RETURNING "last"',
            [count, prefix, year],
        )
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, year=year, last=count)
                last = count
            except IntegrityError:
                cursor.execute(
                    f'UPDATE "{table}" SET "last" = "last" + %s WHERE "prefix" = %s AND "year" = %s RETURNING "last"',
                    [count, prefix, year],
                )
                last = cursor.fetchone()[0]
        else:
            last = row[0]
    return [f"{prefix}{year}{n:06d}" for n in range(last - count + 1, last + 1)]
