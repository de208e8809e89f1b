"""The director's monthly pack (月报, R-8.6): one month's sales against last year, targets and
progress, the salesperson ranking, new customers, collection, overdue receivables and the top
issues, on one page and in one PDF drawn from the same figures.

Every figure comes from the report selectors the other pages use (sales_by_period, ranking,
target_progress, collection_rate, receivables_aging, …), so the pack agrees with them;
`salesdesk check-figures` proves it. Scoped like them: a salesperson's pack holds their own
figures (the ranking is the team's, amounts per roles.sees_ranking_amounts); the team roles
see the department. Charts are inline SVG (selectors/svg.py), the same on the page and in the
PDF. Amounts on and before the month's last day; receivables as they stood on that day (today
for the current month); the issues (orders at risk, broken promises, open disputes) as they
stand today.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast, Round
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesdesk.core.excel import Sheet
from salesdesk.core.money import fen_to_yuan
from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors.reviews import new_customer_table
from salesdesk.finance.selectors.disputes import dispute_list, dispute_totals
from salesdesk.finance.selectors.reports import (
    AGING_DEFINITION,
    BUCKET_KEYS,
    BUCKETS,
    OVERDUE_KEYS,
    bucket_of,
    collection_rate,
    open_items,
)
from salesdesk.orders.selectors.orders import order_list
from salesdesk.orders.selectors.promises import promise_worklist

from .exports import period_sheet, ranking_sheet
from .sales import SALES_DEFINITION, add_months, figures_person, ranking, sales_by_period
from .svg import Series, bar_list_chart, column_chart, short_amount
from .targets import target_progress

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2000
TOP_ROWS = 10  # new customers and overdue customers listed in the pack
TOP_ISSUES = 5  # overdue customers and disputes among the top issues


def parse_month(text: str) -> dt.date | None:
    """'2026-10' → 2026-10-01; None for anything else."""
    match = MONTH_RE.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < FIRST_YEAR:
        return None
    return dt.date(year, month, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def previous_month(today: dt.date) -> dt.date:
    return add_months(today.replace(day=1), -1)


def month_label(month: dt.date) -> str:
    """A chart's month: 一月 … 十二月, Jan … Dec."""
    return dateformat.format(month, "M")


def pack_as_of(month: dt.date, today: dt.date) -> dt.date:
    """The day the pack's receivables are read on: the month's last day, or today while the
    month runs."""
    return min(month_end(month), today)


def _orders_url(**query) -> str:
    return f"{reverse('orders:list')}?{urlencode(query)}"


def _sales(user, month: dt.date) -> dict:
    trend = sales_by_period(user=user, period="month", start=month.replace(month=1), end=month)
    this = trend["rows"][-1]
    return {
        "trend": trend,
        "month": this.amount,
        "month_orders": this.orders,
        "month_prior": this.prior_amount,
        "month_growth": this.growth,
        "ytd": trend["totals"]["amount"],
        "ytd_orders": trend["totals"]["orders"],
        "ytd_prior": trend["totals"]["prior_amount"],
        "ytd_growth": trend["totals"]["growth"],
        "chart": column_chart(
            categories=[month_label(r.start) for r in trend["rows"]],
            series=[
                Series(str(_("Sales")), [r.amount for r in trend["rows"]]),
                Series(
                    str(_("Same period last year")),
                    [r.prior_amount for r in trend["rows"]],
                    kind="line",
                ),
            ],
            label=str(_("Sales by month this year, with the same month last year")),
            css_class="sd-chart-sales",
        ),
    }


def _ranking(user, month: dt.date, end: dt.date) -> dict:
    report = ranking(user=user, start=month, end=end)
    rows = report["rows"]
    if report["show_amounts"]:
        chart = bar_list_chart(
            labels=[r.name for r in rows],
            values=[r.amount for r in rows],
            texts=[short_amount(r.amount) for r in rows],
            label=str(_("Sales by salesperson")),
            css_class="sd-chart-ranking",
        )
    else:
        chart = bar_list_chart(
            labels=[r.name for r in rows],
            values=[r.share_of_target for r in rows],
            texts=[f"{r.share_of_target}%" if r.share_of_target is not None else "—" for r in rows],
            label=str(_("Share of target by salesperson")),
            css_class="sd-chart-ranking",
        )
    return {**report, "chart": chart}


def _collection(user, month: dt.date, end: dt.date) -> dict:
    """The month's collection rate, in total and per salesperson (the month only: a year of
    allocations is too many rows to read for one page at ten years of data)."""
    report = collection_rate(user=user, start=month, end=end, by="salesperson")
    people = sorted(report["rows"], key=lambda r: (-r["due"], str(r["label"])))[:TOP_ROWS]
    return {
        "month": report["totals"],
        "rows": report["rows"],
        "definition": report["definition"],
        "chart": column_chart(
            categories=[str(r["label"]) for r in people],
            series=[
                Series(str(_("Due")), [r["due"] for r in people]),
                Series(str(_("Collected")), [r["collected"] for r in people]),
            ],
            label=str(_("Collection by salesperson: due and collected")),
            css_class="sd-chart-collection",
        ),
    }


