"""Sales reports: the monthly summary kept with the orders, periods and their boundaries,
breakdowns, the ranking, scoping, drill-down, Excel and the API, on hand-computed data."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import CustomerType, Industry, Province, Tier
from salesdesk.orders.models import MonthlySales, Order
from salesdesk.orders.selectors.sales import monthly_sales_drift
from salesdesk.orders.services.orders import order_cancel, order_confirm
from salesdesk.orders.services.summaries import rebuild_monthly_sales
from salesdesk.reports.models import SalesTarget
from salesdesk.reports.selectors.sales import (
    ranking,
    sales_breakdown,
    sales_by_period,
)
from tests.factories import CustomerFactory
from tests.orders.test_orders_helpers import confirmed_order, make_product, place_order

pytestmark = pytest.mark.django_db


def _sale(by, customer, day: dt.date, amount: str, product=None) -> Order:
    """A confirmed order of one line: 100 × (amount / 100)."""
    price = (Decimal(amount) / 100).quantize(Decimal("0.0001"))
    return confirmed_order(
        by, customer, order_date=day, lines=[(product or make_product(), 100, price)]
    )


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(
        name="杭州明发包装有限公司",
        owner=salesperson,
        province=Province.ZHEJIANG,
        industry=Industry.FOOD,
        type=CustomerType.END,
        tier=Tier.KEY,
    )


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(
        name="宁波华丰纸业有限公司",
        owner=other_salesperson,
        province=Province.JIANGSU,
        industry=Industry.ELECTRONICS,
        type=CustomerType.DISTRIBUTOR,
    )


@pytest.fixture
def sales(salesperson, other_salesperson, mine, theirs):
    """Sales1: 1000.00 on 2025-01-31, 250.50 on 2026-01-31 (Sat), 300.00 on 2026-02-01 (Sun),
    99.99 on 2026-02-02 (Mon); a draft and a cancelled order that never count.
    Sales2: 500.00 on 2026-02-01."""
    _sale(salesperson, mine, dt.date(2025, 1, 31), "1000.00")
    _sale(salesperson, mine, dt.date(2026, 1, 31), "250.50")
    _sale(salesperson, mine, dt.date(2026, 2, 1), "300.00")
    _sale(salesperson, mine, dt.date(2026, 2, 2), "99.99")
    place_order(salesperson, mine, order_date=dt.date(2026, 2, 3))  # draft
    cancelled = _sale(salesperson, mine, dt.date(2026, 2, 3), "777.00")
    order_cancel(order=cancelled, by=salesperson, reason="客户取消")
    _sale(other_salesperson, theirs, dt.date(2026, 2, 1), "500.00")


# --- the summary ----------------------------------------------------------------------------


def test_confirming_adds_to_the_month_and_cancelling_takes_it_out(salesperson, mine):
    order = place_order(salesperson, mine, order_date=dt.date(2026, 3, 9))
    assert not MonthlySales.objects.exists()  # a draft is not a sale
    order_confirm(order=order, by=salesperson, promised_date=dt.date(2026, 3, 20))
    row = MonthlySales.objects.get()
    assert (row.month, row.salesperson_id, row.orders) == (dt.date(2026, 3, 1), salesperson.pk, 1)
    assert row.amount_fen == int(order.total_amount * 100)
    order_cancel(order=order, by=salesperson, reason="客户取消")
    row.refresh_from_db()
    assert (row.amount_fen, row.orders) == (0, 0)
    assert monthly_sales_drift() == []


def test_confirming_costs_one_statement_for_the_summary(salesperson, mine):
    order = place_order(salesperson, mine, order_date=dt.date(2026, 3, 9))
    with CaptureQueriesContext(connection) as queries:
        order_confirm(order=order, by=salesperson, promised_date=dt.date(2026, 3, 20))
    assert sum("orders_monthlysales" in q["sql"] for q in queries.captured_queries) == 1


def test_drift_is_named_and_rebuild_repairs_it(sales, salesperson):
    assert monthly_sales_drift() == []
    MonthlySales.objects.filter(month=dt.date(2026, 2, 1), salesperson=salesperson).update(
        amount_fen=1
    )
    drift = monthly_sales_drift()
    assert [(d.month, d.salesperson_id, d.summary_fen, d.rows_fen) for d in drift] == [
        (dt.date(2026, 2, 1), salesperson.pk, 1, 39999)
    ]
    assert monthly_sales_drift(dt.date(2026, 1, 15)) == []  # another month is in step
    rebuild_monthly_sales()
    assert monthly_sales_drift() == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=90),  # day of 2026
            st.integers(min_value=1, max_value=999_999),  # fen
            st.sampled_from(["confirm", "cancel", "draft"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_summary_never_drifts_from_the_rows(salesperson, mine, steps):
    for day, fen, action in steps:
        date = dt.date(2026, 1, 1) + dt.timedelta(days=day - 1)
        price = (Decimal(fen) / 100).quantize(Decimal("0.01"))
        order = place_order(salesperson, mine, [(make_product(), 1, price)], order_date=date)
        if action != "draft":
            order_confirm(order=order, by=salesperson, promised_date=date)
        if action == "cancel":
            order_cancel(order=order, by=salesperson, reason="取消")
    assert monthly_sales_drift() == []


# --- periods ---------------------------------------------------------------------------------


def test_months_with_year_over_year(sales, director):
    report = sales_by_period(
        user=director, period="month", start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28)
    )
    rows = [(r.label, r.amount, r.orders, r.prior_amount, r.growth) for r in report["rows"]]
    assert rows == [
        ("2026-01", Decimal("250.50"), 1, Decimal("1000.00"), Decimal("-75.0")),
        ("2026-02", Decimal("899.99"), 3, Decimal("0.00"), None),
    ]
    assert report["totals"]["amount"] == Decimal("1150.49")
    assert report["totals"]["orders"] == 4


def test_weeks_start_on_monday(sales, director):
    # 2026-01-31 (Sat) and 2026-02-01 (Sun) are one week; 2026-02-02 (Mon) starts the next.
    report = sales_by_period(
        user=director, period="week", start=dt.date(2026, 1, 28), end=dt.date(2026, 2, 4)
    )
    rows = [(r.start, r.end, r.amount) for r in report["rows"]]
    assert rows == [
        (dt.date(2026, 1, 26), dt.date(2026, 2, 1), Decimal("1050.50")),
        (dt.date(2026, 2, 2), dt.date(2026, 2, 8), Decimal("99.99")),
    ]


def test_quarters_and_years(sales, director):
    quarters = sales_by_period(
        user=director, period="quarter", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    assert [(r.amount, r.prior_amount) for r in quarters["rows"]] == [
        (Decimal("1150.49"), Decimal("1000.00"))
    ]
    assert quarters["rows"][0].growth == Decimal("15.0")
    years = sales_by_period(
        user=director, period="year", start=dt.date(2025, 6, 1), end=dt.date(2026, 6, 1)
    )
    assert [(r.label, r.amount) for r in years["rows"]] == [
        ("2025", Decimal("1000.00")),
        ("2026", Decimal("1150.49")),
    ]


def test_a_salesperson_sees_own_figures_only(sales, salesperson, other_salesperson):
    mine = sales_by_period(
        user=salesperson, period="month", start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 1)
    )
    assert mine["rows"][0].amount == Decimal("399.99")
    # Asking for another person's figures changes nothing for a salesperson.
    asked = sales_by_period(
        user=salesperson,
        period="month",
        start=dt.date(2026, 2, 1),
        end=dt.date(2026, 2, 1),
        salesperson=other_salesperson,
    )
    assert asked["rows"][0].amount == Decimal("399.99")


def test_team_roles_pick_a_person(sales, assistant, other_salesperson):
    report = sales_by_period(
        user=assistant,
        period="month",
        start=dt.date(2026, 2, 1),
        end=dt.date(2026, 2, 1),
        salesperson=other_salesperson,
    )
    assert report["rows"][0].amount == Decimal("500.00")


def test_the_ten_year_monthly_report_reads_the_summary_in_one_query(sales, director):
    with CaptureQueriesContext(connection) as queries:
        report = sales_by_period(
            user=director, period="month", start=dt.date(2016, 1, 1), end=dt.date(2026, 12, 31)
        )
    assert len(report["rows"]) == 132
    assert len(queries) == 2  # this range and the year before it
    assert all("orders_order" not in q["sql"] for q in queries.captured_queries)


# --- breakdowns ------------------------------------------------------------------------------


def test_breakdown_by_customer_region_and_type(sales, director, mine, theirs):
    feb = {"user": director, "start": dt.date(2026, 2, 1), "end": dt.date(2026, 2, 28)}
    by_customer = sales_breakdown(dimension="customer", **feb)
    assert [(r.key, r.amount, r.orders, r.share, r.is_key) for r in by_customer["rows"]] == [
        (theirs.pk, Decimal("500.00"), 1, Decimal("55.6"), False),
        (mine.pk, Decimal("399.99"), 2, Decimal("44.4"), True),
    ]
    assert by_customer["totals"] == {"amount": Decimal("899.99"), "orders": 3}
    with translation.override("zh-hans"):
        by_region = sales_breakdown(dimension="region", **feb)
    assert [(r.key, r.label, r.amount) for r in by_region["rows"]] == [
        (Province.JIANGSU, "江苏", Decimal("500.00")),
        (Province.ZHEJIANG, "浙江", Decimal("399.99")),
    ]
    by_type = sales_breakdown(dimension="customer_type", limit=1, **feb)
    assert [r.key for r in by_type["rows"]] == [CustomerType.DISTRIBUTOR]
    assert by_type["others"] == {"count": 1, "amount": Decimal("399.99"), "share": Decimal("44.4")}
    assert by_type["totals"]["amount"] == Decimal("899.99")


def test_new_products_count_their_lines_only(salesperson, director, mine):
    new, old = make_product(is_new=True), make_product()
    confirmed_order(
        salesperson,
        mine,
        order_date=dt.date(2026, 2, 5),
        lines=[(new, 10, Decimal("2.0000")), (old, 10, Decimal("5.0000"))],
    )
    feb = {"user": director, "start": dt.date(2026, 2, 1), "end": dt.date(2026, 2, 28)}
    by_product = sales_breakdown(dimension="product", **feb)
    assert [(r.key, r.amount) for r in by_product["rows"]] == [
        (old.pk, Decimal("50.00")),
        (new.pk, Decimal("20.00")),
    ]
    assert by_product["totals"] == {"amount": Decimal("70.00"), "orders": 1}
    promoted = sales_breakdown(dimension="region", new_products=True, **feb)
    assert [(r.key, r.amount, r.orders) for r in promoted["rows"]] == [
        (Province.ZHEJIANG, Decimal("20.00"), 1)
    ]
    by_customer = sales_breakdown(dimension="customer", new_products=True, **feb)
    assert [(r.key, r.amount) for r in by_customer["rows"]] == [(mine.pk, Decimal("20.00"))]


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_orders_by_sales_with_targets(sales, director, salesperson, other_salesperson):
    SalesTarget.objects.create(year=2026, month=2, salesperson=other_salesperson, amount=1000)
    SalesTarget.objects.create(year=2026, salesperson=salesperson, amount=Decimal("12000"))
    report = ranking(user=director, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    rows = {r.salesperson_id: r for r in report["rows"]}
    first, second = report["rows"][:2]
    assert (first.salesperson_id, first.amount, first.share_of_target) == (
        other_salesperson.pk,
        Decimal("500.00"),
        Decimal("50.0"),
    )
    # The annual target spread over the months: 12000 / 12 = 1000 for February.
    assert (second.salesperson_id, second.target, second.share_of_target) == (
        salesperson.pk,
        Decimal("1000.00"),
        Decimal("40.0"),
    )
    assert rows[salesperson.pk].rank == 2
    assert report["show_amounts"]


def test_salespeople_see_the_ranking_but_only_their_own_amounts(
    sales, salesperson, other_salesperson
):
    report = ranking(user=salesperson, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    rows = {r.salesperson_id: r for r in report["rows"]}
    assert not report["show_amounts"]
    assert rows[salesperson.pk].amount == Decimal("399.99")
    assert rows[other_salesperson.pk].amount is None
    assert rows[other_salesperson.pk].rank == 1  # the order is still visible
    assert report["totals"]["amount"] is None


def test_ranking_amount_roles_follow_the_setting(settings, sales, salesperson, other_salesperson):
    settings.RANKING_AMOUNT_ROLES = frozenset({"salesperson", "director"})
    report = ranking(user=salesperson, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert {r.salesperson_id: r.amount for r in report["rows"]}[other_salesperson.pk] == Decimal(
        "500.00"
    )


# --- pages, drill-down, Excel, API -------------------------------------------------------------


def test_sales_page_draws_charts_and_drills_down_to_the_orders(sales, client_for, director, theirs):
    client = client_for(director)
    response = client.get(
        "/reports/sales/",
        {"period": "month", "date_from": "2026-02-01", "date_to": "2026-02-28", "by": "customer"},
    )
    assert response.status_code == 200
    trend = response.context["trend_chart"]
    assert trend["series"][0]["data"] == ["899.99"]
    assert trend["links"][0].startswith("/orders/?booked=1&date_from=2026-02-01&date_to=2026-02-28")
    link = response.context["breakdown_chart"]["links"][0]
    assert f"customer={theirs.pk}" in link
    orders = client.get(link)
    numbers = [o.number for o in orders.context["page_obj"].object_list]
    assert numbers == list(Order.objects.filter(customer=theirs).values_list("number", flat=True))
    assert b"drill-down" in orders.content


def test_drill_down_by_region_lists_exactly_the_booked_orders(sales, client_for, director, mine):
    client = client_for(director)
    response = client.get(
        "/orders/",
        {
            "booked": "1",
            "date_from": "2026-02-01",
            "date_to": "2026-02-28",
            "province": Province.ZHEJIANG,
        },
    )
    amounts = sorted(o.total_amount for o in response.context["page_obj"].object_list)
    assert amounts == [Decimal("99.99"), Decimal("300.00")]  # not the draft, not the cancelled


def test_salesperson_page_shows_no_one_elses_sales(sales, client_for, salesperson):
    response = client_for(salesperson).get(
        "/reports/sales/",
        {
            "period": "month",
            "date_from": "2026-02-01",
            "date_to": "2026-02-28",
            "by": "customer",
            "salesperson": "",
        },
    )
    content = response.content.decode()
    assert "宁波华丰纸业有限公司" not in content
    assert "stacked_chart" not in response.context  # the per-person split is the team's view
    assert response.context["trend"]["totals"]["amount"] == Decimal("399.99")


def test_warehouse_reads_no_reports(client_for, warehouse, api_for):
    client = client_for(warehouse)
    for url in ("/reports/sales/", "/reports/ranking/", "/reports/new-products/"):
        assert client.get(url).status_code == 403
    api = api_for(warehouse)
    assert api.get("/api/v1/reports/sales/").status_code == 403
    assert api.get("/api/v1/reports/ranking/").status_code == 403


def test_sales_excel_has_the_page_figures_and_chinese_headers(sales, client_for, director):
    client = client_for(director)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(
        "/reports/sales/",
        {
            "period": "month",
            "date_from": "2026-01-01",
            "date_to": "2026-02-28",
            "by": "region",
            "format": "xlsx",
        },
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    periods = book.get_sheet_by_index(0).to_python()
    assert periods[0][:4] == ["期间", "从", "至", "销售额"]
    assert [row[3] for row in periods[1:]] == [250.5, 899.99, 1150.49]
    regions = book.get_sheet_by_index(1).to_python()
    assert [row[0] for row in regions[1:]] == ["浙江", "江苏", "合计"]  # 650.49, 500.00
    assert regions[-1][2] == 1150.49


def test_ranking_excel_hides_amounts_from_salespeople(sales, client_for, salesperson):
    response = client_for(salesperson).get(
        "/reports/ranking/", {"period": "month", "as_of": "2026-02-10", "format": "xlsx"}
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert len(rows[0]) == 6  # rank, name, share, new customers, follow-ups, collection
    assert 500.0 not in [cell for row in rows for cell in row]


def test_api_gives_the_page_figures(sales, api_for, director, client_for):
    params = {"period": "month", "from": "2026-01-01", "to": "2026-02-28", "by": "customer"}
    data = api_for(director).get("/api/v1/reports/sales/", params).json()
    assert [p["amount"] for p in data["periods"]] == ["250.50", "899.99"]
    assert data["totals"]["amount"] == "1150.49"
    assert data["breakdown_total"] == "1150.49"
    page = client_for(director).get(
        "/reports/sales/",
        {"period": "month", "date_from": "2026-01-01", "date_to": "2026-02-28", "by": "customer"},
    )
    assert str(page.context["trend"]["totals"]["amount"]) == data["totals"]["amount"]


def test_api_names_the_bad_parameter(api_for, director):
    with translation.override("en"):
        response = api_for(director).get(
            "/api/v1/reports/sales/", {"from": "2026-13-01"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["from"]
    response = api_for(director).get(
        "/api/v1/reports/sales/", {"from": "2026-03-01", "to": "2026-01-01"}
    )
    assert [e["field"] for e in response.json()["errors"]] == ["to"]


def test_api_ranking_for_a_salesperson_hides_others_amounts(sales, api_for, salesperson):
    data = (
        api_for(salesperson)
        .get("/api/v1/reports/ranking/", {"period": "month", "as_of": "2026-02-10"})
        .json()
    )
    assert data["amounts_shown"] is False
    amounts = {r["salesperson"]: r["amount"] for r in data["rows"]}
    assert amounts[salesperson.pk] == "399.99"
    assert [a for pk, a in amounts.items() if pk != salesperson.pk] == [None] * (len(amounts) - 1)


def test_salesperson_breakdown_of_whole_months_reads_the_summary(
    sales, director, salesperson, other_salesperson
):
    whole = {"user": director, "start": dt.date(2026, 1, 1), "end": dt.date(2026, 2, 28)}
    with CaptureQueriesContext(connection) as queries:
        report = sales_breakdown(dimension="salesperson", **whole)
    assert all("orders_order" not in q["sql"] for q in queries.captured_queries)
    assert [(r.key, r.amount, r.orders) for r in report["rows"]] == [
        (salesperson.pk, Decimal("650.49"), 3),
        (other_salesperson.pk, Decimal("500.00"), 1),
    ]
    # A part of a month reads the rows, with the same figures where they overlap.
    part = sales_breakdown(
        dimension="salesperson", user=director, start=dt.date(2026, 1, 31), end=dt.date(2026, 2, 1)
    )
    assert [(r.key, r.amount) for r in part["rows"]] == [
        (salesperson.pk, Decimal("550.50")),
        (other_salesperson.pk, Decimal("500.00")),
    ]


def test_top_customers_are_cut_in_the_database_with_the_rest_summed(sales, director, mine, theirs):
    feb = {"user": director, "start": dt.date(2026, 2, 1), "end": dt.date(2026, 2, 28)}
    report = sales_breakdown(dimension="customer", limit=1, **feb)
    assert [(r.key, r.amount) for r in report["rows"]] == [(theirs.pk, Decimal("500.00"))]
    assert report["others"] == {"count": 1, "amount": Decimal("399.99"), "share": Decimal("44.4")}
    assert report["totals"] == {"amount": Decimal("899.99"), "orders": 3}
    products = sales_breakdown(dimension="product", limit=2, **feb)
    assert len(products["rows"]) == 2 and products["others"]["count"] == 1
    assert products["totals"]["amount"] == Decimal("899.99")


def test_ranking_counts_new_customers_and_follow_ups_of_the_period(
    salesperson, other_salesperson, director, mine, theirs
):
    from django.utils import timezone

    from salesdesk.customers.models import Customer
    from tests.factories import FollowUpFactory

    feb = timezone.make_aware(dt.datetime(2026, 2, 10, 10, 0))
    new = CustomerFactory(owner=salesperson)
    Customer.objects.filter(pk__in=[new.pk]).update(created_at=feb)
    Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).update(
        created_at=feb - dt.timedelta(days=60)
    )
    FollowUpFactory(customer=mine, created_by=salesperson, occurred_at=feb)
    FollowUpFactory(customer=mine, created_by=salesperson, occurred_at=feb)
    FollowUpFactory(customer=theirs, created_by=other_salesperson, occurred_at=feb)
    FollowUpFactory(
        customer=theirs, created_by=other_salesperson, occurred_at=feb - dt.timedelta(days=20)
    )
    report = ranking(user=director, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    rows = {r.salesperson_id: (r.new_customers, r.followups) for r in report["rows"]}
    assert rows[salesperson.pk] == (1, 2)
    assert rows[other_salesperson.pk] == (0, 1)
    # The ranking is the team's: a salesperson sees everyone's counts (no customer named).
    seen = ranking(user=salesperson, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert {r.salesperson_id: (r.new_customers, r.followups) for r in seen["rows"]} == rows
