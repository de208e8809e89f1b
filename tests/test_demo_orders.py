"""`salesdesk demo`, products and orders: every stored column agrees with the rows, today's lists
have work, and a seed gives the same orders."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from salesdesk.catalog.choices import ApprovalStatus, Flute, Ply
from salesdesk.catalog.models import Approval, Product
from salesdesk.core.models import NumberSequence
from salesdesk.core.numbers import next_numbers
from salesdesk.core.validators import validate_phone
from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Customer
from salesdesk.customers.text import pinyin_of
from salesdesk.orders.choices import (
    OPEN_STATES,
    NoticeChannel,
    OrderChannel,
    OrderState,
    ProductionStatus,
)
from salesdesk.orders.models import (
    Order,
    OrderLine,
    PromiseChange,
    Shipment,
    ShipmentLine,
    ShipmentNotice,
)

CENT = Decimal("0.01")
CARRIERS = {"德邦物流", "顺丰速运", "安能物流", "中通快运", "壹米滴答"}
ANSWER_HOURS = getattr(settings, "SALESDESK_PROMISE_ANSWER_HOURS", 24)
AT_RISK_DAYS = getattr(settings, "SALESDESK_AT_RISK_DAYS", 3)


def yuan(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _snapshot() -> list:
    """What a seed fixes: products, orders with lines and promises, shipments."""
    return (
        list(Product.objects.order_by("code").values_list("code", "name", "list_price", "revision"))
        + list(
            Approval.objects.order_by("product__code", "customer__code", "revision").values_list(
                "product__code", "customer__code", "revision", "status", "decided_on"
            )
        )
        + list(
            Order.objects.order_by("number").values_list(
                "number",
                "customer__code",
                "salesperson__username",
                "state",
                "order_date",
                "promised_date",
                "total_amount",
                "shipped_amount",
                "contract_number",
                "production_status",
            )
        )
        + list(
            OrderLine.objects.order_by("order__number", "line_no").values_list(
                "order__number",
                "line_no",
                "product__code",
                "quantity",
                "unit_price",
                "shipped_quantity",
            )
        )
        + list(
            PromiseChange.objects.order_by("order__number", "changed_at").values_list(
                "order__number", "old_date", "new_date", "reason", "customer_accepted"
            )
        )
        + list(
            Shipment.objects.order_by("number").values_list(
                "number",
                "order__number",
                "ship_date",
                "carrier",
                "carrier_phone",
                "tracking_number",
                "amount",
            )
        )
    )


@dataclass
class Demo:
    now: dt.datetime
    today: dt.date
    output: str
    same_seed: list
    other_seed: list
    kept: list


def _build_and_roll_back(seed: int) -> list:
    with transaction.atomic():
        call_command("demo", seed=seed, password="demo-pass", stdout=StringIO())
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo built once for this module (and rolled back after it), plus comparison runs."""
    moment = timezone.now().replace(microsecond=0)
    with django_db_blocker.unblock():
        assert not Customer.objects.exists()
        with time_machine.travel(moment, tick=False):
            same_seed = _build_and_roll_back(2026)
            other_seed = _build_and_roll_back(2027)
        with transaction.atomic():
            out = StringIO()
            with time_machine.travel(moment, tick=False):
                call_command("demo", seed=2026, password="demo-pass", stdout=out)
            yield Demo(
                moment,
                timezone.localdate(moment),
                out.getvalue(),
                same_seed,
                other_seed,
                _snapshot(),
            )
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


# ---- products and approvals ------------------------------------------------------------------
def test_products_of_a_carton_factory(demo):
    products = list(Product.objects.all())
    assert 70 <= len(products) <= 90
    assert all(re.fullmatch(r"[A-Z]{2}-[0-9A-Z]+-\d{4}", p.code) for p in products)
    assert sorted(int(p.code[-4:]) for p in products) == list(range(1, len(products) + 1))
    names = " ".join(p.name for p in products)
    for kind in ("三层", "五层", "七层重型纸箱", "彩印礼品盒", "飞机盒", "珍珠棉"):
        assert kind in names
    assert "刀卡" in names or "隔板" in names
    assert len({p.name for p in products}) == len(products)
    for p in products:
        assert Decimal("0.35") <= p.list_price <= Decimal("28")
        assert p.list_price == p.list_price.quantize(Decimal("0.0001"))
        assert (p.name_pinyin, p.name_initials) == pinyin_of(p.name)
        if p.flute:
            assert p.flute in Flute.values and p.ply in Ply.values and p.material
        if p.length_mm and p.width_mm and p.height_mm and p.ply:
            assert f"{p.length_mm}×{p.width_mm}×{p.height_mm}" in p.name
            assert p.length_mm >= p.width_mm
    assert {p.ply for p in products} >= {3, 5, 7}
    assert sum(p.min_stock > 0 for p in products) >= 10
    assert any(
        p.list_price.as_tuple().exponent == -4 and p.list_price % Decimal("0.001") for p in products
    )
    for p in products[:40]:
        p.full_clean()
    assert Product.history.count() == len(products)


