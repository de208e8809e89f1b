"""Orders, lines, products and approvals for the shipment tests, written straight to the tables
(the order services are another module's work)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import factory
from django.utils import timezone

from salesdesk.catalog.choices import ApprovalStatus, Flute, Ply
from salesdesk.catalog.models import Approval
from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import Order, OrderLine
from tests.catalog import factories as catalog_factories
from tests.factories import CustomerFactory


class ProductFactory(catalog_factories.ProductFactory):
    """The catalog's product, as a three-ply carton."""

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"三层B楞纸箱{n}号")
    flute = Flute.B
    ply = Ply.THREE
    material = "K=A"
    list_price = Decimal("0.8560")
    min_stock = 0


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"SO2026{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    salesperson = factory.LazyAttribute(lambda o: o.customer.owner)
    order_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    state = OrderState.CONFIRMED
    promised_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))


def amount_of(quantity, unit_price) -> Decimal:
    return (Decimal(quantity) * Decimal(unit_price)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def make_order(*, customer=None, lines=((1000, "0.8560"),), **kwargs) -> Order:
    """An order with lines given as (quantity, unit price[, product]); total stored as the services do."""
    order = OrderFactory(**({"customer": customer} if customer else {}), **kwargs)
    total = Decimal("0.00")
    for no, spec in enumerate(lines, start=1):
        quantity, price = spec[0], Decimal(spec[1])
        product = spec[2] if len(spec) > 2 else ProductFactory()
        amount = amount_of(quantity, price)
        OrderLine.objects.create(
            order=order,
            line_no=no,
            product=product,
            quantity=quantity,
            unit_price=price,
            amount=amount,
        )
        total += amount
    order.total_amount = total
    order.save(update_fields=["total_amount"])
    return order


def approve(customer, product, *, revision=None, status=ApprovalStatus.APPROVED) -> Approval:
    decided = None if status == ApprovalStatus.PENDING else timezone.localdate()
    return Approval.objects.create(
        customer=customer,
        product=product,
        revision=product.revision if revision is None else revision,
        status=status,
        decided_on=decided,
        improvement_request="加厚" if status == ApprovalStatus.REJECTED else "",
    )
