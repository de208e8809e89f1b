"""The customer statement (对账单): opening balance, every receivable and payment of a period with a
running balance, closing balance. The balance is what the customer owes: receivables (debit)
less payments (credit); a negative balance is the customer's credit.

The opening balance is a database sum in integer fen (core.money.fen_sum); the period totals and
the running balance add the rows' Decimal amounts in Python, so they are exact and the balance
ends on the closing sum. On screen the lines come a page at a time with the balance brought
forward; the Excel export holds every line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, Round
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from salesdesk.core.dbfunctions import plain_rows
from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..models import Payment, Receivable

ZERO = Decimal("0.00")
KIND_RECEIVABLE = "receivable"
KIND_PAYMENT = "payment"


@dataclass
class StatementLine:
    date: dt.date
    kind: str
    document: str
    detail: str
    due_date: dt.date | None
    debit: Decimal | None
    credit: Decimal | None
    balance: Decimal
    receivable: Receivable | None = None
    payment: Payment | None = None


@dataclass
class Statement:
    customer: Customer
    start: dt.date
    end: dt.date
    opening: Decimal
    debit_total: Decimal
    credit_total: Decimal
    closing: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    # With a page: the lines shown are one page of `line_count`; the balance before its first
    # line and after its last (equal to opening and closing on a one-page statement).
    page_obj: Page | None = None
    line_count: int = 0
    brought_forward: Decimal | None = None
    carried_forward: Decimal | None = None


# Lines per page on screen: a year of the biggest customer is ~7,600 lines; the Excel export
# (page=None) keeps every line.
STATEMENT_PAGE_SIZE = 100


def _fen_before(model, date_field: str, start: dt.date) -> Coalesce:
    """Subquery: the customer's amounts of `model` dated before `start`, in integer fen."""
    rows = (
        model.objects.filter(customer=OuterRef("pk"), **{f"{date_field}__lt": start})
        .order_by()
        .values("customer")
        .annotate(fen=fen_sum("amount"))
        .values("fen")
    )
    return Coalesce(Subquery(rows, output_field=BigIntegerField()), 0)


def statement_customer(*, user, pk, start: dt.date | None = None) -> Customer:
    """The customer a statement is asked for, or 404 when out of this person's scope. With
    `start`: annotated with owed_before_fen and paid_before_fen (receivables issued and payments
    received before it) in the same query, read from the statement indexes alone."""
    qs = scope_by_customer(Customer.objects.select_related("owner"), user)
    if start is not None:
        qs = qs.annotate(
            owed_before_fen=_fen_before(Receivable, "issued_on", start),
            paid_before_fen=_fen_before(Payment, "received_on", start),
        )
    return get_object_or_404(qs, pk=pk)


def _receivable_document(r: Receivable) -> tuple[str, str]:
    document = r.invoice_number or (r.shipment.number if r.shipment_id else f"#{r.pk}")
    parts = []
    if r.order_id:
        parts.append(str(_("Order %(number)s")) % {"number": r.order.number})
    if r.shipment_id and r.invoice_number:
        parts.append(str(_("Shipment %(number)s")) % {"number": r.shipment.number})
    if r.notes:
        parts.append(r.notes)
    return document, " · ".join(parts)


def _line(obj, balance: Decimal) -> StatementLine:
    if isinstance(obj, Receivable):
        document, detail = _receivable_document(obj)
        return StatementLine(
            obj.issued_on,
            KIND_RECEIVABLE,
            document,
            detail,
            obj.due_date,
            obj.amount,
            None,
            balance,
            receivable=obj,
        )
    detail = " · ".join(x for x in (obj.get_method_display(), obj.notes) if x)
    return StatementLine(
        obj.received_on,
        KIND_PAYMENT,
        obj.reference,
        detail,
        None,
        None,
        obj.amount,
        balance,
        payment=obj,
    )


