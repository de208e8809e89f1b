"""Sales reports (R-8.2, R-8.3, R-8.5): booked sales by period with year over year, by
customer, product, region, industry, customer type and salesperson, and the salesperson
ranking.

Sales here are booked sales (接单额): the amount of every confirmed order, not cancelled, on
its order date. Periods of whole months read the monthly summary (orders.MonthlySales, kept
by the order services and proved against the rows by `salesdesk check-figures`); weeks and
breakdowns read the order rows of the period. Every sum is integer fen in the database.
A salesperson's figures are their own orders (the order's salesperson); team roles see
everyone's and may pick one person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salesperson_list
from salesdesk.catalog.models import Product
from salesdesk.core.dbfunctions import WeekStart
from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.customers.choices import CustomerType, Industry, Province, Tier
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors.reviews import activity_by_person
from salesdesk.finance.selectors.reports import collection_rate
from salesdesk.orders.choices import BOOKED_STATES
from salesdesk.orders.models import MonthlySales, Order, OrderLine

from ..models import SalesTarget

PERIODS = {
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}
DIMENSIONS = {
    "salesperson": _("Salesperson"),
    "customer": _("Customer"),
    "product": _("Product"),
    "region": _("Region"),
    "industry": _("Industry"),
    "customer_type": _("Customer type"),
}
SALES_DEFINITION = _(
    "Sales are booked sales (接单额): the amount of every confirmed order that is not "
    "cancelled, counted on its order date. Weeks start on Monday; months are calendar months."
)
ZERO = Decimal("0.00")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole in percent with one decimal; None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def growth(now: Decimal, before: Decimal) -> Decimal | None:
    """Year-over-year change in percent; None when there was nothing a year before."""
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


# --- who the figures are for --------------------------------------------------------------


def figures_person(user, salesperson=None) -> int | None:
    """The salesperson whose figures `user` sees: their own for a salesperson, the one picked
    (or None: the whole team) for roles that see the team. Raises for roles without reports."""
    if not roles.reads_reports(user):
        raise PermissionError("reports")
    if not roles.sees_team_figures(user):
        return user.pk
    return getattr(salesperson, "pk", salesperson) or None


def booked_orders(person: int | None) -> QuerySet[Order]:
    qs = Order.objects.filter(state__in=BOOKED_STATES)
    return qs if person is None else qs.filter(salesperson_id=person)


def _monthly(person: int | None) -> QuerySet[MonthlySales]:
    qs = MonthlySales.objects.all()
    return qs if person is None else qs.filter(salesperson_id=person)


# --- periods --------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def next_period(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start + dt.timedelta(days=7)
    return add_months(start, {"month": 1, "quarter": 3, "year": 12}[period])


def year_before(start: dt.date, period: str) -> dt.date:
    """The same period a year earlier (the same ISO week for weeks)."""
    if period == "week":
        iso = start.isocalendar()
        try:
            return dt.date.fromisocalendar(iso.year - 1, iso.week, 1)
        except ValueError:  # week 53 in a year that has 52
            return dt.date.fromisocalendar(iso.year - 1, 52, 1)
    return start.replace(year=start.year - 1)


def period_label(start: dt.date, period: str) -> str:
    if period == "week":
        iso = start.isocalendar()
        return str(_("%(year)s week %(week)s")) % {"year": iso.year, "week": iso.week}
    if period == "month":
        return f"{start:%Y-%m}"
    if period == "quarter":
        return str(_("%(year)s Q%(quarter)s")) % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
        }
    return str(start.year)


def period_starts(start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """The start of every period from the one holding `start` to the one holding `end`."""
    out, current = [], period_start(start, period)
    while current <= end:
        out.append(current)
        current = next_period(current, period)
    return out


def _as_day(key) -> dt.date:
    if isinstance(key, str):
        return dt.date.fromisoformat(key)
    if isinstance(key, dt.datetime):
        return key.date()
    return key


def _cells(person: int | None, first: dt.date, stop: dt.date, period: str) -> dict:
    """{(period start, salesperson id): [fen, orders]} of booked sales on days in [first, stop):
    weeks from the order rows, longer periods from the monthly summary. One query."""
    if period == "week":
        rows = (
            booked_orders(person)
            .filter(order_date__gte=first, order_date__lt=stop)
            .annotate(key=WeekStart("order_date"))
            .values("key", "salesperson_id")
            .annotate(fen=fen_sum("total_amount"), n=Count("id"))
        )
    else:
        rows = (
            _monthly(person)
            .filter(month__gte=first, month__lt=stop)
            .values("salesperson_id", key=F("month"))
            .annotate(fen=Sum("amount_fen"), n=Sum("orders"))
        )
    out: dict[tuple[dt.date, int], list[int]] = {}
    for row in rows.order_by():
        slot = out.setdefault(
            (period_start(_as_day(row["key"]), period), row["salesperson_id"]), [0, 0]
        )
        slot[0] += int(row["fen"] or 0)
        slot[1] += int(row["n"] or 0)
    return out


def _fen_by_period(cells: dict) -> dict:
    """{period start: (fen, orders)} summed over the salespeople of `cells`."""
    out: dict[dt.date, list[int]] = {}
    for (start, _person), (fen, n) in cells.items():
        slot = out.setdefault(start, [0, 0])
        slot[0] += fen
        slot[1] += n
    return out


@dataclass(frozen=True)
class PeriodRow:
    start: dt.date
    end: dt.date  # the last day of the period
    label: str
    amount: Decimal
    orders: int
    prior_amount: Decimal
    growth: Decimal | None


def sales_by_period(*, user, period: str, start: dt.date, end: dt.date, salesperson=None) -> dict:
    """Booked sales per week, month, quarter or year from `start`'s period to `end`'s, each
    with the same period a year before and the change in percent. Whole periods only: the
    first and last periods are counted in full."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}")
    person = figures_person(user, salesperson)
    starts = period_starts(start, end, period)
    stop = next_period(starts[-1], period) if starts else start
    cells = _cells(person, starts[0], stop, period) if starts else {}
    now = _fen_by_period(cells)
    prior_starts = [year_before(s, period) for s in starts]
    before = (
        _fen_by_period(
            _cells(person, min(prior_starts), next_period(max(prior_starts), period), period)
        )
        if starts
        else {}
    )
    rows = []
    for first, prior in zip(starts, prior_starts, strict=True):
        fen, count = now.get(first, (0, 0))
        amount = fen_to_yuan(fen)
        prior_amount = fen_to_yuan(before.get(prior, (0, 0))[0])
        rows.append(
            PeriodRow(
                start=first,
                end=next_period(first, period) - dt.timedelta(days=1),
                label=period_label(first, period),
                amount=amount,
                orders=count,
                prior_amount=prior_amount,
                growth=growth(amount, prior_amount),
            )
        )
    total = sum((r.amount for r in rows), ZERO)
    prior_total = sum((r.prior_amount for r in rows), ZERO)
    return {
        "period": period,
        "start": starts[0] if starts else start,
        "end": rows[-1].end if rows else end,
        "salesperson": person,
        "rows": rows,
        "cells": cells,  # per period and salesperson, for the stacked chart
        "totals": {
            "amount": total,
            "orders": sum(r.orders for r in rows),
            "prior_amount": prior_total,
            "growth": growth(total, prior_total),
        },
    }


