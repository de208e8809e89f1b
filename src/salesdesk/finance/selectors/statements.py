"""The customer statement (对账单): opening balance, every receivable and payment of a period with a
running balance, closing balance. The balance is what the customer owes: receivables (debit)
less payments (credit); a negative balance is the customer's credit.

Opening and period totals are database sums in integer fen (core.money.fen_sum); the running
balance adds the rows' Decimal amounts in Python, so it is exact and ends on the closing sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..models import Payment, Receivable

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


def statement_customer(*, user, pk) -> Customer:
    """The customer a statement is asked for, or 404 when out of this person's scope."""
    return get_object_or_404(
        scope_by_customer(Customer.objects.select_related("owner"), user), pk=pk
    )


def _sums(model, date_field: str, customer, start, end) -> tuple[Decimal, Decimal]:
    """(before start, within the period) of a model's amounts for one customer, in one query."""
    sums = model.objects.filter(customer=customer).aggregate(
        before=fen_sum("amount", filter=Q(**{f"{date_field}__lt": start})),
        within=fen_sum(
            "amount", filter=Q(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        ),
    )
    return fen_to_yuan(sums["before"]), fen_to_yuan(sums["within"])


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


def customer_statement(*, user, customer, start: dt.date, end: dt.date) -> Statement:
    """One customer's statement for start..end (both included); 404 when the customer is out of scope."""
    customer = statement_customer(user=user, pk=getattr(customer, "pk", customer))
    owed_before, debit_total = _sums(Receivable, "issued_on", customer, start, end)
    paid_before, credit_total = _sums(Payment, "received_on", customer, start, end)
    opening = owed_before - paid_before

    receivables = (
        Receivable.objects.filter(customer=customer, issued_on__gte=start, issued_on__lte=end)
        .select_related("order", "shipment")
        .order_by("issued_on", "id")
    )
    payments = Payment.objects.filter(
        customer=customer, received_on__gte=start, received_on__lte=end
    ).order_by("received_on", "id")
    # Same day: the goods (debit) before the money (credit).
    entries = [(r.issued_on, 0, r.pk, r) for r in receivables] + [
        (p.received_on, 1, p.pk, p) for p in payments
    ]
    entries.sort(key=lambda e: e[:3])

    balance = opening
    lines: list[StatementLine] = []
    for date, kind, _pk, obj in entries:
        if kind == 0:
            balance += obj.amount
            document, detail = _receivable_document(obj)
            lines.append(
                StatementLine(
                    date,
                    KIND_RECEIVABLE,
                    document,
                    detail,
                    obj.due_date,
                    obj.amount,
                    None,
                    balance,
                    receivable=obj,
                )
            )
        else:
            balance -= obj.amount
            detail = " · ".join(x for x in (obj.get_method_display(), obj.notes) if x)
            lines.append(
                StatementLine(
                    date,
                    KIND_PAYMENT,
                    obj.reference,
                    detail,
                    None,
                    None,
                    obj.amount,
                    balance,
                    payment=obj,
                )
            )
    closing = opening + debit_total - credit_total
    return Statement(
        customer=customer,
        start=start,
        end=end,
        opening=opening,
        debit_total=debit_total,
        credit_total=credit_total,
        closing=closing,
        lines=lines,
    )


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
