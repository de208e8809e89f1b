"""Money reports (R-5.2, R-5.3): receivables aging, the chase list (催款) and the collection rate
(回款率). Every figure is summed by the database in integer fen, so it is exact to the fen on
SQLite and PostgreSQL alike (docs/adr/0003-money.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Customer, FollowUp

from ..models import Allocation, Receivable

ZERO = Decimal("0.00")

# Aging buckets by days overdue = as_of − due date. An item due on as_of itself may still be
# paid that day without being late, so it is "not yet due"; overdue starts the day after.
BUCKETS: list[tuple[str, object]] = [
    ("not_due", _("Not yet due")),
    ("d0_30", _("0–30 days")),
    ("d31_60", _("31–60 days")),
    ("d61_90", _("61–90 days")),
    ("d90_plus", _("Over 90 days")),
]
BUCKET_KEYS = [key for key, _label in BUCKETS]
OVERDUE_KEYS = BUCKET_KEYS[1:]
AGING_BY = ("customer", "salesperson")
AGING_DEFINITION = _(
    "Days overdue = the report date minus the due date. Not yet due: due on the report date or "
    "later. 0–30 days: 1 to 30 days overdue; 31–60: 31 to 60; 61–90: 61 to 90; over 90: 91 days "
    "or more. For a past date, the open amount is what was open then: receivables issued by that "
    "date, less what payments received by that date paid towards them."
)

COLLECTION_BY = ("month", "customer", "salesperson")
COLLECTION_DEFINITION = _(
    "Collection rate = collected ÷ due. Due: the amounts of the receivables whose due date falls "
    "in the period. Collected: what payments received on or before the last day of the period "
    "paid towards those receivables. Payments set against other receivables and unallocated "
    "credit do not count."
)


def bucket_filters(as_of: dt.date, prefix: str = "") -> dict[str, Q]:
    """The due-date condition of each aging bucket as of `as_of` (see BUCKETS)."""
    field = f"{prefix}due_date"

    def before(days: int) -> dt.date:
        return as_of - dt.timedelta(days=days)

    return {
        "not_due": Q(**{f"{field}__gte": as_of}),
        "d0_30": Q(**{f"{field}__lt": as_of, f"{field}__gte": before(30)}),
        "d31_60": Q(**{f"{field}__lt": before(30), f"{field}__gte": before(60)}),
        "d61_90": Q(**{f"{field}__lt": before(60), f"{field}__gte": before(90)}),
        "d90_plus": Q(**{f"{field}__lt": before(90)}),
    }


def bucket_of(days_overdue: int) -> str:
    """The bucket key for a number of days overdue (negative or 0: not yet due)."""
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "d0_30"
    if days_overdue <= 60:
        return "d31_60"
    if days_overdue <= 90:
        return "d61_90"
    return "d90_plus"


def open_items(*, user, as_of: dt.date, history: bool = False):
    """Receivables open on `as_of` and how to sum their open amount exactly.

    Returns (queryset, open_sum) where open_sum(filter=Q) is an aggregate giving integer fen.
    Today: the open items only (is_open hits the partial index, so the cost follows the open
    count, not the history) with the stored allocated amount. Another date: the receivables
    issued by then and not yet paid in full then, less the allocations of payments received
    by then (a correlated subquery summed in fen). history=True takes that path for today too
    (the tests prove both paths agree).
    """
    base = scope_by_customer(Receivable.objects.all(), user, "customer__")
    if _reads_open_items(as_of, history):
        # issued_on: an invoice dated ahead is not owed yet (as on the history path).
        qs = base.filter(is_open=True, issued_on__lte=as_of).alias(
            open_yuan=F("amount") - F("allocated_amount")
        )

        def open_sum(filter=None):
            return fen_sum("open_yuan", filter=filter)

        return qs, open_sum
    return past_open_items(base, as_of)


def _reads_open_items(as_of: dt.date, history: bool) -> bool:
    """Whether `open_items` takes the fast path (today's open items with the stored amounts)."""
    return as_of == timezone.localdate() and not history


def _owes_something(as_of: dt.date, history: bool) -> Q:
    """The rows of `open_items` with a non-zero open amount (its fast or its history path)."""
    if _reads_open_items(as_of, history):
        return Q(allocated_amount__lt=F("amount"))
    return Q(open_fen__gt=0)


def past_open_items(base: QuerySet, as_of: dt.date):
    """The general path of `open_items`, for any date (also used to check the fast path)."""
    paid_by_then = (
        Allocation.objects.filter(receivable=OuterRef("pk"), payment__received_on__lte=as_of)
        .values("receivable")
        .annotate(fen=fen_sum("amount"))
        .values("fen")
    )
    qs = (
        base.filter(issued_on__lte=as_of)
        .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=as_of))
        .alias(
            open_fen=Cast(Round(F("amount") * 100), BigIntegerField())
            - Coalesce(Subquery(paid_by_then, output_field=BigIntegerField()), 0)
        )
    )

    def open_sum(filter=None):
        # Already integer fen per row: integers add exactly (fen_sum would scale them again).
        return Coalesce(Sum("open_fen", filter=filter), 0)

    return qs, open_sum