def test_new_products_need_approval_in_every_state(demo):
    new = list(Product.objects.filter(is_new=True))
    assert 4 <= len(new) <= 10
    assert all(p.needs_approval for p in new)
    assert Product.objects.filter(is_new=False, needs_approval=True, revision=2).exists()
    approvals = list(Approval.objects.select_related("product"))
    statuses = Counter(a.status for a in approvals)
    assert statuses[ApprovalStatus.APPROVED] >= 2 and statuses[ApprovalStatus.PENDING] >= 1
    assert statuses[ApprovalStatus.REJECTED] == 1
    for a in approvals:
        a.full_clean()
        assert a.product.needs_approval and a.revision <= a.product.revision
        assert a.sample_sent_on <= demo.today
        assert timezone.localdate(a.product.created_at) <= a.sample_sent_on
        if a.status == ApprovalStatus.PENDING:
            assert a.decided_on is None and not a.improvement_request
        else:
            assert a.sample_sent_on <= a.decided_on <= demo.today and a.decided_by_id
        if a.status == ApprovalStatus.REJECTED:
            assert a.improvement_request and a.customer_feedback
            # The improved sample went out again as the next revision.
            assert a.product.revision == a.revision + 1
            assert any(
                b.product_id == a.product_id
                and b.customer_id == a.customer_id
                and b.revision == a.revision + 1
                for b in approvals
            )


def test_nothing_unapproved_was_shipped(demo):
    approved = {
        (a.customer_id, a.product_id, a.revision): a.decided_on
        for a in Approval.objects.filter(status=ApprovalStatus.APPROVED)
    }
    rows = ShipmentLine.objects.filter(order_line__product__needs_approval=True).values_list(
        "shipment__customer_id",
        "shipment__ship_date",
        "order_line__product_id",
        "order_line__product__revision",
        "order_line__product__is_new",
        "order_line__product__updated_at",
    )
    for customer_id, ship_date, product_id, revision, is_new, changed_at in rows:
        decided = approved.get((customer_id, product_id, revision))
        before_change = not is_new and ship_date < timezone.localdate(changed_at)
        assert before_change or (decided is not None and decided <= ship_date)
    # And orders wait for a pending approval: confirmed with the product, nothing shipped.
    pending = Approval.objects.filter(status=ApprovalStatus.PENDING).values_list(
        "customer_id", "product_id"
    )
    waiting = OrderLine.objects.filter(order__state__in=OPEN_STATES, shipped_quantity=0)
    assert any(waiting.filter(order__customer_id=c, product_id=p).exists() for c, p in pending)


# ---- money and quantities ----------------------------------------------------------------------
def test_line_amounts_and_order_totals_are_exact():
    totals = defaultdict(lambda: Decimal("0"))
    for order_id, quantity, price, amount in OrderLine.objects.values_list(
        "order_id", "quantity", "unit_price", "amount"
    ):
        assert isinstance(amount, Decimal) and price == price.quantize(Decimal("0.0001"))
        assert amount == yuan(quantity * price)
        totals[order_id] += amount
    for order_id, total in Order.objects.values_list("id", "total_amount"):
        assert total == totals[order_id]
    assert all(total > 0 for total in totals.values())


