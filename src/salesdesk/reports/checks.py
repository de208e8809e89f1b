"""The figure check (R-8.7, `salesdesk check-figures`): every report's totals recomputed from
the raw rows, and every place that shows the same figure compared with the others.

For the month checked (by default the current one) it compares:
- the monthly sales summary with the booked order rows (orders.monthly_sales_drift; every
  month when no month is given);
- booked sales by raw SQL over the orders (and over their lines) with the sales page's
  period total, each breakdown's total (customer, product, region, industry, customer type,
  salesperson), the ranking's sum, the Excel export's cells, the monthly pack's figures and its
  workbook, the targets' progress, and each salesperson's own figures added up;
- the year to date and the same month last year the same way;
- open receivables by raw SQL over receivables and payment allocations with the aging
  report (by customer and by salesperson; stored open amounts and history path), on the
  month's last day (today while it runs), and the overdue part;
- the collection rate by raw SQL with the collection report by month, customer and
  salesperson.
Everything is read as a team reader (the director's view): figures of the whole department.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone
from python_calamine import CalamineWorkbook

from salesdesk.accounts import roles
from salesdesk.accounts.selectors import salesperson_list
from salesdesk.core.excel import write_xlsx
from salesdesk.finance.models import Allocation, Payment, Receivable
from salesdesk.finance.selectors.reports import collection_rate, collection_rate_of
from salesdesk.finance.selectors.reports import receivables_aging as aging_report
from salesdesk.orders.choices import BOOKED_STATES
from salesdesk.orders.models import Order, OrderLine
from salesdesk.orders.selectors.sales import monthly_sales_drift

from .selectors import exports
from .selectors.pack import month_end, monthly_pack, pack_as_of, pack_figures, pack_sheets
from .selectors.pages import sales_context
from .selectors.sales import DIMENSIONS, sales_by_period

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Disagreement:
    what: str
    left: str
    left_value: object
    right: str
    right_value: object

    def __str__(self) -> str:
        return f"{self.what}: {self.left} = {self.left_value}, {self.right} = {self.right_value}"


@dataclass
class Result:
    month: dt.date
    checked: int = 0
    disagreements: list[Disagreement] | None = None

    def __post_init__(self):
        self.disagreements = self.disagreements or []

    @property
    def ok(self) -> bool:
        return not self.disagreements

    def same(self, what: str, left: str, left_value, right: str, right_value) -> None:
        self.checked += 1
        if left_value != right_value:
            self.disagreements.append(Disagreement(what, left, left_value, right, right_value))


class TeamReader:
    """Reads every report as the director does (the whole department, amounts shown)."""

    is_authenticated = True
    is_active = True
    pk = None
    username = display_name = "check-figures"

    def __init__(self):
        shown = settings.RANKING_AMOUNT_ROLES
        team = [r for r in roles.Role if r in roles.SEES_TEAM_FIGURES and r in shown]
        self.role = roles.Role.DIRECTOR if roles.Role.DIRECTOR in team or not team else team[0]

    def __str__(self) -> str:
        return self.username


# --- raw SQL ----------------------------------------------------------------------------------


def _fen(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)


def raw_booked(start: dt.date, end: dt.date) -> tuple[Decimal, int]:
    """Booked sales and order count in [start, end] by SQL over the order table."""
    states = ", ".join(["%s"] * len(BOOKED_STATES))
    fen, count = _one(
        f"SELECT COALESCE(SUM({_fen('total_amount')}), 0), COUNT(*) "
        f"FROM {Order._meta.db_table} WHERE state IN ({states}) "
        "AND order_date >= %s AND order_date <= %s",
        [*BOOKED_STATES, start, end],
    )
    return _yuan(fen), int(count)


def raw_booked_lines(start: dt.date, end: dt.date) -> Decimal:
    """Booked sales in [start, end] by SQL over the order lines."""
    states = ", ".join(["%s"] * len(BOOKED_STATES))
    (fen,) = _one(
        f"SELECT COALESCE(SUM({_fen('l.amount')}), 0) FROM {OrderLine._meta.db_table} l "
        f"JOIN {Order._meta.db_table} o ON o.id = l.order_id WHERE o.state IN ({states}) "
        "AND o.order_date >= %s AND o.order_date <= %s",
        [*BOOKED_STATES, start, end],
    )
    return _yuan(fen)


def raw_open(as_of: dt.date) -> tuple[Decimal, Decimal]:
    """Open and overdue receivables on `as_of` from the receivable and allocation rows: what
    was issued by then less what payments received by then paid towards it."""
    r, a, p = Receivable._meta.db_table, Allocation._meta.db_table, Payment._meta.db_table
    open_fen, overdue_fen = _one(
        f"SELECT COALESCE(SUM(open_fen), 0), "
        f"COALESCE(SUM(CASE WHEN due_date < %s THEN open_fen ELSE 0 END), 0) FROM ("
        f"SELECT r.due_date, {_fen('r.amount')} - COALESCE(("
        f"SELECT SUM({_fen('a.amount')}) FROM {a} a JOIN {p} p ON p.id = a.payment_id "
        "WHERE a.receivable_id = r.id AND p.received_on <= %s), 0) AS open_fen "
        f"FROM {r} r WHERE r.issued_on <= %s) AS items",
        [as_of, as_of, as_of],
    )
    return _yuan(open_fen), _yuan(overdue_fen)


def raw_collection(start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    """Due and collected of the receivables due in [start, end] (collected: paid by payments
    received on or before `end`)."""
    r, a, p = Receivable._meta.db_table, Allocation._meta.db_table, Payment._meta.db_table
    (due,) = _one(
        f"SELECT COALESCE(SUM({_fen('amount')}), 0) FROM {r} WHERE due_date >= %s AND due_date <= %s",
        [start, end],
    )
    (collected,) = _one(
        f"SELECT COALESCE(SUM({_fen('a.amount')}), 0) FROM {a} a "
        f"JOIN {r} r ON r.id = a.receivable_id JOIN {p} p ON p.id = a.payment_id "
        "WHERE r.due_date >= %s AND r.due_date <= %s AND p.received_on <= %s",
        [start, end, end],
    )
    return _yuan(due), _yuan(collected)


# --- the checks -------------------------------------------------------------------------------


def _sheet_cell(sheets, title: str, row_label: str, header: str):
    """A cell of an exported workbook, read back from the .xlsx bytes."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(write_xlsx(sheets)))
    rows = book.get_sheet_by_name(title[:31]).to_python()
    column = [str(h) for h in rows[0]].index(str(header))
    for row in rows[1:]:
        if str(row[0]) == str(row_label):
            value = row[column]
            return Decimal(str(value)).quantize(CENT) if value not in ("", None) else None
    return None