def customer_statement(
    *,
    user,
    customer,
    start: dt.date,
    end: dt.date,
    page: int | str | None = None,
    per_page: int | None = None,
) -> Statement:
    """One customer's statement for start..end (both included); 404 when the customer is out of scope.

    The opening balance is summed by the database before `start` (one query with the customer);
    the period's documents are read as (date, id, amount) from the statement indexes, merged
    (same day: goods before money) and run through the balance in Python, exactly. Only the
    lines of `page` (every line when page is None, for the Excel export) are built from their
    rows, so the page costs the period's keys, not the period's documents.
    """
    customer = statement_customer(user=user, pk=getattr(customer, "pk", customer), start=start)
    opening = fen_to_yuan(customer.owed_before_fen) - fen_to_yuan(customer.paid_before_fen)
    receivables = Receivable.objects.filter(
        customer=customer, issued_on__gte=start, issued_on__lte=end
    ).order_by()
    payments = Payment.objects.filter(
        customer=customer, received_on__gte=start, received_on__lte=end
    ).order_by()
    # (date, kind, id, signed fen): integers from the index, no Decimal or date per row (the
    # date as the engine gives it, only to sort by); only the lines shown become Decimal yuan.
    fen = Cast(Round(F("amount") * 100), BigIntegerField())
    keys = [
        (d, 0, pk, f) for d, pk, f in plain_rows(receivables.values_list("issued_on", "pk", fen))
    ]
    keys += [
        (d, 1, pk, -f) for d, pk, f in plain_rows(payments.values_list("received_on", "pk", fen))
    ]
    keys.sort(key=lambda k: k[:3])
    debit_total = fen_to_yuan(sum(k[3] for k in keys if k[1] == 0))
    credit_total = fen_to_yuan(-sum(k[3] for k in keys if k[1] == 1))
    closing = opening + debit_total - credit_total

    page_obj = None
    first, shown = 0, keys
    if page is not None:
        page_obj = _page(keys, page, per_page or STATEMENT_PAGE_SIZE)
        first, shown = page_obj.start_index() - 1 if keys else 0, list(page_obj.object_list)
    opening_fen = customer.owed_before_fen - customer.paid_before_fen
    brought_fen = opening_fen + sum(k[3] for k in keys[:first])
    objects = _documents(receivables, payments, shown, whole=page is None)
    balance_fen = brought_fen
    lines: list[StatementLine] = []
    for _date, kind, pk, signed in shown:
        balance_fen += signed
        lines.append(_line(objects[kind, pk], fen_to_yuan(balance_fen)))
    brought_forward, balance = fen_to_yuan(brought_fen), fen_to_yuan(balance_fen)
    if page_obj is not None:
        page_obj.object_list = lines
    return Statement(
        customer=customer,
        start=start,
        end=end,
        opening=opening,
        debit_total=debit_total,
        credit_total=credit_total,
        closing=closing,
        lines=lines,
        page_obj=page_obj,
        line_count=len(keys),
        brought_forward=brought_forward,
        carried_forward=balance,
    )


def _page(keys: list, number, per_page: int) -> Page:
    """A page of the statement's keys; a bad or too-large page number gives the first/last."""
    paginator = Paginator(keys, per_page)
    try:
        return paginator.page(number or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _documents(receivables, payments, keys: list, *, whole: bool) -> dict:
    """The rows behind `keys` by (kind, pk): the period's rows when whole, else those keys only."""
    wanted = {0: [k[2] for k in keys if k[1] == 0], 1: [k[2] for k in keys if k[1] == 1]}
    found: dict = {}
    for kind, qs in ((0, receivables.select_related("order", "shipment")), (1, payments)):
        if not wanted[kind]:
            continue
        rows = qs if whole else qs.filter(pk__in=wanted[kind])
        found.update(((kind, obj.pk), obj) for obj in rows)
    return found


def statement_sheet_rows(statement: Statement):
    """The statement as rows for Excel: opening line, the lines, totals and closing line."""
    customer = statement.customer
    yield ["", _("Customer"), customer.code, customer.name, "", None, None, None]
    yield [statement.start, _("Opening balance"), "", "", "", None, None, statement.opening]
    for line in statement.lines:
        kind = _("Receivable") if line.kind == KIND_RECEIVABLE else _("Payment")
        yield [
            line.date,
            kind,
            line.document,
            line.detail,
            line.due_date,
            line.debit,
            line.credit,
            line.balance,
        ]
    yield [
        statement.end,
        _("Period total"),
        "",
        "",
        "",
        statement.debit_total,
        statement.credit_total,
        None,
    ]
    yield [statement.end, _("Closing balance"), "", "", "", None, None, statement.closing]


def statement_sheet_headers() -> list:
    return [
        _("Date"),
        _("Entry"),
        _("Document"),
        _("Details"),
        _("Due date"),
        _("Debit (owed)"),
        _("Credit (paid)"),
        _("Balance"),
    ]
