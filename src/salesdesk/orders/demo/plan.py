"""Who orders what and when: customers' ordering windows, seasons, baskets, lines and prices."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from lunar_python import Lunar

from salesdesk.catalog.choices import ApprovalStatus, Unit
from salesdesk.customers.choices import CustomerStatus, CustomerType, Stage, Tier
from salesdesk.customers.models import Lead, LeadStageChange

from .words import AFFINITY, ANY_AFFINITY, DISTRIBUTOR_AFFINITY, QUANTITIES, SQUARE_METRES

PRICE_PLACES = Decimal("0.0001")
HISTORY_DAYS = 730
# Orders of a product whose spec changed are only drawn well before the change or after the
# customer approved the new revision, so no shipment of an unapproved revision is made up.
REVISION_MARGIN_DAYS = 60


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class LinePlan:
    product: object
    quantity: int
    unit_price: Decimal


@dataclass
class ShipPlan:
    at: dt.datetime
    quantities: list[int]
    carrier: str = ""
    carrier_phone: str = ""
    tracking_number: str = ""
    created_by: object = None
    # (sent_at, channel, sent_by)
    notices: list = field(default_factory=list)
    received_at: dt.datetime | None = None
    received_by_name: str = ""


@dataclass
class OrderPlan:
    customer: object
    order_date: dt.date
    created_at: dt.datetime
    mode: str = "normal"
    created_by: object = None
    salesperson: object = None
    channel: str = ""
    lines: list[LinePlan] = field(default_factory=list)
    requested_date: dt.date | None = None
    notes: str = ""
    trial: bool = False
    confirm_at: dt.datetime | None = None
    confirmed_by: object = None
    # (changed_at, old_date, new_date, reason, customer_accepted, changed_by)
    promises: list = field(default_factory=list)
    # (at, production status, note)
    production: list = field(default_factory=list)
    shipments: list[ShipPlan] = field(default_factory=list)
    closed_at: dt.datetime | None = None
    # (at, reason, by)
    cancel: tuple | None = None
    contract_number: str = ""
    contract_terms: str = ""


class PlanMixin:
    # ---- time ---------------------------------------------------------------------------
    def _moment(self, day: dt.date, hours=(8, 17)) -> dt.datetime:
        """A moment in office hours on `day`; may lie after now (then it has not happened)."""
        return dt.datetime.combine(
            day,
            dt.time(self.rng.randint(*hours), self.rng.randrange(0, 60, 5)),
            tzinfo=self.tz,
        )

    def _created_moment(self, day: dt.date) -> dt.datetime:
        moment = self._moment(day)
        if moment > self.now - dt.timedelta(minutes=5):
            start = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
            moment = start + (self.now - start) * self.rng.uniform(0.3, 0.95)
        return moment.replace(microsecond=0)

    def _season_weights(self) -> tuple[list[dt.date], list[float]]:
        """Cumulative weights per day: busier before Spring Festival and Double 11, quiet at holidays."""
        start = self.today - dt.timedelta(days=HISTORY_DAYS)
        festivals = []
        for year in range(start.year, self.today.year + 2):
            solar = Lunar.fromYmd(year, 1, 1).getSolar()
            festivals.append(dt.date(solar.getYear(), solar.getMonth(), solar.getDay()))
        days, cum, total = [], [], 0.0
        for i in range(HISTORY_DAYS + 1):
            day = start + dt.timedelta(days=i)
            w = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.15)[day.weekday()]
            for festival in festivals:
                before = (festival - day).days
                if 8 <= before <= 45:
                    w *= 1.8  # stocking up for the Spring Festival
                elif -7 <= before < 8:
                    w *= 0.1  # the factory and the customers are closed
                elif -20 <= before < -7:
                    w *= 0.7
            if (
                (day.month == 9 and day.day >= 15)
                or day.month == 10
                or (day.month == 11 and day.day <= 5)
            ):
                w *= 1.6  # Double 11 packaging
            if day.month == 10 and day.day <= 7:
                w *= 0.3  # National Day week
            total += w
            days.append(day)
            cum.append(total)
        return days, cum

    def _draw_days(self, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
        days, cum = self._season
        lo = max(0, (first - days[0]).days)
        hi = min(len(days) - 1, (last - days[0]).days)
        if lo > hi:
            return []
        base = cum[lo - 1] if lo else 0.0
        drawn = []
        for _ in range(count):
            u = self.rng.uniform(base, cum[hi])
            drawn.append(days[min(bisect.bisect_left(cum, u, lo, hi + 1), hi)])
        return sorted(drawn)

    # ---- who orders -----------------------------------------------------------------------
    def _windows(self, customers) -> list[tuple]:
        """(customer, first day, last day, trial order moment) for every customer that orders."""
        rng = self.rng
        ids = [c.pk for c in customers]
        leads = {
            cid: (stage, at)
            for cid, stage, at in Lead.objects.filter(customer_id__in=ids).values_list(
                "customer_id", "stage", "stage_changed_at"
            )
        }
        trials = dict(
            LeadStageChange.objects.filter(
                lead__customer_id__in=ids, to_stage=Stage.TRIAL_ORDER
            ).values_list("lead__customer_id", "changed_at")
        )
        start = self.today - dt.timedelta(days=HISTORY_DAYS)
        windows = []
        for c in customers:
            opened = max(timezone.localdate(c.created_at) + dt.timedelta(days=7), start)
            first = last = None
            trial = trials.get(c.pk)
            if c.pk in leads:
                stage, changed_at = leads[c.pk]
                if stage == Stage.WON:
                    first, last = timezone.localdate(changed_at) + dt.timedelta(days=3), self.today
                elif stage != Stage.TRIAL_ORDER:
                    trial = None  # lost before or without a trial order
            elif c.status == CustomerStatus.ACTIVE:
                first, last = opened, self.today
            elif c.status == CustomerStatus.DORMANT:
                first, last = opened, self.today - dt.timedelta(days=rng.randint(100, 300))
            elif c.status == CustomerStatus.LOST:
                first, last = opened, self.today - dt.timedelta(days=rng.randint(200, 500))
            if c.archived_at is not None and last is not None:
                last = min(last, timezone.localdate(c.archived_at) - dt.timedelta(days=30))
            if first is not None and first > last:
                first = last = None
            if first is not None or trial is not None:
                windows.append((c, first, last, trial))
        return windows

    def _weights(self, windows) -> list[float]:
        """Zipf-like shares: a few customers, key accounts first among them, order most."""
        rng = self.rng
        ranks = list(range(len(windows)))
        rng.shuffle(ranks)
        weights = []
        for (c, first, last, _trial), rank in zip(windows, ranks, strict=True):
            if first is None:
                weights.append(0.0)
                continue
            w = 1 / (rank + 1) ** 0.7
            w *= 5 if c.tier == Tier.KEY else 1
            w *= 1.5 if c.type == CustomerType.DISTRIBUTOR else 1
            weights.append(w * ((last - first).days + 1) / (HISTORY_DAYS + 1))
        return weights

    @staticmethod
    def _allocate(total: int, weights: list[float]) -> list[int]:
        """Split `total` by weight (largest remainder); every ordering customer orders once."""
        weight_sum = sum(weights) or 1.0
        raw = [total * w / weight_sum for w in weights]
        counts = [max(1, int(x)) if w > 0 else 0 for x, w in zip(raw, weights, strict=True)]
        order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
        i = 0
        while sum(counts) < total and order:
            if weights[order[i % len(order)]] > 0:
                counts[order[i % len(order)]] += 1
            i += 1
        return counts

    # ---- what they order --------------------------------------------------------------------
    def _index_products(self) -> None:
        self.by_category: dict[str, list] = {}
        for p in self.products:
            if not p.is_new:
                self.by_category.setdefault(getattr(p, "_demo_category", "rsc3"), []).append(p)
        self.approved_on: dict[tuple, dt.date] = {}
        self.approval_products: dict[int, list] = {}
        for a in self.approvals:
            if a.status == ApprovalStatus.APPROVED and a.revision == a.product.revision:
                self.approved_on[(a.customer_id, a.product_id)] = a.decided_on
                self.approval_products.setdefault(a.customer_id, []).append(a.product)

    def _basket(self, c) -> list:
        basket = self.baskets.get(c.pk)
        if basket is not None:
            return basket
        rng = self.rng
        if c.type == CustomerType.DISTRIBUTOR:
            affinity = DISTRIBUTOR_AFFINITY
        else:
            affinity = AFFINITY.get(c.industry, ANY_AFFINITY)
        pairs = [(k, w) for k, w in affinity.items() if self.by_category.get(k)]
        size = rng.randint(5, 10) if c.tier == Tier.KEY else rng.randint(2, 6)
        basket = []
        for _ in range(size * 3):
            if len(basket) >= size:
                break
            product = rng.choice(self.by_category[weighted(rng, pairs)])
            if product not in basket:
                basket.append(product)
        basket += [p for p in self.approval_products.get(c.pk, []) if p not in basket]
        self.baskets[c.pk] = basket
        return basket

    def _allowed(self, product, c, day: dt.date) -> bool:
        """May this order line exist without a shipment of an unapproved revision?"""
        if day < timezone.localdate(product.created_at):
            return False
        if not product.needs_approval:
            return True
        approved = self.approved_on.get((c.pk, product.pk))
        if approved is not None and day >= approved:
            return True
        changed_on = timezone.localdate(product.updated_at)
        return not product.is_new and day + dt.timedelta(days=REVISION_MARGIN_DAYS) < changed_on

    def _quantity(self, product, c, trial: bool) -> int:
        rng = self.rng
        category = getattr(product, "_demo_category", "rsc3")
        low, high, step = (
            SQUARE_METRES if product.unit == Unit.SQUARE_METRE else QUANTITIES[category]
        )
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
        if c.tier == Tier.KEY:
            value *= rng.uniform(1.2, 2.5)
        if trial:
            value *= 0.2
        return max(step, int(value // step) * step)

    def _unit_price(self, product, c, day: dt.date) -> Decimal:
        factor = self.price_factor.get(c.pk)
        if factor is None:
            rng = self.rng
            if c.tier == Tier.KEY:
                factor = Decimal(rng.randint(90, 96)) / 100
            elif c.type == CustomerType.DISTRIBUTOR:
                factor = Decimal(rng.randint(92, 97)) / 100
            else:
                factor = Decimal(rng.randint(97, 103)) / 100
            self.price_factor[c.pk] = factor
        price = product.list_price * factor
        if day < self.today - dt.timedelta(days=300):
            price *= Decimal("0.96")  # before last year's paper price rise
        return price.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)

    def _lines(self, c, day: dt.date, count: int, *, trial=False, must=None) -> list[LinePlan]:
        rng = self.rng
        choices = [p for p in self._basket(c) if self._allowed(p, c, day)]
        if not choices:
            choices = [
                p for ps in self.by_category.values() for p in ps if self._allowed(p, c, day)
            ][:20]
        rng.shuffle(choices)
        products = ([must] if must else []) + [p for p in choices if p is not must]
        return [
            LinePlan(p, self._quantity(p, c, trial), self._unit_price(p, c, day))
            for p in products[: max(1, count)]
        ]
