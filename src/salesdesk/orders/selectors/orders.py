"""Reads of orders: list with filters and the at-risk flag, one order, its lines, export (R-4.2, R-4.4).

Every read is scoped through core.scoping.scope_orders; query counts do not grow with rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.selectors import name_fields
from salesdesk.core.scoping import scope_orders

from ..choices import BOOKED_STATES, OPEN_STATES, ProductionStatus
from ..models import Order, OrderLine

# Values of the `risk_reason` annotation and how pages show them.
RISK_DELAYED = "delayed"
RISK_OVERDUE = "overdue"
RISK_DUE_SOON = "due_soon"
RISK_LABELS = {
    RISK_DELAYED: _("Production delayed"),
    RISK_OVERDUE: _("Promised date passed"),
    RISK_DUE_SOON: _("Due soon, production not done"),
}

PROMISE_THIS_WEEK = "week"
PROMISE_OVERDUE = "overdue"
PROMISE_DUE_CHOICES = (
    (PROMISE_THIS_WEEK, _("Promised this week")),
    (PROMISE_OVERDUE, _("Promise passed")),
)


def at_risk_days() -> int:
    return int(getattr(settings, "SALESDESK_AT_RISK_DAYS", 3))


def today() -> dt.date:
    return timezone.localdate()


def at_risk_q(as_of: dt.date | None = None) -> Q:
    """Open order AND (production delayed OR promised within N days and not done OR promise passed)."""
    as_of = as_of or today()
    soon = as_of + dt.timedelta(days=at_risk_days())
    return Q(state__in=OPEN_STATES) & (
        Q(production_status=ProductionStatus.DELAYED)
        | (Q(promised_date__lte=soon) & ~Q(production_status=ProductionStatus.DONE))
        | Q(promised_date__lt=as_of)
    )


def risk_reason(as_of: dt.date | None = None) -> Case:
    """Why an order is at risk ("" when it is not): the annotation pages display."""
    as_of = as_of or today()
    soon = as_of + dt.timedelta(days=at_risk_days())
    open_q = Q(state__in=OPEN_STATES)
    return Case(
        When(open_q & Q(production_status=ProductionStatus.DELAYED), then=Value(RISK_DELAYED)),
        When(open_q & Q(promised_date__lt=as_of), then=Value(RISK_OVERDUE)),
        When(
            open_q & Q(promised_date__lte=soon) & ~Q(production_status=ProductionStatus.DONE),
            then=Value(RISK_DUE_SOON),
        ),
        default=Value(""),
        output_field=CharField(),
    )


def _search(qs: QuerySet[Order], search: str) -> QuerySet[Order]:
    """Order number, contract number, customer name, short name, code, pinyin or initials."""
    text = (search or "").strip()
    if not text:
        return qs
    condition = (
        Q(number__icontains=text)
        | Q(contract_number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__short_name__icontains=text)
        | Q(customer__code__istartswith=text)
    )
    letters = re.sub(r"\s+", "", text).lower()
    if letters.isascii() and letters.isalpha():
        condition |= Q(customer__name_pinyin__contains=letters) | Q(
            customer__name_initials__contains=letters
        )
    return qs.filter(condition)


def _scoped(user) -> QuerySet[Order]:
    return scope_orders(Order.objects.select_related("customer", "salesperson"), user)


def order_list(
    *,
    user,
    state: str = "",
    customer=None,
    salesperson=None,
    promise_due: str = "",
    at_risk: bool = False,
    search: str = "",
    key_first: bool = False,
    as_of: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    booked: bool = False,
    province: str = "",
    industry: str = "",
    customer_type: str = "",
    product=None,
    new_products: bool = False,
) -> QuerySet[Order]:
    """Orders this person may read, newest first (key accounts first only when asked), with `risk_reason`.

    The order-date range, `booked` (confirmed, not cancelled: the orders behind sales figures),
    the customer's province, industry and type, and a product (or new products) are the
    drill-down from the sales reports to the orders behind a bar."""
    as_of = as_of or today()
    qs = _scoped(user).annotate(risk_reason=risk_reason(as_of))
    if state:
        qs = qs.filter(state=state)
    if customer:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    if salesperson:
        qs = qs.filter(salesperson_id=getattr(salesperson, "pk", salesperson))
    if promise_due == PROMISE_THIS_WEEK:
        monday = as_of - dt.timedelta(days=as_of.weekday())
        qs = qs.filter(
            state__in=OPEN_STATES,
            promised_date__gte=monday,
            promised_date__lte=monday + dt.timedelta(days=6),
        )
    elif promise_due == PROMISE_OVERDUE:
        qs = qs.filter(state__in=OPEN_STATES, promised_date__lt=as_of)
    if at_risk:
        qs = qs.filter(at_risk_q(as_of))
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    if booked:
        qs = qs.filter(state__in=BOOKED_STATES)
    for field, value in (("province", province), ("industry", industry), ("type", customer_type)):
        if value:
            qs = qs.filter(**{f"customer__{field}": value})
    if product or new_products:
        lines = OrderLine.objects.filter(order=OuterRef("pk"))
        if product:
            lines = lines.filter(product_id=getattr(product, "pk", product))
        else:
            lines = lines.filter(product__is_new=True)
        qs = qs.filter(Exists(lines))
    qs = _search(qs, search)
    ordering = ("-order_date", "-id")
    if key_first:
        ordering = ("customer__tier", *ordering)
    return qs.order_by(*ordering)


# What a row of the order list shows (orders/templatetags/order_rows.py).
LIST_FIELDS = (
    "number",
    "contract_number",
    "order_date",
    "promised_date",
    "state",
    "production_status",
    "production_note",
    "total_amount",
    "customer__name",
    "customer__code",
    "customer__tier",
    "salesperson",
    *name_fields("salesperson"),
)


def for_list(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """`queryset` (from order_list) reading only the columns the list shows: every column of an
    order, its customer and salesperson as Python values for 50 rows was two thirds of the
    page at full scale (7 of 11 ms on SQLite)."""
    return queryset.only(*LIST_FIELDS)


def order_get(*, user, pk) -> Order:
    """One order with its customer and people, or 404 when missing or out of this person's scope."""
    qs = scope_orders(
        Order.objects.select_related(
            "customer",
            "customer__owner",
            "salesperson",
            "created_by",
            "confirmed_by",
            "cancelled_by",
        ),
        user,
    ).annotate(risk_reason=risk_reason())
    return get_object_or_404(qs, pk=pk)


