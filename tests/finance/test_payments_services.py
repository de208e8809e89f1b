"""Payments and allocation: oldest first, by hand, over-allocation refused by line with nothing
written, credit kept and used later, receivables closing with paid_on, orders' paid amount exact."""

import datetime as dt
import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from salesdesk.finance.choices import PaymentMethod
from salesdesk.finance.models import Allocation, Payment, Receivable
from salesdesk.finance.selectors.receivables import customer_credit
from salesdesk.finance.services.payments import payment_allocate, payment_record
from salesdesk.finance.services.receivables import receivable_set_invoice
from salesdesk.orders.models import Order
from tests.factories import CustomerFactory
from tests.orders.factories_shipments import make_order

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, ship, today


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English, whatever the default language."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures


def errors_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def pay(by, customer, amount, **kwargs):
    kwargs.setdefault("received_on", today())
    kwargs.setdefault("method", PaymentMethod.BANK)
    return payment_record(by=by, customer=customer, amount=amount, **kwargs)


def state():
    """Everything an allocation writes, to prove a refusal wrote nothing."""
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        list(
            Receivable.objects.order_by("pk").values_list("allocated_amount", "is_open", "paid_on")
        ),
        list(Payment.objects.order_by("pk").values_list("allocated_amount", flat=True)),
        list(Order.objects.order_by("pk").values_list("paid_amount", flat=True)),
        Receivable.history.count(),
        Payment.history.count(),
        Allocation.history.count(),
    )


@pytest.fixture
def three(mine):
    """Three open receivables, given out of order: due 50, 20 and 35 days ago."""
    late = make_receivable(
        mine, "300.00", issued_on=days_ago(80), due_in=30, invoice_number="FP-B"
    )  # due 50 ago
    later = make_receivable(
        mine, "200.00", issued_on=days_ago(50), due_in=30, invoice_number="FP-C"
    )  # due 20 ago
    mid = make_receivable(
        mine, "100.00", issued_on=days_ago(65), due_in=30, invoice_number="FP-A"
    )  # due 35 ago
    return late, mid, later


def fresh(*objs):
    for obj in objs:
        obj.refresh_from_db()
    return objs


# --- oldest first ---------------------------------------------------------------------------


def test_oldest_first_across_several_receivables_partial_on_the_last(finance, mine, three):
    late, mid, later = three
    payment = pay(finance, mine, "450.00", received_on=days_ago(1))
    fresh(late, mid, later, payment)
    assert [a.receivable_id for a in payment.allocations.order_by("id")] == [
        late.pk,
        mid.pk,
        later.pk,
    ]
    assert [a.amount for a in payment.allocations.order_by("id")] == [
        D("300.00"),
        D("100.00"),
        D("50.00"),
    ]
    assert (late.is_open, late.paid_on) == (False, days_ago(1))
    assert (mid.is_open, mid.paid_on) == (False, days_ago(1))
    assert (later.is_open, later.allocated_amount, later.open_amount) == (
        True,
        D("50.00"),
        D("150.00"),
    )
    assert later.paid_on is None
    assert payment.allocated_amount == D("450.00") and payment.unallocated_amount == 0
    assert customer_credit(mine) == 0


def test_same_due_date_goes_by_issue_date(finance, mine):
    b = make_receivable(mine, "10.00", issued_on=days_ago(40), due_in=30)
    a = make_receivable(
        mine, "10.00", issued_on=days_ago(50), due_in=40
    )  # same due date, issued earlier
    payment = pay(finance, mine, "10.00")
    assert payment.allocations.get().receivable_id == a.pk
    fresh(a, b)
    assert not a.is_open and b.is_open


def test_exact_cover_closes_everything_and_leaves_no_credit(finance, mine, three):
    payment = pay(finance, mine, "600.00")
    assert not Receivable.objects.filter(is_open=True).exists()
    assert set(Receivable.objects.values_list("paid_on", flat=True)) == {today()}
    assert payment.unallocated_amount == 0