def month_total(*, month: dt.date, salesperson: int | None = None) -> tuple[Decimal, int]:
    """Booked sales and order count of one calendar month from the summary."""
    row = (
        _monthly(salesperson)
        .filter(month=month_start(month))
        .aggregate(fen=Sum("amount_fen"), n=Sum("orders"))
    )
    return fen_to_yuan(row["fen"]), int(row["n"] or 0)


# --- breakdowns -----------------------------------------------------------------------------

_CHOICE_LABELS = {
    "region": dict(Province.choices),
    "industry": dict(Industry.choices),
    "customer_type": dict(CustomerType.choices),
}
_CUSTOMER_FIELD = {"region": "province", "industry": "industry", "customer_type": "type"}


@dataclass(frozen=True)
class BreakdownRow:
    key: object
    label: str
    amount: Decimal
    orders: int
    share: Decimal | None
    is_key: bool = False
    code: str = ""


def _grouped(dimension: str, source, on_lines: bool):
    """`source` (booked orders or their lines) grouped by the dimension: key, fen, n, labels.
    Not evaluated, so the caller may order and cut it in the database."""
    order = "order__" if on_lines else ""
    amount = "amount" if on_lines else "total_amount"
    count = Count("order_id", distinct=True) if on_lines else Count("id")
    if dimension == "product":
        key, labels = "product_id", {"label": Max("product__name"), "code": Max("product__code")}
    elif dimension == "customer":
        key = f"{order}customer_id"
        labels = {
            "label": Max(f"{order}customer__name"),
            "code": Max(f"{order}customer__code"),
            "tier": Max(f"{order}customer__tier"),
        }
    elif dimension == "salesperson":
        key = f"{order}salesperson_id"
        labels = {
            "label": Max(f"{order}salesperson__display_name"),
            "code": Max(f"{order}salesperson__username"),
        }
    else:
        key, labels = f"{order}customer__{_CUSTOMER_FIELD[dimension]}", {}
    return source.values(key=F(key)).annotate(fen=fen_sum(amount), n=count, **labels).order_by()


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


# Dimensions with many groups: the page's top rows are ordered and cut by the database.
_MANY = ("customer", "product")


