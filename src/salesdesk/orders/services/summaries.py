"""The monthly sales summary, kept in step with the order rows (see `MonthlySales`)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count

from salesdesk.core.dbfunctions import MonthStart
from salesdesk.core.money import fen_sum

from ..choices import BOOKED_STATES
from ..models import MonthlySales, Order

_UPSERT = (
    "INSERT INTO {table} (month, salesperson_id, amount_fen, orders) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (month, salesperson_id) DO UPDATE SET "
    "amount_fen = {table}.amount_fen + excluded.amount_fen, orders = {table}.orders + excluded.orders"
)


def _fen(order: Order) -> int:
    return int(order.total_amount * 100)


def book(order: Order, sign: int = 1) -> None:
    """Add a confirmed order to its month (sign=-1 takes it out again): one statement."""
    month = order.order_date.replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(table=MonthlySales._meta.db_table),
            [month, order.salesperson_id, sign * _fen(order), sign],
        )


def booked_rows():
    """Booked sales recomputed from the order rows, per month and salesperson."""
    return (
        Order.objects.filter(state__in=BOOKED_STATES)
        .annotate(m=MonthStart("order_date"))
        .values("m", "salesperson_id")
        .annotate(fen=fen_sum("total_amount"), n=Count("id"))
        .order_by()
    )


@transaction.atomic
def rebuild_monthly_sales() -> int:
    """Recompute the whole summary from the rows (after bulk loads); returns the row count."""
    MonthlySales.objects.all().delete()
    rows = [
        MonthlySales(
            month=_as_date(r["m"]),
            salesperson_id=r["salesperson_id"],
            amount_fen=r["fen"],
            orders=r["n"],
        )
        for r in booked_rows()
    ]
    MonthlySales.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value