def test_partial_payment_leaves_the_oldest_open(finance, mine, three):
    late, _mid, _later = three
    pay(finance, mine, "0.01")
    late.refresh_from_db()
    assert late.is_open and late.allocated_amount == D("0.01") and late.open_amount == D("299.99")


def test_over_payment_is_kept_as_credit_and_used_later(finance, mine, three):
    payment = pay(finance, mine, "650.50", received_on=days_ago(5))
    payment.refresh_from_db()
    assert payment.allocated_amount == D("600.00") and payment.unallocated_amount == D("50.50")
    assert customer_credit(mine) == D("50.50")

    new = make_receivable(mine, "80.00", issued_on=days_ago(2), due_in=30)
    allocations = payment_allocate(payment=payment, by=finance)
    assert [(a.receivable_id, a.amount) for a in allocations] == [(new.pk, D("50.50"))]
    fresh(new, payment)
    assert new.is_open and new.open_amount == D("29.50")
    assert payment.unallocated_amount == 0 and customer_credit(mine) == 0

    # A later payment closes it: paid_on is the date of the payment that closes it.
    pay(finance, mine, "29.50", received_on=days_ago(1))
    new.refresh_from_db()
    assert not new.is_open and new.paid_on == days_ago(1)


def test_credit_closing_a_receivable_dates_it_by_that_payment(finance, mine):
    payment = pay(finance, mine, "100.00", received_on=days_ago(9))  # nothing open: all credit
    assert payment.allocations.count() == 0 and customer_credit(mine) == D("100.00")
    r = make_receivable(mine, "100.00", issued_on=days_ago(3))
    payment_allocate(payment=payment, by=finance)
    r.refresh_from_db()
    assert not r.is_open and r.paid_on == days_ago(9)


def test_other_customers_receivables_are_never_touched(finance, mine, theirs):
    their = make_receivable(theirs, "100.00", issued_on=days_ago(300))
    pay(finance, mine, "100.00")
    their.refresh_from_db()
    assert their.is_open and their.allocated_amount == 0


# --- by hand --------------------------------------------------------------------------------


def test_manual_allocations_are_exactly_those_given(finance, mine, three):
    late, mid, later = three
    payment = pay(
        finance,
        mine,
        "500.00",
        allocations=[
            {"receivable": later, "amount": "200.00"},
            {"receivable": mid.pk, "amount": D("40")},
        ],
    )
    fresh(late, mid, later, payment)
    assert late.allocated_amount == 0 and late.is_open  # the oldest is left alone
    assert mid.allocated_amount == D("40.00") and mid.is_open
    assert not later.is_open and later.paid_on == today()
    assert payment.allocated_amount == D("240.00") and payment.unallocated_amount == D("260.00")


def test_empty_manual_list_keeps_everything_as_credit(finance, mine, three):
    payment = pay(finance, mine, "100.00", allocations=[])
    assert payment.allocations.count() == 0 and customer_credit(mine) == D("100.00")


def test_over_allocation_is_refused_naming_the_line_and_nothing_is_written(finance, mine, three):
    late, mid, later = three
    before = state()
    with pytest.raises(ValidationError) as exc:
        pay(
            finance,
            mine,
            "350.00",
            allocations=[
                {"receivable": late, "amount": "300.00"},
                {"receivable": mid, "amount": "40.00"},
                {"receivable": later, "amount": "20.00"},  # 360 > 350 by this line
            ],
        )
    errors = errors_of(exc)
    assert list(errors) == ["allocations.2.amount"]
    assert (
        "¥360.00" in errors["allocations.2.amount"][0]
        and "¥350.00" in errors["allocations.2.amount"][0]
    )
    assert state() == before


def test_allocating_more_than_a_receivable_owes_is_refused(finance, mine, three):
    _late, mid, _later = three
    before = state()
    with pytest.raises(ValidationError) as exc:
        pay(finance, mine, "500.00", allocations=[{"receivable": mid, "amount": "100.01"}])
    message = errors_of(exc)["allocations.0.amount"][0]
    assert "FP-A" in message and "¥100.00" in message
    assert state() == before


