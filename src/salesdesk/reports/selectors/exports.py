"""The report tables as Excel sheets: the same figures as the pages, headers in the reader's
language, money as numbers formatted #,##0.00 (core.excel)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesdesk.core.excel import Sheet

from .sales import PERIODS


def _percent(value):
    return float(value) if value is not None else None


def period_sheet(report: dict) -> Sheet:
    return Sheet(
        title=str(_("Sales by %(period)s") % {"period": PERIODS[report["period"]]}),
        headers=[
            _("Period"),
            _("From"),
            _("To"),
            _("Sales"),
            _("Orders"),
            _("Same period last year"),
            _("Year over year %"),
        ],
        rows=[
            *(
                [r.label, r.start, r.end, r.amount, r.orders, r.prior_amount, _percent(r.growth)]
                for r in report["rows"]
            ),
            [
                _("Total"),
                report["start"],
                report["end"],
                report["totals"]["amount"],
                report["totals"]["orders"],
                report["totals"]["prior_amount"],
                _percent(report["totals"]["growth"]),
            ],
        ],
        widths=[16, 12, 12, 16, 10, 18, 14],
    )


def breakdown_sheet(report: dict, label) -> Sheet:
    """Every row of a breakdown (not only the page's top rows), then the total."""
    title = str(_("Sales by %(dimension)s") % {"dimension": label})
    if report.get("new_products"):
        title = str(_("New products by %(dimension)s") % {"dimension": label})
    return Sheet(
        title=title,
        headers=[str(label), _("Code"), _("Sales"), _("Orders"), _("Share %")],
        rows=[
            *([r.label, r.code, r.amount, r.orders, _percent(r.share)] for r in report["rows"]),
            [_("Total"), "", report["totals"]["amount"], report["totals"]["orders"], 100.0],
        ],
        widths=[30, 14, 16, 10, 10],
    )


def ranking_sheet(report: dict) -> Sheet:
    headers = [_("Rank"), _("Salesperson")]
    if report["show_amounts"]:
        headers += [_("Sales"), _("Target")]
    headers += [
        _("Share of target %"),
        pgettext("count", "New customers"),
        _("Follow-ups"),
        _("Collection rate %"),
    ]
    rows = []
    for r in report["rows"]:
        row = [r.rank, r.name]
        if report["show_amounts"]:
            row += [r.amount, r.target]
        row += [
            _percent(r.share_of_target),
            r.new_customers,
            r.followups,
            _percent(r.collection_rate),
        ]
        rows.append(row)
    return Sheet(
        title=str(_("Ranking")),
        headers=headers,
        rows=rows,
        widths=[8, 16, 16, 16, 14, 12, 12, 14],
    )
