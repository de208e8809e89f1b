"""Demo sales targets (core demo command): for last year and this year, the department's and
every demo salesperson's annual target and twelve monthly ones, set by the director in
December before the year.

Realistic against the demo's booked sales (the orders builder runs first): a year after a
full year of orders aims 6–18% above what that person booked the year before; a year
without one (the demo's first) is set around what was then booked (±10%), so some people
made it and some did not. Monthly targets follow the person's own seasons (half their
monthly share of the basis year, half an even twelfth) and are rounded to a thousand yuan,
so they add up to about, not exactly, the annual target, as in a real plan. The department
aims 0–5% above its salespeople together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from salesdesk.accounts.demo import SALESPEOPLE
from salesdesk.core.demo_builder import DemoBuilder, write_with_history
from salesdesk.orders.selectors.sales import booked_by_month

from .models import SalesTarget

MONTHS = range(1, 13)
ANNUAL_STEP = Decimal(10_000)
MONTH_STEP = Decimal(1_000)
DEPARTMENT_STEP = Decimal(100_000)
# A salesperson without sales to go by (a demo without orders) still gets a plan.
FALLBACK_ANNUAL = (3_000_000, 6_000_000)


def round_to(value: Decimal, step: Decimal) -> Decimal:
    return ((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(
        Decimal("0.01")
    )


class TargetsBuilder(DemoBuilder):
    label = "reports-targets"

    def run(self) -> None:
        people = [self.users[u] for u in SALESPEOPLE if u in self.users]
        setter = self.users.get("director") or self.users.get("admin")
        this_year = self.today.year
        years = (this_year - 1, this_year)
        # fen per (year, salesperson id, month)
        booked: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        rows = booked_by_month(start=dt.date(years[0] - 1, 1, 1), end=dt.date(this_year, 12, 1))
        for r in rows:
            per = booked[(r["month"].year, r["salesperson_id"])]
            per[r["month"].month] = per.get(r["month"].month, 0) + r["fen"]
        months_with_sales = defaultdict(set)
        for (year, _pid), per in booked.items():
            months_with_sales[year] |= {m for m, fen in per.items() if fen}

        targets: list[SalesTarget] = []
        for year in years:
            full_year_before = len(months_with_sales[year - 1]) == 12
            basis_year = year - 1 if full_year_before else year
            when = dt.datetime(year - 1, 12, 15, 10, 0, tzinfo=self.tz)
            person_months: dict[int, Decimal] = defaultdict(Decimal)
            person_annual = Decimal(0)
            for person in people:
                per = booked.get((basis_year, person.pk), {})
                basis = Decimal(sum(per.values())) / 100
                if full_year_before:
                    factor = Decimal(self.rng.randint(106, 118)) / 100
                else:
                    factor = Decimal(self.rng.randint(90, 110)) / 100
                if basis <= 0:
                    basis, factor = Decimal(self.rng.randint(*FALLBACK_ANNUAL)), Decimal(1)
                annual = max(round_to(basis * factor, ANNUAL_STEP), ANNUAL_STEP)
                targets.append(self._target(year, None, person, annual, setter, when))
                person_annual += annual
                total = Decimal(sum(per.values()))
                for month in MONTHS:
                    share = Decimal(per.get(month, 0)) / total if total > 0 else Decimal(0)
                    weight = Decimal(1) / 24 + share / 2 if total > 0 else Decimal(1) / 12
                    amount = round_to(annual * weight, MONTH_STEP)
                    targets.append(self._target(year, month, person, amount, setter, when))
                    person_months[month] += amount
            uplift = Decimal(self.rng.randint(100, 105)) / 100
            targets.append(
                self._target(
                    year,
                    None,
                    None,
                    round_to(person_annual * uplift, DEPARTMENT_STEP),
                    setter,
                    when,
                )
            )
            for month in MONTHS:
                amount = round_to(person_months[month] * uplift, ANNUAL_STEP)
                targets.append(self._target(year, month, None, amount, setter, when))
        write_with_history((SalesTarget, targets))
        self.ctx.counts.append(("sales targets", len(targets)))

    @staticmethod
    def _target(year, month, person, amount, setter, when) -> SalesTarget:
        target = SalesTarget(
            year=year,
            month=month,
            salesperson=person,
            amount=amount,
            updated_by=setter,
            updated_at=when,
        )
        target._history_user = setter
        target._history_date = when
        return target


def build(ctx) -> None:
    """The department's and each salesperson's targets for last year and this year."""
    TargetsBuilder(ctx).run()
