"""What the sales report pages show, assembled from the sales selectors: figures, charts
and the drill-down links from each bar to the orders behind it. Shared by the pages, the
exports and the monthly pack."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .charts import breakdown_chart, stacked_chart, trend_chart
from .sales import (
    DIMENSIONS,
    PERIODS,
    SALES_DEFINITION,
    period_people_stacks,
    sales_breakdown,
    sales_by_period,
)

CHART_ROWS = 10
TABLE_ROWS = 20  # the Excel export holds every row
# The order-list filter each breakdown drills down to.
DRILL_FILTER = {
    "customer": "customer",
    "product": "product",
    "salesperson": "salesperson",
    "region": "province",
    "industry": "industry",
    "customer_type": "customer_type",
}


def orders_url(*, start, end, person=None, new_products: bool = False, **extra) -> str:
    """The order list showing the booked orders behind a figure."""
    query = f"booked=1&date_from={start.isoformat()}&date_to={end.isoformat()}"
    if person:
        query += f"&salesperson={person}"
    if new_products:
        query += "&new_products=1"
    rest = {key: value for key, value in extra.items() if value not in (None, "")}
    if rest:
        query += "&" + urlencode(rest)
    return f"{reverse('orders:list')}?{query}"


def _drill(report: dict, rows) -> list[str | None]:
    person, dimension = report["salesperson"], report["dimension"]
    links = []
    for row in rows:
        if row.key in (None, ""):
            links.append(None)
            continue
        extra = {DRILL_FILTER[dimension]: row.key}
        links.append(
            orders_url(
                start=report["start"],
                end=report["end"],
                person=extra.pop("salesperson", person),
                new_products=report["new_products"],
                **extra,
            )
        )
    return links


def _table(report: dict) -> tuple[list, int]:
    """The rows a page shows (with their drill-down links) and how many more the export has."""
    shown = report["rows"][:TABLE_ROWS]
    more = (report["others"] or {}).get("count", 0) + max(0, len(report["rows"]) - TABLE_ROWS)
    return list(zip(shown, _drill(report, shown), strict=True)), more


def sales_context(user, params: dict, *, limit: int | None = TABLE_ROWS) -> dict:
    """Everything the sales page (and the monthly pack) shows for `params`; the breakdown is
    cut to its `limit` largest rows in the database (None: every row, for the export)."""
    trend = sales_by_period(
        user=user,
        period=params["period"],
        start=params["start"],
        end=params["end"],
        salesperson=params.get("salesperson"),
    )
    breakdown = sales_breakdown(
        user=user,
        dimension=params["by"],
        start=trend["start"],
        end=trend["end"],
        salesperson=params.get("salesperson"),
        new_products=params.get("new_products", False),
        limit=limit,
    )
    person = trend["salesperson"]
    period_links = [orders_url(start=r.start, end=r.end, person=person) for r in trend["rows"]]
    top = breakdown["rows"][:CHART_ROWS]
    context = {
        "trend": trend,
        "breakdown": breakdown,
        "table": _table(breakdown),
        "period_rows": list(zip(trend["rows"], period_links, strict=True)),
        "trend_chart": trend_chart(trend, period_links),
        "breakdown_chart": breakdown_chart(top, _drill(breakdown, top)),
        "dimension_label": DIMENSIONS[breakdown["dimension"]],
        "period_label": PERIODS[trend["period"]],
        "definition": SALES_DEFINITION,
    }
    if person is None:
        stacks = period_people_stacks(trend)
        if stacks:
            context["stacked_chart"] = stacked_chart([r.label for r in trend["rows"]], stacks)
    return context


NEW_PRODUCT_DIMENSIONS = ("region", "industry", "customer_type", "product")


def new_product_context(user, start, end, *, limit: int | None = TABLE_ROWS) -> dict:
    sections = []
    for dimension in NEW_PRODUCT_DIMENSIONS:
        report = sales_breakdown(
            user=user, dimension=dimension, start=start, end=end, new_products=True, limit=limit
        )
        top = report["rows"][:CHART_ROWS]
        sections.append(
            {
                "dimension": dimension,
                "label": DIMENSIONS[dimension],
                "report": report,
                "table": _table(report),
                "chart": breakdown_chart(top, _drill(report, top)),
                "config_id": f"np-chart-{dimension}-config",
            }
        )
    return {"sections": sections, "start": start, "end": end}
