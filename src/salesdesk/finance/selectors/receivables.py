"""Reads of receivables, payments and allocations (R-5.1, R-5.2).

Every read is scoped through core.scoping.scope_by_customer on the customer: finance, the sales
office and the director read all money, a salesperson own customers' only, the warehouse none.
Sums go through core.money.fen_sum (exact on SQLite too). Query counts do not grow with rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.dbfunctions import EPOCH, DayNumber
from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..models import Allocation, Payment, Receivable

STATUS_OPEN = "open"
STATUS_OVERDUE = "overdue"
STATUS_PAID = "paid"
STATUS_CHOICES = [
    (STATUS_OPEN, _("Open")),
    (STATUS_OVERDUE, _("Overdue")),
    (STATUS_PAID, _("Paid in full")),
]


def _customer_text_q(text: str, prefix: str = "customer__") -> Q:
    condition = (
        Q(**{f"{prefix}name__icontains": text})
        | Q(**{f"{prefix}short_name__icontains": text})
        | Q(**{f"{prefix}code__istartswith": text})
    )
    letters = re.sub(r"\s+", "", text).lower()
    if letters.isascii() and letters.isalpha():
        condition |= Q(**{f"{prefix}name_pinyin__contains": letters}) | Q(
            **{f"{prefix}name_initials__contains": letters}
        )
    return condition


def _pk(value):
    return getattr(value, "pk", value)


# --- receivables ----------------------------------------------------------------------------


def receivable_list(
    *,
    user,
    customer=None,
    salesperson=None,
    status: str = "",
    as_of: dt.date | None = None,
    search: str = "",
) -> QuerySet[Receivable]:
    """Receivables this person may read, with `days_overdue`.

    `days_overdue` is as_of − due date for open items past due, else 0. `status`: open (not paid
    in full), overdue (open and due before as_of), paid (paid in full).
    Open and overdue lists (the chase worklists, a few thousand rows read from the partial open
    indexes) put key accounts first, then by due date (R-3.3). The whole ledger and the paid list
    (a million rows over ten years) are latest due date first, read from receivable_due_idx
    without sorting the table by the customer's tier; rows keep the key-account badge.
    """
    as_of = as_of or timezone.localdate()
    qs = scope_by_customer(
        Receivable.objects.select_related("customer", "salesperson", "order", "shipment"),
        user,
        "customer__",
    )
    if customer:
        qs = qs.filter(customer_id=_pk(customer))
    if salesperson:
        qs = qs.filter(salesperson_id=_pk(salesperson))
    if status == STATUS_OPEN:
        qs = qs.filter(is_open=True)
    elif status == STATUS_OVERDUE:
        qs = qs.filter(is_open=True, due_date__lt=as_of)
    elif status == STATUS_PAID:
        qs = qs.filter(is_open=False)
    text = (search or "").strip()
    if text:
        qs = qs.filter(
            Q(invoice_number__icontains=text)
            | Q(order__number__icontains=text)
            | Q(order__contract_number__icontains=text)
            | Q(shipment__number__icontains=text)
            | _customer_text_q(text)
        )
    as_of_no = (as_of - EPOCH).days
    qs = qs.annotate(
        days_overdue=Greatest(
            Value(as_of_no) - DayNumber("due_date"), Value(0), output_field=IntegerField()
        )
    )
    if status in (STATUS_OPEN, STATUS_OVERDUE):
        return qs.order_by("customer__tier", "due_date", "issued_on", "id")
    return qs.order_by("-due_date", "-id")


# What a row of the receivables list shows (finance/templatetags/money_rows.py, receivable_rows):
# the customer's name, code and tier (key-account badge), the document (invoice, shipment and
# order numbers), the salesperson's name, dates, amounts, open or paid; days_overdue is the
# list's annotation.
RECEIVABLE_LIST_FIELDS = (
    "invoice_number",
    "issued_on",
    "due_date",
    "amount",
    "allocated_amount",
    "is_open",
    "customer__name",
    "customer__code",
    "customer__tier",
    "order__number",
    "shipment__number",
    "salesperson",
    *name_fields("salesperson"),
)


def for_receivable_list(queryset: QuerySet[Receivable]) -> QuerySet[Receivable]:
    """`queryset` (from receivable_list) reading only the columns the list shows: every column
    of a receivable, its customer (~40), order (~30), shipment and salesperson as Python values
    for 50 rows was 2–3 ms of the page's 14–17 ms at full scale on SQLite."""
    return queryset.only(*RECEIVABLE_LIST_FIELDS)


