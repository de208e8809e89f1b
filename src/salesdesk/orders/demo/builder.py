"""Plans two years of orders in memory, settles each at `now`, then writes them in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.core.demo_builder import BATCH, DemoBuilder, write_with_history
from salesdesk.core.models import NumberSequence
from salesdesk.core.money import CENT
from salesdesk.core.validators import normalize_phone, validate_mobile, validate_phone
from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Contact, Customer

from ..choices import NoticeChannel, OrderChannel, OrderState, ProductionStatus
from ..models import Order, OrderLine, PromiseChange, Shipment, ShipmentLine, ShipmentNotice
from ..services.summaries import rebuild_monthly_sales
from .life import LifeMixin
from .plan import OrderPlan, PlanMixin, weighted
from .words import (
    CARRIERS,
    CHANNELS,
    CONTRACT_TERMS,
    FACTORY,
    FRAME_TERMS,
    LINE_COUNTS,
    MOBILE_PREFIXES,
    ORDER_NOTES,
    ORDERS_PER_SCALE,
)

ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class OrdersBuilder(DemoBuilder, PlanMixin, LifeMixin):
    label = "orders"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.customers = ctx.data.get("customers", [])
        self.products = ctx.data.get("products", [])
        self.approvals = ctx.data.get("approvals", [])
        self.baskets: dict[int, list] = {}
        self.price_factor: dict[int, Decimal] = {}
        self.carrier_of: dict[int, tuple] = {}
        self.plans: list[OrderPlan] = []

    # ---- phones and carriers --------------------------------------------------------------
    def _mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            try:
                validate_mobile(number)
            except ValidationError:
                continue
            return number

    def _service_lines(self) -> dict[str, str]:
        lines = {}
        for name, _weight, _pattern in CARRIERS:
            while True:
                number = f"400{self.rng.choice('0689')}{self.rng.randrange(10**6):06d}"
                try:
                    validate_phone(number)
                except ValidationError:
                    continue
                lines[name] = normalize_phone(number)
                break
        return lines

    def any_carrier(self) -> tuple:
        name, _weight, pattern = weighted(self.rng, [(c, c[1]) for c in CARRIERS])
        return name, self.service_line[name], pattern

    def customer_carrier(self, c) -> tuple:
        if c.pk not in self.carrier_of:
            self.carrier_of[c.pk] = self.any_carrier()
        return self.carrier_of[c.pk]

    def _tracking(self, pattern: str) -> str:
        head, digits = pattern.split("{")
        n = int(digits.rstrip("}"))
        return f"{head}{self.rng.randrange(10 ** (n - 1), 10**n)}"

    # ---- planning -------------------------------------------------------------------------
    def run(self) -> None:
        if not self.customers or not self.products:
            return
        self.service_line = self._service_lines()
        self.contacts: dict[int, list[dict]] = defaultdict(list)
        for row in (
            Contact.objects.filter(customer__in=self.customers, archived_at=None)
            .order_by("customer_id", "-is_primary", "name", "id")
            .values("customer_id", "name", "title", "email", "mobile")
        ):
            self.contacts[row["customer_id"]].append(row)
        self._season = self._season_weights()
        self._index_products()
        self.plan()
        self.settle()
        self.write()

    def _new_plan(
        self, c, day: dt.date, mode: str = "normal", *, trial=False, must=None, lines=None
    ) -> OrderPlan:
        rng = self.rng
        p = OrderPlan(
            customer=c, order_date=day, created_at=self._created_moment(day), mode=mode, trial=trial
        )
        p.salesperson = c.owner or self.users["sales1"]
        p.channel = OrderChannel.SALESPERSON if trial else weighted(rng, CHANNELS)
        if p.channel == OrderChannel.SALESPERSON and rng.random() < 0.5:
            p.created_by = p.salesperson
        else:
            p.created_by = self._office()
        p.notes = rng.choice(ORDER_NOTES)
        count = lines or weighted(rng, LINE_COUNTS)
        p.lines = self._lines(c, day, count, trial=trial, must=must)
        self.plans.append(p)
        return p

    def plan(self) -> None:
        rng = self.rng
        scale = self.ctx.scale
        windows = self._windows(self.customers)
        trials = [w for w in windows if w[3] is not None]
        ongoing = [
            w
            for w in windows
            if w[1] is not None
            and w[2] == self.today
            and w[1] <= self.today - dt.timedelta(days=40)
        ]
        pending = [
            a
            for a in self.approvals
            if a.status == ApprovalStatus.PENDING and a.revision == a.product.revision
        ]
        scenarios = [("unanswered", 2), ("late_open", 3), ("at_risk", 2)]
        n_scenario = sum(n for _, n in scenarios) * scale + len(pending)
        regular = max(0, ORDERS_PER_SCALE * scale - len(trials) - n_scenario)
        counts = self._allocate(regular, self._weights(windows))
        for (c, first, last, trial), count in zip(windows, counts, strict=True):
            if trial is not None:
                self._new_plan(c, timezone.localdate(trial), trial=True, lines=rng.randint(1, 2))
            if first is not None:
                for day in self._draw_days(first, last, count):
                    self._new_plan(c, day)
        # Work waiting on today's lists, whatever the seed: drafts nobody answered, promises
        # already broken, orders at risk, and orders waiting for a sample approval.
        weights = [3 if w[0].tier == Tier.KEY else 1 for w in ongoing]
        for mode, n in scenarios:
            for variant in range(n * scale):
                c = rng.choices(ongoing, weights=weights)[0][0]
                ago = {"unanswered": (2, 4), "late_open": (20, 28), "at_risk": (4, 8)}[mode]
                p = self._new_plan(c, self.today - dt.timedelta(days=rng.randint(*ago)), mode)
                p.variant = variant
        for a in pending:
            day = max(self.today - dt.timedelta(days=rng.randint(2, 6)), a.sample_sent_on)
            self._new_plan(a.customer, day, "pending_approval", must=a.product)
        for p in self.plans:
            self._plan_life(p, getattr(p, "variant", 0))

    # ---- settling at now ----------------------------------------------------------------------
    def settle(self) -> None:
        """Turn each planned life into rows as they stand now, derived columns computed as the services do."""
        self.orders, self.lines, self.promises = [], [], []
        self.shipments, self.shipment_lines, self.notice_plans = [], [], []
        for p in sorted(self.plans, key=lambda p: p.created_at):
            self._settle(p)
        self._number()

    def _settle(self, p: OrderPlan) -> None:
        rng, now = self.rng, self.now
        cancelled = p.cancel is not None and p.cancel[0] <= now
        horizon = p.cancel[0] if cancelled else now
        order = Order(
            customer=p.customer,
            salesperson=p.salesperson,
            channel=p.channel,
            order_date=p.order_date,
            requested_date=p.requested_date,
            notes=p.notes,
            created_by=p.created_by,
            created_at=p.created_at,
        )
        lines = [
            OrderLine(
                order=order,
                line_no=n,
                product=lp.product,
                quantity=lp.quantity,
                unit_price=lp.unit_price,
                amount=money(lp.quantity * lp.unit_price),
            )
            for n, lp in enumerate(p.lines, start=1)
        ]
        order.total_amount = sum((line.amount for line in lines), ZERO)
        promises = [pc for pc in p.promises if pc[0] <= horizon]
        for at, old, new, reason, accepted, by in promises:
            self.promises.append(
                PromiseChange(
                    order=order,
                    old_date=old,
                    new_date=new,
                    reason=reason,
                    customer_accepted=accepted,
                    changed_at=at,
                    changed_by=by,
                )
            )
        if promises:
            order.confirmed_at, order.confirmed_by = p.confirm_at, p.confirmed_by
            order.promise_answered_at = promises[0][0]
            order.promised_date = promises[-1][2]
        events = [e for e in p.production if e[0] <= horizon]
        if events:
            order.production_updated_at, order.production_status, order.production_note = events[-1]
        shipped = [s for s in p.shipments if s.at <= horizon] if not cancelled else []
        order_shipments = []
        for s in shipped:
            shipment = Shipment(
                order=order,
                customer=p.customer,
                ship_date=timezone.localdate(s.at),
                carrier=s.carrier,
                carrier_phone=s.carrier_phone,
                tracking_number=s.tracking_number,
                created_by=s.created_by,
                created_at=s.at,
            )
            shipment_lines = []
            for line, quantity in zip(lines, s.quantities, strict=True):
                if not quantity:
                    continue
                damaged = 0
                if rng.random() < 0.03:  # a few boxes crushed in loading, now and then
                    damaged = rng.randint(1, max(1, min(20, quantity // 50)))
                shipment_lines.append(
                    ShipmentLine(
                        shipment=shipment,
                        order_line=line,
                        quantity=quantity,
                        checked_quantity=quantity,
                        damaged_quantity=damaged,
                        amount=money(quantity * line.unit_price),
                    )
                )
                line.shipped_quantity += quantity
            shipment.amount = sum((sl.amount for sl in shipment_lines), ZERO)
            notices = [n for n in s.notices if n[0] <= now]
            if notices:  # the notice services keep the first notice's time
                shipment.notified_at = min(n[0] for n in notices)
            if s.received_at is not None and s.received_at <= now:
                shipment.received_at, shipment.received_by_name = s.received_at, s.received_by_name
            shipment._lines = shipment_lines
            self.shipments.append(shipment)
            self.shipment_lines += shipment_lines
            self.notice_plans += [(shipment, notice) for notice in notices]
            order_shipments.append(shipment)
        order.shipped_amount = sum((s.amount for s in order_shipments), ZERO)
        order.last_shipped_on = max((s.ship_date for s in order_shipments), default=None)
        if cancelled:
            order.state = OrderState.CANCELLED
            order.cancelled_at, order.cancel_reason, order.cancelled_by = p.cancel
        elif not promises:
            order.state = OrderState.DRAFT
        elif all(line.shipped_quantity == line.quantity for line in lines):
            closed = p.closed_at is not None and p.closed_at <= now
            order.state = OrderState.CLOSED if closed else OrderState.SHIPPED
            order.closed_at = p.closed_at if closed else None
            if order.production_status != ProductionStatus.DONE:
                order.production_status, order.production_note = ProductionStatus.DONE, ""
                order.production_updated_at = max(s.created_at for s in order_shipments)
        elif order_shipments:
            order.state = OrderState.PARTLY_SHIPPED
        elif order.production_status != ProductionStatus.NOT_SCHEDULED:
            # As production_update does: scheduling or starting moves a confirmed order on.
            order.state = OrderState.IN_PRODUCTION
        else:
            order.state = OrderState.CONFIRMED
        order._shipments = order_shipments
        self.orders.append(order)
        self.lines += lines

    def _number(self) -> None:
        """SO/FH numbers in the order things were entered, per year; contract numbers likewise."""
        self.last_numbers: dict[tuple[str, int], int] = {}
        for order in self.orders:  # already in created order
            year = timezone.localdate(order.created_at).year
            n = self.last_numbers[("SO", year)] = self.last_numbers.get(("SO", year), 0) + 1
            order.number = f"SO{year}{n:06d}"
        for shipment in sorted(self.shipments, key=lambda s: s.created_at):
            year = timezone.localdate(shipment.created_at).year
            n = self.last_numbers[("FH", year)] = self.last_numbers.get(("FH", year), 0) + 1
            shipment.number = f"FH{year}{n:06d}"
        contracts: dict[int, int] = {}
        frames: dict[tuple, str] = {}
        for order in self.orders:
            year, c = order.order_date.year, order.customer
            key = (c.pk, year)
            if c.tier == Tier.KEY and (key in frames or self.rng.random() < 0.8):
                if key not in frames:
                    contracts[year] = contracts.get(year, 0) + 1
                    frames[key] = f"HT-{year}-{contracts[year]:04d}"
                order.contract_number, order.contract_terms = frames[key], FRAME_TERMS
            elif c.tier != Tier.KEY and self.rng.random() < 0.25:
                contracts[year] = contracts.get(year, 0) + 1
                order.contract_number = f"HT-{year}-{contracts[year]:04d}"
                order.contract_terms = self.rng.choice(CONTRACT_TERMS)

    def _notice(self, shipment: Shipment, plan: tuple) -> ShipmentNotice:
        sent_at, channel, by = plan
        order = shipment.order
        people = self.contacts.get(order.customer.pk, [])
        greeting = (
            f"{people[0]['name']}您好"
            if people
            else f"{order.customer.short_name or order.customer.name}您好"
        )
        items = "\n".join(
            f"{i}. {sl.order_line.product.code} {sl.order_line.product.name} × {sl.quantity}"
            for i, sl in enumerate(shipment._lines, start=1)
        )
        body = (
            f"{greeting}：\n贵司订单 {order.number} 的货物已于 {shipment.ship_date:%Y-%m-%d} 发出。\n"
            f"承运：{shipment.carrier}，电话 {shipment.carrier_phone}，运单号 {shipment.tracking_number}。\n"
            f"发货明细：\n{items}\n请注意查收，收货时请当面清点数量、检查外箱有无破损。\n{FACTORY} {by.display_name}"
        )
        if channel == NoticeChannel.EMAIL:
            recipients = ", ".join(dict.fromkeys(p["email"] for p in people if p["email"]))
            subject = f"发货通知：订单 {order.number}（{shipment.number}）"
        else:
            recipients = " ".join(f"{p['name']} {p['mobile']}".strip() for p in people[:1])
            subject = ""
        return ShipmentNotice(
            shipment=shipment,
            channel=channel,
            recipients=recipients[:500],
            subject=subject,
            message=body,
            sent_at=sent_at,
            sent_by=by,
        )

    # ---- writing ------------------------------------------------------------------------------
    def write(self) -> None:
        for order in self.orders:
            order._history_date, order._history_user = order.created_at, order.created_by
        for line in self.lines:
            line._history_date, line._history_user = line.order.created_at, line.order.created_by
        for shipment in self.shipments:
            shipment._history_date, shipment._history_user = (
                shipment.created_at,
                shipment.created_by,
            )
        write_with_history(
            (Order, self.orders), (OrderLine, self.lines), (Shipment, self.shipments)
        )
        PromiseChange.objects.bulk_create(self.promises, batch_size=BATCH)
        ShipmentLine.objects.bulk_create(self.shipment_lines, batch_size=BATCH)
        notices = [self._notice(shipment, plan) for shipment, plan in self.notice_plans]
        ShipmentNotice.objects.bulk_create(notices, batch_size=BATCH)
        self._write_sequences()
        self._write_last_order_dates()
        rebuild_monthly_sales()
        self.ctx.data["orders"] = self.orders
        self.ctx.data["shipments"] = self.shipments
        self.ctx.counts += [
            ("orders", len(self.orders)),
            ("order lines", len(self.lines)),
            ("promise changes", len(self.promises)),
            ("shipments", len(self.shipments)),
            ("shipment notices", len(notices)),
        ]

    def _write_sequences(self) -> None:
        """New orders and shipments continue the demo's series (core.numbers.next_numbers)."""
        for (prefix, year), last in sorted(self.last_numbers.items()):
            NumberSequence.objects.update_or_create(
                prefix=prefix, year=year, defaults={"last": last}
            )

    def _write_last_order_dates(self) -> None:
        """Customer.last_order_date as the order services keep it: newest non-cancelled order."""
        latest: dict[int, dt.date] = {}
        for order in self.orders:
            if order.state != OrderState.CANCELLED:
                cid = order.customer.pk
                latest[cid] = max(latest.get(cid, order.order_date), order.order_date)
        changed = []
        for c in self.customers:
            if latest.get(c.pk) != c.last_order_date:
                c.last_order_date = latest.get(c.pk)
                changed.append(c)
        Customer.objects.bulk_update(changed, ["last_order_date"], batch_size=BATCH)
        # The derived column is not an edit of anyone's: the customer's latest history row gets
        # it too, so the history tab does not show it as a change by the next person to save.
        records = {}
        for record in Customer.history.filter(id__in=[c.pk for c in changed]).order_by(
            "id", "history_date", "history_id"
        ):
            records[record.id] = record
        for record in records.values():
            record.last_order_date = latest.get(record.id)
        Customer.history.model._default_manager.bulk_update(
            list(records.values()), ["last_order_date"], batch_size=BATCH
        )
