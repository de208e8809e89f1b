"""Plans receivables, invoice numbers and payments in memory, allocates the payments in date order
as the payment service does, then writes everything in bulk with history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from salesdesk.core.demo_builder import explicit_timestamps
from salesdesk.customers.choices import CustomerType, Tier
from salesdesk.orders.models import Order

from ..choices import DisputeStatus, PaymentMethod, ReceivableSource
from ..models import Allocation, Dispute, DisputeDocument, Payment, Receivable
from ..services.receivables import due_date_for
from . import words
from .ledger import write_demo_ledger

BATCH = 1000
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

PROMPT, LATE, STOPPED = "prompt", "late", "stopped"
# Payment modes computed when the payment is allocated (they depend on what is open then).
FIXED, STRAINED, ROUND_UP = "fixed", "strained", "round_up"


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _round(amount: Decimal, step: int, rounding) -> Decimal:
    unit = Decimal(step)
    return ((amount / unit).quantize(Decimal(1), rounding=rounding) * unit).quantize(CENT)


@dataclass
class PaymentPlan:
    customer: object
    day: dt.date
    amount: Decimal | None
    method: str = PaymentMethod.BANK
    mode: str = FIXED
    notes: str = ""
    seq: int = 0


class FinanceBuilder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("finance")
        self.now = ctx.now
        self.today = ctx.today
        self.tz = timezone.get_current_timezone()
        self.users = ctx.users
        self.shipments = ctx.data.get("shipments", [])
        self.orders = ctx.data.get("orders", [])
        self.customers = ctx.data.get("customers", [])
        first = self.today.replace(day=1)
        self.ledger_end = first - dt.timedelta(days=1)
        self.ledger_start = self.ledger_end.replace(day=1)

    def run(self) -> None:
        if not self.shipments:
            return
        self.plan_receivables()
        self.number_invoices()
        self.plan_payments()
        self.allocate()
        self.plan_disputes()
        self.write()
        path, planted = write_demo_ledger(self)
        self.ctx.data["finance_ledger"] = {"path": path, "planted": planted}
        self.ctx.counts.append(
            (f"lines in finance's ledger of last month: {path}", planted["lines"])
        )

    # ---- receivables and invoices ------------------------------------------------------------
    def plan_receivables(self) -> None:
        """One receivable per charged shipment, as receivable_for_shipment makes it."""
        self.receivables: list[Receivable] = []
        shipments = sorted(self.shipments, key=lambda s: (s.created_at, s.number))
        for s in shipments:
            if not s.amount or s.amount <= 0:
                continue  # goods shipped at no charge owe nothing
            r = Receivable(
                customer=s.customer,
                salesperson_id=s.order.salesperson_id,
                order=s.order,
                shipment=s,
                source=ReceivableSource.SHIPMENT,
                issued_on=s.ship_date,
                due_date=due_date_for(s.customer, s.ship_date),
                amount=s.amount,
                allocated_amount=ZERO,
                is_open=True,
                created_at=s.created_at,
                created_by=s.created_by,
            )
            r._index = len(self.receivables)  # the id order bulk_create gives
            r._finance_number = ""
            self.receivables.append(r)

    def number_invoices(self) -> None:
        """Finance invoices each month's shipments with 8-digit numbers in series; SalesDesk has
        most numbers of past months and a few of this month's. One number of last month's series
        is the ledger's sale missing in SalesDesk."""
        rng = self.rng
        this_month = (self.today.year, self.today.month)
        last_month = (self.ledger_start.year, self.ledger_start.month)
        months: dict[tuple[int, int], list[Receivable]] = defaultdict(list)
        for r in self.receivables:
            months[(r.issued_on.year, r.issued_on.month)].append(r)
        number = rng.randint(3_100_000, 5_800_000)
        self.spare_invoice_number = ""
        for month in sorted(months):
            for r in sorted(months[month], key=lambda r: (r.issued_on, r.customer.code, r._index)):
                if month == this_month:
                    if r.issued_on > self.today - dt.timedelta(days=3) or rng.random() > 0.35:
                        continue
                    known = True
                else:
                    known = rng.random() < 0.9
                r._finance_number = f"{number:08d}"
                if known:
                    r.invoice_number = r._finance_number
                number += 1 if rng.random() < 0.92 else rng.randint(2, 5)  # voided or other sales
            if month == last_month:
                self.spare_invoice_number = f"{number:08d}"
                number += 1
        if not self.spare_invoice_number:
            self.spare_invoice_number = f"{number:08d}"

    # ---- payment habits --------------------------------------------------------------------------
    def _profiles(self, by_customer: dict) -> dict[int, str]:
        rng = self.rng
        customers = sorted(by_customer.values(), key=lambda rs: rs[0].customer.code)
        profiles = {}
        for rs in customers:
            c = rs[0].customer
            if c.tier == Tier.KEY:
                profiles[c.pk] = weighted(rng, ((PROMPT, 85), (LATE, 15)))
            else:
                profiles[c.pk] = weighted(rng, ((PROMPT, 88), (LATE, 12)))
        # A few key accounts that stopped paying months ago and still order.
        window = (self.today - dt.timedelta(days=170), self.today - dt.timedelta(days=60))
        candidates = [
            rs[0].customer
            for rs in customers
            if rs[0].customer.tier == Tier.KEY
            and sum(window[0] <= r.due_date <= window[1] for r in rs) >= 2
        ]
        for c in rng.sample(candidates, min(len(candidates), 3 * self.ctx.scale)):
            profiles[c.pk] = STOPPED
        return profiles

    def _bank_day(self, day: dt.date) -> dt.date:
        """Money arrives on working days: a weekend receipt is booked on Monday."""
        return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)

    def _batches(self, rs: list[Receivable]) -> list[list[Receivable]]:
        """Customers with terms pay ten days' shipments together (上/中/下旬); cash customers each."""
        terms = rs[0].customer.payment_terms_days or 0
        if terms < 15:
            return [[r] for r in rs]
        groups: dict[tuple, list[Receivable]] = defaultdict(list)
        for r in rs:
            d = r.issued_on
            groups[(d.year, d.month, min(2, (d.day - 1) // 10))].append(r)
        return [groups[k] for k in sorted(groups)]

    def _delay(self, profile: str) -> int:
        rng = self.rng
        if profile == LATE:
            return rng.randint(30, 90)
        return weighted(
            rng,
            (
                (rng.randint(-5, 0), 25),
                (rng.randint(1, 10), 42),
                (rng.randint(11, 20), 28),
                (rng.randint(21, 28), 5),
            ),
        )

    def _note(self, templates, day: dt.date, **extra) -> str:
        return self.rng.choice(templates).format(month=f"{day.month}月", **extra)

    def plan_payments(self) -> None:
        rng = self.rng
        by_customer: dict[int, list[Receivable]] = defaultdict(list)
        for r in self.receivables:
            by_customer[r.customer.pk].append(r)
        self.by_customer = by_customer
        self.profiles = profiles = self._profiles(by_customer)
        plans: list[PaymentPlan] = []
        for cid in sorted(by_customer, key=lambda k: by_customer[k][0].customer.code):
            rs = by_customer[cid]
            c = rs[0].customer
            profile = profiles[cid]
            stop = None
            if profile == STOPPED:
                stop = self.today - dt.timedelta(days=rng.randint(120, 160))
            for batch in self._batches(rs):
                total = sum((r.amount for r in batch), ZERO)
                first_due, last_due = min(r.due_date for r in batch), max(r.due_date for r in batch)
                last_issue = max(r.issued_on for r in batch)
                if stop is not None and last_due >= stop:
                    continue  # nothing paid since the customer stopped
                delay = rng.randint(10, 45) if stop is not None else self._delay(profile)
                # Days late count from the middle of the batch's due dates.
                middle = first_due + (last_due - first_due) / 2
                day = self._bank_day(max(middle + dt.timedelta(days=delay), last_issue))
                plans += self._payments_for(c, profile, total, day)
            if stop is not None:
                # A round sum now and then to keep the goods coming, oldest items first.
                day = self._bank_day(self.today - dt.timedelta(days=rng.randint(20, 45)))
                note = rng.choice(words.STRAINED_NOTES)
                plans.append(PaymentPlan(c, day, None, PaymentMethod.BANK, STRAINED, note))
        plans = [p for p in plans if p.day <= self.today]
        # A couple of customers paid a round sum lately: what is left over stays as credit.
        latest: dict[int, PaymentPlan] = {}
        for p in plans:
            if profiles[p.customer.pk] == PROMPT and p.mode == FIXED:
                if p.customer.pk not in latest or p.day >= latest[p.customer.pk].day:
                    latest[p.customer.pk] = p
        recent = sorted(
            (p for p in latest.values() if p.day >= self.today - dt.timedelta(days=60)),
            key=lambda p: p.customer.code,
        )
        for p in rng.sample(recent, min(len(recent), 2 * self.ctx.scale)):
            p.mode, p.method, p.notes = ROUND_UP, PaymentMethod.BANK, rng.choice(words.CREDIT_NOTES)
        for seq, p in enumerate(plans):
            p.seq = seq
        self.plans = sorted(plans, key=lambda p: (p.day, p.customer.code, p.seq))

    def _payments_for(self, c, profile: str, total: Decimal, day: dt.date) -> list[PaymentPlan]:
        """One batch's money: one transfer, or an acceptance bill plus the odd sum, or two parts."""
        rng = self.rng
        bill_share = 0.12 + (0.10 if c.tier == Tier.KEY else 0)
        split_share = 0.25 if profile == LATE else 0.05
        roll = rng.random()
        if total >= 20000 and roll < bill_share:
            bill = _round(total, 10000, ROUND_FLOOR)
            due = day + dt.timedelta(days=rng.choice((90, 180, 180)))
            out = [
                PaymentPlan(
                    c,
                    day,
                    bill,
                    PaymentMethod.ACCEPTANCE,
                    notes=self._note(words.BILL_NOTES, day, due=due),
                )
            ]
            if total > bill:
                rest_day = self._bank_day(day + dt.timedelta(days=rng.randint(0, 5)))
                out.append(
                    PaymentPlan(
                        c, rest_day, total - bill, notes=self._note(words.BALANCE_NOTES, day)
                    )
                )
            return out
        if total >= 2000 and roll < bill_share + split_share:
            step = 1000 if total > 5000 else 100
            first = _round(total * Decimal(str(round(rng.uniform(0.4, 0.7), 2))), step, ROUND_FLOOR)
            if ZERO < first < total:
                rest_day = self._bank_day(day + dt.timedelta(days=rng.randint(15, 45)))
                return [
                    PaymentPlan(c, day, first, notes=self._note(words.PART_NOTES, day)),
                    PaymentPlan(
                        c, rest_day, total - first, notes=self._note(words.BALANCE_NOTES, day)
                    ),
                ]
        method = PaymentMethod.BANK
        if total < 3000 and (c.payment_terms_days or 0) < 15 and rng.random() < 0.25:
            method = PaymentMethod.MOBILE
        return [PaymentPlan(c, day, total, method, notes=self._note(words.BANK_NOTES, day))]

    # ---- allocation, in date order, as payment_record does ------------------------------------------
    def _reference(self, method: str, day: dt.date) -> str:
        rng = self.rng
        if method == PaymentMethod.ACCEPTANCE:
            return f"1{rng.choice(words.BILL_BANKS)}{day:%Y%m%d}{rng.randrange(10**9):09d}"
        if method == PaymentMethod.MOBILE:
            return f"4200{rng.randrange(10**4, 10**5)}{day:%Y%m%d}{rng.randrange(10**10):010d}"
        return f"{day:%Y%m%d}{rng.randrange(10**8):08d}"

    def _entered_at(self, day: dt.date) -> dt.datetime:
        """When the clerk typed the bank slip in: that day or the next, in office hours."""
        rng = self.rng
        lag = weighted(rng, ((0, 70), (1, 25), (2, 5)))
        moment = dt.datetime.combine(
            day + dt.timedelta(days=lag),
            dt.time(rng.randint(8, 17), rng.randrange(0, 60, 5)),
            tzinfo=self.tz,
        )
        if moment > self.now - dt.timedelta(minutes=5):
            start = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
            moment = start + (self.now - start) * rng.uniform(0.3, 0.95)
        return moment.replace(microsecond=0)

    def allocate(self) -> None:
        """Each payment goes to the customer's open receivables (existing by its date) oldest
        first — due date, then issue date, then id — never beyond what is open; the rest is credit."""
        rng = self.rng
        clerks = [self.users["finance"], self.users["finance"], self.users["assistant"]]
        ordered = {
            cid: sorted(rs, key=lambda r: (r.due_date, r.issued_on, r._index))
            for cid, rs in self.by_customer.items()
        }
        self.payments: list[Payment] = []
        self.allocations: list[Allocation] = []
        for plan in self.plans:
            c = plan.customer
            existing = [r for r in ordered[c.pk] if r.is_open and r.issued_on <= plan.day]
            open_total = sum((r.amount - r.allocated_amount for r in existing), ZERO)
            amount = plan.amount
            if plan.mode == STRAINED:
                # Part of what is more than 90 days overdue: the oldest items stay partly open.
                old = plan.day - dt.timedelta(days=90)
                long_due = sum(
                    (r.amount - r.allocated_amount for r in existing if r.due_date < old), ZERO
                )
                share = long_due * Decimal(str(round(rng.uniform(0.3, 0.6), 2)))
                amount = _round(share, 10000 if share >= 20000 else 1000, ROUND_FLOOR)
            elif plan.mode == ROUND_UP:
                amount = _round(open_total, 1000, ROUND_CEILING) + 1000
            if not amount or amount <= 0:
                continue
            by = rng.choice(clerks)
            entered = self._entered_at(plan.day)
            payment = Payment(
                customer=c,
                salesperson_id=c.owner_id,
                received_on=plan.day,
                amount=amount,
                method=plan.method,
                reference=self._reference(plan.method, plan.day),
                notes=plan.notes,
                created_at=entered,
                created_by=by,
            )
            payment._history_date, payment._history_user = entered, by
            available = amount
            closed = False
            for r in existing:
                if available <= 0:
                    break
                part = min(r.amount - r.allocated_amount, available)
                allocation = Allocation(
                    payment=payment,
                    receivable=r,
                    amount=part,
                    allocated_at=entered,
                    allocated_by=by,
                )
                allocation._history_date, allocation._history_user = entered, by
                self.allocations.append(allocation)
                available -= part
                r.allocated_amount += part
                if r.allocated_amount == r.amount:
                    r.is_open, r.paid_on = False, plan.day
                    closed = True
            if closed:  # keep each customer's list to what is still open
                ordered[c.pk] = [r for r in ordered[c.pk] if r.is_open]
            payment.allocated_amount = amount - available
            self.payments.append(payment)

    # ---- headquarters disputes ---------------------------------------------------------------------
    def plan_disputes(self) -> None:
        """A few old balances disputed with group companies' headquarters (R-5.5)."""
        rng = self.rng
        groups = sorted(
            (rs for rs in self.by_customer.values() if rs[0].customer.type == CustomerType.GROUP),
            key=lambda rs: (rs[0].customer.tier != Tier.KEY, rs[0].customer.code),
        )
        if not groups:
            groups = sorted(
                self.by_customer.values(), key=lambda rs: (-len(rs), rs[0].customer.code)
            )
        self.disputes: list[Dispute] = []
        self.documents: list[DisputeDocument] = []
        for i in range(len(words.DISPUTES) * self.ctx.scale):
            kind, title, description, status, resolution = words.DISPUTES[i % len(words.DISPUTES)]
            rs = groups[i % len(groups)]
            c = rs[0].customer
            old = [r for r in rs if r.issued_on <= self.today - dt.timedelta(days=240)] or rs
            size = {"missing_documents": (2, 6), "price": (6, 15)}.get(kind, (1, 3))
            start = rng.randrange(len(old))
            chosen = old[start : start + rng.randint(*size)]
            total = sum((r.amount for r in chosen), ZERO)
            # Missing documents hold back whole invoices; a price question the difference only.
            low, high = {"missing_documents": (1.0, 1.0), "price": (0.04, 0.09)}.get(
                kind, (0.02, 0.05)
            )
            share = Decimal(str(round(rng.uniform(low, high), 3)))
            amount = max((total * share).quantize(CENT, rounding=ROUND_HALF_UP), Decimal("880.00"))
            first, last = chosen[0].issued_on, chosen[-1].issued_on
            period = (
                f"{first:%Y年%m月}"
                if (first.year, first.month) == (last.year, last.month)
                else (f"{first:%Y年%m月}至{last:%Y年%m月}")
            )
            count = rng.randint(3, 14)
            opened = min(self.today - dt.timedelta(days=rng.randint(20, 200)), self.today)
            owner = c.owner or self.users["commercial"]
            if rng.random() < 0.4:
                owner = self.users["commercial"]
            creator = rng.choice((self.users["commercial"], self.users["assistant"]))
            created_at = dt.datetime.combine(
                opened, dt.time(rng.randint(9, 16), 30), tzinfo=self.tz
            )
            closed_on = None
            if status == DisputeStatus.RESOLVED:
                closed_on = min(opened + dt.timedelta(days=rng.randint(10, 60)), self.today)
            dispute = Dispute(
                customer=c,
                title=f"{c.short_name or c.name}：{title}",
                kind=kind,
                amount=amount,
                period=period[:50],
                owner=owner,
                status=status,
                opened_on=opened,
                closed_on=closed_on,
                description=description.format(period=period, count=count),
                resolution=resolution,
                created_at=created_at,
                created_by=creator,
            )
            dispute._history_date, dispute._history_user = created_at, creator
            self.disputes.append(dispute)
            if kind == "missing_documents":
                lines = ["发货单号,发货日期,金额(元)"] + [
                    f"{r.shipment.number},{r.issued_on:%Y-%m-%d},{r.amount}" for r in chosen
                ]
                content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
                self.documents.append(
                    DisputeDocument(
                        dispute=dispute,
                        filename=words.DOCUMENT_NAME,
                        content_type="text/csv",
                        content=content,
                        size=len(content),
                        uploaded_at=created_at,
                        uploaded_by=creator,
                    )
                )

    # ---- writing ---------------------------------------------------------------------------------------
    def write(self) -> None:
        for r in self.receivables:
            r._history_date, r._history_user = r.created_at, r.created_by
        with explicit_timestamps(Receivable, Payment, Dispute, DisputeDocument):
            bulk_create_with_history(self.receivables, Receivable, batch_size=BATCH)
            bulk_create_with_history(self.payments, Payment, batch_size=BATCH)
            bulk_create_with_history(self.allocations, Allocation, batch_size=BATCH)
            bulk_create_with_history(self.disputes, Dispute, batch_size=BATCH)
            DisputeDocument.objects.bulk_create(self.documents, batch_size=BATCH)
        self._write_order_money()
        credit = sum(1 for p in self.payments if p.allocated_amount < p.amount)
        self.ctx.data["receivables"] = self.receivables
        self.ctx.data["payments"] = self.payments
        self.ctx.counts += [
            ("receivables", len(self.receivables)),
            ("with invoice numbers", sum(bool(r.invoice_number) for r in self.receivables)),
            ("payments", len(self.payments)),
            ("payments with credit left", credit),
            ("allocations", len(self.allocations)),
            ("headquarters disputes", len(self.disputes)),
        ]

    def _write_order_money(self) -> None:
        """Order.invoiced_amount and paid_amount as orders_refresh keeps them."""
        invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
        paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for r in self.receivables:
            if r.invoice_number:
                invoiced[r.order.pk] += r.amount
        for a in self.allocations:
            paid[a.receivable.order.pk] += a.amount
        changed = []
        for order in self.orders:
            new = (invoiced.get(order.pk, ZERO), paid.get(order.pk, ZERO))
            if (order.invoiced_amount, order.paid_amount) != new:
                order.invoiced_amount, order.paid_amount = new
                changed.append(order)
        # One UPDATE per changed order in a single executemany: bulk_update's CASE over a thousand
        # rows costs seconds. The derived sums are not anyone's edit, so the order's latest history
        # row carries them too (the history tab shows no change by the next person to save).
        latest: dict[int, int] = {}
        for order_id, history_id in (
            Order.history.filter(id__in=[o.pk for o in changed])
            .order_by("id", "history_date", "history_id")
            .values_list("id", "history_id")
        ):
            latest[order_id] = history_id
        if not changed:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, key, rows in (
                (
                    Order._meta.db_table,
                    "id",
                    [(o.invoiced_amount, o.paid_amount, o.pk) for o in changed],
                ),
                (
                    Order.history.model._meta.db_table,
                    "history_id",
                    [
                        (o.invoiced_amount, o.paid_amount, latest[o.pk])
                        for o in changed
                        if o.pk in latest
                    ],
                ),
            ):
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {quote('invoiced_amount')} = %s, {quote('paid_amount')} = %s "
                    f"WHERE {quote(key)} = %s",
                    rows,
                )