def _name_rows(dimension: str, rows: list[dict]) -> None:
    """Add label, code (and tier) to the grouped rows of customers or products, one query."""
    keys = [r["key"] for r in rows]
    if dimension == "customer":
        names = {
            c["pk"]: c
            for c in Customer.objects.filter(pk__in=keys).values("pk", "name", "code", "tier")
        }
        for r in rows:
            c = names.get(r["key"], {})
            r.update(label=c.get("name"), code=c.get("code"), tier=c.get("tier"))
    else:
        names = {
            p["pk"]: p for p in Product.objects.filter(pk__in=keys).values("pk", "name", "code")
        }
        for r in rows:
            p = names.get(r["key"], {})
            r.update(label=p.get("name"), code=p.get("code"))


def sales_breakdown(
    *,
    user,
    dimension: str,
    start: dt.date,
    end: dt.date,
    salesperson=None,
    new_products: bool = False,
    limit: int | None = None,
) -> dict:
    """Booked sales in [start, end] by customer, product, region, industry, customer type or
    salesperson, largest first, each with its share of the total. With `new_products`, only
    the order lines of new products count (R-8.5). `limit` keeps the top rows and sums the rest
    into `others`; the totals are always of every row."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {list(DIMENSIONS)}")
    person = figures_person(user, salesperson)
    on_lines = dimension == "product" or new_products
    if on_lines:
        source = OrderLine.objects.filter(
            order__state__in=BOOKED_STATES, order__order_date__gte=start, order__order_date__lte=end
        )
        if person is not None:
            source = source.filter(order__salesperson_id=person)
        if new_products:
            source = source.filter(product__is_new=True)
        total_query = "lines"
    else:
        source = booked_orders(person).filter(order_date__gte=start, order_date__lte=end)
        total_query = None
    if limit is not None and dimension in _MANY:
        grouped = None  # grouped on the key alone below
    elif dimension == "salesperson" and not on_lines and _whole_months(start, end):
        # Whole months per salesperson are what the monthly summary holds: no order rows read.
        grouped = (
            _monthly(person)
            .filter(month__gte=start, month__lte=end)
            .values(key=F("salesperson_id"))
            .annotate(
                fen=Sum("amount_fen"),
                n=Sum("orders"),
                label=Max("salesperson__display_name"),
                code=Max("salesperson__username"),
            )
            .filter(Q(fen__gt=0) | Q(n__gt=0))
            .order_by()
        )
    else:
        grouped = _grouped(dimension, source, on_lines)
    if limit is not None and dimension in _MANY:
        # Group on the key alone, cut to the top rows, then name those rows: the join to the
        # names and the totals never run over every group.
        key = (
            "product_id"
            if dimension == "product"
            else f"{'order__' if on_lines else ''}customer_id"
        )
        amount = "amount" if on_lines else "total_amount"
        count = Count("order_id", distinct=True) if on_lines else Count("id")
        raw = list(
            source.values(key=F(key))
            .annotate(fen=fen_sum(amount), n=count)
            .order_by("-fen", "key")[:limit]
        )
        totals = source.aggregate(fen=fen_sum(amount), n=count, groups=Count(key, distinct=True))
        groups = totals["groups"]
        _name_rows(dimension, raw)
    else:
        raw = list(grouped)
        if total_query == "lines":  # an order spans products: count its orders once
            totals = source.aggregate(fen=fen_sum("amount"), n=Count("order_id", distinct=True))
        else:
            totals = {
                "fen": sum(int(r["fen"]) for r in raw),
                "n": sum(int(r["n"]) for r in raw),
            }
        groups = len(raw)
    total = fen_to_yuan(totals["fen"])
    labels = _CHOICE_LABELS.get(dimension)
    rows = []
    for r in sorted(raw, key=lambda r: (-int(r["fen"]), str(r.get("label") or r["key"] or ""))):
        if labels is not None:
            label = str(labels.get(r["key"], r["key"])) if r["key"] else str(_("Not set"))
        else:
            label = r.get("label") or r.get("code") or str(_("Not set"))
        amount = fen_to_yuan(r["fen"])
        rows.append(
            BreakdownRow(
                key=r["key"],
                label=str(label),
                amount=amount,
                orders=int(r["n"]),
                share=percent(amount, total),
                is_key=r.get("tier") == Tier.KEY,
                code=r.get("code") or "",
            )
        )
    others = None
    if limit is not None and groups > limit:
        rows = rows[:limit]
        amount = total - sum((r.amount for r in rows), ZERO)
        others = {"count": groups - limit, "amount": amount, "share": percent(amount, total)}
    return {
        "dimension": dimension,
        "start": start,
        "end": end,
        "salesperson": person,
        "new_products": new_products,
        "rows": rows,
        "others": others,
        "totals": {"amount": total, "orders": int(totals["n"] or 0)},
    }


# --- ranking (R-8.3) --------------------------------------------------------------------------


@dataclass
class RankingRow:
    rank: int
    salesperson_id: int
    name: str
    amount: Decimal | None
    target: Decimal | None
    share_of_target: Decimal | None
    new_customers: int
    followups: int
    collection_rate: Decimal | None
    is_me: bool


def _targets(start: dt.date, end: dt.date) -> dict[int | None, Decimal]:
    """Target of each person (and None: the department) for the whole months in [start, end]:
    monthly targets where set, else the annual target spread evenly over its months."""
    months = period_starts(start, end, "month")
    years = {m.year for m in months}
    rows = list(SalesTarget.objects.filter(year__in=years))
    monthly = {(t.salesperson_id, t.year, t.month): t.amount for t in rows if t.month}
    annual = {(t.salesperson_id, t.year): t.amount for t in rows if not t.month}
    people = {t.salesperson_id for t in rows}
    out: dict[int | None, Decimal] = {}
    for person in people:
        total, found = ZERO, False
        for m in months:
            if (person, m.year, m.month) in monthly:
                total += monthly[(person, m.year, m.month)]
                found = True
            elif (person, m.year) in annual:
                total += (annual[(person, m.year)] / 12).quantize(Decimal("0.01"))
                found = True
        if found:
            out[person] = total
    return out


def ranking(*, user, start: dt.date, end: dt.date) -> dict:
    """Every active salesperson's booked sales, target, share of target, new customers,
    follow-ups and collection rate in [start, end], ranked by sales. The whole team sees the
    ranking; amounts are shown per roles.sees_ranking_amounts (own row always)."""
    if not roles.reads_reports(user):
        raise PermissionError("reports")
    show_amounts = roles.sees_ranking_amounts(user)
    people = list(salesperson_list())
    sales = {
        r["salesperson_id"]: int(r["fen"])
        for r in Order.objects.filter(
            state__in=BOOKED_STATES, order_date__gte=start, order_date__lte=end
        )
        .values("salesperson_id")
        .annotate(fen=fen_sum("total_amount"))
        .order_by()
    }
    targets = _targets(start, end)
    # Activity and collection are counted over everyone's customers: the ranking is the team's.
    activity = activity_by_person(user=user, start=start, end=end, whole_team=True)
    collection = {
        r["key"]: r["rate"]
        for r in collection_rate(
            user=user, start=start, end=end, by="salesperson", whole_team=True
        )["rows"]
    }
    ordered = sorted(people, key=lambda p: (-sales.get(p.pk, 0), p.display_name or p.username))
    rows = []
    for i, person in enumerate(ordered, start=1):
        amount = fen_to_yuan(sales.get(person.pk, 0))
        target = targets.get(person.pk)
        mine = person.pk == user.pk
        visible = show_amounts or mine
        rows.append(
            RankingRow(
                rank=i,
                salesperson_id=person.pk,
                name=person.display_name or person.username,
                amount=amount if visible else None,
                target=target if visible else None,
                share_of_target=percent(amount, target) if target else None,
                new_customers=activity.get(person.pk, {}).get("new_customers", 0),
                followups=activity.get(person.pk, {}).get("followups", 0),
                collection_rate=collection.get(person.pk),
                is_me=mine,
            )
        )
    team_fen = sum(sales.values())
    team = fen_to_yuan(team_fen)
    dept_target = targets.get(None)
    return {
        "start": start,
        "end": end,
        "rows": rows,
        "show_amounts": show_amounts,
        "totals": {
            "amount": team if show_amounts else None,
            "target": dept_target if show_amounts else None,
            "share_of_target": percent(team, dept_target) if dept_target else None,
        },
    }


def period_people_stacks(report: dict, *, top: int = 5) -> list[tuple[str, list[Decimal]]]:
    """For a team report: each period's sales split by the `top` salespeople of the range and
    the rest, as (name, amounts per period) for a stacked chart (from the report's own cells)."""
    rows = report["rows"]
    if not rows:
        return []
    cells = {(person, start): fen for (start, person), (fen, _n) in report["cells"].items()}
    per_person: dict[int, int] = {}
    for (person, _start), fen in cells.items():
        per_person[person] = per_person.get(person, 0) + fen
    leaders = sorted(per_person, key=lambda p: -per_person[p])[:top]
    names = {u.pk: u.display_name or u.username for u in User.objects.filter(pk__in=leaders)}
    stacks = [
        (names.get(p, str(p)), [fen_to_yuan(cells.get((p, r.start), 0)) for r in rows])
        for p in leaders
    ]
    rest = [
        fen_to_yuan(
            sum(fen for (p, start), fen in cells.items() if start == r.start and p not in leaders)
        )
        for r in rows
    ]
    if any(rest):
        stacks.append((str(_("Others")), rest))
    return stacks