def order_lines(order: Order) -> QuerySet[OrderLine]:
    """The order's lines with their products, in line order (one query)."""
    return order.lines.select_related("product").order_by("line_no")


# --- Excel export -----------------------------------------------------------------------


def order_export_headers(user) -> list[str]:
    """Column titles of the order list export; amounts only for people who see money."""
    headers = [
        _("Order number"),
        _("Contract number"),
        _("Customer code"),
        _("Customer"),
        _("Salesperson"),
        _("Channel"),
        _("Order date"),
        _("Requested date"),
        _("Promised date"),
        _("State"),
        _("Production"),
        _("At risk"),
    ]
    if roles.sees_money(user):
        headers += [_("Order amount"), _("Shipped amount"), _("Invoiced amount"), _("Paid amount")]
    return [str(h) for h in headers]


def order_export_rows(queryset: QuerySet[Order], user) -> Iterator[list]:
    """One row per order of `queryset` (already scoped and filtered), in its order, all pages."""
    money = roles.sees_money(user)
    for order in queryset.iterator(chunk_size=2000):
        row = [
            order.number,
            order.contract_number,
            order.customer.code,
            order.customer.name,
            str(order.salesperson),
            order.get_channel_display(),
            order.order_date,
            order.requested_date,
            order.promised_date,
            order.get_state_display(),
            order.get_production_status_display(),
            str(RISK_LABELS.get(getattr(order, "risk_reason", ""), "")),
        ]
        if money:
            row += [
                order.total_amount,
                order.shipped_amount,
                order.invoiced_amount,
                order.paid_amount,
            ]
        yield row
