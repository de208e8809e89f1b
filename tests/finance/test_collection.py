"""Collection rate (回款率, R-5.3) on hand-computed cases: partial payments, payments after the
period not counted, nothing due → None, months across a year boundary, per customer and
salesperson, scoping and the query shape."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.customers.choices import Tier
from salesdesk.finance.selectors.reports import (
    collection_chart,
    collection_rate,
    collection_rate_of,
    collection_report,
    month_keys,
)
from tests.factories import CustomerFactory

from .factories_reports import D, allocate, make_payment, make_receivable, pay

pytestmark = pytest.mark.django_db
d = dt.date


@pytest.fixture
def winter(salesperson, other_salesperson):
    """Receivables due in Nov 2025 – Feb 2026 with payments before and after the period end."""
    a = CustomerFactory(owner=salesperson, name="甲包装")
    b = CustomerFactory(owner=other_salesperson, name="乙纸业", tier=Tier.KEY)
    # December 2025: a owes 1000.00, pays 400.10 in Dec and 200.00 in Jan; b owes 500.
    dec_a = make_receivable(a, "1000.00", d(2025, 12, 20), issued_on=d(2025, 11, 20))
    pay(dec_a, "400.10", d(2025, 12, 28))
    pay(dec_a, "200.00", d(2026, 1, 15))
    dec_b = make_receivable(b, "500.00", d(2025, 12, 31), issued_on=d(2025, 12, 1))
    # January 2026: b owes 300.30, pays all of it on Feb 10 (after a January period end).
    jan_b = make_receivable(b, "300.30", d(2026, 1, 31), issued_on=d(2026, 1, 1))
    pay(jan_b, "300.30", d(2026, 2, 10))
    # One payment split over two receivables of b, and a part left as credit.
    payment = make_payment(b, "700.00", d(2026, 1, 5))
    allocate(payment, dec_b, "500.00")
    feb_b = make_receivable(b, "250.00", d(2026, 2, 2), issued_on=d(2026, 1, 2))
    allocate(payment, feb_b, "100.00")
    # Due outside every period asked below.
    make_receivable(a, "9999.99", d(2025, 10, 31), issued_on=d(2025, 10, 1))
    return {"a": a, "b": b}


def by_key(report):
    return {r["key"]: r for r in report["rows"]}


def test_monthly_across_year_boundary(finance, winter):
    report = collection_rate(user=finance, start=d(2025, 11, 1), end=d(2026, 2, 28), by="month")
    assert [r["key"] for r in report["rows"]] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    rows = by_key(report)
    assert rows["2025-11"]["due"] == 0 and rows["2025-11"]["rate"] is None
    # Dec: due 1500.00; collected 400.10 + 200.00 + 500.00 = 1100.10 (all by Feb 28).
    assert rows["2025-12"]["due"] == D("1500.00") and rows["2025-12"]["collected"] == D("1100.10")
    assert rows["2025-12"]["rate"] == D("73.3")
    assert rows["2026-01"]["due"] == D("300.30") and rows["2026-01"]["rate"] == D("100.0")
    assert rows["2026-02"]["due"] == D("250.00") and rows["2026-02"]["collected"] == D("100.00")
    assert rows["2026-02"]["rate"] == D("40.0")
    totals = report["totals"]
    assert totals["due"] == D("2050.30") and totals["collected"] == D("1500.40")
    assert totals["rate"] == D("73.2")  # 1500.40 / 2050.30 = 73.18%


def test_payments_after_period_end_not_counted(finance, winter):
    report = collection_rate(user=finance, start=d(2025, 12, 1), end=d(2026, 1, 31), by="month")
    rows = by_key(report)
    # Jan 31 end: a's Jan 15 payment counts, b's Feb 10 payment for January does not.
    assert rows["2025-12"]["collected"] == D("1100.10")
    assert rows["2026-01"]["collected"] == 0 and rows["2026-01"]["rate"] == D("0.0")
    report = collection_rate(user=finance, start=d(2025, 12, 1), end=d(2025, 12, 31), by="month")
    # Dec 31 end: only the Dec 28 payment.
    (dec,) = report["rows"]
    assert dec["collected"] == D("400.10") and dec["rate"] == D("26.7")


def test_nothing_due_gives_none(finance, winter):
    report = collection_rate(user=finance, start=d(2024, 1, 1), end=d(2024, 3, 31), by="month")
    assert [r["rate"] for r in report["rows"]] == [None, None, None]
    assert report["totals"] == {"due": 0, "collected": 0, "rate": None}
    for by in ("customer", "salesperson"):
        report = collection_rate(user=finance, start=d(2024, 1, 1), end=d(2024, 3, 31), by=by)
        assert report["rows"] == [] and report["totals"]["rate"] is None


def test_per_customer_key_first(finance, winter):
    report = collection_rate(user=finance, start=d(2025, 12, 1), end=d(2026, 2, 28), by="customer")
    assert [r["label"] for r in report["rows"]] == ["乙纸业", "甲包装"]
    b, a = report["rows"]
    assert b["is_key"] and b["key"] == winter["b"].pk
    assert b["due"] == D("1050.30") and b["collected"] == D("900.30") and b["rate"] == D("85.7")
    assert a["due"] == D("1000.00") and a["collected"] == D("600.10") and a["rate"] == D("60.0")


def test_per_salesperson(finance, salesperson, other_salesperson, winter):
    report = collection_rate(
        user=finance, start=d(2025, 12, 1), end=d(2026, 2, 28), by="salesperson"
    )
    rows = by_key(report)
    assert rows[salesperson.pk]["label"] == "李业务" and rows[salesperson.pk]["collected"] == D(
        "600.10"
    )
    assert rows[other_salesperson.pk]["due"] == D("1050.30")


def test_salesperson_sees_own_customers_only(salesperson, warehouse, winter):
    report = collection_rate(user=salesperson, start=d(2025, 11, 1), end=d(2026, 2, 28), by="month")
    assert report["totals"] == {"due": D("1000.00"), "collected": D("600.10"), "rate": D("60.0")}
    report = collection_rate(
        user=salesperson, start=d(2025, 11, 1), end=d(2026, 2, 28), by="customer"
    )
    assert [r["label"] for r in report["rows"]] == ["甲包装"]
    assert (
        collection_rate(user=warehouse, start=d(2025, 11, 1), end=d(2026, 2, 28))["totals"]["due"]
        == 0
    )


def test_two_queries_and_no_python_month_function(finance, winter):
    for by in ("month", "customer", "salesperson"):
        with CaptureQueriesContext(connection) as ctx:
            collection_rate(user=finance, start=d(2025, 1, 1), end=d(2026, 12, 31), by=by)
        assert len(ctx.captured_queries) == 2
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "django_date_trunc" not in sql and "django_date_extract" not in sql


def test_rate_rounding_and_month_keys():
    assert collection_rate_of(D("3"), D("1")) == D("33.3")
    assert collection_rate_of(D("3"), D("2")) == D("66.7")
    assert collection_rate_of(Decimal("0.00"), D("0")) is None
    assert month_keys(d(2025, 11, 30), d(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_bad_grouping_is_refused(finance):
    with pytest.raises(ValueError):
        collection_rate(user=finance, start=d(2026, 1, 1), end=d(2026, 1, 31), by="week")


def test_report_has_monthly_chart_for_any_grouping(finance, winter):
    report = collection_report(
        user=finance, start=d(2025, 12, 1), end=d(2026, 2, 28), by="customer"
    )
    assert [r["key"] for r in report["monthly"]] == ["2025-12", "2026-01", "2026-02"]
    chart = report["chart"]
    assert chart["xAxis"]["data"] == ["2025-12", "2026-01", "2026-02"]
    due, collected, rate = chart["series"]
    assert due["data"] == ["1500.00", "300.30", "250.00"] and due["type"] == "bar"
    assert collected["data"] == ["1100.10", "300.30", "100.00"]
    assert (
        rate["type"] == "line"
        and rate["yAxisIndex"] == 1
        and rate["data"] == ["73.3", "100.0", "40.0"]
    )
    empty = collection_chart(
        {"rows": [{"label": "2024-01", "due": D(0), "collected": D(0), "rate": None}]}
    )
    assert empty["series"][2]["data"] == [None]