@dataclass
class Totals:
    """Figures of a whole filtered list. count, amount and collected are None for a whole
    history (`whole_history=True`): counting and summing a million rows per page view is what
    the list avoids (the page counts up to a cap: core.pagination)."""

    count: int | None
    amount: Decimal | None
    collected: Decimal | None
    open: Decimal


def whole_receivable_history(*, customer=None, salesperson=None, status="", search="", **_) -> bool:
    """Whether the receivables list shows the ledger of every year unrestricted (all or paid,
    no customer, salesperson or text): its totals then follow the open items only."""
    return status in ("", STATUS_PAID) and not (customer or salesperson or (search or "").strip())


def _totals(queryset: QuerySet, *, whole_history: bool, still_open: Q) -> Totals:
    """Count, amount, allocated and what is left (amount − allocated_amount) of a filtered list
    of receivables or payments, in one exact (fen) query.

    whole_history: what is left alone, summed over the rows `still_open` (a partial index: the
    cost follows the open rows, not ten years of history); count, amount and allocated are not
    read (None): the list page counts its rows up to a cap (core.pagination.paginate).
    """
    queryset = queryset.order_by()
    if whole_history:
        sums = queryset.filter(still_open).aggregate(
            amount=fen_sum("amount"), allocated=fen_sum("allocated_amount")
        )
        return Totals(
            count=None,
            amount=None,
            collected=None,
            open=fen_to_yuan(sums["amount"] - sums["allocated"]),
        )
    sums = queryset.aggregate(
        amount=fen_sum("amount"), allocated=fen_sum("allocated_amount"), count=Count("id")
    )
    return Totals(
        count=sums["count"],
        amount=fen_to_yuan(sums["amount"]),
        collected=fen_to_yuan(sums["allocated"]),
        open=fen_to_yuan(sums["amount"] - sums["allocated"]),
    )


def receivable_totals(queryset: QuerySet[Receivable], *, whole_history: bool = False) -> Totals:
    """Count, amount, collected and open of the whole filtered list (see `_totals`); over the
    whole history only the open items are summed, and nothing is counted."""
    return _totals(queryset, whole_history=whole_history, still_open=Q(is_open=True))


def _allocations_of_receivable() -> Prefetch:
    return Prefetch(
        "allocations",
        queryset=Allocation.objects.select_related("payment", "allocated_by").order_by(
            "allocated_at", "id"
        ),
    )


def receivable_get(*, user, pk) -> Receivable:
    """One receivable with its allocations, order and shipment, or 404 when out of scope."""
    qs = (
        receivable_list(user=user)
        .select_related("created_by")
        .prefetch_related(_allocations_of_receivable())
    )
    return get_object_or_404(qs, pk=pk)


def open_receivables(*, customer) -> list[Receivable]:
    """A customer's open receivables in the order oldest-first allocation takes them."""
    return list(
        Receivable.objects.filter(customer=customer, is_open=True)
        .select_related("shipment", "order")
        .order_by("due_date", "issued_on", "id")
    )


def receivable_export_headers() -> list:
    return [
        _("Customer code"),
        _("Customer"),
        _("Key account"),
        _("Salesperson"),
        _("Invoice number"),
        _("Order"),
        _("Shipment"),
        _("Issued on"),
        _("Due date"),
        _("Amount"),
        _("Collected"),
        _("Open"),
        _("Days overdue"),
        _("Paid in full on"),
    ]


def receivable_export_rows(receivables):
    for r in receivables.iterator(chunk_size=2000):
        yield [
            r.customer.code,
            r.customer.name,
            _("Yes") if r.customer.is_key_account else "",
            str(r.salesperson) if r.salesperson_id else "",
            r.invoice_number,
            r.order.number if r.order_id else "",
            r.shipment.number if r.shipment_id else "",
            r.issued_on,
            r.due_date,
            r.amount,
            r.allocated_amount,
            r.open_amount,
            r.days_overdue if r.is_open else "",
            r.paid_on,
        ]


# --- payments -------------------------------------------------------------------------------


