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


def test_default_is_open_orders_newest_first_behind_list_key_first(assistant, salesperson, mine):
    """Performance fix 2: the default list is open orders only, newest first (no sort by tier over
    ten years of orders); include_closed adds shipped and closed ones; the behind-schedule
    worklist keeps key accounts first, then the promised date (R-3.3)."""
    from salesdesk.customers.choices import Tier
    from tests.factories import CustomerFactory

    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    old = _order(assistant, mine, order_date=D(2026, 2, 1), days=10)  # promised 02-11: behind
    new = _order(assistant, mine, order_date=D(2026, 3, 1), days=5)  # promised 03-06: behind
    key_late = _order(assistant, key, order_date=D(2026, 2, 20), days=20)  # promised 03-12: behind
    closed = _order(assistant, mine, order_date=D(2026, 3, 2), state=OrderState.CLOSED)
    shipped = _order(assistant, mine, order_date=D(2026, 3, 3), state=OrderState.SHIPPED)
    today = D(2026, 3, 20)
    default = [o.number for o in contract_execution(user=assistant, as_of=today)]
    assert default == [new.number, key_late.number, old.number]
    everything = [
        o.number for o in contract_execution(user=assistant, as_of=today, include_closed=True)
    ]
    assert everything == [shipped.number, closed.number, new.number, key_late.number, old.number]
    behind = [o.number for o in contract_execution(user=assistant, behind=True, as_of=today)]
    assert behind == [key_late.number, old.number, new.number]


def test_contract_page_open_by_default_closed_on_request(client_for, assistant, mine):
    from django.urls import reverse

    open_order = _order(assistant, mine)
    closed = _order(assistant, mine, state=OrderState.CLOSED)
    client = client_for(assistant)
    body = client.get(reverse("orders:contracts")).content.decode()
    assert open_order.number in body and closed.number not in body and "closed=1" in body
    body = client.get(reverse("orders:contracts"), {"closed": "1"}).content.decode()
    assert open_order.number in body and closed.number in body


def test_contract_filter_form_keeps_closed_orders_when_ticked(client_for, assistant, mine):
    from django.urls import reverse

    closed = _order(assistant, mine, state=OrderState.CLOSED)
    client = client_for(assistant)
    # The filter form posts its checkbox as "on", together with the other filters.
    body = client.get(reverse("orders:contracts"), {"closed": "on", "search": ""}).content.decode()
    assert closed.number in body
    assert 'name="closed"' in body and "checked" in body
