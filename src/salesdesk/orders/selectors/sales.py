"""Reads of the monthly sales summary and the proof that it agrees with the order rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import MonthlySales
from ..services.summaries import _as_date, booked_rows


@dataclass(frozen=True)
class SummaryDrift:
    month: dt.date
    salesperson_id: int
    summary_fen: int
    rows_fen: int
    summary_orders: int
    rows_orders: int


def monthly_sales_drift(month: dt.date | None = None) -> list[SummaryDrift]:
    """Every (month, salesperson) where the summary and the order rows disagree; [] when in step."""
    summary = MonthlySales.objects.all()
    rows = booked_rows()
    if month is not None:
        first = month.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        summary = summary.filter(month=first)
        rows = rows.filter(order_date__gte=first, order_date__lt=after)
    kept = {
        (s.month, s.salesperson_id): (s.amount_fen, s.orders)
        for s in summary
        if s.amount_fen or s.orders
    }
    counted = {(_as_date(r["m"]), r["salesperson_id"]): (r["fen"], r["n"]) for r in rows}
    drift = []
    for key in sorted(kept.keys() | counted.keys()):
        have, want = kept.get(key, (0, 0)), counted.get(key, (0, 0))
        if have != want:
            drift.append(SummaryDrift(key[0], key[1], have[0], want[0], have[1], want[1]))
    return drift


def booked_by_month(*, start: dt.date, end: dt.date) -> list[dict]:
    """Booked sales (接单额) from the monthly summary for the months from `start`'s to `end`'s:
    [{"month": first day, "salesperson_id", "fen": integer fen, "orders"}], one row per month
    and salesperson that has any. Not scoped: the report selectors calling it scope the rows."""
    rows = MonthlySales.objects.filter(
        month__gte=start.replace(day=1), month__lte=end.replace(day=1)
    ).values_list("month", "salesperson_id", "amount_fen", "orders")
    return [
        {"month": _as_date(m), "salesperson_id": sp, "fen": fen, "orders": n}
        for m, sp, fen, n in rows
        if fen or n
    ]
