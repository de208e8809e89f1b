"""Small builders for the report tests: receivables, payments and allocations written directly,
with their stored columns kept as the finance services keep them (allocated_amount on both
sides; is_open/paid_on on the receivable). The report tests do not depend on those services."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.translation import trans_real

from salesdesk.finance.models import Allocation, Payment, Receivable

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations" / "reports.json"


def D(value) -> Decimal:
    return Decimal(str(value))


def make_receivable(customer, amount, due_date: dt.date, *, issued_on=None, salesperson=None, **kw):
    issued_on = issued_on or min(due_date, timezone.localdate()) - dt.timedelta(days=30)
    return Receivable.objects.create(
        customer=customer,
        salesperson=salesperson if salesperson is not None else customer.owner,
        issued_on=min(issued_on, due_date),
        due_date=due_date,
        amount=D(amount),
        **kw,
    )


def make_payment(customer, amount, received_on: dt.date, **kw) -> Payment:
    return Payment.objects.create(
        customer=customer,
        salesperson=customer.owner,
        received_on=received_on,
        amount=D(amount),
        **kw,
    )


def allocate(payment: Payment, receivable: Receivable, amount) -> Allocation:
    """Set part of a payment against a receivable, keeping both stored totals current."""
    amount = D(amount)
    allocation = Allocation.objects.create(
        payment=payment, receivable=receivable, amount=amount, allocated_at=timezone.now()
    )
    payment.allocated_amount += amount
    payment.save(update_fields=["allocated_amount"])
    receivable.allocated_amount += amount
    if receivable.allocated_amount == receivable.amount:
        receivable.is_open = False
        latest = receivable.allocations.order_by("-payment__received_on").first()
        receivable.paid_on = latest.payment.received_on
    receivable.save(update_fields=["allocated_amount", "is_open", "paid_on"])
    return allocation


def pay(receivable: Receivable, amount, received_on: dt.date) -> Allocation:
    """A payment received on `received_on` set entirely against one receivable."""
    return allocate(make_payment(receivable.customer, amount, received_on), receivable, amount)


@pytest.fixture
def report_translations():
    """Make the Chinese of translations/reports.json active in tests even before the lead merges
    it into the .po catalogue; entries the catalogue already has are left as they are."""
    table = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    catalog = trans_real.translation("zh-hans")._catalog
    added = []
    for key, value in table.items():
        msgid = key.replace("::", "\x04", 1) if "::" in key else key
        if msgid not in catalog:
            catalog[msgid] = value
            added.append(msgid)
    yield
    # Leave the shared catalogue as it was for other tests in the same process.
    for catalog_dict in getattr(catalog, "_catalogs", []):
        for msgid in added:
            catalog_dict.pop(msgid, None)
