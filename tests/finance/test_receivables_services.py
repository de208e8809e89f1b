"""Receivables from shipments and from finance's invoice numbers; the orders' invoiced amount."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.finance.choices import ReceivableSource
from salesdesk.finance.models import Receivable
from salesdesk.finance.services.receivables import (
    receivable_for_shipment,
    receivable_from_invoice,
    receivable_set_invoice,
)
from salesdesk.orders.models import Order, Shipment
from tests.factories import CustomerFactory
from tests.orders.factories_shipments import make_order

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, ship, shipped_order, today

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures


def errors_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def snapshot():
    return (
        list(Receivable.objects.order_by("pk").values_list("pk", "invoice_number", "amount")),
        list(Order.objects.order_by("pk").values_list("pk", "invoiced_amount", "paid_amount")),
        Receivable.history.count(),
    )


# --- from shipments -------------------------------------------------------------------------


def test_shipment_record_creates_its_receivable_due_after_the_payment_terms(
    mine, warehouse, salesperson
):
    order, shipment = shipped_order(
        mine,
        warehouse,
        lines=((1000, "0.8560"), (400, "1.2345")),
        ship_date=days_ago(3),
        quantities=[333, 0],
    )
    r = Receivable.objects.get()
    assert r.shipment == shipment and r.order == order and r.customer == mine
    assert r.amount == shipment.amount == D("285.05")  # 333 × 0.8560 = 285.048 → 285.05
    assert r.issued_on == days_ago(3)
    assert r.due_date == days_ago(3) + dt.timedelta(days=30)
    assert r.salesperson == order.salesperson == salesperson
    assert r.source == ReceivableSource.SHIPMENT
    assert r.is_open and r.allocated_amount == 0 and r.paid_on is None
    assert r.created_by == warehouse
    assert r.history.get().history_user == warehouse
    # A shipment's receivable has no invoice number yet: nothing is invoiced on the order.
    assert order.invoiced_amount == 0


def test_each_shipment_gets_its_own_receivable(mine, warehouse):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    first = ship(order, warehouse, [40])
    second = ship(order, warehouse, [60])
    assert Receivable.objects.get(shipment=first).amount == D("80.00")
    assert Receivable.objects.get(shipment=second).amount == D("120.00")


def test_no_payment_terms_means_due_on_the_ship_date(warehouse, salesperson):
    customer = CustomerFactory(owner=salesperson, payment_terms_days=None)
    _order, _shipment = shipped_order(customer, warehouse, ship_date=days_ago(2))
    r = Receivable.objects.get()
    assert r.due_date == r.issued_on == days_ago(2)


def test_the_order_salesperson_answers_for_it_even_when_the_customer_changed_hands(
    mine, warehouse, other_salesperson, salesperson
):
    order = make_order(customer=mine)
    mine.owner = other_salesperson
    mine.save()
    ship(order, warehouse)
    assert Receivable.objects.get().salesperson == salesperson


def test_a_refused_shipment_writes_no_receivable(mine, warehouse):
    order = make_order(customer=mine, lines=((10, "1.0000"),))
    with pytest.raises(ValidationError):
        ship(order, warehouse, [11])
    assert Receivable.objects.count() == 0


def test_goods_shipped_at_no_charge_owe_nothing(mine, warehouse):
    order = make_order(customer=mine, lines=((10, "0.0000"),))
    shipment = ship(order, warehouse)
    assert shipment.amount == 0
    assert Receivable.objects.count() == 0


def test_receivable_for_shipment_is_idempotent(mine, warehouse):
    _order, shipment = shipped_order(mine, warehouse)
    again = receivable_for_shipment(shipment=Shipment.objects.get(pk=shipment.pk), by=warehouse)
    assert Receivable.objects.count() == 1
    assert again.shipment_id == shipment.pk


# --- from finance's invoice -----------------------------------------------------------------


def test_invoice_for_shipments_names_their_receivables_and_creates_no_money(
    mine, warehouse, finance
):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    s1 = ship(order, warehouse, [40])
    s2 = ship(order, warehouse, [60])
    result = receivable_from_invoice(
        by=finance,
        customer=mine,
        invoice_number="FP-0001",
        amount="200.00",
        issued_on=today(),
        shipments=[s1, s2.pk],
    )
    assert Receivable.objects.count() == 2
    assert sorted(r.pk for r in result) == sorted(Receivable.objects.values_list("pk", flat=True))
    assert set(Receivable.objects.values_list("invoice_number", flat=True)) == {"FP-0001"}
    order.refresh_from_db()
    assert order.invoiced_amount == D("200.00")


def test_invoice_amount_must_equal_its_shipments_and_nothing_is_written_otherwise(
    mine, warehouse, finance
):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    s1 = ship(order, warehouse, [40])
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        receivable_from_invoice(
            by=finance,
            customer=mine,
            invoice_number="FP-0002",
            amount="80.01",
            issued_on=today(),
            shipments=[s1],
        )
    assert "80.01" in errors_of(exc)["amount"][0] and "80.00" in errors_of(exc)["amount"][0]
    assert snapshot() == before


def test_invoice_refuses_another_customers_or_an_already_invoiced_shipment(
    mine, theirs, warehouse, finance
):
    _o1, their_shipment = shipped_order(theirs, warehouse)
    _o2, my_shipment = shipped_order(mine, warehouse)
    receivable_set_invoice(receivable=my_shipment.receivable, by=finance, invoice_number="FP-0100")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        receivable_from_invoice(
            by=finance,
            customer=mine,
            invoice_number="FP-0200",
            amount="1.00",
            issued_on=today(),
            shipments=[their_shipment, my_shipment, my_shipment],
        )
    errors = errors_of(exc)
    assert "shipments.0" in errors and "shipments.1" in errors and "shipments.2" in errors
    assert "FP-0100" in errors["shipments.1"][0]
    assert snapshot() == before


def test_invoice_without_shipments_is_new_money_due_after_the_terms(mine, finance):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    [r] = receivable_from_invoice(
        by=finance,
        customer=mine,
        invoice_number=" FP-0300 ",
        amount="1,234.50",
        issued_on=days_ago(10),
        order=order,
    )
    assert r.source == ReceivableSource.INVOICE
    assert r.invoice_number == "FP-0300"
    assert r.amount == D("1234.50")
    assert r.due_date == days_ago(10) + dt.timedelta(days=30)
    assert r.salesperson == order.salesperson
    order.refresh_from_db()
    assert order.invoiced_amount == D("1234.50")


def test_invoice_without_order_is_answered_by_the_customers_owner(mine, finance, salesperson):
    [r] = receivable_from_invoice(
        by=finance, customer=mine, invoice_number="FP-1", amount="10", issued_on=today()
    )
    assert r.order is None and r.salesperson == salesperson


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"invoice_number": ""}, "invoice_number"),
        ({"invoice_number": "X" * 41}, "invoice_number"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "十元"}, "amount"),
        ({"amount": None}, "amount"),
        ({"issued_on": None}, "issued_on"),
        ({"issued_on": dt.date(2999, 1, 1)}, "issued_on"),
        ({"notes": "长" * 201}, "notes"),
    ],
)
def test_invoice_bad_input_names_the_field_and_writes_nothing(mine, finance, changes, field):
    data = {"invoice_number": "FP-9", "amount": "100.00", "issued_on": today()}
    data.update(changes)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        receivable_from_invoice(by=finance, customer=mine, **data)
    assert field in errors_of(exc)
    assert snapshot() == before


def test_an_invoice_number_already_recorded_is_refused_as_new_money(mine, theirs, finance):
    receivable_from_invoice(
        by=finance, customer=mine, invoice_number="FP-7", amount="10", issued_on=today()
    )
    for customer in (mine, theirs):
        with pytest.raises(ValidationError) as exc:
            receivable_from_invoice(
                by=finance, customer=customer, invoice_number="FP-7", amount="10", issued_on=today()
            )
        assert "invoice_number" in errors_of(exc)
    assert Receivable.objects.count() == 1


def test_invoice_order_of_another_customer_is_refused(mine, theirs, finance):
    order = make_order(customer=theirs)
    with pytest.raises(ValidationError) as exc:
        receivable_from_invoice(
            by=finance,
            customer=mine,
            invoice_number="FP-8",
            amount="10",
            issued_on=today(),
            order=order,
        )
    assert "order" in errors_of(exc)


@pytest.mark.parametrize("persona", ["salesperson", "director", "warehouse", "commercial"])
def test_only_finance_and_the_assistant_record_invoices(request, persona, mine):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        receivable_from_invoice(
            by=user, customer=mine, invoice_number="FP-1", amount="1", issued_on=today()
        )
    r = make_receivable(mine, "10.00")
    with pytest.raises(PermissionDenied):
        receivable_set_invoice(receivable=r, by=user, invoice_number="FP-1")


# --- setting an invoice number --------------------------------------------------------------


def test_set_invoice_number_keeps_the_order_invoiced_amount(mine, warehouse, assistant):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    s1 = ship(order, warehouse, [40])
    s2 = ship(order, warehouse, [60])
    receivable_set_invoice(receivable=s1.receivable, by=assistant, invoice_number="FP-A")
    order.refresh_from_db()
    assert order.invoiced_amount == D("80.00")
    # One invoice may cover several shipments of the same customer.
    r2 = receivable_set_invoice(receivable=s2.receivable, by=assistant, invoice_number="FP-A")
    order.refresh_from_db()
    assert order.invoiced_amount == D("200.00")
    assert r2.history.first().history_change_reason == "invoice number"
    assert (
        Order.history.filter(id=order.pk, history_change_reason="invoiced/paid recomputed").count()
        == 2
    )


def test_set_invoice_refuses_a_number_of_another_customer_and_blank(mine, theirs, finance):
    make_receivable(theirs, "10.00", invoice_number="FP-THEIRS")
    r = make_receivable(mine, "10.00")
    for number in ("FP-THEIRS", "  "):
        with pytest.raises(ValidationError) as exc:
            receivable_set_invoice(receivable=r, by=finance, invoice_number=number)
        assert "invoice_number" in errors_of(exc)
    r.refresh_from_db()
    assert r.invoice_number == ""