def _aging(user, as_of: dt.date) -> dict:
    """Open receivables on `as_of` in the aging buckets and the customers owing the most
    overdue. One pass over the open items as finance's aging reads them (open_items: the
    stored open amounts today, the allocation rows for a past day), each item's open amount
    in exact fen; the buckets are added up here, so the rows are read once."""
    qs, _open_sum = open_items(user=user, as_of=as_of)
    if as_of == timezone.localdate():  # open_items' fast path: stored amounts, in yuan
        fen = Cast(Round((F("amount") - F("allocated_amount")) * 100), BigIntegerField())
    else:
        fen = F("open_fen")
    sums = dict.fromkeys(BUCKET_KEYS, 0)
    late: dict[int, list[int]] = {}  # customer → [overdue fen, over 90 days fen]
    customers = set()
    for customer_id, due_date, owed in qs.values_list("customer_id", "due_date", fen):
        if not owed:
            continue
        key = bucket_of((as_of - due_date).days)
        sums[key] += owed
        customers.add(customer_id)
        if key != "not_due":
            slot = late.setdefault(customer_id, [0, 0])
            slot[0] += owed
            slot[1] += owed if key == "d90_plus" else 0
    totals = {key: fen_to_yuan(value) for key, value in sums.items()}
    totals["total"] = fen_to_yuan(sum(sums.values()))
    totals["overdue"] = fen_to_yuan(sum(sums[k] for k in OVERDUE_KEYS))
    top = sorted(late.items(), key=lambda item: (-item[1][0], item[0]))[:TOP_ROWS]
    names = Customer.objects.in_bulk([customer_id for customer_id, _fen in top])
    buckets = [(key, str(label), totals[key]) for key, label in BUCKETS]
    return {
        "as_of": as_of,
        "totals": totals,
        "buckets": buckets,
        "customers": len(customers),
        "overdue_customers": len(late),
        "top": [
            {
                "id": customer_id,
                "name": names[customer_id].name,
                "code": names[customer_id].code,
                "is_key": names[customer_id].tier == Tier.KEY,
                "overdue": fen_to_yuan(overdue),
                "d90_plus": fen_to_yuan(old),
            }
            for customer_id, (overdue, old) in top
        ],
        "definition": AGING_DEFINITION,
        "chart": bar_list_chart(
            labels=[label for _key, label, _amount in buckets],
            values=[amount for _key, _label, amount in buckets],
            texts=[short_amount(amount) for _key, _label, amount in buckets],
            label=str(_("Open receivables by days overdue")),
            color="#d9534f",
            css_class="sd-chart-aging",
        ),
        "url": f"{reverse('finance:aging')}?{urlencode({'as_of': as_of.isoformat()})}",
    }


def _new_customers(user, month: dt.date, end: dt.date) -> dict:
    qs = new_customer_table(user=user, start=month, end=end)
    # "all": lazy, read only by the Excel export (the page and PDF list the first rows).
    return {"count": qs.count(), "rows": list(qs[:TOP_ROWS]), "all": qs}


def _issues(user, today: dt.date, aging: dict) -> dict:
    disputes = dispute_list(user=user, status="active")
    return {
        "today": today,
        "at_risk": order_list(user=user, at_risk=True, as_of=today).count(),
        "at_risk_url": _orders_url(at_risk="1"),
        "broken": promise_worklist(user=user)["broken"].count(),
        "broken_url": reverse("orders:promises"),
        "disputes": dispute_totals(disputes),
        "dispute_rows": list(disputes.order_by("-amount", "opened_on", "id")[:TOP_ISSUES]),
        "disputes_url": reverse("finance:disputes"),
        "overdue": aging["top"][:TOP_ISSUES],
    }


def monthly_pack(*, user, month: dt.date, today: dt.date | None = None) -> dict:
    """Everything the monthly pack of `month` shows to `user` (see the module docstring).
    Raises PermissionError for a role without reports, ValueError for a month not yet begun."""
    person = figures_person(user)
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today:
        raise ValueError("month")
    end = month_end(month)
    as_of = pack_as_of(month, today)
    sales = _sales(user, month)
    aging = _aging(user, as_of)
    return {
        "month": month,
        "end": end,
        "as_of": as_of,
        "today": today,
        "complete": end < today,
        "person": person,
        "user": user,
        "definition": SALES_DEFINITION,
        "sales": sales,
        "targets": target_progress(user, month.year, as_of),
        "ranking": _ranking(user, month, end),
        "new_customers": _new_customers(user, month, end),
        "collection": _collection(user, month, end),
        "aging": aging,
        "issues": _issues(user, today, aging),
        "sales_url": f"{reverse('reports:sales')}?"
        + urlencode(
            {"period": "month", "date_from": month.replace(month=1).isoformat(), "date_to": end}
        ),
        "month_orders_url": _orders_url(
            booked="1", date_from=month.isoformat(), date_to=end.isoformat()
        ),
    }


