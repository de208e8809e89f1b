"""Builders for the receivable, payment and statement tests (holds no tests itself).

Import what you need: `from tests.finance.test_receivables_helpers import ...`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.customers.choices import Tier
from salesdesk.finance.choices import ReceivableSource
from salesdesk.finance.models import Receivable
from salesdesk.orders.services.shipments import shipment_record
from tests.factories import CustomerFactory
from tests.orders.factories_shipments import make_order

D = Decimal


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def make_receivable(
    customer, amount, *, issued_on=None, due_in=30, order=None, invoice_number="", **kwargs
) -> Receivable:
    """A receivable written straight to the table (the allocation rules are what is under test)."""
    issued_on = issued_on or days_ago(60)
    return Receivable.objects.create(
        customer=customer,
        salesperson=customer.owner,
        order=order,
        source=kwargs.pop("source", ReceivableSource.INVOICE),
        invoice_number=invoice_number,
        issued_on=issued_on,
        due_date=issued_on + dt.timedelta(days=due_in),
        amount=D(amount),
        **kwargs,
    )


def ship(order, by, quantities=None, **kwargs):
    """Ship an order through the orders service (which creates the receivable)."""
    lines = list(order.lines.order_by("line_no"))
    quantities = quantities or [line.quantity for line in lines]
    data = {
        "ship_date": today(),
        "carrier": "顺丰速运",
        "carrier_phone": "400-811-1111",
        "tracking_number": "SF100",
    }
    data.update(kwargs)
    return shipment_record(
        order=order,
        by=by,
        lines=[
            {"order_line": ln, "quantity": q} for ln, q in zip(lines, quantities, strict=False) if q
        ],
        **data,
    )


def shipped_order(
    customer, warehouse, *, lines=((1000, "0.8560"),), ship_date=None, quantities=None
):
    """An order with its lines, shipped (whole or `quantities`) on `ship_date` with its receivable."""
    ship_date = ship_date or today()
    order = make_order(customer=customer, lines=lines, order_date=ship_date - dt.timedelta(days=5))
    shipment = ship(order, warehouse, quantities, ship_date=ship_date)
    order.refresh_from_db()
    return order, shipment


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(name="杭州明发包装有限公司", owner=salesperson, payment_terms_days=30)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(
        name="宁波华丰纸业有限公司", owner=other_salesperson, payment_terms_days=60
    )


@pytest.fixture
def key_customer(salesperson):
    return CustomerFactory(
        name="苏州大通电子有限公司", owner=salesperson, tier=Tier.KEY, payment_terms_days=45
    )