def _check_summary(result: Result, month: dt.date | None) -> None:
    for drift in monthly_sales_drift(month):
        result.disagreements.append(
            Disagreement(
                f"monthly sales summary {drift.month:%Y-%m}, salesperson #{drift.salesperson_id}",
                "summary (orders_monthlysales)",
                f"{_yuan(drift.summary_fen)} / {drift.summary_orders} orders",
                "booked order rows",
                f"{_yuan(drift.rows_fen)} / {drift.rows_orders} orders",
            )
        )
    result.checked += 1


def _check_sales(result: Result, reader, month: dt.date, end: dt.date) -> None:
    from django.utils.translation import gettext as _

    label = f"{month:%Y-%m}"
    raw, raw_orders = raw_booked(month, end)
    result.same(
        f"booked sales {label}",
        "SQL over orders",
        raw,
        "SQL over order lines",
        raw_booked_lines(month, end),
    )
    params = {"period": "month", "start": month, "end": end, "salesperson": None}
    for dimension in DIMENSIONS:
        page = sales_context(reader, {**params, "by": dimension})
        trend, breakdown = page["trend"], page["breakdown"]
        if dimension == "customer":
            result.same(
                f"booked sales {label}",
                "SQL over orders",
                raw,
                "sales page (month total)",
                trend["totals"]["amount"],
            )
            result.same(
                f"orders {label}",
                "SQL over orders",
                raw_orders,
                "sales page (month total)",
                trend["totals"]["orders"],
            )
            sheets = [exports.period_sheet(trend)]
            result.same(
                f"booked sales {label}",
                "SQL over orders",
                raw,
                "sales Excel export (total row)",
                _sheet_cell(sheets, sheets[0].title, _("Total"), _("Sales")),
            )
        result.same(
            f"booked sales {label}",
            "SQL over orders",
            raw,
            f"sales page by {dimension} (total)",
            breakdown["totals"]["amount"],
        )
        result.same(
            f"orders {label}",
            "SQL over orders",
            raw_orders,
            f"sales page by {dimension} (total)",
            breakdown["totals"]["orders"],
        )
        sheet = exports.breakdown_sheet(breakdown, page["dimension_label"])
        result.same(
            f"booked sales {label}",
            "SQL over orders",
            raw,
            f"Excel export by {dimension} (total row)",
            _sheet_cell([sheet], sheet.title, _("Total"), _("Sales")),
        )
    people = Decimal("0.00")
    for person in salesperson_list():
        mine = sales_by_period(
            user=reader, period="month", start=month, end=end, salesperson=person
        )
        people += mine["totals"]["amount"]
        if person.role == roles.Role.SALESPERSON and person.is_active:
            own = sales_by_period(user=person, period="month", start=month, end=end)
            result.same(
                f"booked sales {label} of {person.username}",
                "the team's view of the person",
                mine["totals"]["amount"],
                "the person's own view",
                own["totals"]["amount"],
            )
    states = Order.objects.filter(
        state__in=BOOKED_STATES, order_date__gte=month, order_date__lte=end
    )
    others = states.exclude(salesperson__in=salesperson_list()).exists()
    if not others:
        result.same(
            f"booked sales {label}",
            "SQL over orders",
            raw,
            "the salespeople's figures added up",
            people,
        )