def _bucket_sums(open_sum: Callable, as_of: dt.date) -> dict:
    return {key: open_sum(filter=q) for key, q in bucket_filters(as_of).items()}


def _amounts(row: dict) -> dict:
    amounts = {key: fen_to_yuan(row[key]) for key in BUCKET_KEYS}
    amounts["total"] = sum(amounts.values(), ZERO)
    amounts["overdue"] = sum((amounts[k] for k in OVERDUE_KEYS), ZERO)
    return amounts


def _aggregate(qs: QuerySet, **aggregates) -> dict:
    """One row of aggregates over `qs`, which may sum its alias()es (aggregate() refuses that):
    a constant in values() adds no GROUP BY, so this is a plain aggregate query."""
    rows = list(qs.order_by().values(_all=Value(1)).annotate(**aggregates))
    return rows[0] if rows else dict.fromkeys(aggregates, 0)  # none(): out of every scope


class AgingRows(Sequence):
    """The rows of an aging report, cut by the database.

    len() is the number of rows (counted by the totals query). A slice runs the grouped query
    with ORDER BY + LIMIT/OFFSET and turns only those rows into Decimal yuan, so a page of 50
    costs the same whatever the number of customers; iterating reads every row (the Excel
    export). Paginator and list comparisons work on it as on a list.
    """

    def __init__(self, grouped: QuerySet, by: str, count: int):
        self._grouped, self._by, self._count = grouped, by, count

    def __len__(self) -> int:
        return self._count

    def count(self) -> int:  # what django.core.paginator.Paginator asks
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return list(self)[index]
            if start >= stop:
                return []
            return [self._row(row) for row in self._grouped[start:stop]]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("aging row index out of range")
        return self._row(self._grouped[index])

    def __iter__(self):
        if not self._count:
            return
        for row in self._grouped.iterator(chunk_size=2000):
            yield self._row(row)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # mutable-looking sequence: compared by value, not hashable

    def __repr__(self) -> str:
        return f"<AgingRows by {self._by}: {self._count} rows>"

    def _row(self, row: dict) -> dict:
        if self._by == "customer":
            head = {
                "id": row["customer_id"],
                "name": row["customer__name"],
                "code": row["customer__code"],
                "is_key": row["customer__tier"] == Tier.KEY,
            }
        else:
            head = {
                "id": row["salesperson_id"],
                "name": row["salesperson__display_name"]
                or row["salesperson__username"]
                or str(_("No salesperson")),
                "code": row["salesperson__username"] or "",
                "is_key": False,
            }
        return {**head, **_amounts(row)}


def receivables_aging(
    *,
    user,
    as_of: dt.date | None = None,
    by: str = "customer",
    customer=None,
    salesperson=None,
    history: bool = False,
) -> dict:
    """Open receivables as of a date in aging buckets, per customer (key accounts first) or per
    salesperson, with totals (R-5.2); amounts exact Decimal yuan.

    Runs one aggregate over the open items at once (the totals and the number of rows);
    `rows` is an AgingRows: a page of it is one grouped query with ORDER BY + LIMIT/OFFSET,
    so the cost follows the open items and the page, never the number of customers in Python.
    """
    as_of = as_of or timezone.localdate()
    if by not in AGING_BY:
        raise ValueError(f"by must be one of {AGING_BY}")
    qs, open_sum = open_items(user=user, as_of=as_of, history=history)
    # A row that is open but owes nothing (fully paid by then, closed later) adds nothing: left
    # out, every group counted below has a non-zero total, as the rows shown.
    qs = qs.filter(_owes_something(as_of, history))
    if customer is not None:
        qs = qs.filter(customer=customer)
    if salesperson is not None:
        qs = qs.filter(salesperson=salesperson)
    if by == "customer":
        fields = ["customer_id", "customer__name", "customer__code", "customer__tier"]
        order = ["customer__tier", "customer__name", "customer_id"]
        key = F("customer_id")
    else:
        fields = ["salesperson_id", "salesperson__display_name", "salesperson__username"]
        order = ["salesperson__display_name", "salesperson__username", "salesperson_id"]
        key = Coalesce("salesperson_id", 0)  # "no salesperson" is a row too; COUNT skips NULL
    sums = _bucket_sums(open_sum, as_of)
    figures = _aggregate(qs, rows=Count(key, distinct=True), **sums)
    grouped = qs.values(*fields).annotate(**sums).order_by(*order)
    return {
        "as_of": as_of,
        "by": by,
        "buckets": BUCKETS,
        "rows": AgingRows(grouped, by, figures["rows"]),
        "totals": _amounts(figures),
        "definition": AGING_DEFINITION,
    }


