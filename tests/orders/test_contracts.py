"""Contract execution (R-4.6): ordered, shipped, invoiced, paid with percentages; behind schedule."""

import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.orders.choices import OrderState
from salesdesk.orders.selectors.contracts import (
    contract_execution,
    execution_of,
    is_behind_schedule,
    with_execution,
)
from salesdesk.orders.services.orders import order_cancel
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, make_product, place_order, set_state

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures
D = dt.date


def _order(
    by,
    customer,
    *,
    total="1000.00",
    shipped="0",
    order_date=None,
    days=10,
    requested=None,
    state=None,
):
    order_date = order_date or D(2026, 3, 1)
    order = confirmed_order(
        by,
        customer,
        order_date=order_date,
        promised_in_days=days,
        lines=[(make_product(), 1000, Decimal(total) / 1000)],
    )
    return set_state(
        order, state or order.state, shipped_amount=Decimal(shipped), requested_date=requested
    )


def test_execution_figures_and_percentages(assistant, mine):
    order = _order(assistant, mine, total="1000.00", shipped="333.33")
    type(order).objects.filter(pk=order.pk).update(
        invoiced_amount=Decimal("200.00"), paid_amount=Decimal("0.01")
    )
    order.refresh_from_db()
    e = execution_of(order)
    assert (e.ordered, e.shipped, e.invoiced, e.paid) == (
        Decimal("1000.00"),
        Decimal("333.33"),
        Decimal("200.00"),
        Decimal("0.01"),
    )
    assert (e.shipped_pct, e.invoiced_pct, e.paid_pct) == (
        Decimal("33.3"),
        Decimal("20.0"),
        Decimal("0.0"),
    )


def test_zero_total_gives_zero_percent(assistant, mine):
    order = _order(assistant, mine, total="0")
    assert execution_of(order).shipped_pct == Decimal("0.0")


def _behind(user, today, **kwargs):
    return {o.number for o in contract_execution(user=user, behind=True, as_of=today, **kwargs)}


def test_behind_schedule_rules(assistant, mine):
    today = D(2026, 3, 6)  # 5 of 10 days elapsed for orders of 3-01 promised 3-11
    half = _order(assistant, mine, shipped="500.00")
    less = _order(assistant, mine, shipped="499.99")
    none = _order(assistant, mine, shipped="0")
    past_promise = _order(assistant, mine, shipped="900.00", days=4)  # promised 3-05
    past_request = _order(assistant, mine, shipped="900.00", requested=D(2026, 3, 5))
    future_start = _order(assistant, mine, order_date=D(2026, 3, 7), days=10)
    shipped = _order(assistant, mine, shipped="1000.00", days=2, state=OrderState.SHIPPED)
    behind = _behind(assistant, today)
    assert behind == {less.number, none.number, past_promise.number, past_request.number}
    assert (
        half.number not in behind
        and future_start.number not in behind
        and shipped.number not in behind
    )
    # the Python rule for one order agrees with the database rule
    for order in (half, less, none, past_promise, past_request, future_start, shipped):
        assert is_behind_schedule(order, today) == (order.number in behind), order.number


def test_on_the_promised_day_an_unshipped_order_is_behind(assistant, mine):
    order = _order(assistant, mine, shipped="999.99")
    assert _behind(assistant, D(2026, 3, 11)) == {order.number}
    assert _behind(assistant, D(2026, 3, 1)) == set()


def test_list_leaves_out_drafts_and_cancelled_and_is_scoped(assistant, salesperson, mine, theirs):
    draft = place_order(assistant, mine)
    cancelled = place_order(assistant, mine)
    order_cancel(order=cancelled, by=assistant, reason="取消")
    own = _order(assistant, mine)
    other = _order(assistant, theirs)
    numbers = {o.number for o in contract_execution(user=salesperson)}
    assert numbers == {own.number}
    everyone = {o.number for o in contract_execution(user=assistant)}
    assert everyone == {own.number, other.number}
    assert draft.number not in everyone


def test_search_and_attached_figures(assistant, mine):
    order = _order(assistant, mine, shipped="250.00")
    type(order).objects.filter(pk=order.pk).update(contract_number="HT-2026-007")
    rows = with_execution(contract_execution(user=assistant, search="HT-2026"))
    assert [r.number for r in rows] == [order.number]
    assert rows[0].execution.shipped_pct == Decimal("25.0")
    assert list(contract_execution(user=assistant, search="nothing-like-this")) == []


def test_contract_list_query_count_is_flat(assistant, mine, django_assert_max_num_queries):
    for _ in range(30):
        _order(assistant, mine, shipped="100.00")
    with django_assert_max_num_queries(1):
        rows = with_execution(contract_execution(user=assistant, as_of=D(2026, 3, 6)))
        assert len(rows) == 30
        assert all(r.customer.name and r.salesperson.username for r in rows)