def _check_pack(result: Result, reader, month: dt.date, end: dt.date, today: dt.date) -> None:
    from django.utils.translation import gettext as _

    label = f"{month:%Y-%m}"
    pack = monthly_pack(user=reader, month=month, today=today)
    figures = pack_figures(pack)
    raw, _orders = raw_booked(month, end)
    ytd, _n = raw_booked(month.replace(month=1), end)
    prior_start = month.replace(year=month.year - 1)
    prior, _n = raw_booked(prior_start, month_end(prior_start))
    result.same(
        f"booked sales {label}", "SQL over orders", raw, "monthly pack", figures["month_sales"]
    )
    result.same(
        f"booked sales {label}",
        "SQL over orders",
        raw,
        "monthly pack targets",
        figures["target_month_booked"],
    )
    if pack["ranking"]["show_amounts"]:
        result.same(
            f"booked sales {label}",
            "SQL over orders",
            raw,
            "ranking (sum of rows)",
            figures["ranking_total"],
        )
        result.same(
            f"booked sales {label}",
            "SQL over orders",
            raw,
            "ranking (department)",
            pack["ranking"]["totals"]["amount"],
        )
    result.same(
        f"booked sales {label}",
        "SQL over orders",
        raw,
        "monthly pack Excel",
        _sheet_cell(
            pack_sheets(pack)[:1], pack_sheets(pack)[0].title, _("Sales this month"), _("Value")
        ),
    )
    result.same(
        f"booked sales {month.year} to {label}",
        "SQL over orders",
        ytd,
        "monthly pack (year to date)",
        figures["ytd_sales"],
    )
    result.same(
        f"booked sales {month.year} to {label}",
        "SQL over orders",
        ytd,
        "monthly pack targets (year to date)",
        figures["target_ytd_booked"],
    )
    result.same(
        f"booked sales {prior_start:%Y-%m}",
        "SQL over orders",
        prior,
        "monthly pack (same month last year)",
        figures["month_prior"],
    )
    due, collected = raw_collection(month, end)
    result.same(
        f"collection due {label}",
        "SQL over receivables",
        due,
        "monthly pack",
        figures["collection_due"],
    )
    result.same(
        f"collected {label}",
        "SQL over allocations",
        collected,
        "monthly pack",
        figures["collection_collected"],
    )
    as_of = pack["as_of"]
    open_, overdue = raw_open(as_of)
    result.same(
        f"open receivables on {as_of}",
        "SQL over receivables and allocations",
        open_,
        "monthly pack",
        figures["aging_total"],
    )
    result.same(
        f"overdue receivables on {as_of}",
        "SQL over receivables and allocations",
        overdue,
        "monthly pack",
        figures["aging_overdue"],
    )


def _check_aging(result: Result, reader, as_of: dt.date) -> None:
    open_, overdue = raw_open(as_of)
    reports = {
        "aging by customer": aging_report(user=reader, as_of=as_of, by="customer"),
        "aging by salesperson": aging_report(user=reader, as_of=as_of, by="salesperson"),
        "aging by customer (history path)": aging_report(
            user=reader, as_of=as_of, by="customer", history=True
        ),
    }
    for name, report in reports.items():
        result.same(
            f"open receivables on {as_of}",
            "SQL over receivables and allocations",
            open_,
            name,
            report["totals"]["total"],
        )
        result.same(
            f"overdue receivables on {as_of}",
            "SQL over receivables and allocations",
            overdue,
            name,
            report["totals"]["overdue"],
        )
    rows = reports["aging by customer"]["rows"]
    if len(rows) <= 20000:  # the row-by-row sum reads every customer row
        added = sum((r["total"] for r in rows), Decimal("0.00"))
        result.same(
            f"open receivables on {as_of}",
            "aging by customer (total)",
            reports["aging by customer"]["totals"]["total"],
            "aging by customer (rows added up)",
            added,
        )


def _check_collection(result: Result, reader, month: dt.date, end: dt.date) -> None:
    label = f"{month:%Y-%m}"
    due, collected = raw_collection(month, end)
    for by in ("month", "customer", "salesperson"):
        report = collection_rate(user=reader, start=month, end=end, by=by)["totals"]
        result.same(
            f"collection due {label}",
            "SQL over receivables",
            due,
            f"collection rate by {by}",
            report["due"],
        )
        result.same(
            f"collected {label}",
            "SQL over allocations",
            collected,
            f"collection rate by {by}",
            report["collected"],
        )
        result.same(
            f"collection rate {label}",
            "SQL",
            collection_rate_of(due, collected),
            f"collection rate by {by}",
            report["rate"],
        )


def check_figures(month: dt.date | None = None, *, today: dt.date | None = None) -> Result:
    """Run every check for `month` (default: the current month); see the module docstring."""
    today = today or timezone.localdate()
    checked_month = (month or today).replace(day=1)
    end = month_end(checked_month)
    reader = TeamReader()
    result = Result(month=checked_month)
    _check_summary(result, month)
    _check_sales(result, reader, checked_month, end)
    _check_pack(result, reader, checked_month, end, today)
    as_of = pack_as_of(checked_month, today)
    _check_aging(result, reader, as_of)
    if as_of != today:
        _check_aging(result, reader, today)
    _check_collection(result, reader, checked_month, end)
    return result