@dataclass
class ChaseRow:
    customer: Customer
    overdue: Decimal
    open_total: Decimal
    oldest_due: dt.date
    days: int
    last_summary: str | None

    @property
    def is_key(self) -> bool:
        return self.customer.is_key_account


def chase_figures(*, user, as_of: dt.date | None = None, history: bool = False) -> list[dict]:
    """Per customer with overdue open receivables: overdue and open fen, oldest due date, in the
    chase order (key accounts first, then the largest overdue amount, then the oldest due date).
    One aggregate query; no customer objects are built, so a page can hydrate only its rows."""
    as_of = as_of or timezone.localdate()
    qs, open_sum = open_items(user=user, as_of=as_of, history=history)
    overdue_q = Q(due_date__lt=as_of)
    grouped = (
        qs.values("customer_id", "customer__tier", "customer__name")
        .annotate(
            overdue_fen=open_sum(filter=overdue_q),
            open_fen=open_sum(),
            oldest_due=Min("due_date", filter=overdue_q),
        )
        .filter(oldest_due__isnull=False)
        .order_by()
    )
    figures = [row for row in grouped if row["overdue_fen"]]
    figures.sort(
        key=lambda r: (
            r["customer__tier"] != Tier.KEY,
            -r["overdue_fen"],
            r["oldest_due"],
            r["customer__name"],
            r["customer_id"],
        )
    )
    return figures


def chase_rows(figures: list[dict], *, as_of: dt.date | None = None) -> list[ChaseRow]:
    """The chase rows of `figures` (from chase_figures), in their order: one query for the
    customers with their owner and last follow-up summary, whatever the number of rows."""
    as_of = as_of or timezone.localdate()
    last = FollowUp.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-id")
    customers = Customer.objects.filter(pk__in=[row["customer_id"] for row in figures])
    customers = customers.select_related("owner").annotate(
        last_summary=Subquery(last.values("summary")[:1])
    )
    by_pk = {customer.pk: customer for customer in customers}
    rows = []
    for row in figures:
        customer = by_pk[row["customer_id"]]
        rows.append(
            ChaseRow(
                customer=customer,
                overdue=fen_to_yuan(row["overdue_fen"]),
                open_total=fen_to_yuan(row["open_fen"]),
                oldest_due=row["oldest_due"],
                days=(as_of - row["oldest_due"]).days,
                last_summary=customer.last_summary,
            )
        )
    return rows


def chase_list(*, user, as_of: dt.date | None = None, history: bool = False) -> list[ChaseRow]:
    """Customers with overdue open receivables (催款, R-5.2) with their last follow-up and next
    step: key accounts first, then the largest overdue amount, then the oldest due date.
    Every row (the Excel export); the page shows one page of chase_figures through chase_rows.
    Two queries whatever the number of customers or receivables."""
    as_of = as_of or timezone.localdate()
    return chase_rows(chase_figures(user=user, as_of=as_of, history=history), as_of=as_of)