def pack_figures(pack: dict) -> dict[str, Decimal]:
    """The pack's headline figures by name, for `salesdesk check-figures`."""
    return {
        "month_sales": pack["sales"]["month"],
        "ytd_sales": pack["sales"]["ytd"],
        "month_prior": pack["sales"]["month_prior"],
        "ranking_total": sum(
            (r.amount for r in pack["ranking"]["rows"] if r.amount is not None), Decimal("0.00")
        ),
        "target_month_booked": pack["targets"].department.booked_month,
        "target_ytd_booked": pack["targets"].department.booked_year,
        "collection_due": pack["collection"]["month"]["due"],
        "collection_collected": pack["collection"]["month"]["collected"],
        "aging_total": pack["aging"]["totals"]["total"],
        "aging_overdue": pack["aging"]["totals"]["overdue"],
    }


# --- Excel ----------------------------------------------------------------------------------


def _pct(value) -> float | None:
    return float(value) if value is not None else None


def pack_sheets(pack: dict) -> list[Sheet]:
    """The pack as a workbook: the headline figures, then each table behind them."""
    sales, coll, aging, issues = pack["sales"], pack["collection"], pack["aging"], pack["issues"]
    dept = pack["targets"].department
    summary = [
        [_("Sales this month"), sales["month"]],
        [_("Orders this month"), sales["month_orders"]],
        [_("Same month last year"), sales["month_prior"]],
        [_("Year over year %"), _pct(sales["month_growth"])],
        [_("Sales year to date"), sales["ytd"]],
        [_("Year to date last year"), sales["ytd_prior"]],
        [_("Year to date, year over year %"), _pct(sales["ytd_growth"])],
        [_("Annual target"), dept.target_year],
        [_("Share of annual target %"), _pct(dept.share)],
        [_("Monthly target"), dept.target_month],
        [_("Share of monthly target %"), _pct(dept.month_share)],
        [pgettext("count", "New customers"), pack["new_customers"]["count"]],
        [_("Due this month"), coll["month"]["due"]],
        [_("Collected"), coll["month"]["collected"]],
        [_("Collection rate %"), _pct(coll["month"]["rate"])],
        [_("Open receivables"), aging["totals"]["total"]],
        [_("Overdue"), aging["totals"]["overdue"]],
        [_("Orders at risk"), issues["at_risk"]],
        [_("Broken promises"), issues["broken"]],
        [_("Open headquarters disputes"), issues["disputes"]["count"]],
        [_("Amount in dispute"), issues["disputes"]["amount"]],
    ]
    targets = Sheet(
        title=str(_("Targets")),
        headers=[
            _("Salesperson"),
            _("Annual target"),
            _("Booked this year"),
            _("Share of annual target %"),
            _("Monthly target"),
            _("Booked this month"),
            _("Share of monthly target %"),
        ],
        rows=[
            [
                str(r.name),
                r.target_year,
                r.booked_year,
                _pct(r.share),
                r.target_month,
                r.booked_month,
                _pct(r.month_share),
            ]
            for r in pack["targets"].rows
        ],
        widths=[16, 16, 16, 14, 16, 16, 14],
    )
    collection = Sheet(
        title=str(_("Collection")),
        headers=[_("Salesperson"), _("Due"), _("Collected"), _("Collection rate %")],
        rows=[
            *([r["label"], r["due"], r["collected"], _pct(r["rate"])] for r in coll["rows"]),
            [
                _("Total"),
                coll["month"]["due"],
                coll["month"]["collected"],
                _pct(coll["month"]["rate"]),
            ],
        ],
        widths=[16, 16, 16, 14],
    )
    overdue = Sheet(
        title=str(_("Overdue")),
        headers=[_("Customer code"), _("Customer"), _("Open"), _("Overdue")],
        rows=[
            *([label, "", amount, ""] for _key, label, amount in aging["buckets"]),
            [_("Total"), "", aging["totals"]["total"], aging["totals"]["overdue"]],
            *([r["code"], r["name"], "", r["overdue"]] for r in aging["top"]),
        ],
        widths=[16, 30, 16, 16],
    )
    new = Sheet(
        title=str(_("New customers")),
        headers=[_("Customer code"), _("Customer"), _("Owner"), _("Source"), _("Created")],
        rows=[
            [
                c.code,
                c.name,
                str(c.owner) if c.owner_id else "",
                c.get_source_display(),
                c.created_at,
            ]
            for c in pack["new_customers"]["all"]
        ],
        widths=[16, 30, 14, 14, 18],
    )
    return [
        Sheet(
            title=str(_("Monthly pack %(month)s") % {"month": f"{pack['month']:%Y-%m}"}),
            headers=[_("Figure"), _("Value")],
            rows=summary,
            widths=[30, 18],
        ),
        period_sheet(sales["trend"]),
        ranking_sheet(pack["ranking"]),
        targets,
        collection,
        overdue,
        new,
    ]
