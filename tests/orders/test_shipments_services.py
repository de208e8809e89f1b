"""Shipment services: over-shipping refused, nothing written on refusal, approvals, states, money, receipt."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import Order, OrderLine, Shipment, ShipmentLine
from salesdesk.orders.services.shipments import shipment_receive, shipment_record
from tests.factories import CustomerFactory

from .factories_shipments import ProductFactory, approve, make_order

pytestmark = pytest.mark.django_db


def ship(order, by, lines, **kwargs):
    data = {
        "ship_date": timezone.localdate(),
        "carrier": "顺丰速运",
        "carrier_phone": "400-811-1111",
        "tracking_number": "SF1234567890",
    }
    data.update(kwargs)
    return shipment_record(order=order, by=by, lines=lines, **data)


def line(order, no):
    return order.lines.get(line_no=no)


def snapshot(order):
    order.refresh_from_db()
    return (
        Shipment.objects.count(),
        ShipmentLine.objects.count(),
        list(
            OrderLine.objects.filter(order=order)
            .order_by("line_no")
            .values_list("shipped_quantity", flat=True)
        ),
        order.state,
        order.shipped_amount,
        order.last_shipped_on,
        Order.history.filter(id=order.pk).count(),
    )


def errors_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


@pytest.fixture
def order(salesperson):
    customer = CustomerFactory(owner=salesperson, name="杭州明发包装有限公司")
    return make_order(customer=customer, lines=((1000, "0.8560"), (400, "1.2345")))


# --- the happy path: quantities, amounts, state, history ------------------------------------


def test_partial_then_full_shipment_moves_the_order_and_keeps_amounts_exact(order, warehouse):
    first = ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 333}])
    order.refresh_from_db()
    assert first.number == f"FH{timezone.localdate().year}000001"
    assert order.state == OrderState.PARTLY_SHIPPED
    assert line(order, 1).shipped_quantity == 333
    # 333 × 0.8560 = 285.048 → 285.05 (half up)
    assert first.amount == Decimal("285.05")
    assert first.lines.get().amount == Decimal("285.05")
    assert first.lines.get().checked_quantity == 333  # defaults to the quantity shipped
    assert order.shipped_amount == Decimal("285.05")
    assert order.last_shipped_on == timezone.localdate()

    second = ship(
        order,
        warehouse,
        [
            {
                "order_line": line(order, 1).pk,
                "quantity": 667,
                "checked_quantity": 660,
                "damaged_quantity": 2,
            },
            {"order_line": str(line(order, 2).pk), "quantity": "400"},
        ],
    )
    order.refresh_from_db()
    # 667 × 0.8560 = 570.952 → 570.95; 400 × 1.2345 = 493.80
    assert second.amount == Decimal("1064.75")
    assert order.shipped_amount == Decimal("1349.80")
    assert order.state == OrderState.SHIPPED
    assert second.number.endswith("000002")
    shipped = second.lines.get(order_line__line_no=1)
    assert (shipped.checked_quantity, shipped.damaged_quantity) == (660, 2)
    assert [ln.shipped_quantity for ln in order.lines.order_by("line_no")] == [1000, 400]
    # History of the order, its lines and the shipment names the clerk.
    assert order.history.first().history_user == warehouse
    assert line(order, 1).history.first().history_user == warehouse
    assert second.history.first().history_user == warehouse


def test_half_up_rounding_on_half_a_fen(warehouse, salesperson):
    order = make_order(
        customer=CustomerFactory(owner=salesperson), lines=((5, "0.0010"), (1, "0.0050"))
    )
    shipment = ship(
        order,
        warehouse,
        [
            {"order_line": line(order, 1), "quantity": 5},
            {"order_line": line(order, 2), "quantity": 1},
        ],
    )
    # 5 × 0.0010 = 0.005 → 0.01 ; 1 × 0.0050 = 0.005 → 0.01 (never banker's 0.00)
    assert [sl.amount for sl in shipment.lines.order_by("order_line__line_no")] == [
        Decimal("0.01"),
        Decimal("0.01"),
    ]
    assert shipment.amount == Decimal("0.02")


# --- over-shipping ----------------------------------------------------------------------


def test_over_shipping_one_line_is_refused_naming_the_line(order, warehouse):
    before = snapshot(order)
    l2 = line(order, 2)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ship(
            order,
            warehouse,
            [{"order_line": line(order, 1), "quantity": 10}, {"order_line": l2, "quantity": 500}],
        )
    errors = errors_of(exc)
    assert list(errors) == ["lines.1.quantity"]
    message = errors["lines.1.quantity"][0]
    assert f"Line 2 ({l2.product.code} {l2.product.name})" in message
    assert "only 400 remain to ship, 500 given" in message
    assert snapshot(order) == before


def test_over_shipping_across_two_shipments(order, warehouse):
    ship(order, warehouse, [{"order_line": line(order, 2), "quantity": 300}])
    before = snapshot(order)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": line(order, 2), "quantity": 101}])
    assert "only 100 remain to ship, 101 given" in errors_of(exc)["lines.0.quantity"][0]
    assert snapshot(order) == before
    # Exactly the remainder is fine.
    ship(order, warehouse, [{"order_line": line(order, 2), "quantity": 100}])
    assert line(order, 2).shipped_quantity == 400


def test_two_clerks_each_under_the_remainder_but_together_over(order, warehouse, assistant):
    """Both read 400 open; the second, written after the first, sees only 150 left."""
    l2 = line(order, 2)
    ship(order, warehouse, [{"order_line": l2, "quantity": 250}])
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        # The stale instance still says 0 shipped: the service re-reads under the order lock.
        ship(order, assistant, [{"order_line": l2, "quantity": 250}])
    assert "lines.0.quantity" in exc.value.message_dict
    assert snapshot(order) == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_shipments_cannot_over_ship_together(warehouse, assistant, salesperson):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    order = make_order(customer=CustomerFactory(owner=salesperson), lines=((400, "1.0000"),))
    line_pk = order.lines.get().pk
    barrier = threading.Barrier(2)
    results: list = []

    def clerk(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            ship(order, user, [{"order_line": line_pk, "quantity": 250}])
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=clerk, args=(u,)) for u in (warehouse, assistant)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert OrderLine.objects.get(pk=line_pk).shipped_quantity == 250
    assert Shipment.objects.count() == 1


# --- other refusals, each writing nothing ---------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"carrier": "  "}, "carrier"),
        ({"carrier": "顺" * 51}, "carrier"),
        ({"carrier_phone": ""}, "carrier_phone"),
        ({"carrier_phone": "12345"}, "carrier_phone"),
        ({"tracking_number": "X" * 51}, "tracking_number"),
        ({"ship_date": None}, "ship_date"),
        ({"ship_date": "2026-01-01"}, "ship_date"),
    ],
)
def test_bad_header_is_refused_and_nothing_written(order, warehouse, changes, field):
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 1}], **changes)
    assert field in exc.value.message_dict
    assert snapshot(order) == before


def test_ship_date_not_before_the_order_nor_in_the_future(order, warehouse):
    before = snapshot(order)
    for day in (
        order.order_date - dt.timedelta(days=1),
        timezone.localdate() + dt.timedelta(days=1),
    ):
        with pytest.raises(ValidationError) as exc:
            ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 1}], ship_date=day)
        assert list(exc.value.message_dict) == ["ship_date"]
    assert snapshot(order) == before
    ship(
        order,
        warehouse,
        [{"order_line": line(order, 1), "quantity": 1}],
        ship_date=order.order_date,
    )


def test_carrier_phone_takes_mobile_landline_or_400(order, warehouse):
    for phone, kept in (
        ("13812345678", "13812345678"),
        ("0571 8888 6666", "0571-88886666"),
        ("4008111111", "400-811-1111"),
    ):
        shipment = ship(
            order, warehouse, [{"order_line": line(order, 1), "quantity": 1}], carrier_phone=phone
        )
        assert shipment.carrier_phone == kept


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"quantity": 0}, "lines.0.quantity"),
        ({"quantity": -5}, "lines.0.quantity"),
        ({"quantity": "abc"}, "lines.0.quantity"),
        ({"quantity": 10, "checked_quantity": 11}, "lines.0.checked_quantity"),
        ({"quantity": 10, "checked_quantity": -1}, "lines.0.checked_quantity"),
        ({"quantity": 10, "damaged_quantity": 11}, "lines.0.damaged_quantity"),
        ({"quantity": 10, "damaged_quantity": "x"}, "lines.0.damaged_quantity"),
    ],
)
def test_bad_line_quantities_are_refused(order, warehouse, entry, field):
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": line(order, 1), **entry}])
    assert field in exc.value.message_dict
    assert snapshot(order) == before


def test_line_of_another_order_or_twice_or_none_is_refused(order, warehouse, salesperson):
    other = make_order(customer=CustomerFactory(owner=salesperson))
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": other.lines.get(), "quantity": 1}])
    assert list(exc.value.message_dict) == ["lines.0.order_line"]
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": 999999, "quantity": 1}])
    assert list(exc.value.message_dict) == ["lines.0.order_line"]
    l1 = line(order, 1)
    with pytest.raises(ValidationError) as exc:
        ship(
            order,
            warehouse,
            [{"order_line": l1, "quantity": 1}, {"order_line": l1.pk, "quantity": 1}],
        )
    assert list(exc.value.message_dict) == ["lines.1.order_line"]
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [])
    assert list(exc.value.message_dict) == ["lines"]
    assert snapshot(order) == before


@pytest.mark.parametrize("state", [OrderState.DRAFT, OrderState.SHIPPED, OrderState.CLOSED])
def test_only_open_orders_ship(order, warehouse, state):
    Order.objects.filter(pk=order.pk).update(state=state)
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 1}])
    assert "__all__" in exc.value.message_dict
    assert snapshot(order) == before


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance"])
def test_roles_without_the_right_cannot_ship(request, order, persona):
    with pytest.raises(PermissionDenied):
        ship(
            order, request.getfixturevalue(persona), [{"order_line": line(order, 1), "quantity": 1}]
        )
    assert Shipment.objects.count() == 0


@pytest.mark.parametrize("persona", ["assistant", "commercial", "warehouse", "admin_user"])
def test_shipping_roles_can_ship(request, order, persona):
    ship(order, request.getfixturevalue(persona), [{"order_line": line(order, 1), "quantity": 1}])
    assert Shipment.objects.count() == 1


# --- new-product approval (R-3.4) -----------------------------------------------------------


def test_unapproved_new_product_refused_then_allowed_after_approval(warehouse, salesperson):
    customer = CustomerFactory(owner=salesperson)
    new = ProductFactory(code="P-NEW1", name="五层BC楞新款箱", needs_approval=True, is_new=True)
    order = make_order(customer=customer, lines=((100, "2.0000"), (50, "3.0000", new)))
    before = snapshot(order)
    lines = [
        {"order_line": line(order, 1), "quantity": 10},
        {"order_line": line(order, 2), "quantity": 10},
    ]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ship(order, warehouse, lines)
    errors = errors_of(exc)
    assert list(errors) == ["lines.1.order_line"]
    assert "P-NEW1 五层BC楞新款箱" in errors["lines.1.order_line"][0]
    assert "not approved" in errors["lines.1.order_line"][0]
    assert snapshot(order) == before

    # Pending, rejected, another customer's approval, or an older revision do not count.
    approve(customer, new, status=ApprovalStatus.PENDING)
    approve(customer, new, status=ApprovalStatus.REJECTED)
    approve(CustomerFactory(owner=salesperson), new)
    approve(customer, new, revision=new.revision - 1 if new.revision > 1 else 99)
    with pytest.raises(ValidationError):
        ship(order, warehouse, lines)
    assert snapshot(order) == before

    approve(customer, new)
    shipment = ship(order, warehouse, lines)
    assert shipment.lines.count() == 2


def test_changed_product_needs_approval_of_its_new_revision(warehouse, salesperson):
    customer = CustomerFactory(owner=salesperson)
    product = ProductFactory(needs_approval=True)
    approve(customer, product)
    order = make_order(customer=customer, lines=((100, "1.0000", product),))
    ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 10}])
    Product = type(product)
    Product.objects.filter(pk=product.pk).update(revision=product.revision + 1)
    with pytest.raises(ValidationError) as exc:
        ship(order, warehouse, [{"order_line": line(order, 1), "quantity": 10}])
    assert "lines.0.order_line" in exc.value.message_dict


# --- receipt (签收) -------------------------------------------------------------------------


@pytest.fixture
def shipment(order, warehouse):
    return ship(
        order,
        warehouse,
        [{"order_line": line(order, 1), "quantity": 100}],
        ship_date=timezone.localdate() - dt.timedelta(days=2),
    )


def test_receipt_is_recorded_once(shipment, warehouse, assistant):
    when = timezone.now() - dt.timedelta(hours=1)
    shipment_receive(shipment=shipment, by=warehouse, received_at=when, received_by_name=" 王建国 ")
    shipment.refresh_from_db()
    assert (shipment.received_at, shipment.received_by_name) == (when, "王建国")
    assert shipment.history.first().history_user == warehouse
    with pytest.raises(ValidationError) as exc:
        shipment_receive(
            shipment=shipment, by=assistant, received_at=timezone.now(), received_by_name="李四"
        )
    assert "__all__" in exc.value.message_dict
    shipment.refresh_from_db()
    assert shipment.received_by_name == "王建国"


def test_receipt_not_before_shipping_nor_in_the_future_and_names_the_signer(shipment, warehouse):
    before_ship = timezone.make_aware(
        dt.datetime.combine(shipment.ship_date - dt.timedelta(days=1), dt.time(15))
    )
    cases = [
        ({"received_at": before_ship, "received_by_name": "王"}, "received_at"),
        (
            {"received_at": timezone.now() + dt.timedelta(days=1), "received_by_name": "王"},
            "received_at",
        ),
        ({"received_at": None, "received_by_name": "王"}, "received_at"),
        ({"received_at": timezone.now(), "received_by_name": "  "}, "received_by_name"),
        ({"received_at": timezone.now(), "received_by_name": "王" * 51}, "received_by_name"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            shipment_receive(shipment=shipment, by=warehouse, **kwargs)
        assert list(exc.value.message_dict) == [field]
    shipment.refresh_from_db()
    assert shipment.received_at is None
    # On the ship date itself is fine.
    same_day = timezone.make_aware(dt.datetime.combine(shipment.ship_date, dt.time(18)))
    shipment_receive(shipment=shipment, by=warehouse, received_at=same_day, received_by_name="王")


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance"])
def test_receipt_needs_the_shipping_right(request, shipment, persona):
    with pytest.raises(PermissionDenied):
        shipment_receive(
            shipment=shipment,
            by=request.getfixturevalue(persona),
            received_at=timezone.now(),
            received_by_name="王",
        )
