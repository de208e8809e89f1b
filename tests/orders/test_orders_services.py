"""Order services: entry, drafts, confirmation, cancel, close; money exact; last order date kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from salesdesk.accounts.roles import Role
from salesdesk.customers.models import Customer
from salesdesk.orders.choices import OrderChannel, OrderState
from salesdesk.orders.models import Order, OrderLine, PromiseChange
from salesdesk.orders.services.orders import (
    line_amount,
    order_cancel,
    order_close,
    order_confirm,
    order_create,
    order_update,
)
from tests.factories import CustomerFactory, UserFactory
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, make_product, place_order, set_state

pytestmark = pytest.mark.django_db

mine, product, theirs = helpers.mine, helpers.product, helpers.theirs  # fixtures
TODAY = dt.date(2026, 3, 10)


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        (3, "0.3333", "1.00"),
        (7, "1.005", "7.04"),
        (1, "0.005", "0.01"),
        (1, "0.0049", "0.00"),
        (12500, "0.8560", "10700.00"),
        (3, "2.1235", "6.37"),
    ],
)
def test_line_amount_rounds_half_up_to_the_fen(quantity, price, amount):
    assert line_amount(quantity, Decimal(price)) == Decimal(amount)


def test_amounts_and_total_are_exact_decimals_in_the_database(salesperson, mine):
    a, b, c = make_product(), make_product(), make_product()
    order = place_order(
        salesperson,
        mine,
        [(a, 3, Decimal("0.3333")), (b, 7, Decimal("1.005")), (c, 1, Decimal("0.1"))],
    )
    order = Order.objects.get(pk=order.pk)
    lines = list(order.lines.order_by("line_no"))
    assert [line.amount for line in lines] == [Decimal("1.00"), Decimal("7.04"), Decimal("0.10")]
    assert [line.line_no for line in lines] == [1, 2, 3]
    assert all(isinstance(line.amount, Decimal) for line in lines)
    assert order.total_amount == Decimal("8.14")
    assert str(order.total_amount) == "8.14"


def test_many_lines_sum_exactly(salesperson, mine):
    p = make_product()
    order = place_order(
        salesperson, mine, [(p, 1, Decimal("0.0100"))] * 10 + [(p, 3, Decimal("0.3333"))] * 10
    )
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("10.10")


def test_unit_price_defaults_to_the_list_price(salesperson, mine):
    p = make_product(list_price=Decimal("2.1235"))
    order = place_order(salesperson, mine, [(p, 3, None)])
    line = order.lines.get()
    assert line.unit_price == Decimal("2.1235")
    assert line.amount == Decimal("6.37")


# --- entry ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.COMMERCIAL, Role.SALESPERSON, Role.ADMIN])
def test_order_writers_may_enter(role, salesperson, mine):
    by = salesperson if role == Role.SALESPERSON else UserFactory(role=role)
    order = place_order(by, mine)
    assert order.state == OrderState.DRAFT
    assert order.number.startswith(f"SO{timezone.localdate().year}")
    assert order.salesperson == salesperson
    assert order.created_by == by
    assert order.history.count() == 1
    assert order.history.first().history_user == by
    assert OrderLine.history.filter(order_id=order.pk).count() == 1


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.FINANCE, Role.WAREHOUSE])
def test_others_may_not_enter(role, mine):
    with pytest.raises(PermissionDenied):
        place_order(UserFactory(role=role), mine)
    assert not Order.objects.exists()


def test_numbers_follow_each_other(assistant, mine):
    first = place_order(assistant, mine, order_date=dt.date(2026, 1, 5))
    second = place_order(assistant, mine, order_date=dt.date(2026, 1, 6))
    assert first.number == "SO2026000001"
    assert second.number == "SO2026000002"


def test_a_salesperson_orders_only_for_own_customers(salesperson, theirs):
    with pytest.raises(ValidationError) as exc:
        place_order(salesperson, theirs)
    assert "customer" in _errors(exc)
    assert not Order.objects.exists()


def test_a_salesperson_cannot_name_someone_else(salesperson, other_salesperson, mine):
    with pytest.raises(ValidationError) as exc:
        place_order(salesperson, mine, salesperson=other_salesperson)
    assert "salesperson" in _errors(exc)


def test_the_office_defaults_to_the_customers_salesperson(assistant, salesperson, mine):
    order = place_order(assistant, mine, channel=OrderChannel.PHONE)
    assert order.salesperson == salesperson


def test_walk_in_order_names_a_salesperson(assistant, other_salesperson, mine):
    order = place_order(
        assistant, mine, channel=OrderChannel.WALK_IN, salesperson=other_salesperson
    )
    assert order.salesperson == other_salesperson


def test_walk_in_order_without_any_salesperson_is_refused(assistant):
    walk_in = CustomerFactory(owner=None)
    with pytest.raises(ValidationError) as exc:
        place_order(assistant, walk_in, channel=OrderChannel.WALK_IN)
    assert "salesperson" in _errors(exc)
    assert not Order.objects.exists()


@pytest.mark.parametrize("kind", ["inactive", "not_a_salesperson"])
def test_the_named_salesperson_must_be_an_active_salesperson(assistant, mine, kind):
    person = (
        UserFactory(role=Role.SALESPERSON, is_active=False)
        if kind == "inactive"
        else UserFactory(role=Role.FINANCE)
    )
    with pytest.raises(ValidationError) as exc:
        place_order(assistant, mine, channel=OrderChannel.PHONE, salesperson=person)
    assert "salesperson" in _errors(exc)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 0}, "lines.0.quantity"),
        ({"quantity": -5}, "lines.0.quantity"),
        ({"quantity": "2.5"}, "lines.0.quantity"),
        ({"quantity": "many"}, "lines.0.quantity"),
        ({"unit_price": Decimal("-0.01")}, "lines.0.unit_price"),
        ({"unit_price": "abc"}, "lines.0.unit_price"),
        ({"unit_price": Decimal("0.12345")}, "lines.0.unit_price"),
        ({"product": None}, "lines.0.product"),
        ({"product": 999999}, "lines.0.product"),
    ],
)
def test_bad_lines_are_refused_naming_the_line(assistant, mine, product, line, field):
    good = {"product": product, "quantity": 10, "unit_price": Decimal("1")}
    with pytest.raises(ValidationError) as exc:
        order_create(
            by=assistant,
            customer=mine,
            channel=OrderChannel.PHONE,
            order_date=TODAY,
            lines=[{**good, **line}],
        )
    assert field in _errors(exc)
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_the_second_line_is_named_by_its_index(assistant, mine, product):
    good = {"product": product, "quantity": 10}
    with pytest.raises(ValidationError) as exc:
        order_create(
            by=assistant,
            customer=mine,
            channel=OrderChannel.PHONE,
            order_date=TODAY,
            lines=[good, {**good, "quantity": 0}],
        )
    assert list(_errors(exc)) == ["lines.1.quantity"]


def test_an_order_needs_a_line(assistant, mine):
    with pytest.raises(ValidationError) as exc:
        order_create(
            by=assistant, customer=mine, channel=OrderChannel.PHONE, order_date=TODAY, lines=[]
        )
    assert "lines" in _errors(exc)


def test_archived_products_and_customers_are_refused(assistant, mine, product):
    product.archived_at = timezone.now()
    product.save()
    with pytest.raises(ValidationError) as exc:
        place_order(assistant, mine, [(product, 1, None)])
    assert "lines.0.product" in _errors(exc)
    Customer.objects.filter(pk=mine.pk).update(archived_at=timezone.now(), archived_by=assistant)
    mine.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        place_order(assistant, mine)
    assert "customer" in _errors(exc)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("order_date", None),
        ("order_date", "2026-02-30"),
        ("requested_date", dt.date(2026, 3, 1)),
    ],
)
def test_bad_header_is_refused(assistant, mine, product, field, value):
    kwargs = {"channel": OrderChannel.PHONE, "order_date": TODAY, field: value}
    with pytest.raises(ValidationError) as exc:
        order_create(
            by=assistant, customer=mine, lines=[{"product": product, "quantity": 1}], **kwargs
        )
    assert field in _errors(exc)
    assert not Order.objects.exists()


def test_entry_takes_a_fixed_number_of_queries(assistant, mine):
    products = [make_product() for _ in range(3)]
    lines = [(p, 10, Decimal("1.2345")) for p in products]
    place_order(assistant, mine, lines)  # warm the number series
    with CaptureQueriesContext(connection) as three:
        place_order(assistant, mine, lines)
    with CaptureQueriesContext(connection) as nine:
        place_order(assistant, mine, lines * 3)
    assert len(nine) == len(three)
    assert len(three) <= 12


# --- last order date ---------------------------------------------------------------------


def test_last_order_date_moves_forward_only(assistant, mine):
    place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 1)
    place_order(assistant, mine, order_date=dt.date(2026, 2, 1))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 1)
    place_order(assistant, mine, order_date=dt.date(2026, 3, 5))
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 3, 5)


def test_cancelling_the_latest_order_recomputes_the_last_order_date(assistant, mine):
    place_order(assistant, mine, order_date=dt.date(2026, 2, 1))
    latest = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
    order_cancel(order=latest, by=assistant, reason="客户取消")
    mine.refresh_from_db()
    assert mine.last_order_date == dt.date(2026, 2, 1)


def test_cancelling_the_only_order_clears_the_last_order_date(assistant, mine):
    order = place_order(assistant, mine, order_date=dt.date(2026, 2, 1))
    order_cancel(order=order, by=assistant, reason="重复下单")
    mine.refresh_from_db()
    assert mine.last_order_date is None


# --- editing drafts ------------------------------------------------------------------------


def test_update_replaces_header_and_lines(assistant, mine, theirs):
    a, b, c = make_product(), make_product(), make_product()
    order = place_order(
        assistant,
        mine,
        [(a, 1, Decimal("1")), (b, 2, Decimal("1"))],
        order_date=dt.date(2026, 3, 1),
    )
    order_update(
        order=order,
        by=assistant,
        customer=theirs,
        channel=OrderChannel.PHONE,
        order_date=dt.date(2026, 3, 2),
        contract_number="HT-1",
        lines=[{"product": c, "quantity": 3, "unit_price": Decimal("0.3333")}],
    )
    order.refresh_from_db()
    assert order.customer == theirs
    assert order.salesperson == theirs.owner
    assert order.contract_number == "HT-1"
    assert [(line.line_no, line.product_id, line.amount) for line in order.lines.all()] == [
        (1, c.pk, Decimal("1.00"))
    ]
    assert order.total_amount == Decimal("1.00")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.last_order_date is None
    assert theirs.last_order_date == dt.date(2026, 3, 2)
    assert OrderLine.history.filter(order_id=order.pk, history_type="-").count() == 1


def test_update_adds_lines(assistant, mine):
    a = make_product()
    order = place_order(assistant, mine, [(a, 1, Decimal("1"))])
    order_update(
        order=order,
        by=assistant,
        customer=mine,
        channel=OrderChannel.PHONE,
        order_date=order.order_date,
        lines=[{"product": a, "quantity": 2}, {"product": a, "quantity": 3, "unit_price": "2"}],
    )
    assert list(order.lines.values_list("line_no", "quantity")) == [(1, 2), (2, 3)]
    order.refresh_from_db()
    assert order.total_amount == Decimal("2.50") + Decimal("6.00")


def test_only_drafts_can_be_edited(assistant, mine, product):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        order_update(
            order=order,
            by=assistant,
            customer=mine,
            channel=OrderChannel.PHONE,
            order_date=order.order_date,
            lines=[{"product": product, "quantity": 5}],
        )
    assert "state" in _errors(exc)
    assert order.lines.get().quantity == 100


def test_bad_update_changes_nothing(assistant, mine, product):
    order = place_order(assistant, mine)
    with pytest.raises(ValidationError):
        order_update(
            order=order,
            by=assistant,
            customer=mine,
            channel=OrderChannel.PHONE,
            order_date=order.order_date,
            lines=[{"product": product, "quantity": 0}],
        )
    assert order.lines.get().quantity == 100


def test_another_salesperson_cannot_touch_the_order(salesperson, other_salesperson, mine):
    order = place_order(salesperson, mine)
    with pytest.raises(PermissionDenied):
        order_confirm(order=order, by=other_salesperson, promised_date=TODAY)
    with pytest.raises(PermissionDenied):
        order_cancel(order=order, by=other_salesperson, reason="x")


# --- confirm, cancel, close ------------------------------------------------------------------


def test_confirm_writes_the_first_promise(assistant, mine):
    order = place_order(assistant, mine, order_date=TODAY)
    order_confirm(
        order=order, by=assistant, promised_date=dt.date(2026, 3, 20), customer_accepted=True
    )
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert order.promised_date == dt.date(2026, 3, 20)
    assert order.confirmed_by == assistant and order.confirmed_at is not None
    assert order.promise_answered_at is not None
    change = PromiseChange.objects.get(order=order)
    assert (change.old_date, change.new_date, change.customer_accepted, change.changed_by) == (
        None,
        dt.date(2026, 3, 20),
        True,
        assistant,
    )


@pytest.mark.parametrize("value", [None, ""])
def test_confirm_without_a_date_is_refused(assistant, mine, value):
    order = place_order(assistant, mine)
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            order_confirm(order=order, by=assistant, promised_date=value)
        assert "promised delivery date" in _errors(exc)["promised_date"][0]
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
    assert not PromiseChange.objects.exists()


def test_confirm_before_the_order_date_is_refused(assistant, mine):
    order = place_order(assistant, mine, order_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        order_confirm(order=order, by=assistant, promised_date=TODAY - dt.timedelta(days=1))
    assert "promised_date" in _errors(exc)
    assert not PromiseChange.objects.exists()


def test_confirm_twice_is_refused(assistant, mine):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        order_confirm(order=order, by=assistant, promised_date=TODAY)
    assert "state" in _errors(exc)
    assert PromiseChange.objects.count() == 1


@pytest.mark.parametrize(
    "state", [OrderState.DRAFT, OrderState.CONFIRMED, OrderState.IN_PRODUCTION]
)
def test_cancel_from_cancellable_states(assistant, mine, state):
    order = (
        confirmed_order(assistant, mine)
        if state != OrderState.DRAFT
        else place_order(assistant, mine)
    )
    if state == OrderState.IN_PRODUCTION:
        set_state(order, state)
    order_cancel(order=order, by=assistant, reason="客户取消")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert order.cancel_reason == "客户取消" and order.cancelled_by == assistant


@pytest.mark.parametrize(
    "state",
    [OrderState.PARTLY_SHIPPED, OrderState.SHIPPED, OrderState.CLOSED, OrderState.CANCELLED],
)
def test_cancel_after_shipping_is_refused(assistant, mine, state):
    order = confirmed_order(assistant, mine)
    if state == OrderState.CANCELLED:
        order_cancel(order=order, by=assistant, reason="第一次")
    else:
        set_state(order, state)
    with pytest.raises(ValidationError) as exc:
        order_cancel(order=order, by=assistant, reason="再次取消")
    assert "state" in _errors(exc)
    order.refresh_from_db()
    assert order.state == state


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_needs_a_reason(assistant, mine, reason):
    order = place_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        order_cancel(order=order, by=assistant, reason=reason)
    assert "reason" in _errors(exc)
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_close_a_shipped_order(assistant, mine):
    order = set_state(confirmed_order(assistant, mine), OrderState.SHIPPED)
    order_close(order=order, by=assistant)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.closed_at is not None


def test_close_a_partly_shipped_order_needs_a_reason(assistant, mine):
    order = set_state(confirmed_order(assistant, mine), OrderState.PARTLY_SHIPPED)
    with pytest.raises(ValidationError) as exc:
        order_close(order=order, by=assistant)
    assert "reason" in _errors(exc)
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED
    order_close(order=order, by=assistant, reason="客户不要余量")
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    assert "客户不要余量" in order.notes
    assert "客户不要余量" in order.history.first().history_change_reason


@pytest.mark.parametrize(
    "state", [OrderState.DRAFT, OrderState.CONFIRMED, OrderState.IN_PRODUCTION]
)
def test_close_before_shipping_is_refused(assistant, mine, state):
    order = (
        place_order(assistant, mine)
        if state == OrderState.DRAFT
        else confirmed_order(assistant, mine)
    )
    set_state(order, state)
    with pytest.raises(ValidationError) as exc:
        order_close(order=order, by=assistant, reason="x")
    assert "state" in _errors(exc)


def test_history_keeps_every_step(assistant, mine):
    order = confirmed_order(assistant, mine)
    order_cancel(order=order, by=assistant, reason="客户取消")
    reasons = list(
        order.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == ["create", "confirm", "cancel"]