def payment_list(
    *,
    user,
    customer=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unallocated_only: bool = False,
    search: str = "",
) -> QuerySet[Payment]:
    """Payments this person may read, newest first (payment_list_idx).

    The unallocated ones (cash still to apply, a worklist read from payment_credit_idx) put key
    accounts first (R-3.3); the whole history is not sorted by the customer's tier.
    """
    qs = scope_by_customer(
        Payment.objects.select_related("customer", "salesperson", "created_by"), user, "customer__"
    )
    if customer:
        qs = qs.filter(customer_id=_pk(customer))
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    if unallocated_only:
        qs = qs.filter(allocated_amount__lt=F("amount"))
    text = (search or "").strip()
    if text:
        qs = qs.filter(
            Q(reference__icontains=text) | Q(notes__icontains=text) | _customer_text_q(text)
        )
    if unallocated_only:
        return qs.order_by("customer__tier", "-received_on", "-id")
    return qs.order_by("-received_on", "-id")


# What a row of the payments list shows (money_rows.payment_rows): the customer's name, code and
# tier, the date, method, reference and amounts; not the salesperson nor who entered it.
PAYMENT_LIST_FIELDS = (
    "received_on",
    "method",
    "reference",
    "amount",
    "allocated_amount",
    "customer__name",
    "customer__code",
    "customer__tier",
)


def for_payment_list(queryset: QuerySet[Payment]) -> QuerySet[Payment]:
    """`queryset` (from payment_list) reading only the columns the list shows, without joining
    the people it does not show: every column of a payment, its customer and two users as
    Python values for 50 rows was 2 ms of the page's 8–12 ms at full scale on SQLite."""
    return queryset.select_related(None).select_related("customer").only(*PAYMENT_LIST_FIELDS)


def whole_payment_history(
    *, customer=None, date_from=None, date_to=None, unallocated_only=False, search="", **_
) -> bool:
    """Whether the payments list shows every payment of every year unrestricted: its totals then
    follow the payments with credit left only."""
    return not (customer or date_from or date_to or unallocated_only or (search or "").strip())


def payment_totals(queryset: QuerySet[Payment], *, whole_history: bool = False) -> Totals:
    """Count, amount, allocated and credit left of the whole filtered list (see `_totals`); over
    the whole history only the payments with credit left are summed (payment_credit_idx), and
    nothing is counted."""
    return _totals(
        queryset, whole_history=whole_history, still_open=Q(allocated_amount__lt=F("amount"))
    )


def payment_get(*, user, pk) -> Payment:
    """One payment with its allocations (and their receivables), or 404 when out of scope."""
    allocations = Prefetch(
        "allocations",
        queryset=Allocation.objects.select_related(
            "receivable", "receivable__shipment", "receivable__order", "allocated_by"
        ).order_by("allocated_at", "id"),
    )
    qs = scope_by_customer(
        Payment.objects.select_related("customer", "salesperson", "created_by"), user, "customer__"
    ).prefetch_related(allocations)
    return get_object_or_404(qs, pk=pk)


def customer_credit(customer) -> Decimal:
    """The customer's credit: what its payments hold unallocated, summed exactly."""
    sums = Payment.objects.filter(customer=customer).aggregate(
        amount=fen_sum("amount"), allocated=fen_sum("allocated_amount")
    )
    return fen_to_yuan(sums["amount"] - sums["allocated"])


# --- customers for entry forms --------------------------------------------------------------


def customer_suggestions(*, user, text: str, limit: int = 15) -> list[Customer]:
    """Customers matching a code, name, short name or pinyin, key accounts first, in scope."""
    text = (text or "").strip()
    if not text:
        return []
    qs = scope_by_customer(Customer.objects.all(), user)
    return list(qs.filter(_customer_text_q(text, prefix="")).order_by("tier", "code")[:limit])


def customer_find(*, user, text: str) -> Customer | None:
    """The one customer a clerk means by "code", "code name" (a suggestion) or a full name; else None."""
    text = (text or "").strip()
    if not text:
        return None
    qs = scope_by_customer(Customer.objects.all(), user)
    first = text.split()[0]
    found = qs.filter(code__iexact=first).first()
    if found is not None:
        return found
    by_name = list(qs.filter(Q(name=text) | Q(short_name=text))[:2])
    if len(by_name) == 1:
        return by_name[0]
    matches = list(qs.filter(_customer_text_q(text, prefix=""))[:2])
    return matches[0] if len(matches) == 1 else None
