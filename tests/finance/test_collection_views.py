"""The collection-rate page (finance:collection-rate) and GET /api/v1/reports/collection-rate/:
definition, chart and its table, Excel, scoping, permissions, bad input and query counts."""

import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Tier
from tests.factories import CustomerFactory

from .factories_reports import make_receivable, pay, report_translations  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
URL = "/finance/collection-rate/"
API = "/api/v1/reports/collection-rate/"
READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
# Chinese of translations/reports.json active before the lead merges it into the catalogue.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_translations")]
d = dt.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def book(salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, name="杭州明发包装")
    key = CustomerFactory(owner=other_salesperson, name="宁波重点纸业", tier=Tier.KEY)
    r = make_receivable(mine, "1000.00", d(2025, 12, 10), issued_on=d(2025, 11, 10))
    pay(r, "250.50", d(2026, 1, 5))
    make_receivable(mine, "80.00", d(2026, 3, 1), issued_on=d(2026, 2, 1))
    r = make_receivable(key, "400.00", d(2026, 2, 15), issued_on=d(2026, 1, 15))
    pay(r, "400.00", d(2026, 2, 20))
    make_receivable(
        key, "5000.00", d(2025, 1, 31), issued_on=d(2025, 1, 1)
    )  # before the last 12 months
    return {"mine": mine, "key": key}