def test_shipped_quantities_and_amounts_follow_the_shipment_lines():
    prices = dict(OrderLine.objects.values_list("id", "unit_price"))
    per_line, per_shipment = Counter(), defaultdict(lambda: Decimal("0"))
    damaged = 0
    rows = ShipmentLine.objects.values_list(
        "shipment_id", "order_line_id", "quantity", "checked_quantity", "damaged_quantity", "amount"
    )
    for shipment_id, line_id, quantity, checked, broken, amount in rows:
        assert 0 < quantity and checked <= quantity and broken <= quantity
        assert amount == yuan(quantity * prices[line_id])
        per_line[line_id] += quantity
        per_shipment[shipment_id] += amount
        damaged += broken > 0
    assert 0 < damaged < len(rows) * 0.1  # damage happens, rarely
    for line_id, quantity, shipped in OrderLine.objects.values_list(
        "id", "quantity", "shipped_quantity"
    ):
        assert shipped == per_line[line_id] <= quantity
    per_order, last_day = defaultdict(lambda: Decimal("0")), {}
    for (
        shipment_id,
        order_id,
        amount,
        ship_date,
        customer,
        order_customer,
    ) in Shipment.objects.values_list(
        "id", "order_id", "amount", "ship_date", "customer_id", "order__customer_id"
    ):
        assert amount == per_shipment[shipment_id] > 0
        assert customer == order_customer
        per_order[order_id] += amount
        last_day[order_id] = max(last_day.get(order_id, ship_date), ship_date)
    for order_id, shipped, last in Order.objects.values_list(
        "id", "shipped_amount", "last_shipped_on"
    ):
        assert shipped == per_order[order_id]
        assert last == last_day.get(order_id)


# ---- states, promises, production ------------------------------------------------------------------
def test_every_state_present_and_consistent(demo):
    orders = list(Order.objects.prefetch_related("lines", "shipments"))
    assert 1300 <= len(orders) <= 1700
    assert {o.state for o in orders} == set(OrderState.values)
    for o in orders:
        lines = list(o.lines.all())
        assert 1 <= len(lines) <= 5
        assert [line.line_no for line in lines] == list(range(1, len(lines) + 1))
        shipped = [line.shipped_quantity for line in lines]
        complete = all(line.shipped_quantity == line.quantity for line in lines)
        if o.state in (
            OrderState.DRAFT,
            OrderState.CANCELLED,
            OrderState.CONFIRMED,
            OrderState.IN_PRODUCTION,
        ):
            assert not any(shipped) and not o.shipments.all()
        if o.state == OrderState.DRAFT:
            assert o.promised_date is None and o.confirmed_at is None
            assert o.production_status == ProductionStatus.NOT_SCHEDULED
        else:
            assert o.state == OrderState.CANCELLED or o.confirmed_at and o.promised_date
        # production_update moves a confirmed order to in production once it is scheduled.
        if o.state == OrderState.CONFIRMED:
            assert o.production_status == ProductionStatus.NOT_SCHEDULED
        if o.state == OrderState.IN_PRODUCTION:
            assert o.production_status != ProductionStatus.NOT_SCHEDULED
        if o.state == OrderState.PARTLY_SHIPPED:
            assert any(shipped) and not complete
        if o.state in (OrderState.SHIPPED, OrderState.CLOSED):
            assert complete and o.production_status == ProductionStatus.DONE
        assert (o.closed_at is not None) == (o.state == OrderState.CLOSED)
        if o.state == OrderState.CANCELLED:
            assert o.cancel_reason and o.cancelled_at and o.cancelled_by_id
        if o.production_status == ProductionStatus.DELAYED:
            assert o.production_note
        if o.production_status != ProductionStatus.NOT_SCHEDULED:
            assert o.confirmed_at <= o.production_updated_at <= demo.now
        assert o.created_at <= demo.now and timezone.localdate(o.created_at) == o.order_date
        if o.order_date < demo.today - dt.timedelta(days=120):
            assert o.state in (OrderState.SHIPPED, OrderState.CLOSED, OrderState.CANCELLED), (
                o.number
            )
    reasons = Counter(o.cancel_reason for o in orders if o.state == OrderState.CANCELLED)
    assert len(reasons) >= 3


def test_promise_ledger_matches_the_orders():
    changes = defaultdict(list)
    for change in PromiseChange.objects.order_by("changed_at", "id"):
        changes[change.order_id].append(change)
    for o in Order.objects.all():
        ledger = changes.get(o.id, [])
        if o.state == OrderState.DRAFT or (
            o.state == OrderState.CANCELLED and o.confirmed_at is None
        ):
            assert not ledger and o.promise_answered_at is None
            continue
        assert ledger, o.number
        assert (
            ledger[0].old_date is None
            and ledger[0].changed_at == o.promise_answered_at == o.confirmed_at
        )
        for before, after in zip(ledger, ledger[1:], strict=False):
            assert after.old_date == before.new_date and after.reason
            assert after.changed_at > before.changed_at
        assert o.promised_date == ledger[-1].new_date
    later = PromiseChange.objects.exclude(old_date=None)
    reasons = set(later.values_list("reason", flat=True))
    assert {"原纸供应延迟", "设备检修"} & reasons and any("客户要求" in r for r in reasons)
    assert set(later.values_list("customer_accepted", flat=True)) == {True, False, None}