def test_manual_lines_checked_one_by_one(finance, mine, theirs, three):
    late, mid, later = three
    their = make_receivable(theirs, "10.00")
    closed = make_receivable(mine, "10.00")
    pay(finance, mine, "10.00", allocations=[{"receivable": closed, "amount": "10.00"}])
    before = state()
    with pytest.raises(ValidationError) as exc:
        pay(
            finance,
            mine,
            "1000.00",
            allocations=[
                {"receivable": their, "amount": "1.00"},
                {"receivable": closed, "amount": "1.00"},
                {"receivable": 999999, "amount": "1.00"},
                {"receivable": late, "amount": "0"},
                {"receivable": mid, "amount": "1.00"},
                {"receivable": mid, "amount": "1.00"},
                {"receivable": "abc", "amount": "1.00"},
                {"receivable": later, "amount": "1.005"},
            ],
        )
    errors = errors_of(exc)
    assert set(errors) == {
        "allocations.0.receivable",
        "allocations.1.receivable",
        "allocations.2.receivable",
        "allocations.3.amount",
        "allocations.5.receivable",
        "allocations.6.receivable",
        "allocations.7.amount",
    }
    assert "paid in full" in errors["allocations.1.receivable"][0]
    assert "twice" in errors["allocations.5.receivable"][0]
    assert state() == before


# --- the payment itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"amount": "1e13"}, "amount"),
        ({"received_on": today() + dt.timedelta(days=1)}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"method": "bitcoin"}, "method"),
        ({"reference": "R" * 61}, "reference"),
        ({"notes": "N" * 201}, "notes"),
    ],
)
def test_bad_payment_input_names_the_field_and_writes_nothing(finance, mine, three, changes, field):
    data = {"amount": "100.00", "received_on": today(), "method": PaymentMethod.BANK}
    data.update(changes)
    before = state()
    with pytest.raises(ValidationError) as exc:
        payment_record(by=finance, customer=mine, **data)
    assert field in errors_of(exc)
    assert state() == before


def test_payment_fields_and_history(assistant, mine, salesperson):
    payment = pay(
        assistant,
        mine,
        "1,280.50",
        method=PaymentMethod.ACCEPTANCE,
        reference=" CD-001 ",
        notes="承兑",
    )
    payment.refresh_from_db()
    assert payment.amount == D("1280.50")
    assert payment.reference == "CD-001"
    assert payment.salesperson == salesperson and payment.created_by == assistant
    assert payment.history.get().history_user == assistant


@pytest.mark.parametrize("persona", ["salesperson", "director", "warehouse", "commercial"])
def test_only_finance_the_assistant_and_admin_record_payments(request, persona, mine, three):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        pay(user, mine, "10.00")
    payment = pay(request.getfixturevalue("finance"), mine, "700.00")
    with pytest.raises(PermissionDenied):
        payment_allocate(payment=payment, by=user)


def test_admin_records_payments(admin_user, mine, three):
    assert pay(admin_user, mine, "10.00").allocated_amount == D("10.00")


# --- using credit later ---------------------------------------------------------------------


def test_allocate_refuses_when_no_credit_or_nothing_open_or_an_empty_list(finance, mine, three):
    full = pay(finance, mine, "100.00")
    with pytest.raises(ValidationError) as exc:
        payment_allocate(payment=full, by=finance)
    assert "__all__" in errors_of(exc)

    credit = pay(finance, mine, "1000.00")  # 500 open left → 500 credit
    with pytest.raises(ValidationError) as exc:
        payment_allocate(payment=credit, by=finance)
    assert "no open receivables" in errors_of(exc)["__all__"][0]
    with pytest.raises(ValidationError) as exc:
        payment_allocate(payment=credit, by=finance, allocations=[])
    assert "allocations" in errors_of(exc)


