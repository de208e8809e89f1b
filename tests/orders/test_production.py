"""Production status and the at-risk flag (R-4.4)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.orders.choices import OrderState, ProductionStatus
from salesdesk.orders.models import Order
from salesdesk.orders.selectors.orders import (
    RISK_DELAYED,
    RISK_DUE_SOON,
    RISK_OVERDUE,
    at_risk_q,
    order_list,
)
from salesdesk.orders.services.orders import order_cancel
from salesdesk.orders.services.production import production_update
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, place_order, set_state

pytestmark = pytest.mark.django_db

mine = helpers.mine  # fixture
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("status", [ProductionStatus.SCHEDULED, ProductionStatus.IN_PRODUCTION])
def test_starting_production_moves_a_confirmed_order(assistant, warehouse, mine, status):
    order = confirmed_order(assistant, mine)
    production_update(order=order, by=warehouse, status=status, note="3号线")
    order.refresh_from_db()
    assert order.state == OrderState.IN_PRODUCTION
    assert order.production_status == status
    assert order.production_note == "3号线"
    assert order.production_updated_at is not None
    assert order.history.first().history_user == warehouse


def test_done_keeps_the_state(assistant, mine):
    order = confirmed_order(assistant, mine)
    production_update(order=order, by=assistant, status=ProductionStatus.DONE)
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert order.production_status == ProductionStatus.DONE


def test_production_on_partly_shipped_keeps_the_state(assistant, mine):
    order = set_state(confirmed_order(assistant, mine), OrderState.PARTLY_SHIPPED)
    production_update(order=order, by=assistant, status=ProductionStatus.IN_PRODUCTION)
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED


def test_delayed_needs_a_reason(assistant, mine):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        production_update(order=order, by=assistant, status=ProductionStatus.DELAYED, note="  ")
    assert "note" in exc.value.message_dict
    order.refresh_from_db()
    assert order.production_status == ProductionStatus.NOT_SCHEDULED
    production_update(order=order, by=assistant, status=ProductionStatus.DELAYED, note="瓦楞机故障")
    order.refresh_from_db()
    assert (order.production_status, order.production_note) == (
        ProductionStatus.DELAYED,
        "瓦楞机故障",
    )


def test_unknown_status_is_refused(assistant, mine):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        production_update(order=order, by=assistant, status="painting")
    assert "status" in exc.value.message_dict


@pytest.mark.parametrize("state", [OrderState.DRAFT, OrderState.CANCELLED, OrderState.CLOSED])
def test_no_production_on_drafts_cancelled_or_closed(assistant, mine, state):
    order = place_order(assistant, mine)
    if state == OrderState.CANCELLED:
        order_cancel(order=order, by=assistant, reason="取消")
    elif state == OrderState.CLOSED:
        set_state(order, state, promised_date=order.order_date)
    with pytest.raises(ValidationError) as exc:
        production_update(order=order, by=assistant, status=ProductionStatus.SCHEDULED)
    assert "status" in exc.value.message_dict
    order.refresh_from_db()
    assert order.production_status == ProductionStatus.NOT_SCHEDULED
    assert order.state == state


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance"])
def test_only_production_roles_update(request, assistant, mine, persona):
    order = confirmed_order(assistant, mine)
    with pytest.raises(PermissionDenied):
        production_update(
            order=order, by=request.getfixturevalue(persona), status=ProductionStatus.SCHEDULED
        )


# --- at risk -------------------------------------------------------------------------------


def _risky(user, today):
    rows = order_list(user=user, at_risk=True, as_of=today)
    return {o.number: o.risk_reason for o in rows}


def test_at_risk_boundaries(assistant, mine, settings):
    settings.SALESDESK_AT_RISK_DAYS = 3
    today = dt.date(2026, 3, 10)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        in_3 = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=12
        )  # 3-13
        in_4 = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=13
        )  # 3-14
        done = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=10
        )  # 3-11
        today_due = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=9
        )  # 3-10
        passed = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=8
        )  # 3-09
        delayed = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=30
        )
        shipped = set_state(
            confirmed_order(assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=8),
            OrderState.SHIPPED,
        )
        draft = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
        production_update(order=done, by=assistant, status=ProductionStatus.DONE)
        production_update(
            order=delayed, by=assistant, status=ProductionStatus.DELAYED, note="缺原纸"
        )
        passed_done = confirmed_order(
            assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=8
        )
        production_update(order=passed_done, by=assistant, status=ProductionStatus.DONE)
    risky = _risky(assistant, today)
    assert risky == {
        in_3.number: RISK_DUE_SOON,
        today_due.number: RISK_DUE_SOON,
        passed.number: RISK_OVERDUE,
        passed_done.number: RISK_OVERDUE,
        delayed.number: RISK_DELAYED,
    }
    assert in_4.number not in risky and done.number not in risky
    assert shipped.number not in risky and draft.number not in risky
    # a day later the 3-14 promise is within 3 days
    assert in_4.number in _risky(assistant, today + dt.timedelta(days=1))
    # the setting moves the window
    settings.SALESDESK_AT_RISK_DAYS = 4
    assert in_4.number in _risky(assistant, today)


def test_risk_reason_is_annotated_on_the_whole_list(assistant, mine):
    today = dt.date(2026, 3, 10)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        fine = confirmed_order(assistant, mine, order_date=dt.date(2026, 3, 1), promised_in_days=30)
    row = order_list(user=assistant, as_of=today).get(pk=fine.pk)
    assert row.risk_reason == ""
    assert not Order.objects.filter(at_risk_q(today)).exists()