def test_todays_promise_worklist_has_work(demo):
    open_orders = Order.objects.filter(state__in=OPEN_STATES)
    unanswered = Order.objects.filter(
        state=OrderState.DRAFT, created_at__lt=demo.now - dt.timedelta(hours=ANSWER_HOURS)
    )
    assert unanswered.count() >= 1
    assert open_orders.filter(promised_date__lt=demo.today).count() >= 1  # broken promises
    late = [
        o
        for o in Order.objects.exclude(promise_answered_at=None)
        if o.promise_answered_at - o.created_at > dt.timedelta(hours=ANSWER_HOURS)
    ]
    assert 0.02 < len(late) / Order.objects.count() < 0.2
    at_risk = open_orders.filter(
        promised_date__gte=demo.today,
        promised_date__lte=demo.today + dt.timedelta(days=AT_RISK_DAYS),
    ).exclude(production_status=ProductionStatus.DONE)
    assert at_risk.exists()
    assert Order.objects.filter(
        production_status=ProductionStatus.DELAYED, state__in=OPEN_STATES
    ).exists()
    # Recent orders stand in every open state.
    assert Order.objects.filter(
        state=OrderState.DRAFT, created_at__gte=demo.now - dt.timedelta(hours=ANSWER_HOURS * 5)
    ).exists()


# ---- people, numbers, dates -------------------------------------------------------------------------
def test_salesperson_channel_and_contracts(demo):
    orders = list(Order.objects.select_related("customer", "salesperson"))
    for o in orders:
        if o.customer.owner_id:
            assert o.salesperson_id == o.customer.owner_id
        assert o.salesperson.role == "salesperson"
    channels = Counter(o.channel for o in orders)
    assert set(channels) == set(OrderChannel.values)
    assert channels[OrderChannel.SALESPERSON] > len(orders) / 2
    office = [o for o in orders if o.channel in (OrderChannel.PHONE, OrderChannel.WALK_IN)]
    assert all(o.created_by.role in ("assistant", "commercial") for o in office)
    with_contract = [o for o in orders if o.contract_number]
    assert 0.2 < len(with_contract) / len(orders) < 0.8
    for o in with_contract:
        assert (
            re.fullmatch(rf"HT-{o.order_date.year}-\d{{4}}", o.contract_number) and o.contract_terms
        )
    # A contract belongs to one customer.
    owners = defaultdict(set)
    for o in with_contract:
        owners[o.contract_number].add(o.customer_id)
    assert all(len(c) == 1 for c in owners.values())


