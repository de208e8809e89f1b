"""An order's whole life planned ahead: confirmation, promises, production, shipments, notices,
receipt and closing, or cancellation. Whatever lies after now has simply not happened yet."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from salesdesk.orders.choices import NoticeChannel, ProductionStatus

from .plan import OrderPlan, ShipPlan, weighted
from .words import (
    CANCEL_REASONS,
    EARLIER_BY_CUSTOMER,
    LATER_BY_CUSTOMER,
    PRODUCTION_DELAYS,
    RECEIVERS,
    TRANSPORT_DELAYS,
)

NEAR = {"浙江", "上海", "江苏"}
MIDDLE = {"安徽", "山东", "福建", "江西"}
H = dt.timedelta(hours=1)


def _hours(rng, low, high) -> dt.timedelta:
    return dt.timedelta(minutes=rng.randint(int(low * 60), int(high * 60)))


class LifeMixin:
    def _office(self):
        return self.users[self.rng.choice(("assistant", "commercial", "commercial"))]

    def _confirm_delay(self, mode: str) -> dt.timedelta:
        rng = self.rng
        if mode != "normal":
            return _hours(rng, 0.5, 6)
        bucket = rng.random()
        if bucket < 0.72:
            return _hours(rng, 0.5, 8)
        if bucket < 0.91:
            return _hours(rng, 8, 24)
        if bucket < 0.98:
            return _hours(rng, 24, 72)  # answered late
        return _hours(rng, 72, 200)

    def _plan_life(self, p: OrderPlan, variant: int = 0) -> None:
        rng = self.rng
        mode = p.mode
        lead = weighted(rng, (((3, 5), 15), ((6, 10), 45), ((11, 20), 35), ((21, 35), 5)))
        p.requested_date = p.order_date + dt.timedelta(days=rng.randint(*lead))
        if mode == "unanswered":
            return  # still a draft: nobody has answered the delivery date
        p.confirm_at = p.created_at + self._confirm_delay(mode)
        confirm_day = timezone.localdate(p.confirm_at)
        p.confirmed_by = p.salesperson if rng.random() < 0.2 else self._office()

        # ---- the first promise and later changes ----
        first = p.requested_date + dt.timedelta(
            days=weighted(rng, ((0, 55), (rng.randint(1, 4), 35), (-rng.randint(1, 2), 10)))
        )
        intents = []
        if mode == "normal":
            r = rng.random()
            if r < 0.10:
                intents.append("production")
            elif r < 0.16:
                intents.append("later")
            elif r < 0.20:
                intents.append("earlier")
            if rng.random() < 0.05:
                intents.append(rng.choice(("later", "transport")))
        elif mode == "at_risk":
            first = self.today + dt.timedelta(days=rng.randint(2, 3))
        elif mode == "pending_approval":
            first = self.today + dt.timedelta(days=rng.randint(5, 12))
        elif mode == "late_open":
            final = self.today - dt.timedelta(days=rng.randint(1, 4))
            if variant % 3 == 0:
                intents.append("production")
                first = final - dt.timedelta(days=rng.randint(2, 5))
            else:
                first = final
        first = max(first, confirm_day + dt.timedelta(days=2))
        accepted = True if rng.random() < 0.85 else None
        p.promises = [(p.confirm_at, None, first, "", accepted, p.confirmed_by)]
        current, bound = first, p.confirm_at + 2 * H
        delay_at = delay_reason = None
        for intent in intents:
            end = dt.datetime.combine(current - dt.timedelta(days=1), dt.time(17), tzinfo=self.tz)
            if end <= bound:
                break
            at = bound + (end - bound) * rng.uniform(0.1, 0.9)
            at = at.replace(second=0, microsecond=0)
            if intent == "production":
                reason = rng.choice(PRODUCTION_DELAYS)
                new = current + dt.timedelta(days=rng.randint(2, 7))
                if mode == "late_open":
                    new = final
                answer = weighted(rng, ((True, 70), (False, 15), (None, 15)))
                delay_at, delay_reason = at, reason
                at += _hours(rng, 0.5, 3)
            elif intent == "later":
                reason, answer = rng.choice(LATER_BY_CUSTOMER), True
                new = current + dt.timedelta(days=rng.randint(3, 10))
            elif intent == "earlier":
                reason, answer = rng.choice(EARLIER_BY_CUSTOMER), True
                new = current - dt.timedelta(days=rng.randint(1, 3))
                if new < timezone.localdate(at) + dt.timedelta(days=2):
                    continue
            else:
                reason, answer = (
                    rng.choice(TRANSPORT_DELAYS),
                    weighted(rng, ((True, 80), (None, 20))),
                )
                new = current + dt.timedelta(days=rng.randint(1, 3))
            p.promises.append((at, current, new, reason, answer, self._office()))
            current, bound = new, at + 2 * H
        final = current

        # ---- shipments ----
        if mode == "late_open":
            last_day = self.today + dt.timedelta(days=rng.randint(2, 5))
        elif mode == "normal" and rng.random() < 0.12:
            last_day = final + dt.timedelta(days=rng.randint(1, 5))  # the promise is broken
        elif mode == "normal":
            last_day = final - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))
        else:
            last_day = final  # at risk or awaiting approval: nothing has left yet
        earliest = max(confirm_day, timezone.localdate(bound)) + dt.timedelta(days=1)
        last_day = max(last_day, earliest)
        count = weighted(rng, ((1, 78), (2, 17), (3, 5)))
        if mode != "normal":
            count = 2 if (mode == "late_open" and variant % 3 == 1) else 1
        days = [last_day]
        for _ in range(count - 1):
            day = days[0] - dt.timedelta(days=rng.randint(1, 5))
            if mode == "late_open":
                day = self.today - dt.timedelta(days=rng.randint(1, 3))
            if day < earliest:
                break
            days.insert(0, day)
        moments = sorted(self._moment(day, (8, 16)) for day in days)
        self._plan_shipments(p, moments)

        # ---- production ----
        first_ship, last_ship = moments[0], moments[-1]
        start_at = self._moment(first_ship.date() - dt.timedelta(days=rng.randint(1, 4)), (8, 10))
        start_at = min(
            max(start_at, p.confirm_at + H),
            first_ship - (first_ship - p.confirm_at) * 0.2,
        )
        # Scheduling comes some time between the answer and the start (it moves the order on).
        sched_at = p.confirm_at + (start_at - p.confirm_at) * rng.uniform(0.1, 0.8)
        if delay_at is not None and delay_at <= sched_at:
            # A production delay is reported on a scheduled order: schedule it before then
            # (otherwise the delay was lost, and on some days no open order was delayed).
            sched_at = p.confirm_at + (delay_at - p.confirm_at) / 2
        done_at = last_ship - _hours(rng, 0.5, 16)
        done_at = min(
            max(done_at, start_at + (last_ship - start_at) * 0.5),
            last_ship - dt.timedelta(minutes=1),
        )
        if mode == "at_risk":
            done_at = max(done_at, min(self.now + H, last_ship - dt.timedelta(minutes=1)))
        events = [(sched_at, ProductionStatus.SCHEDULED, "")]
        if delay_at is not None and sched_at < delay_at < done_at:
            if delay_at <= start_at:
                start_at = sched_at + (delay_at - sched_at) / 2
            events.append((start_at, ProductionStatus.IN_PRODUCTION, ""))
            events.append((delay_at, ProductionStatus.DELAYED, delay_reason))
            resume_at = delay_at + _hours(rng, 18, 60)
            if resume_at < done_at and not (mode == "late_open" and variant % 3 == 0):
                events.append((resume_at, ProductionStatus.IN_PRODUCTION, ""))
        else:
            events.append((start_at, ProductionStatus.IN_PRODUCTION, ""))
        events.append((done_at, ProductionStatus.DONE, ""))
        p.production = [(at.replace(microsecond=0), status, note) for at, status, note in events]

        # ---- cancellation or closing ----
        if mode == "normal" and rng.random() < 0.04:
            span = min(dt.timedelta(days=10), first_ship - p.created_at - H)
            if span > H:
                at = (p.created_at + H + (span - H) * rng.random()).replace(microsecond=0)
                p.cancel = (
                    at,
                    rng.choice(CANCEL_REASONS),
                    p.salesperson if rng.random() < 0.3 else self._office(),
                )
                return
        receipts = [s.received_at for s in p.shipments]
        if all(receipts) and rng.random() < 0.85:
            p.closed_at = self._moment(max(receipts).date() + dt.timedelta(days=rng.randint(2, 20)))

    def _plan_shipments(self, p: OrderPlan, moments: list[dt.datetime]) -> None:
        rng = self.rng
        k = len(moments)
        split = [[0] * len(p.lines) for _ in range(k)]
        for i, line in enumerate(p.lines):
            # A late order goes out in part: the first shipment always takes a share of line 1.
            must_split = p.mode == "late_open" and i == 0
            if k > 1 and line.quantity >= 2 * k and (must_split or rng.random() < 0.6):
                # Split a line over the shipments, in round numbers where it can.
                step = 50 if line.quantity >= 100 * k else 1
                left = line.quantity
                for j in range(k - 1):
                    part = max(step, int(left * rng.uniform(0.3, 0.7)) // step * step)
                    part = min(part, left - (k - 1 - j))
                    split[j][i] = part
                    left -= part
                split[k - 1][i] = left
            else:
                split[rng.randrange(k) if k > 1 else 0][i] = line.quantity
        c = p.customer
        carrier, service_line, pattern = self.customer_carrier(c)
        people = self.contacts.get(c.pk, [])
        for at, quantities in zip(moments, split, strict=True):
            if not any(quantities):
                continue
            if rng.random() > 0.8:
                carrier, service_line, pattern = self.any_carrier()
            s = ShipPlan(at=at, quantities=quantities, carrier=carrier)
            s.carrier_phone = service_line if rng.random() < 0.6 else self._mobile()
            s.tracking_number = self._tracking(pattern)
            s.created_by = self.users["warehouse"] if rng.random() < 0.7 else self._office()
            ship_day = at.date()
            if ship_day >= self.today - dt.timedelta(days=3) and rng.random() < 0.3:
                pass  # not notified yet
            elif rng.random() < 0.97:
                sent = (at + _hours(rng, 0.3, 5)).replace(microsecond=0)
                by = self._office()
                emails = [person["email"] for person in people if person["email"]]
                if emails:
                    s.notices.append((sent, NoticeChannel.EMAIL, by))
                if not emails or rng.random() < 0.5:
                    s.notices.append(
                        (sent + dt.timedelta(minutes=rng.randint(1, 20)), NoticeChannel.MESSAGE, by)
                    )
            if rng.random() < 0.95:
                transit = (
                    (0, 1) if c.province in NEAR else (1, 2) if c.province in MIDDLE else (2, 4)
                )
                s.received_at = self._moment(
                    ship_day + dt.timedelta(days=rng.randint(*transit)), (9, 17)
                )
                s.received_at = max(s.received_at, at + 2 * H)
                warehouse = [person["name"] for person in people if person["title"] == "仓库主管"]
                if warehouse and rng.random() < 0.7:
                    s.received_by_name = warehouse[0]
                elif people and rng.random() < 0.6:
                    s.received_by_name = rng.choice(people)["name"]
                else:
                    s.received_by_name = rng.choice(RECEIVERS)
            p.shipments.append(s)
