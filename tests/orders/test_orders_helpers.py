"""Shared fixtures and builders for the order, promise, production and contract tests.

Import what you need from here: `from tests.orders.test_orders_helpers import ...`.
(Named test_orders_* to stay in this module's files; it holds no tests itself.)
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog.models import Product
from salesdesk.customers.choices import Tier
from salesdesk.orders.choices import OrderChannel, OrderState
from salesdesk.orders.models import Order
from salesdesk.orders.services.orders import order_confirm, order_create
from tests.factories import CustomerFactory

_codes = itertools.count(1)


def make_product(**kwargs) -> Product:
    n = next(_codes)
    defaults = {
        "code": f"XC-{n:04d}",
        "name": f"五层BC楞纸箱{n}号",
        "length_mm": 400,
        "width_mm": 300,
        "height_mm": 250,
        "list_price": Decimal("1.2500"),
    }
    defaults.update(kwargs)
    return Product.objects.create(**defaults)


def place_order(by, customer, lines=None, *, order_date=None, **kwargs) -> Order:
    """A draft order through the service; lines as (product, quantity, unit price or None)."""
    if lines is None:
        lines = [(make_product(), 100, Decimal("0.8560"))]
    return order_create(
        by=by,
        customer=customer,
        channel=kwargs.pop("channel", OrderChannel.SALESPERSON),
        order_date=order_date or timezone.localdate(),
        lines=[{"product": p, "quantity": q, "unit_price": price} for p, q, price in lines],
        **kwargs,
    )


def confirmed_order(
    by, customer, *, promised_in_days: int = 14, order_date=None, lines=None
) -> Order:
    order = place_order(by, customer, lines, order_date=order_date)
    promised = (order_date or timezone.localdate()) + dt.timedelta(days=promised_in_days)
    return order_confirm(order=order, by=by, promised_date=promised)


def set_state(order: Order, state: str, **fields) -> Order:
    """Move an order where the shipment work would (its services are another module)."""
    Order.objects.filter(pk=order.pk).update(state=state, **fields)
    order.refresh_from_db()
    return order


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(name="杭州明发包装有限公司", owner=salesperson)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)


@pytest.fixture
def key_customer(salesperson):
    return CustomerFactory(name="苏州大通电子有限公司", owner=salesperson, tier=Tier.KEY)


@pytest.fixture
def product():
    return make_product(code="BX-001", name="三层B楞纸箱", list_price=Decimal("0.8560"))


__all__ = [
    "OrderState",
    "confirmed_order",
    "key_customer",
    "make_product",
    "mine",
    "place_order",
    "product",
    "set_state",
    "theirs",
]