class YearMonth(Func):
    """'YYYY-MM' of a date column, computed by the database itself.

    TruncMonth runs a Python function per row on SQLite (pitfalls.md); SQLite keeps dates as
    'YYYY-MM-DD' text, so the first seven characters are the month.
    """

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra_context
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra_context
        )


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    """Every 'YYYY-MM' from start's month to end's month."""
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def collection_rate_of(due: Decimal, collected: Decimal) -> Decimal | None:
    """Collected ÷ due in percent with one decimal; None when nothing was due."""
    if not due:
        return None
    return (collected * 100 / due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def collection_rate(*, user, start: dt.date, end: dt.date, by: str = "month") -> dict:
    """Collection rate (回款率, R-5.3) per month, customer or salesperson: of the receivables due
    in [start, end], the share paid by payments received on or before `end` (see
    COLLECTION_DEFINITION). Two aggregate queries; amounts exact Decimal yuan."""
    if by not in COLLECTION_BY:
        raise ValueError(f"by must be one of {COLLECTION_BY}")
    receivables = scope_by_customer(
        Receivable.objects.filter(due_date__gte=start, due_date__lte=end), user, "customer__"
    )
    allocations = scope_by_customer(
        Allocation.objects.filter(
            receivable__due_date__gte=start,
            receivable__due_date__lte=end,
            payment__received_on__lte=end,
        ),
        user,
        "receivable__customer__",
    )
    if by == "month":
        due_rows = receivables.annotate(key=YearMonth("due_date")).values("key")
        paid_rows = allocations.annotate(key=YearMonth("receivable__due_date")).values("key")
        extra: dict = {}
    elif by == "customer":
        due_rows = receivables.values(key=F("customer_id"))
        paid_rows = allocations.values(key=F("receivable__customer_id"))
        extra = {
            "label": Max("customer__name"),
            "tier": Max("customer__tier"),
            "code": Max("customer__code"),
        }
    else:
        due_rows = receivables.values(key=F("salesperson_id"))
        paid_rows = allocations.values(key=F("receivable__salesperson_id"))
        extra = {
            "label": Max("salesperson__display_name"),
            "username": Max("salesperson__username"),
        }
    due = {r["key"]: r for r in due_rows.annotate(fen=fen_sum("amount"), **extra).order_by()}
    paid = {r["key"]: r["fen"] for r in paid_rows.annotate(fen=fen_sum("amount")).order_by()}
    keys = month_keys(start, end) if by == "month" else list(due)
    rows = []
    for key in keys:
        info = due.get(key, {})
        row_due = fen_to_yuan(info.get("fen", 0))
        row_collected = fen_to_yuan(paid.get(key, 0))
        if by == "month":
            label = key
        elif by == "customer":
            label = info["label"]
        else:
            label = info["label"] or info["username"] or str(_("No salesperson"))
        rows.append(
            {
                "key": key,
                "label": label,
                "is_key": info.get("tier") == Tier.KEY,
                "due": row_due,
                "collected": row_collected,
                "rate": collection_rate_of(row_due, row_collected),
            }
        )
    if by == "customer":
        rows.sort(key=lambda r: (not r["is_key"], r["label"], r["key"]))
    elif by == "salesperson":
        rows.sort(key=lambda r: (r["key"] is None, r["label"], r["key"] or 0))
    total_due = sum((r["due"] for r in rows), ZERO)
    total_collected = sum((r["collected"] for r in rows), ZERO)
    return {
        "start": start,
        "end": end,
        "by": by,
        "rows": rows,
        "totals": {
            "due": total_due,
            "collected": total_collected,
            "rate": collection_rate_of(total_due, total_collected),
        },
        "definition": COLLECTION_DEFINITION,
    }


def _nice_ceiling(value) -> int:
    """A round axis top at or above `value`: five steps of 1, 2 or 5 × 10^n yuan (at least 5)."""
    import math

    step = max(float(value), 1.0) / 5  # axis scale only; the figures themselves stay Decimal
    magnitude = 10 ** max(0, math.floor(math.log10(step)))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= step:
            return factor * magnitude * 5
    return 50 * magnitude


def collection_chart(report: dict) -> dict:
    """An ECharts option for a monthly collection report: bars due and collected, line rate %.

    Labels come from here, in the reader's language; figures go as exact decimal text (ECharts
    reads numeric strings), so no money passes through float on the server.
    """
    rows = report["rows"]
    top = _nice_ceiling(max((r["due"] for r in rows), default=0))
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {
            "top": 0,
            "data": [str(_("Due")), str(_("Collected")), str(_("Collection rate %"))],
        },
        "grid": {"left": 10, "right": 10, "bottom": 10, "top": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["label"] for r in rows]},
        # Both axes get five fixed steps, so the money gridlines and the % scale line up and a
        # bar reads true against its axis (ECharts misplaces ticks of two auto-scaled axes).
        "yAxis": [
            {"type": "value", "name": str(_("Yuan")), "min": 0, "max": top, "interval": top // 5},
            {
                "type": "value",
                "name": "%",
                "min": 0,
                "max": 100,
                "interval": 20,
                "splitLine": {"show": False},
            },
        ],
        "series": [
            {"name": str(_("Due")), "type": "bar", "data": [str(r["due"]) for r in rows]},
            {
                "name": str(_("Collected")),
                "type": "bar",
                "data": [str(r["collected"]) for r in rows],
            },
            {
                "name": str(_("Collection rate %")),
                "type": "line",
                "yAxisIndex": 1,
                "connectNulls": False,
                "data": [str(r["rate"]) if r["rate"] is not None else None for r in rows],
            },
        ],
    }


def collection_report(*, user, start: dt.date, end: dt.date, by: str = "month") -> dict:
    """The collection-rate page: the table by `by` and the monthly chart of the same period."""
    table = collection_rate(user=user, start=start, end=end, by=by)
    monthly = (
        table if by == "month" else collection_rate(user=user, start=start, end=end, by="month")
    )
    return {**table, "monthly": monthly["rows"], "chart": collection_chart(monthly)}