def chart_option(html: str) -> dict:
    match = re.search(
        r'<script id="collection-chart-config" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1))


def test_url_name():
    assert reverse("finance:collection-rate") == URL


def test_page_defaults_to_last_twelve_months(client_for, finance, book):
    html = client_for(finance).get(URL).content.decode()
    assert 'value="2025-04-01"' in html and 'value="2026-03-20"' in html
    assert "回款率 = 已回款 ÷ 应收" in html  # the definition
    assert "vendor/echarts/echarts.min.js" in html and "salesdesk/charts.js" in html
    option = chart_option(html)
    assert option["xAxis"]["data"][0] == "2025-04" and option["xAxis"]["data"][-1] == "2026-03"
    assert len(option["xAxis"]["data"]) == 12
    assert [s["name"] for s in option["series"]] == ["应收", "已回款", "回款率 %"]
    assert option["series"][0]["data"][8] == "1000.00" and option["series"][2]["data"][8] == "25.1"
    assert option["series"][2]["data"][0] is None
    # The chart's figures are in the page as a table too.
    assert "2025-12" in html and "¥1,000.00" in html and "25.1%" in html
    assert "¥1,480.00" in html and "¥650.50" in html  # totals; the 2025-01 receivable is outside
    assert "5,000.00" not in html


def test_page_by_customer_keeps_monthly_chart(client_for, finance, book):
    html = client_for(finance).get(URL, {"by": "customer"}).content.decode()
    assert html.index("宁波重点纸业") < html.index("杭州明发包装")
    assert "100.0%" in html and "23.2%" in html  # 400/400; 250.50/1080.00
    assert "图表数据表" in html and len(chart_option(html)["xAxis"]["data"]) == 12


def test_page_by_salesperson(client_for, finance, book):
    html = client_for(finance).get(URL, {"by": "salesperson"}).content.decode()
    assert "李业务" in html and "张业务" in html


def test_htmx_returns_the_fragment(client_for, finance, book):
    response = client_for(finance).get(URL, {"by": "customer"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="collection-report"' in html
    assert 'id="collection-chart-config"' in html


def test_salesperson_sees_own_customers_only(client_for, api_for, salesperson, book):
    html = client_for(salesperson).get(URL, {"by": "customer"}).content.decode()
    assert "杭州明发包装" in html and "宁波重点纸业" not in html
    book_xlsx = CalamineWorkbook.from_filelike(
        io.BytesIO(client_for(salesperson).get(URL, {"by": "customer", "format": "xlsx"}).content)
    )
    rows = book_xlsx.get_sheet_by_name(book_xlsx.sheet_names[0]).to_python()
    assert [r[0] for r in rows[1:]] == ["杭州明发包装", rows[-1][0]]
    data = api_for(salesperson).get(API, {"by": "customer"}).json()
    assert [r["label"] for r in data["rows"]] == ["杭州明发包装"]
    assert data["totals"] == {"due": "1080.00", "collected": "250.50", "rate": "23.2"}


def test_excel_export(client_for, finance, book):
    response = client_for(finance).get(
        URL, {"from": "2025-12-01", "to": "2026-02-28", "format": "xlsx"}
    )
    assert response.status_code == 200
    wb = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert wb.sheet_names == ["回款率", "定义"]
    rows = wb.get_sheet_by_name("回款率").to_python()
    assert rows[0] == ["月份", "应收", "已回款", "回款率 %"]
    assert rows[1] == ["2025-12", 1000.0, 250.5, 25.1]
    assert rows[2][0] == "2026-01" and rows[2][1] == 0.0 and rows[2][3] == ""
    assert rows[3] == ["2026-02", 400.0, 400.0, 100.0]
    assert rows[4] == ["合计", 1400.0, 650.5, 46.5]
    definition = wb.get_sheet_by_name("定义").to_python()
    assert (
        definition[1][0].startswith("回款率 = 已回款 ÷ 应收")
        and definition[1][1] == "2025-12-01 – 2026-02-28"
    )


def test_api_shape(api_for, finance, book):
    response = api_for(finance).get(API, {"from": "2025-12-01", "to": "2026-02-28", "by": "month"})
    assert response.status_code == 200
    data = response.json()
    assert data["from"] == "2025-12-01" and data["to"] == "2026-02-28" and data["by"] == "month"
    assert data["definition"]
    assert data["rows"] == [
        {
            "key": "2025-12",
            "label": "2025-12",
            "due": "1000.00",
            "collected": "250.50",
            "rate": "25.1",
        },
        {"key": "2026-01", "label": "2026-01", "due": "0.00", "collected": "0.00", "rate": None},
        {
            "key": "2026-02",
            "label": "2026-02",
            "due": "400.00",
            "collected": "400.00",
            "rate": "100.0",
        },
    ]
    assert data["totals"] == {"due": "1400.00", "collected": "650.50", "rate": "46.5"}
    data = (
        api_for(finance)
        .get(API, {"from": "2025-12-01", "to": "2026-02-28", "by": "customer"})
        .json()
    )
    assert [r["key"] for r in data["rows"]] == [str(book["key"].pk), str(book["mine"].pk)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "soon"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"by": "week"}, "by"),
    ],
)
def test_bad_input_names_the_field(client_for, api_for, finance, book, params, field):
    response = client_for(finance).get(URL, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "invalid-feedback" in html.split(f'name="{field}"', 1)[1][:800]
    assert "collection-chart-config" not in html
    assert (
        not client_for(finance)
        .get(URL, {**params, "format": "xlsx"})["Content-Type"]
        .startswith("application/vnd")
    )
    response = api_for(finance).get(API, params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("persona", READERS)
def test_readers_may_open_page_and_api(client_for, api_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 200
    assert api_for(user).get(API).status_code == 200


def test_access_refused(client, client_for, api_for, warehouse, finance):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client_for(warehouse).get(URL).status_code == 403
    assert client_for(warehouse).get(URL, {"format": "xlsx"}).status_code == 403
    assert client_for(finance).post(URL).status_code == 405
    assert api_for(None).get(API).status_code in (401, 403)
    assert api_for(warehouse).get(API).status_code == 403
    assert api_for(finance).post(API, {}).status_code == 405


def test_query_counts_are_constant(client_for, api_for, finance, django_assert_max_num_queries):
    for i in range(32):
        customer = CustomerFactory(
            name=f"回款客户{i:02d}", tier=Tier.KEY if i % 8 == 0 else Tier.ORDINARY
        )
        for j in range(4):
            r = make_receivable(
                customer,
                f"{100 + i}.{j}5",
                d(2025, 6 + j * 2, 10 + i % 15),
                issued_on=d(2025, 5, 1),
            )
            if j % 2 == 0:
                pay(r, "10.00", d(2025, 12, 1))
    client = client_for(finance)
    for by, page_queries in (("month", 4), ("customer", 6), ("salesperson", 6)):
        with django_assert_max_num_queries(page_queries):
            response = client.get(URL, {"by": by})
        assert response.status_code == 200
        with django_assert_max_num_queries(page_queries):
            assert client.get(URL, {"by": by, "format": "xlsx"}).status_code == 200
        with django_assert_max_num_queries(3):
            assert api_for(finance).get(API, {"by": by}).status_code == 200
    assert client.get(URL, {"by": "customer"}).content.decode().count("回款客户") == 32
