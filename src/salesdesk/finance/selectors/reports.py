"""Money reports (R-5.2, R-5.3): receivables aging, the chase list (催款) and the collection rate
(回款率). Every figure is summed by the database in integer fen, so it is exact to the fen on
SQLite and PostgreSQL alike (docs/adr/0003-money.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.money import FenSum, RowFen, fen_sum, fen_to_yuan
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

    def between(newer: dt.date, older: dt.date) -> Q:
        # The upper bound first: most open items are not due yet, and fail it at once (the
        # database tests each bucket's condition on every open item).
        return Q(**{f"{field}__lt": newer}) & Q(**{f"{field}__gte": older})

    return {
        "not_due": Q(**{f"{field}__gte": as_of}),
        "d0_30": between(as_of, before(30)),
        "d31_60": between(before(30), before(60)),
        "d61_90": between(before(60), before(90)),
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


class OpenFen(RowFen):
    """A receivable's stored open amount in integer fen: ROUND((amount − allocated) × 100).

    Written out rather than composed from F() arithmetic: on SQLite Django wraps every decimal
    operation in CAST(… AS NUMERIC), four casts per row that cost a report over the open items
    a quarter of its time. Summed with FenSum (core.money)."""

    arg_joiner = " - "


class NotIndexed(Func):
    """A column compared without letting SQLite pick an index for the comparison (unary "+",
    the way SQLite documents): `issued_on <= today` holds for nearly every open item, yet its
    range draws SQLite's planner to the customer's whole history (receivable_statement_idx,
    37k rows for the biggest customer) instead of the partial index on the open items."""

    template = "%(expressions)s"

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def open_items(*, user, as_of: dt.date, history: bool = False):
    """Receivables open on `as_of` and how to sum their open amount exactly.

    Returns (queryset, open_sum) where open_sum(filter=Q, empty=0) is an aggregate giving integer
    fen (`empty`: the value of an empty sum; None leaves it NULL).
    Today: the open items only (is_open hits the partial index, so the cost follows the open
    count, not the history) with the stored allocated amount. Another date: the receivables
    issued by then and not yet paid in full then, less the allocations of payments received
    by then (a correlated subquery summed in fen). history=True takes that path for today too
    (the tests prove both paths agree).
    """
    base = scope_by_customer(Receivable.objects.all(), user, "customer__")
    if _reads_open_items(as_of, history):
        # issued_on: an invoice dated ahead is not owed yet (as on the history path). It never
        # narrows the open items, so no index may be chosen for it (see NotIndexed).
        qs = base.filter(LessThanOrEqual(NotIndexed("issued_on"), as_of), is_open=True).alias(
            open_yuan=F("amount") - F("allocated_amount")
        )

        def open_sum(filter=None, empty=0):
            total = FenSum(OpenFen(F("amount"), F("allocated_amount")), filter=filter)
            return total if empty is None else Coalesce(total, empty)

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

    def open_sum(filter=None, empty=0):
        # Already integer fen per row: integers add exactly (fen_sum would scale them again).
        total = Sum("open_fen", filter=filter)
        return total if empty is None else Coalesce(total, empty)

    return qs, open_sum


def _bucket_sums(open_sum: Callable, as_of: dt.date) -> dict:
    """The five bucket sums of a group, NULL for an empty bucket (read as 0 by _amounts and
    _grouped_page): a COALESCE on each of 5 × 13k groups cost the aging statement 5 ms."""
    return {key: open_sum(filter=q, empty=None) for key, q in bucket_filters(as_of).items()}


def _amounts(fens: Sequence) -> dict:
    """Decimal yuan of the five bucket sums in fen (BUCKET_KEYS order), with total and overdue."""
    amounts = {key: fen_to_yuan(fen) for key, fen in zip(BUCKET_KEYS, fens, strict=True)}
    amounts["total"] = sum(amounts.values(), ZERO)
    amounts["overdue"] = sum((amounts[k] for k in OVERDUE_KEYS), ZERO)
    return amounts


def _heads(head: str, code: bool = False) -> tuple:
    """The head columns a group of a money report is shown with: (model, field names). The
    customer code only when asked (the aging export): a page orders by tier and name, which
    PostgreSQL then reads from the customers' (tier, name, id) index alone; asking the code
    too makes it read the whole customer table (42 ms against 12 ms at 100k customers)."""
    if head == "customer":
        return Customer, ("tier", "name", "code") if code else ("tier", "name")
    return get_user_model(), ("display_name", "username")


class Grouped(NamedTuple):
    """What `_grouped_page` read: the number of groups, the sums of `totals` over every group,
    and the rows of the window asked for, in order: (key, *heads, *annotations)."""

    count: int
    totals: tuple
    start: int
    rows: list[tuple]


def _grouped_page(
    inner: QuerySet,
    key: str,
    head: str,
    order: Sequence[str],
    totals: Sequence[str] = (),
    window: slice | None = None,
    code: bool = False,
) -> Grouped:
    """Run `inner` (values(key).annotate(…): one row per group of the receivable's `key`
    column) once and read from it, in one statement: the number of groups, the sums of the
    `totals` annotations over every group, and the groups of `window` (every group if None)
    in `order` (head fields or annotations, "-" for descending), each with the head fields
    of its customer or salesperson.

    SQL written here around the ORM's grouped query (the ORM cannot join to a grouped
    subquery, nor add a totals row): the groups are read once (a CTE), each joined to its
    customer once, and only the window's rows leave the database, as plain tuples: no
    per-row converters, so fen come as the engine gives them (int on SQLite, integral
    Decimal on PostgreSQL), dates as 'YYYY-MM-DD' text on SQLite."""
    model, heads = _heads(head, code)
    connection = connections[inner.db]
    qn = connection.ops.quote_name
    try:
        sql, params = inner.query.get_compiler(inner.db).as_sql()
    except EmptyResultSet:  # none(): out of every scope
        return Grouped(0, (0,) * len(totals), 0, [])
    names = list(inner.query.annotation_select)
    exprs = {key: f"g.{qn(key)}"}
    exprs |= {name: f"h.{qn(model._meta.get_field(name).column)}" for name in heads}
    exprs |= {name: f"g.{qn(name)}" for name in names}
    columns = [key, *heads, *names]  # the page rows after their leading part column
    inner_order, outer_order = [], ["1"]
    for item in order:
        name, desc = item.lstrip("-"), " DESC" if item.startswith("-") else ""
        inner_order.append(exprs[name] + desc)
        outer_order.append(f"{columns.index(name) + 2}{desc}")
    summed = {name: f"SUM(g.{qn(name)})" for name in totals}
    totals_row = [summed.get(name, "NULL") for name in columns[1:]]
    join = "INNER JOIN" if head == "customer" else "LEFT JOIN"  # no salesperson: still a row
    cut = ""
    if window is not None:
        cut = f" LIMIT {int(window.stop - window.start)} OFFSET {int(window.start)}"
    sql = (
        f"WITH g AS ({sql}) "
        f"SELECT 0, COUNT(*), {', '.join(totals_row)} FROM g "
        f"UNION ALL SELECT * FROM (SELECT 1, {', '.join(exprs[name] for name in columns)} "
        f"FROM g {join} {qn(model._meta.db_table)} h "
        f"ON h.{qn(model._meta.pk.column)} = g.{qn(key)} "
        f"ORDER BY {', '.join(inner_order)}{cut}) p "
        f"ORDER BY {', '.join(outer_order)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (_part, count, *sums), *rows = cursor.fetchall()
    sums = dict(zip(columns[1:], sums, strict=True))
    return Grouped(
        count,
        tuple(sums[name] or 0 for name in totals),
        0 if window is None else window.start,
        [row[1:] for row in rows],
    )


class Window(Sequence):
    """The rows of a grouped report, cut by the database: a list to Paginator and templates.

    Built from a first read (`_grouped_page`) of the window the caller will show (or of every
    row); len() is the number of groups that read counted. A slice inside that window costs
    no query and turns only its own rows into what the caller sees (`make`); another slice
    reads again, that window only; iterating reads every row unless the first read had them
    (the Excel export)."""

    def __init__(self, read: Callable[[slice | None], Grouped], make: Callable, first: Grouped):
        self._read, self._make, self._got = read, make, first

    def __len__(self) -> int:
        return self._got.count

    def count(self) -> int:  # what django.core.paginator.Paginator asks
        return self._got.count

    def _has(self, start: int, stop: int) -> bool:
        got = self._got
        return got.start <= start and stop <= got.start + len(got.rows)

    def _slice(self, start: int, stop: int) -> list[tuple]:
        if not self._has(start, stop):
            self._got = self._got._replace(**self._read(slice(start, stop))._asdict())
        offset = self._got.start
        return self._got.rows[start - offset : stop - offset]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(self)[index]
            if start >= stop:
                return []
            return [self._make(row) for row in self._slice(start, stop)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._make(self._slice(index, index + 1)[0])

    def __iter__(self):
        if not self._has(0, len(self)):
            self._got = self._read(None)
        for row in self._got.rows:
            yield self._make(row)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # mutable-looking sequence: compared by value, not hashable

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)} rows>"


def _customer_aging_row(row: tuple) -> dict:
    pk, tier, name, *rest = row
    # The code is read for the export (every row) only: see _heads.
    code, fens = (rest[0], rest[1:]) if len(rest) > len(BUCKET_KEYS) else ("", rest)
    return {"id": pk, "name": name, "code": code, "is_key": tier == Tier.KEY, **_amounts(fens)}


def _salesperson_aging_row(row: tuple) -> dict:
    pk, display_name, username, *fens = row
    return {
        "id": pk,
        "name": display_name or username or str(_("No salesperson")),
        "code": username or "",
        "is_key": False,
        **_amounts(fens),
    }


class AgingRows(Window):
    """The rows of an aging report (dicts with Decimal yuan), per customer or salesperson."""


# Report order: key accounts first ('key' < 'ordinary'), then by name; people by name.
AGING_ORDER = {
    "customer": ("tier", "name", "customer_id"),
    "salesperson": ("display_name", "username", "salesperson_id"),
}


def receivables_aging(
    *,
    user,
    as_of: dt.date | None = None,
    by: str = "customer",
    customer=None,
    salesperson=None,
    history: bool = False,
    page: slice | None = None,
) -> dict:
    """Open receivables as of a date in aging buckets, per customer (key accounts first) or per
    salesperson, with totals (R-5.2); amounts exact Decimal yuan. `page`: the rows the caller
    will show (a slice of the report's rows); None: every row.

    One query, one pass over the open items: per group the five bucket sums in integer fen
    (read once, as a CTE), from which the database gives the number of rows, the totals and
    the page's rows in order, each joined to its customer (tier, name) or salesperson. Only
    the page's rows leave the database and become Decimal; `rows` is an AgingRows, which
    reads again only for a slice outside that page (every row: the Excel export).
    """
    as_of = as_of or timezone.localdate()
    if by not in AGING_BY:
        raise ValueError(f"by must be one of {AGING_BY}")
    qs, open_sum = open_items(user=user, as_of=as_of, history=history)
    # A row that is open but owes nothing (fully paid by then, closed later) adds nothing: left
    # out, every group has a non-zero total, as the rows shown.
    qs = qs.filter(_owes_something(as_of, history))
    if customer is not None:
        qs = qs.filter(customer=customer)
    if salesperson is not None:
        qs = qs.filter(salesperson=salesperson)
    key = "customer_id" if by == "customer" else "salesperson_id"
    inner = qs.values(key).annotate(**_bucket_sums(open_sum, as_of)).order_by()

    def read(window: slice | None) -> Grouped:
        # The customer code is shown in the export (every row) only.
        return _grouped_page(inner, key, by, AGING_ORDER[by], BUCKET_KEYS, window, window is None)

    first = read(page)
    make = _customer_aging_row if by == "customer" else _salesperson_aging_row
    totals = _amounts(first.totals)
    return {
        "as_of": as_of,
        "by": by,
        "buckets": BUCKETS,
        "rows": AgingRows(read, make, first),
        "totals": totals,
        "bucket_totals": [(label, totals[key]) for key, label in BUCKETS],
        "definition": AGING_DEFINITION,
    }


# The customer fields the chase page and its export show (owner: its __str__).
CHASE_CUSTOMER_FIELDS = (
    "code",
    "name",
    "tier",
    "last_followup_at",
    "next_followup_on",
    "next_followup_note",
    *name_fields("owner"),
)


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


class ChaseFigure(NamedTuple):
    """One customer of the chase list before its page is built: the overdue sum in fen."""

    customer_id: int
    tier: str
    name: str
    overdue_fen: int
    oldest_due: dt.date | str  # 'YYYY-MM-DD' on SQLite (sorts as the date does)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


CHASE_ORDER = ("tier", "-overdue_fen", "oldest_due", "name", "customer_id")


def chase_figures(
    *, user, as_of: dt.date | None = None, history: bool = False, page: slice | None = None
) -> Window:
    """Per customer with overdue open receivables: the overdue fen and the oldest due date, in
    the chase order (key accounts first, then the largest overdue amount, then the oldest due
    date, then the name), as ChaseFigure rows of a Window (`page`: the rows the caller will
    show; None: every row). One query over the overdue open items only (today the partial
    index on the open items' due date) giving the number of customers and the page's rows;
    the open total is read for a page's rows only (chase_rows), and no customer objects are
    built here."""
    as_of = as_of or timezone.localdate()
    qs, open_sum = open_items(user=user, as_of=as_of, history=history)
    inner = (
        qs.filter(_owes_something(as_of, history), due_date__lt=as_of)
        .values("customer_id")
        .annotate(overdue_fen=open_sum(), oldest_due=Min("due_date"))
        .order_by()
    )

    def read(window: slice | None) -> Grouped:
        return _grouped_page(inner, "customer_id", "customer", CHASE_ORDER, window=window)

    return Window(read, ChaseFigure._make, read(page))


def chase_rows(
    figures: Sequence[ChaseFigure],
    *,
    user,
    as_of: dt.date | None = None,
    history: bool = False,
) -> list[ChaseRow]:
    """The chase rows of `figures` (from chase_figures with the same user, date and path), in
    their order: one query for the customers with their owner, their last follow-up summary
    and what they owe in total on `as_of` (overdue or not), whatever the number of rows."""
    as_of = as_of or timezone.localdate()
    figures = list(figures)  # a Window reads (every row) once
    last = FollowUp.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-id")
    qs, open_sum = open_items(user=user, as_of=as_of, history=history)
    owed = (
        qs.filter(_owes_something(as_of, history), customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(fen=open_sum())
        .values("fen")
    )
    customers = Customer.objects.filter(pk__in=[figure.customer_id for figure in figures])
    # Only what the page and the export show: a full customer row costs its converters.
    customers = customers.select_related("owner").only(*CHASE_CUSTOMER_FIELDS)
    customers = customers.annotate(
        last_summary=Subquery(last.values("summary")[:1]),
        open_fen=Subquery(owed, output_field=BigIntegerField()),
    )
    by_pk = {customer.pk: customer for customer in customers}
    rows = []
    for figure in figures:
        customer = by_pk[figure.customer_id]
        oldest_due = _as_date(figure.oldest_due)
        rows.append(
            ChaseRow(
                customer=customer,
                overdue=fen_to_yuan(figure.overdue_fen),
                open_total=fen_to_yuan(customer.open_fen),
                oldest_due=oldest_due,
                days=(as_of - oldest_due).days,
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
    figures = chase_figures(user=user, as_of=as_of, history=history)
    return chase_rows(figures, user=user, as_of=as_of, history=history)


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


def collection_rate(
    *, user, start: dt.date, end: dt.date, by: str = "month", whole_team: bool = False
) -> dict:
    """Collection rate (回款率, R-5.3) per month, customer or salesperson: of the receivables due
    in [start, end], the share paid by payments received on or before `end` (see
    COLLECTION_DEFINITION). Two aggregate queries; amounts exact Decimal yuan. `whole_team`:
    every customer's (see core.scoping.scope_by_customer), for the team's ranking."""
    if by not in COLLECTION_BY:
        raise ValueError(f"by must be one of {COLLECTION_BY}")
    receivables = scope_by_customer(
        Receivable.objects.filter(due_date__gte=start, due_date__lte=end),
        user,
        "customer__",
        whole_team=whole_team,
    )
    allocations = scope_by_customer(
        Allocation.objects.filter(
            receivable__due_date__gte=start,
            receivable__due_date__lte=end,
            payment__received_on__lte=end,
        ),
        user,
        "receivable__customer__",
        whole_team=whole_team,
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
