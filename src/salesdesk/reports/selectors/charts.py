"""ECharts options for the report pages, labelled in the reader's language.

Figures go as exact decimal text (ECharts reads numeric strings), so no money passes through
float here. `links` (one URL per category, or None) is read by static/salesdesk/charts.js:
clicking a bar opens the orders behind it. Fonts are large enough for a projector.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .svg import short_amount

TEXT = {"fontSize": 14}
PALETTE = ["#2f6fde", "#f0a020", "#2e9e6a", "#d9534f", "#7a5cc7", "#17a2b8", "#8c8c8c"]


def _base(categories: list[str], *, legend: list[str], horizontal: bool = False) -> dict:
    category_axis = {"type": "category", "data": categories, "axisLabel": TEXT}
    value_axis = {"type": "value", "name": _("Yuan"), "axisLabel": TEXT}
    if horizontal:
        category_axis["inverse"] = True
    return {
        "color": PALETTE,
        "textStyle": TEXT,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "data": legend, "textStyle": TEXT},
        "grid": {"left": 10, "right": 24, "bottom": 10, "top": 48, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
    }


def trend_chart(report: dict, links: list[str | None] | None = None) -> dict:
    """Bars: booked sales per period; line: the same period a year before."""
    rows = report["rows"]
    now, before = _("Sales"), _("Same period last year")
    option = _base([r.label for r in rows], legend=[now, before])
    option["series"] = [
        {"name": now, "type": "bar", "data": [str(r.amount) for r in rows]},
        {
            "name": before,
            "type": "line",
            "smooth": True,
            "data": [str(r.prior_amount) for r in rows],
        },
    ]
    option["links"] = links or []
    return option


def stacked_chart(categories: list[str], stacks: list[tuple[str, list]]) -> dict:
    """Stacked bars: each period's sales split by salesperson (the largest, then the rest)."""
    option = _base(categories, legend=[name for name, _values in stacks])
    option["series"] = [
        {
            "name": name,
            "type": "bar",
            "stack": "sales",
            "emphasis": {"focus": "series"},
            "data": [str(v) for v in values],
        }
        for name, values in stacks
    ]
    return option


def breakdown_chart(rows: list, links: list[str | None] | None = None) -> dict:
    """Horizontal bars of the largest rows of a breakdown, the largest on top."""
    name = _("Sales")
    option = _base([r.label for r in rows], legend=[name], horizontal=True)
    option["series"] = [
        {
            "name": name,
            "type": "bar",
            # Each bar labelled as the department reads amounts (¥8,500, ¥201.0万), the
            # same words as the monthly pack's charts.
            "data": [
                {"value": str(r.amount), "label": {"formatter": short_amount(r.amount)}}
                for r in rows
            ],
            "label": {"show": True, "position": "right", "fontSize": 12},
        }
    ]
    option["links"] = links or []
    return option


def ranking_chart(rows: list, *, amounts: bool) -> dict:
    """Each salesperson's sales and target (amounts), or share of target (%) without amounts."""
    names = [r.name for r in rows]
    if amounts:
        sales, target = _("Sales"), _("Target")
        option = _base(names, legend=[sales, target])
        option["series"] = [
            {"name": sales, "type": "bar", "data": [str(r.amount) for r in rows]},
            {
                "name": target,
                "type": "bar",
                "data": [str(r.target) if r.target is not None else None for r in rows],
            },
        ]
        return option
    share = _("Share of target %")
    option = _base(names, legend=[share])
    option["yAxis"]["name"] = "%"
    option["series"] = [
        {
            "name": share,
            "type": "bar",
            "data": [
                str(r.share_of_target) if r.share_of_target is not None else None for r in rows
            ],
        }
    ]
    return option
