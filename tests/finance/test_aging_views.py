"""The aging page (finance:aging) and GET /api/v1/reports/aging/: content, links, Excel,
scoping, permissions, bad input and query counts."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Tier
from salesdesk.finance.templatetags import money_rows
from tests.factories import CustomerFactory

from .factories_reports import make_receivable, pay, report_translations  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)
URL = "/finance/aging/"
API = "/api/v1/reports/aging/"
READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
# Chinese of translations/reports.json active before the lead merges it into the catalogue.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_translations")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH), tick=False):
        yield


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def book(salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, name="杭州明发包装")
    key = CustomerFactory(owner=salesperson, name="宁波重点纸业", tier=Tier.KEY)
    theirs = CustomerFactory(owner=other_salesperson, name="温州别家印刷")
    make_receivable(mine, "1234.50", days_ago(31))
    make_receivable(mine, "100.00", days_ago(-3))
    r = make_receivable(key, "2000.00", days_ago(95))
    pay(r, "500.25", days_ago(10))
    make_receivable(theirs, "777.77", days_ago(5))
    return {"mine": mine, "key": key, "theirs": theirs}


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    (name,) = book.sheet_names
    return name, book.get_sheet_by_name(name).to_python()


def test_url_name():
    assert reverse("finance:aging") == URL


def test_page_by_customer(client_for, finance, book):
    html = client_for(finance).get(URL).content.decode()
    assert "应收账龄" in html and "未到期" in html and "90天以上" in html
    assert html.index("宁波重点纸业") < html.index("杭州明发包装") < html.index("温州别家印刷")
    assert "¥1,234.50" in html and "¥1,499.75" in html and "¥777.77" in html
    assert "¥3,612.02" in html  # total open
    assert "逾期天数 = 统计日期减去到期日" in html  # the definition is on the page
    link = f"{reverse('finance:receivables')}?customer={book['mine'].pk}&amp;status=open"
    assert link in html
    assert 'class="key-account"' in html


def test_rows_mark_late_amounts_and_escape_names(client_for, finance, salesperson, book):
    make_receivable(
        CustomerFactory(owner=salesperson, name="<b>粗体</b>纸业"), "10.00", days_ago(1)
    )
    html = client_for(finance).get(URL).content.decode()
    assert "&lt;b&gt;粗体&lt;/b&gt;纸业" in html and "<b>粗体" not in html
    # 31 days overdue: the 31–60 column, in red; 1 day overdue: 0–30, not red.
    assert '<td class="text-end text-danger">¥1,234.50</td>' in html
    assert '<td class="text-end">¥10.00</td>' in html
    row = html[html.index("宁波重点纸业") - 200 : html.index("宁波重点纸业")]
    assert '<tr class="key-account">' in row


def test_page_by_salesperson_and_past_date(client_for, finance, salesperson, book):
    html = (
        client_for(finance)
        .get(URL, {"by": "salesperson", "as_of": days_ago(20).isoformat()})
        .content.decode()
    )
    assert "李业务" in html and "张业务" in html and "明发" not in html
    # 20 days ago: the key account's 2000.00 was unpaid (75 days overdue), mine owed 1234.50
    # (11 days overdue) and 100.00 not yet due.
    assert "¥3,334.50" in html
    assert f"salesperson={salesperson.pk}&amp;status=open" in html


def test_link_falls_back_to_customer_page(client_for, finance, book, monkeypatch):
    monkeypatch.setattr(money_rows, "_receivables_url", lambda: None)
    html = client_for(finance).get(URL).content.decode()
    assert f'href="{reverse("customers:detail", args=[book["mine"].pk])}"' in html


def test_htmx_returns_the_fragment(client_for, finance, book):
    html = (
        client_for(finance).get(URL, {"by": "salesperson"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert "<html" not in html and 'id="aging-report"' in html and "李业务" in html


def test_salesperson_sees_own_customers_only(client_for, api_for, salesperson, book):
    html = client_for(salesperson).get(URL).content.decode()
    assert "杭州明发包装" in html and "温州别家印刷" not in html and "777.77" not in html
    _name, rows = xlsx_rows(client_for(salesperson).get(URL, {"format": "xlsx"}))
    assert [r[1] for r in rows[1:-1]] == ["宁波重点纸业", "杭州明发包装"]
    data = api_for(salesperson).get(API).json()
    assert [r["name"] for r in data["rows"]] == ["宁波重点纸业", "杭州明发包装"]
    assert data["totals"]["total"] == "2834.25"
    data = api_for(salesperson).get(API, {"by": "salesperson"}).json()
    assert data["totals"]["total"] == "2834.25"


def test_excel_export(client_for, finance, book):
    name, rows = xlsx_rows(client_for(finance).get(URL, {"format": "xlsx"}))
    assert name == "账龄 2026-06-15"
    assert rows[0] == [
        "客户编码",
        "客户",
        "大客户",
        "未到期",
        "0–30天",
        "31–60天",
        "61–90天",
        "90天以上",
        "合计",
    ]
    key = rows[1]
    assert key[1:3] == ["宁波重点纸业", "大客户"] and key[7] == 1499.75 and key[8] == 1499.75
    mine = rows[2]
    assert mine[3] == 100.0 and mine[5] == 1234.5 and mine[8] == 1334.5
    assert rows[-1][0] == "合计" and rows[-1][-1] == 3612.02
    _name, rows = xlsx_rows(client_for(finance).get(URL, {"format": "xlsx", "by": "salesperson"}))
    assert rows[0][0] == "业务员" and {r[0] for r in rows[1:-1]} == {"李业务", "张业务"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"by": "region"}, "by"),
    ],
)
def test_bad_input_names_the_field(client_for, api_for, finance, book, params, field):
    response = client_for(finance).get(URL, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "invalid-feedback" in html.split(f'name="{field}"', 1)[1][:800]
    assert "杭州明发包装" not in html
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


def test_api_shape(api_for, finance, book):
    response = api_for(finance).get(API, {"as_of": TODAY.isoformat()})
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == "2026-06-15" and data["by"] == "customer"
    assert data["buckets"] == ["未到期", "0–30天", "31–60天", "61–90天", "90天以上"]
    first = data["rows"][0]
    assert first == {
        "id": book["key"].pk,
        "name": "宁波重点纸业",
        "not_due": "0.00",
        "d0_30": "0.00",
        "d31_60": "0.00",
        "d61_90": "0.00",
        "d90_plus": "1499.75",
        "total": "1499.75",
    }
    assert data["totals"] == {
        "not_due": "100.00",
        "d0_30": "777.77",
        "d31_60": "1234.50",
        "d61_90": "0.00",
        "d90_plus": "1499.75",
        "total": "3612.02",
    }


@pytest.fixture
def many(salesperson):
    for i in range(32):
        customer = CustomerFactory(
            name=f"账龄客户{i:02d}",
            owner=salesperson,
            tier=Tier.KEY if i % 8 == 0 else Tier.ORDINARY,
        )
        for j in range(4):
            r = make_receivable(customer, f"{50 + i}.{j}0", days_ago(-10 + j * 35))
            if j == 3 and i % 3 == 0:
                pay(r, "1.00", days_ago(2))


def test_query_counts_are_constant(
    client_for, api_for, finance, many, django_assert_max_num_queries
):
    client = client_for(finance)
    for params in ({}, {"by": "salesperson"}, {"as_of": days_ago(30).isoformat()}):
        with django_assert_max_num_queries(4):
            response = client.get(URL, params)
        assert response.status_code == 200
        with django_assert_max_num_queries(4):
            assert client.get(URL, {**params, "format": "xlsx"}).status_code == 200
        with django_assert_max_num_queries(3):
            assert api_for(finance).get(API, params).status_code == 200
    assert client.get(URL).content.decode().count("账龄客户") == 32


def test_page_is_paginated_with_totals_of_every_row(
    client_for, finance, django_assert_max_num_queries
):
    """60 customers with open items: 50 rows per page (key accounts first), the cards and footer
    keep the totals of all 60, the export keeps every row (performance fix 3)."""
    for i in range(60):
        customer = CustomerFactory(
            name=f"分页账龄{i:02d}", tier=Tier.KEY if i >= 57 else Tier.ORDINARY
        )
        make_receivable(customer, "10.00", days_ago(40))
    client = client_for(finance)
    with django_assert_max_num_queries(4):
        first = client.get(URL)
    report = first.context["report"]
    assert len(report["rows"]) == 50 and first.context["page_obj"].paginator.count == 60
    assert [row["is_key"] for row in report["rows"][:4]] == [True, True, True, False]
    assert str(report["totals"]["total"]) == "600.00"
    html = first.content.decode()
    assert html.count("分页账龄") == 50 and "600.00" in html
    with django_assert_max_num_queries(4):
        second = client.get(URL, {"page": 2})
    assert len(second.context["report"]["rows"]) == 10
    assert str(second.context["report"]["totals"]["total"]) == "600.00"
    _name, sheet = xlsx_rows(client.get(URL, {"format": "xlsx"}))
    assert sum(any("分页账龄" in str(cell) for cell in row) for row in sheet) == 60


@pytest.fixture
def thirteen(salesperson, other_salesperson):
    """13 customers with open items in every bucket, some partly paid, one item paid in full, and
    a customer whose only receivable was paid three days ago."""
    customers = []
    for i in range(13):
        customer = CustomerFactory(
            name=f"翻页客户{i:02d}",
            owner=salesperson if i % 2 else other_salesperson,
            tier=Tier.KEY if i % 5 == 0 else Tier.ORDINARY,
        )
        customers.append(customer)
        for j, overdue in enumerate((-7, 0, 12, 45, 75, 200)[: 2 + i % 5]):
            r = make_receivable(customer, f"{100 + i * 7 + j}.{i:02d}", days_ago(overdue))
            if (i + j) % 4 == 0:
                pay(r, f"{j + 1}.01", days_ago(2))
    paid = make_receivable(customers[12], "55.55", days_ago(20))
    pay(paid, "55.55", days_ago(1))
    settled = CustomerFactory(name="翻页已结清", owner=salesperson)
    pay(make_receivable(settled, "9.99", days_ago(50)), "9.99", days_ago(3))
    return customers


def independent_aging(as_of: dt.date) -> tuple[list[tuple], dict]:
    """Rows (id, total, per bucket) in the page order and the totals, from the raw rows alone."""
    from collections import defaultdict
    from decimal import Decimal

    from salesdesk.finance.models import Allocation, Receivable
    from salesdesk.finance.selectors.reports import BUCKET_KEYS, bucket_of

    paid = defaultdict(Decimal)
    for a in Allocation.objects.select_related("payment"):
        if a.payment.received_on <= as_of:
            paid[a.receivable_id] += a.amount
    per_customer: dict = defaultdict(lambda: dict.fromkeys(BUCKET_KEYS, Decimal("0.00")))
    for r in Receivable.objects.select_related("customer"):
        open_amount = r.amount - paid[r.pk]
        if r.issued_on <= as_of and open_amount:
            per_customer[r.customer][bucket_of((as_of - r.due_date).days)] += open_amount
    order = sorted(per_customer, key=lambda c: (c.tier, c.name, c.pk))
    rows = [(c.pk, sum(per_customer[c].values()), per_customer[c]) for c in order]
    totals = {k: sum((b[k] for _pk, _t, b in rows), Decimal("0.00")) for k in BUCKET_KEYS}
    return rows, totals


@pytest.mark.parametrize("as_of", [TODAY, TODAY - dt.timedelta(days=10)])
def test_page_two_and_totals_agree_with_the_raw_rows(
    client_for, api_for, finance, thirteen, settings, as_of, django_assert_max_num_queries
):
    """The page is cut by the database: page 2 holds rows 6–10 of the independent computation,
    and the totals (cards, footer, API) are those of every row, not of the page."""
    settings.SALESDESK_PAGE_SIZE = 5
    expected, totals = independent_aging(as_of)
    # Today the settled customer owes nothing; ten days ago its 9.99 was still open.
    assert len(expected) == (13 if as_of == TODAY else 14)
    client = client_for(finance)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page": 2, "as_of": as_of.isoformat()})
    report = response.context["report"]
    assert response.context["page_obj"].paginator.count == len(expected)
    got_rows = [(r["id"], r["total"], {k: r[k] for k in totals}) for r in report["rows"]]
    assert got_rows == expected[5:10]
    assert {k: report["totals"][k] for k in totals} == totals
    assert report["totals"]["total"] == sum(totals.values())
    html = response.content.decode()
    assert html.count("翻页客户") == 5
    # The API pages the same way and keeps the totals of every row.
    data = api_for(finance).get(API, {"page": 2, "page_size": 5, "as_of": as_of.isoformat()})
    data = data.json()
    assert data["count"] == len(expected) and data["previous"] and data["next"]
    assert [(r["id"], r["total"]) for r in data["rows"]] == [
        (pk, f"{total:.2f}") for pk, total, _b in expected[5:10]
    ]
    assert data["totals"]["total"] == f"{sum(totals.values()):.2f}"
    last = api_for(finance).get(API, {"page": 3, "page_size": 5, "as_of": as_of.isoformat()})
    assert [r["id"] for r in last.json()["rows"]] == [pk for pk, _t, _b in expected[10:]]
    assert last.json()["next"] is None
    # The export still lists every row, in the same order.
    _name, sheet = xlsx_rows(
        client_for(finance).get(URL, {"format": "xlsx", "as_of": as_of.isoformat()})
    )
    assert [row[-1] for row in sheet[1:-1]] == [float(total) for _pk, total, _b in expected]


def test_salesperson_pages_own_customers_only(client_for, salesperson, thirteen, settings):
    settings.SALESDESK_PAGE_SIZE = 5
    expected, _totals = independent_aging(TODAY)
    mine = [
        row
        for row in expected
        if row[0] in {c.pk for c in thirteen if c.owner_id == salesperson.pk}
    ]
    response = client_for(salesperson).get(URL, {"page": 2})
    assert response.context["page_obj"].paginator.count == len(mine)
    assert [r["id"] for r in response.context["report"]["rows"]] == [
        pk for pk, _t, _b in mine[5:10]
    ]
    assert response.context["report"]["totals"]["total"] == sum(t for _pk, t, _b in mine)


def test_page_out_of_range_shows_the_last_page(
    client_for, api_for, finance, thirteen, settings, django_assert_max_num_queries
):
    """The page read with the totals is the one asked for; a number past the end shows the last
    page, read again (one more query), with the same rows as the independent computation."""
    settings.SALESDESK_PAGE_SIZE = 5
    expected, totals = independent_aging(TODAY)
    client = client_for(finance)
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"page": 99})
    assert response.context["page_obj"].number == 3
    assert [r["id"] for r in response.context["report"]["rows"]] == [
        pk for pk, _t, _b in expected[10:]
    ]
    assert response.context["report"]["totals"]["total"] == sum(totals.values())
    data = api_for(finance).get(API, {"page": "last", "page_size": 5}).json()
    assert [r["id"] for r in data["rows"]] == [pk for pk, _t, _b in expected[10:]]
