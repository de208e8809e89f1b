"""The promise ledger: changes with reasons, history complete, and the worklist of answers due."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import PromiseChange
from salesdesk.orders.selectors.promises import promise_history, promise_worklist
from salesdesk.orders.services.orders import order_cancel, order_confirm
from salesdesk.orders.services.promises import promise_change
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, place_order, set_state

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_history_is_complete_after_several_changes(assistant, salesperson, mine):
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        order = place_order(salesperson, mine, order_date=dt.date(2026, 3, 1))
        order_confirm(order=order, by=salesperson, promised_date=dt.date(2026, 3, 20))
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        promise_change(
            order=order,
            by=assistant,
            promised_date=dt.date(2026, 3, 25),
            reason="原纸缺货",
            customer_accepted=True,
        )
    with time_machine.travel(at(2026, 3, 8, 11), tick=False):
        promise_change(
            order=order,
            by=salesperson,
            promised_date="2026-03-23",
            reason="排产提前",
            customer_accepted=None,
        )
    with time_machine.travel(at(2026, 3, 9, 12), tick=False):
        promise_change(
            order=order,
            by=assistant,
            promised_date=dt.date(2026, 3, 30),
            reason="设备检修",
            customer_accepted=False,
        )
    rows = [
        (p.old_date, p.new_date, p.reason, p.customer_accepted, p.changed_by.username, p.changed_at)
        for p in promise_history(order)
    ]
    assert rows == [
        (None, dt.date(2026, 3, 20), "", None, "sales1", at(2026, 3, 1, 9)),
        (
            dt.date(2026, 3, 20),
            dt.date(2026, 3, 25),
            "原纸缺货",
            True,
            "assistant",
            at(2026, 3, 5, 10),
        ),
        (
            dt.date(2026, 3, 25),
            dt.date(2026, 3, 23),
            "排产提前",
            None,
            "sales1",
            at(2026, 3, 8, 11),
        ),
        (
            dt.date(2026, 3, 23),
            dt.date(2026, 3, 30),
            "设备检修",
            False,
            "assistant",
            at(2026, 3, 9, 12),
        ),
    ]
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 3, 30)
    # the first answer time stays: answering late is judged on it
    assert order.promise_answered_at == at(2026, 3, 1, 9)


@pytest.mark.parametrize("reason", ["", "  "])
def test_change_without_reason_is_refused(assistant, mine, reason):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        promise_change(
            order=order,
            by=assistant,
            promised_date=order.promised_date + dt.timedelta(days=3),
            reason=reason,
        )
    assert "reason" in exc.value.message_dict
    assert PromiseChange.objects.count() == 1


def test_change_to_the_same_date_is_refused(assistant, mine):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        promise_change(
            order=order, by=assistant, promised_date=order.promised_date, reason="无变化"
        )
    assert "promised_date" in exc.value.message_dict
    assert PromiseChange.objects.count() == 1


@pytest.mark.parametrize("value", [None, "", "not a date"])
def test_change_without_a_good_date_is_refused(assistant, mine, value):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        promise_change(order=order, by=assistant, promised_date=value, reason="原纸缺货")
    assert "promised_date" in exc.value.message_dict
    assert PromiseChange.objects.count() == 1


def test_change_before_the_order_date_is_refused(assistant, mine):
    order = confirmed_order(assistant, mine)
    with pytest.raises(ValidationError) as exc:
        promise_change(
            order=order,
            by=assistant,
            promised_date=order.order_date - dt.timedelta(days=1),
            reason="x",
        )
    assert "promised_date" in exc.value.message_dict


@pytest.mark.parametrize(
    "state", [OrderState.CONFIRMED, OrderState.IN_PRODUCTION, OrderState.PARTLY_SHIPPED]
)
def test_change_on_open_orders(assistant, mine, state):
    order = set_state(confirmed_order(assistant, mine), state)
    change = promise_change(
        order=order,
        by=assistant,
        promised_date=order.promised_date + dt.timedelta(days=2),
        reason="延期",
    )
    assert change.old_date == order.promised_date


@pytest.mark.parametrize(
    "state", [OrderState.DRAFT, OrderState.SHIPPED, OrderState.CLOSED, OrderState.CANCELLED]
)
def test_change_on_other_states_is_refused(assistant, mine, state):
    order = place_order(assistant, mine)
    if state == OrderState.CANCELLED:
        order_cancel(order=order, by=assistant, reason="取消")
    elif state != OrderState.DRAFT:
        order_confirm(order=order, by=assistant, promised_date=order.order_date)
        set_state(order, state)
    with pytest.raises(ValidationError) as exc:
        promise_change(
            order=order,
            by=assistant,
            promised_date=order.order_date + dt.timedelta(days=9),
            reason="x",
        )
    assert "state" in exc.value.message_dict


def test_salesperson_cannot_change_another_salespersons_promise(other_salesperson, assistant, mine):
    from django.core.exceptions import PermissionDenied

    order = confirmed_order(assistant, mine)
    with pytest.raises(PermissionDenied):
        promise_change(
            order=order,
            by=other_salesperson,
            promised_date=order.promised_date + dt.timedelta(days=1),
            reason="x",
        )


# --- worklist ---------------------------------------------------------------------------


def _worklist(user, moment):
    lists = promise_worklist(user=user, as_of=moment)
    return {key: [o.number for o in qs] for key, qs in lists.items()}


def test_unanswered_after_24_hours(assistant, mine):
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        order = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
    assert order.number not in _worklist(assistant, at(2026, 3, 2, 8, 59))["unanswered"]
    assert order.number not in _worklist(assistant, at(2026, 3, 2, 9))["unanswered"]
    assert order.number in _worklist(assistant, at(2026, 3, 2, 9, 0, 1))["unanswered"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        order_confirm(order=order, by=assistant, promised_date=dt.date(2026, 3, 20))
    assert order.number not in _worklist(assistant, at(2026, 3, 2, 11))["unanswered"]


def test_answered_late_is_judged_on_the_first_answer(assistant, mine):
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        on_time = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
        late = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # exactly 24 h: in time
        order_confirm(order=on_time, by=assistant, promised_date=dt.date(2026, 3, 20))
    with time_machine.travel(at(2026, 3, 2, 9, 1), tick=False):
        order_confirm(order=late, by=assistant, promised_date=dt.date(2026, 3, 20))
    lists = _worklist(assistant, at(2026, 3, 3, 9))
    assert lists["late"] == [late.number]
    # 30 days later it drops off the list
    assert _worklist(assistant, at(2026, 4, 1, 9, 0))["late"] == [late.number]
    assert _worklist(assistant, at(2026, 4, 1, 9, 2))["late"] == []


def test_answered_late_to_the_microsecond_and_across_midnight(assistant, mine):
    """The 24 h are added in the database (no per-row Python on SQLite): an order entered at
    a fractional second just before midnight is late one microsecond after its deadline."""
    from salesdesk.orders.models import Order

    entered = at(2026, 3, 1, 23, 59, 59, 999_999)
    with time_machine.travel(entered, tick=False):
        exact = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
        over = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
        whole = place_order(assistant, mine, order_date=dt.date(2026, 3, 1))
    Order.objects.filter(pk=whole.pk).update(created_at=at(2026, 3, 1, 23, 0))
    deadline = entered + dt.timedelta(hours=24)
    Order.objects.filter(pk=exact.pk).update(promise_answered_at=deadline)
    Order.objects.filter(pk=over.pk).update(
        promise_answered_at=deadline + dt.timedelta(microseconds=1)
    )
    Order.objects.filter(pk=whole.pk).update(
        promise_answered_at=at(2026, 3, 2, 23, 0, 0, 1)  # 24 h and 1 µs after a whole second
    )
    late = _worklist(assistant, at(2026, 3, 3, 9))["late"]
    assert sorted(late) == sorted([over.number, whole.number])


def test_broken_promises_are_open_orders_past_their_date(assistant, mine):
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        order = confirmed_order(assistant, mine, promised_in_days=9)  # promised 2026-03-10
        shipped = set_state(
            confirmed_order(assistant, mine, promised_in_days=9), OrderState.SHIPPED
        )
    assert _worklist(assistant, at(2026, 3, 10, 23, 59))["broken"] == []
    assert _worklist(assistant, at(2026, 3, 11, 0, 0))["broken"] == [order.number]
    assert shipped.number not in _worklist(assistant, at(2026, 3, 20, 0))["broken"]


def test_worklist_is_scoped_and_key_accounts_come_first(
    salesperson, other_salesperson, assistant, mine, theirs
):
    from salesdesk.customers.choices import Tier
    from tests.factories import CustomerFactory

    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        ordinary = place_order(assistant, mine)
        other = place_order(assistant, theirs)
        big = place_order(assistant, key)
    assert _worklist(salesperson, at(2026, 3, 5, 9))["unanswered"] == [big.number, ordinary.number]
    assert _worklist(other_salesperson, at(2026, 3, 5, 9))["unanswered"] == [other.number]


def test_worklist_pages_hold_50_key_accounts_first_within_each_list(
    salesperson, assistant, mine, django_assert_max_num_queries
):
    """Performance fix 1: each list is paginated (50 rows), key accounts first within it, in the
    same few queries whatever the number of orders."""
    from salesdesk.customers.choices import Tier
    from salesdesk.orders.selectors.promises import promise_worklist_pages
    from tests.factories import CustomerFactory

    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    product = helpers.make_product()
    with time_machine.travel(at(2026, 3, 1, 9), tick=True):
        ordinary = [place_order(assistant, mine, [(product, 10, None)]) for _ in range(52)]
        big = [place_order(assistant, key, [(product, 10, None)]) for _ in range(3)]
    moment = at(2026, 3, 5, 9)
    with django_assert_max_num_queries(6):
        pages = promise_worklist_pages(user=salesperson, as_of=moment)
        rows = {key_: list(page.object_list) for key_, page in pages.items()}
    assert set(pages) == {"unanswered", "late", "broken"}
    assert len(rows["unanswered"]) == 50 and pages["unanswered"].paginator.count == 55
    assert [o.number for o in rows["unanswered"][:3]] == [o.number for o in big]
    assert rows["unanswered"][3].number == ordinary[0].number
    second = promise_worklist_pages(user=salesperson, as_of=moment, pages={"unanswered": 2})
    assert [o.number for o in second["unanswered"].object_list] == [o.number for o in ordinary[47:]]
    everything = [o.number for o in promise_worklist(user=salesperson, as_of=moment)["unanswered"]]
    assert everything == [o.number for o in rows["unanswered"]] + [
        o.number for o in second["unanswered"].object_list
    ]
    bad = promise_worklist_pages(
        user=salesperson, as_of=moment, pages={"unanswered": "x", "late": 9}
    )
    assert bad["unanswered"].number == 1 and bad["late"].number == 1