def test_two_years_key_accounts_order_more_and_seasons_show(demo):
    orders = list(Order.objects.select_related("customer"))
    days = [o.order_date for o in orders]
    assert min(days) >= demo.today - dt.timedelta(days=731) and max(days) <= demo.today
    assert min(days) < demo.today - dt.timedelta(days=700)
    per_customer = Counter(o.customer_id for o in orders)
    tiers = {o.customer_id: o.customer.tier for o in orders}
    key = [n for c, n in per_customer.items() if tiers[c] == Tier.KEY]
    ordinary = [n for c, n in per_customer.items() if tiers[c] != Tier.KEY]
    assert sum(key) / len(key) > 3 * sum(ordinary) / len(ordinary)
    top_tenth = sorted(per_customer.values(), reverse=True)[: max(1, len(per_customer) // 10)]
    assert sum(top_tenth) > len(orders) * 0.3
    # The weeks before Double 11 are busier than the summer.
    by_month = Counter(d.month for d in days)
    assert by_month[10] > by_month[7] and by_month[10] > by_month[6]


def test_customers_last_order_date_is_the_newest_live_order():
    newest = {}
    for customer_id, day, state in Order.objects.values_list("customer_id", "order_date", "state"):
        if state != OrderState.CANCELLED:
            newest[customer_id] = max(newest.get(customer_id, day), day)
    for customer_id, last in Customer.objects.values_list("id", "last_order_date"):
        assert last == newest.get(customer_id)
    assert len(newest) > 80
    # Not an edit by anyone: the customers' history stays one row each, carrying the column.
    assert Customer.history.count() == Customer.objects.count()
    for record in Customer.history.all()[:50]:
        assert record.last_order_date == newest.get(record.id)


def test_numbers_are_gap_free_and_new_ones_continue(demo):
    for prefix, model in (("SO", Order), ("FH", Shipment)):
        per_year = defaultdict(list)
        for number, created_at in model.objects.order_by("created_at", "number").values_list(
            "number", "created_at"
        ):
            year = timezone.localdate(created_at).year
            assert re.fullmatch(rf"{prefix}{year}\d{{6}}", number)
            per_year[year].append(int(number[-6:]))
        for year, numbers in per_year.items():
            assert numbers == list(range(1, len(numbers) + 1)), (prefix, year)
            assert NumberSequence.objects.get(prefix=prefix, year=year).last == len(numbers)
        year = demo.today.year
        expected = len(per_year.get(year, [])) + 1
        assert next_numbers(prefix, year) == [f"{prefix}{year}{expected:06d}"]


def test_shipments_carriers_notices_and_receipts(demo):
    shipments = list(Shipment.objects.select_related("order").prefetch_related("notices"))
    assert {s.carrier for s in shipments} == CARRIERS
    for s in shipments:
        validate_phone(s.carrier_phone)
        assert s.tracking_number and s.ship_date >= s.order.order_date
        assert s.created_at <= demo.now and timezone.localdate(s.created_at) == s.ship_date
        notices = list(s.notices.all())
        assert s.notified_at == min((n.sent_at for n in notices), default=None)
        for n in notices:
            assert s.created_at < n.sent_at <= demo.now
            assert (
                s.carrier in n.message
                and s.carrier_phone in n.message
                and s.tracking_number in n.message
            )
            assert s.order.number in n.message
            if n.channel == NoticeChannel.EMAIL:
                assert "@" in n.recipients and s.number in n.subject
        if s.received_at:
            assert s.created_at < s.received_at <= demo.now and s.received_by_name
    assert any(s.carrier_phone.startswith("400-") for s in shipments)
    assert any(re.fullmatch(r"1\d{10}", s.carrier_phone) for s in shipments)
    notified = sum(s.notified_at is not None for s in shipments)
    assert notified > len(shipments) * 0.85
    recent = [s for s in shipments if s.ship_date >= demo.today - dt.timedelta(days=7)]
    assert any(s.notified_at is None for s in recent)
    old = [s for s in shipments if s.ship_date < demo.today - dt.timedelta(days=30)]
    assert sum(s.received_at is not None for s in old) > len(old) * 0.85
    assert ShipmentNotice.objects.filter(channel=NoticeChannel.MESSAGE).exists()
    assert ShipmentNotice.objects.filter(channel=NoticeChannel.EMAIL).exists()
    # Partial shipments: some orders went out in two or more shipments.
    per_order = Counter(s.order_id for s in shipments)
    assert sum(n > 1 for n in per_order.values()) > 20


def test_audited_records_have_their_history():
    for model in (Order, OrderLine, Shipment, Product, Approval):
        assert model.history.count() == model.objects.count(), model
    record = Order.history.earliest("history_date")
    original = Order.objects.get(pk=record.id)
    assert (
        record.history_date == original.created_at
        and record.history_user_id == original.created_by_id
    )


def test_summary_counts_are_printed(demo):
    for label in (
        "products",
        "sample approvals",
        "orders",
        "order lines",
        "shipments",
        "shipment notices",
    ):
        assert re.search(rf"^\s+[\d,]+\s+{label}$", demo.output, re.MULTILINE)


# ---- determinism ----------------------------------------------------------------------------------
def test_same_seed_gives_the_same_orders(demo):
    assert demo.same_seed == demo.kept


def test_another_seed_gives_other_orders(demo):
    orders = {
        row[:3]
        for row in demo.kept
        if isinstance(row[0], str) and row[0].startswith("SO") and len(row) == 10
    }
    other = {
        row[:3]
        for row in demo.other_seed
        if isinstance(row[0], str) and row[0].startswith("SO") and len(row) == 10
    }
    assert orders and len(orders & other) < len(orders) / 4
