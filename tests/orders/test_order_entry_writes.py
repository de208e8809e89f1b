"""What entering an order writes, row by row, on SQLite and PostgreSQL (issue 3's throughput work).

order_create writes the order, its lines, their history rows and the customer's last order date
in few statements (history copied by the database, on PostgreSQL one statement with CTEs, and
prepared). These tests hold that to what simple_history and the ORM would have written.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.customers.models import Customer
from salesdesk.orders.choices import OrderChannel, OrderState, ProductionStatus
from salesdesk.orders.models import Order, OrderLine
from salesdesk.orders.services.orders import REASON_CREATE, order_create, order_update
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import make_product, place_order

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures


def _tracked(history_model) -> list[str]:
    return [field.attname for field in history_model.tracked_fields]


def _enter(by, customer, **kwargs):
    a, b, c = make_product(), make_product(list_price=Decimal("2.5000")), make_product()
    return order_create(
        by=by,
        customer=customer,
        channel=OrderChannel.PHONE,
        order_date=kwargs.pop("order_date", dt.date(2026, 3, 1)),
        requested_date=dt.date(2026, 4, 1),
        contract_number=" HT-2026-17 ",
        contract_terms="月结30天",
        notes="加急",
        lines=[
            {"product": a, "quantity": 7, "unit_price": "1.005", "note": " 印红字 "},
            {"product": b.pk, "quantity": "3", "unit_price": None},
            {"product": str(c.pk), "quantity": 12500, "unit_price": Decimal("0.8560")},
        ],
        **kwargs,
    )


def test_the_rows_hold_what_was_entered(assistant, mine):
    before = timezone.now()
    order = _enter(assistant, mine)
    stored = Order.objects.get(pk=order.pk)
    assert stored.number == order.number and stored.number.startswith("SO2026")
    assert (stored.customer, stored.salesperson, stored.created_by) == (
        mine,
        mine.owner,
        assistant,
    )
    assert stored.channel == OrderChannel.PHONE and stored.state == OrderState.DRAFT
    assert stored.production_status == ProductionStatus.NOT_SCHEDULED
    assert (stored.contract_number, stored.contract_terms, stored.notes) == (
        "HT-2026-17",
        "月结30天",
        "加急",
    )
    assert stored.total_amount == Decimal("10714.54")
    assert stored.shipped_amount == stored.paid_amount == stored.invoiced_amount == 0
    assert stored.promised_date is None and stored.cancelled_at is None
    assert before <= stored.created_at <= timezone.now()
    # The instance returned is the saved row.
    assert order.pk == stored.pk and not order._state.adding
    assert order.created_at == stored.created_at
    lines = list(stored.lines.order_by("line_no"))
    assert [(x.line_no, x.quantity, x.unit_price, x.amount, x.note) for x in lines] == [
        (1, 7, Decimal("1.0050"), Decimal("7.04"), "印红字"),
        (2, 3, Decimal("2.5000"), Decimal("7.50"), ""),
        (3, 12500, Decimal("0.8560"), Decimal("10700.00"), ""),
    ]
    assert all(x.shipped_quantity == 0 for x in lines)


def test_history_rows_are_those_simple_history_writes(assistant, mine):
    order = _enter(assistant, mine)
    stored = Order.objects.get(pk=order.pk)
    (history,) = Order.history.filter(id=order.pk)
    assert history.history_type == "+"
    assert history.history_user == assistant
    assert history.history_change_reason == REASON_CREATE
    assert history.history_date >= stored.created_at
    for name in _tracked(Order.history.model):
        assert getattr(history, name) == getattr(stored, name), name

    lines = list(OrderLine.objects.filter(order=order).order_by("line_no"))
    rows = list(OrderLine.history.filter(order_id=order.pk).order_by("history_id"))
    assert [row.id for row in rows] == [line.pk for line in lines]  # in line order
    for line, row in zip(lines, rows, strict=True):
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            assistant,
            REASON_CREATE,
        )
        assert row.history_date >= history.history_date
        for name in _tracked(OrderLine.history.model):
            assert getattr(row, name) == getattr(line, name), name
    # The page's change history reads them as one creation.
    assert [h.instance.number for h in order.history.all()] == [order.number]


def test_history_rows_of_several_orders_stay_apart(assistant, mine, theirs):
    first = _enter(assistant, mine)
    second = _enter(assistant, theirs, salesperson=theirs.owner)
    for order in (first, second):
        assert Order.history.filter(id=order.pk).count() == 1
        assert OrderLine.history.filter(order_id=order.pk).count() == 3
    assert Order.history.get(id=second.pk).customer_id == theirs.pk


def test_last_order_date_is_only_moved_forward_and_only_for_that_customer(assistant, mine, theirs):
    Customer.objects.filter(pk=theirs.pk).update(last_order_date=dt.date(2026, 1, 1))
    _enter(assistant, mine, order_date=dt.date(2026, 3, 1))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 1)
    assert theirs.last_order_date == dt.date(2026, 1, 1)
    _enter(assistant, mine, order_date=dt.date(2026, 2, 1))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 1)
    _enter(assistant, mine, order_date=dt.date(2026, 3, 2))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 2)


def test_a_stale_customer_instance_does_not_hold_the_date_back(assistant, mine):
    """The date is decided by the database row, never by the (possibly old) instance passed in."""
    Customer.objects.filter(pk=mine.pk).update(last_order_date=dt.date(2026, 1, 1))
    mine.last_order_date = dt.date(2026, 12, 31)  # what a stale instance might say
    _enter(assistant, mine, order_date=dt.date(2026, 3, 1))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 1)


def test_a_failing_entry_writes_nothing(assistant, mine, monkeypatch):
    """The statements share the service's transaction: a failure after the order row leaves no
    order, no lines, no history and no moved date behind."""
    from salesdesk.orders.services import orders as service

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_history_params", broken)
    with pytest.raises(RuntimeError):
        _enter(assistant, mine)
    mine.refresh_from_db()
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not Order.history.exists() and not OrderLine.history.exists()
    assert mine.last_order_date is None


def test_entry_statements_do_not_grow_with_the_lines(assistant, mine):
    products = [make_product() for _ in range(3)]
    place_order(assistant, mine, [(p, 1, Decimal("1")) for p in products])  # warm the series
    with CaptureQueriesContext(connection) as three:
        place_order(assistant, mine, [(p, 10, Decimal("1.2345")) for p in products])
    with CaptureQueriesContext(connection) as twelve:
        place_order(assistant, mine, [(p, 10, Decimal("1.2345")) for p in products] * 4)
    assert len(twelve) == len(three)
    writes = [
        q["sql"] for q in three if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    if connection.vendor == "postgresql":
        # The number, the order, then lines + both histories + the last order date together.
        assert len(writes) == 3, writes
        assert "orders_historicalorderline" in writes[2] and "customers_customer" in writes[2]
    else:
        assert len(writes) <= 6, writes


def test_editing_a_draft_after_entry_keeps_its_history(assistant, mine):
    order = _enter(assistant, mine)
    product = make_product()
    order_update(
        order=order,
        by=assistant,
        customer=mine,
        channel=OrderChannel.PHONE,
        order_date=dt.date(2026, 3, 1),
        lines=[{"product": product, "quantity": 1}] * 4,
    )
    assert OrderLine.objects.filter(order=order).count() == 4
    added = OrderLine.objects.get(order=order, line_no=4)
    (row,) = OrderLine.history.filter(id=added.pk)
    assert (row.history_type, row.history_user, row.order_id) == ("+", assistant, order.pk)
    assert Order.history.filter(id=order.pk).count() == 2