def test_allocate_by_hand_is_bounded_by_the_remaining_credit(finance, mine):
    payment = pay(finance, mine, "100.00")  # nothing open: all credit
    a = make_receivable(mine, "80.00")
    b = make_receivable(mine, "80.00")
    before = state()
    with pytest.raises(ValidationError) as exc:
        payment_allocate(
            payment=payment,
            by=finance,
            allocations=[{"receivable": a, "amount": "80"}, {"receivable": b, "amount": "20.01"}],
        )
    assert list(errors_of(exc)) == ["allocations.1.amount"]
    assert state() == before
    payment_allocate(
        payment=payment,
        by=finance,
        allocations=[{"receivable": a, "amount": "80"}, {"receivable": b, "amount": "20"}],
    )
    fresh(a, b, payment)
    assert not a.is_open and b.open_amount == D("60.00") and payment.unallocated_amount == 0


def test_a_stale_payment_instance_cannot_spend_credit_twice(finance, mine):
    payment = pay(finance, mine, "50.00")
    make_receivable(mine, "50.00")
    make_receivable(mine, "50.00")
    stale = Payment.objects.get(pk=payment.pk)
    payment_allocate(payment=payment, by=finance)
    with pytest.raises(ValidationError):
        payment_allocate(payment=stale, by=finance)
    assert Allocation.objects.count() == 1


# --- the orders' invoiced and paid amounts, exact -------------------------------------------


def test_orders_paid_amount_follows_allocations_across_orders(finance, warehouse, mine):
    o1 = make_order(customer=mine, lines=((100, "1.1100"),), order_date=days_ago(40))
    o2 = make_order(customer=mine, lines=((100, "2.2200"),), order_date=days_ago(40))
    s1 = ship(o1, warehouse, ship_date=days_ago(30))
    s2 = ship(o2, warehouse, ship_date=days_ago(20))
    receivable_set_invoice(receivable=s1.receivable, by=finance, invoice_number="FP-O1")
    pay(finance, mine, "150.00")
    fresh(o1, o2)
    assert (o1.invoiced_amount, o1.paid_amount) == (D("111.00"), D("111.00"))
    assert (o2.invoiced_amount, o2.paid_amount) == (D("0.00"), D("39.00"))
    pay(finance, mine, "183.00")
    fresh(o2)
    assert o2.paid_amount == D("222.00")
    assert not Receivable.objects.filter(is_open=True).exists()
    assert s2.receivable.pk in Allocation.objects.values_list("receivable_id", flat=True)


def test_sums_stay_exact_over_many_odd_amounts(finance, warehouse, mine):
    rng = random.Random(20260514)
    order = make_order(
        customer=mine,
        lines=[(1, str(D(rng.randint(1, 99_999_999)) / 100)) for _ in range(12)],
        order_date=days_ago(30),
    )
    ship(order, warehouse, ship_date=days_ago(20))
    owed = Receivable.objects.get().amount
    paid = []
    for _ in range(9):
        amount = (D(rng.randint(1, 9_999_999)) / 100).quantize(D("0.01"))
        pay(finance, mine, amount)
        paid.append(amount)
    order.refresh_from_db()
    expected_paid = min(sum(paid, D("0")), owed)
    assert order.paid_amount == expected_paid
    assert customer_credit(mine) == sum(paid, D("0")) - expected_paid
    r = Receivable.objects.get()
    assert r.allocated_amount == expected_paid and r.open_amount == owed - expected_paid


# --- two clerks at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_at_once_cannot_over_allocate(finance, assistant, salesperson):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    customer = CustomerFactory(owner=salesperson)
    r = make_receivable(customer, "100.00")
    barrier = threading.Barrier(2)
    errors: list = []

    def clerk(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            pay(user, customer, "70.00")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=clerk, args=(u,)) for u in (finance, assistant)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    r.refresh_from_db()
    assert r.allocated_amount == D("100.00") and not r.is_open
    assert sorted(Payment.objects.values_list("allocated_amount", flat=True)) == [
        D("30.00"),
        D("70.00"),
    ]
    assert customer_credit(customer) == D("40.00")
