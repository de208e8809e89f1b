"""Contract execution (合同执行, R-4.6): ordered, shipped, invoiced and paid per order or contract.

Amounts come from the stored columns the services keep; percentages are computed in Python
Decimal on the rows shown (never a database SUM through float).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from salesdesk.core.dbfunctions import EPOCH, DayNumber
from salesdesk.core.scoping import scope_orders

from ..choices import OPEN_STATES, OrderState
from ..models import Order

PCT = Decimal("0.1")


def behind_schedule_q(as_of: dt.date) -> Q:
    """Open orders past their promised or requested date, or shipped less than the time elapsed.

    Shipped share below elapsed share: shipped / ordered < (today − order date) / (promised − order
    date), multiplied out so no division happens in the database.
    """
    return Q(state__in=OPEN_STATES) & (
        Q(promised_date__lt=as_of)
        | Q(requested_date__lt=as_of)
        | Q(_shipped_x_span__lt=F("_ordered_x_elapsed"))
    )


def _with_behind(qs: QuerySet[Order], as_of: dt.date) -> QuerySet[Order]:
    today_no = (as_of - EPOCH).days
    money = DecimalField(max_digits=24, decimal_places=2)
    span = DayNumber("promised_date") - DayNumber("order_date")
    elapsed = Value(today_no) - DayNumber("order_date")
    return qs.alias(
        _shipped_x_span=ExpressionWrapper(F("shipped_amount") * span, output_field=money),
        _ordered_x_elapsed=ExpressionWrapper(F("total_amount") * elapsed, output_field=money),
    ).annotate(
        behind_schedule=ExpressionWrapper(behind_schedule_q(as_of), output_field=BooleanField())
    )


def contract_execution(
    *,
    user,
    behind: bool = False,
    search: str = "",
    customer=None,
    salesperson=None,
    as_of: dt.date | None = None,
    include_closed: bool = False,
) -> QuerySet[Order]:
    """Confirmed orders and contracts with `behind_schedule`: open ones by default, newest first.

    include_closed=True adds the delivered and closed ones (ten years of history, still newest
    first, never sorted by the customer's tier over the table). behind=True is the worklist: open
    orders behind schedule, key accounts first, then by promised date (R-3.3).
    """
    as_of = as_of or timezone.localdate()
    qs = scope_orders(Order.objects.select_related("customer", "salesperson"), user)
    if include_closed:
        qs = qs.exclude(state__in=(OrderState.DRAFT, OrderState.CANCELLED))
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    qs = _with_behind(qs, as_of)
    if behind:
        qs = qs.filter(behind_schedule=True)
    if customer:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    if salesperson:
        qs = qs.filter(salesperson_id=getattr(salesperson, "pk", salesperson))
    text = (search or "").strip()
    if text:
        condition = (
            Q(number__icontains=text)
            | Q(contract_number__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__code__istartswith=text)
        )
        letters = re.sub(r"\s+", "", text).lower()
        if letters.isascii() and letters.isalpha():
            condition |= Q(customer__name_pinyin__contains=letters) | Q(
                customer__name_initials__contains=letters
            )
        qs = qs.filter(condition)
    if behind:
        return qs.order_by("customer__tier", "promised_date", "id")
    return qs.order_by("-order_date", "-id")


# What a row of the contract execution list shows (orders/_contract_table.html): numbers, the
# customer's name and tier (key-account badge), dates, state and the four amounts execution_of
# reads; behind_schedule is the list's annotation. Not the salesperson.
LIST_FIELDS = (
    "number",
    "contract_number",
    "order_date",
    "promised_date",
    "state",
    "total_amount",
    "shipped_amount",
    "invoiced_amount",
    "paid_amount",
    "customer__name",
    "customer__tier",
)


def for_list(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """`queryset` (from contract_execution) reading only the columns the list shows, without
    joining the salesperson it does not show: every column of an order (~30), its customer
    (~40) and salesperson as Python values for 50 rows was 1–2 ms of the page's 15–18 ms at
    full scale on SQLite."""
    return queryset.select_related(None).select_related("customer").only(*LIST_FIELDS)


@dataclass
class Execution:
    ordered: Decimal
    shipped: Decimal
    invoiced: Decimal
    paid: Decimal
    shipped_pct: Decimal
    invoiced_pct: Decimal
    paid_pct: Decimal


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PCT, rounding=ROUND_HALF_UP)


def execution_of(order: Order) -> Execution:
    """Ordered / shipped / invoiced / paid of one order, with percentages of the ordered amount."""
    total = order.total_amount
    return Execution(
        ordered=total,
        shipped=order.shipped_amount,
        invoiced=order.invoiced_amount,
        paid=order.paid_amount,
        shipped_pct=_pct(order.shipped_amount, total),
        invoiced_pct=_pct(order.invoiced_amount, total),
        paid_pct=_pct(order.paid_amount, total),
    )


def with_execution(orders: Iterable[Order]) -> list[Order]:
    """Attach `execution` to each order of a page (no queries)."""
    rows = list(orders)
    for order in rows:
        order.execution = execution_of(order)
    return rows


def is_behind_schedule(order: Order, as_of: dt.date | None = None) -> bool:
    """The same rule as behind_schedule_q, for one order already in memory."""
    as_of = as_of or timezone.localdate()
    if order.state not in OPEN_STATES:
        return False
    if (order.promised_date and order.promised_date < as_of) or (
        order.requested_date and order.requested_date < as_of
    ):
        return True
    if not order.promised_date:
        return False
    span = (order.promised_date - order.order_date).days
    elapsed = (as_of - order.order_date).days
    return order.shipped_amount * span < order.total_amount * elapsed
