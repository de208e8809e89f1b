"""The monthly pack (R-8.6): its figures on hand-computed data, scoping per role, the page, the
Excel workbook, the PDF (fonts embedded, Chinese text, figures and charts present, also on a
machine without any font installed) and the `monthly_pack` command."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Dispute
from salesdesk.orders.services.orders import order_cancel
from salesdesk.reports.models import SalesTarget
from salesdesk.reports.pdf import pack_html, render_pack_pdf
from salesdesk.reports.selectors.pack import monthly_pack, parse_month
from tests.factories import CustomerFactory
from tests.finance.factories_reports import make_receivable, pay
from tests.helpers import assert_goes_to_login
from tests.orders.test_orders_helpers import confirmed_order, make_product

from . import pdftext

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
OCTOBER = dt.date(2026, 10, 1)
D = Decimal


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _sale(by, customer, day: dt.date, amount: str):
    price = (D(amount) / 100).quantize(D("0.0001"))
    return confirmed_order(by, customer, order_date=day, lines=[(make_product(), 100, price)])


@pytest.fixture
def data(salesperson, other_salesperson, director):
    """Sales1 (key customer 杭州明发): 1000.00 on 2026-10-05, 250.50 on 2026-03-02, 400.00 on
    2025-10-10. Sales2 (宁波华丰): 500.00 on 2026-10-06 and a cancelled 777.00 that never counts.
    Targets 2026: department 24,000.00 a year and 2,000.00 for October; sales1 12,000.00 a year.
    Receivables: 杭州明发 600.00 due 2026-10-10, 200.00 paid on 10-15 (400.00 overdue);
    宁波华丰 300.00 due 2026-11-30 (not yet due). An open headquarters dispute of 88.00 with
    宁波华丰."""
    mine = CustomerFactory(name="杭州明发包装有限公司", owner=salesperson, tier=Tier.KEY)
    theirs = CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)
    _sale(salesperson, mine, dt.date(2026, 10, 5), "1000.00")
    _sale(salesperson, mine, dt.date(2026, 3, 2), "250.50")
    _sale(salesperson, mine, dt.date(2025, 10, 10), "400.00")
    _sale(other_salesperson, theirs, dt.date(2026, 10, 6), "500.00")
    cancelled = _sale(other_salesperson, theirs, dt.date(2026, 10, 7), "777.00")
    order_cancel(order=cancelled, by=other_salesperson, reason="客户取消")
    SalesTarget.objects.create(year=2026, amount=D("24000.00"))
    SalesTarget.objects.create(year=2026, month=10, amount=D("2000.00"))
    SalesTarget.objects.create(year=2026, salesperson=salesperson, amount=D("12000.00"))
    owed = make_receivable(mine, "600.00", dt.date(2026, 10, 10), issued_on=dt.date(2026, 9, 10))
    pay(owed, "200.00", dt.date(2026, 10, 15))
    make_receivable(theirs, "300.00", dt.date(2026, 11, 30), issued_on=dt.date(2026, 10, 1))
    Dispute.objects.create(
        customer=theirs,
        title="2019年对账差额",
        kind="price",
        amount=D("88.00"),
        owner=other_salesperson,
        opened_on=dt.date(2026, 9, 1),
    )
    return {"mine": mine, "theirs": theirs}


# --- the figures ----------------------------------------------------------------------------


def test_director_pack_figures(data, director):
    pack = monthly_pack(user=director, month=OCTOBER)
    sales = pack["sales"]
    assert (sales["month"], sales["month_orders"], sales["month_prior"]) == (
        D("1500.00"),
        2,
        D("400.00"),
    )
    assert sales["month_growth"] == D("275.0")
    assert (sales["ytd"], sales["ytd_prior"]) == (D("1750.50"), D("400.00"))
    dept = pack["targets"].department
    assert (dept.booked_month, dept.target_month, dept.month_share) == (
        D("1500.00"),
        D("2000.00"),
        D("75.0"),
    )
    assert (dept.booked_year, dept.target_year) == (D("1750.50"), D("24000.00"))
    ranking = [(r.name, r.amount) for r in pack["ranking"]["rows"]]
    assert ranking[:2] == [
        (data["mine"].owner.display_name or data["mine"].owner.username, D("1000.00")),
        (data["theirs"].owner.display_name or data["theirs"].owner.username, D("500.00")),
    ]
    month = pack["collection"]["month"]
    assert (month["due"], month["collected"], month["rate"]) == (
        D("600.00"),
        D("200.00"),
        D("33.3"),
    )
    aging = pack["aging"]
    assert aging["as_of"] == dt.date(2026, 10, 20)  # the month still runs: today
    assert (aging["totals"]["total"], aging["totals"]["overdue"]) == (D("700.00"), D("400.00"))
    assert [r["name"] for r in aging["top"]] == ["杭州明发包装有限公司"]
    issues = pack["issues"]
    assert issues["disputes"] == {"count": 1, "amount": D("88.00")}
    assert pack["new_customers"]["count"] == 2
    assert not pack["complete"]


def test_salesperson_pack_holds_own_figures_only(data, salesperson):
    pack = monthly_pack(user=salesperson, month=OCTOBER)
    assert pack["person"] == salesperson.pk
    assert (pack["sales"]["month"], pack["sales"]["ytd"]) == (D("1000.00"), D("1250.50"))
    assert pack["aging"]["totals"]["total"] == D("400.00")
    assert pack["issues"]["disputes"]["count"] == 0
    assert pack["new_customers"]["count"] == 1
    assert [p.salesperson_id for p in pack["targets"].people] == [salesperson.pk]
    # The ranking is the team's; others' amounts hidden by default (RANKING_AMOUNT_ROLES).
    amounts = {r.is_me: r.amount for r in pack["ranking"]["rows"]}
    assert amounts == {True: D("1000.00"), False: None}


def test_past_month_reads_receivables_on_its_last_day(data, director):
    pack = monthly_pack(user=director, month=dt.date(2026, 9, 1))
    assert pack["complete"] and pack["as_of"] == dt.date(2026, 9, 30)
    # On 30 September only 杭州明发's 600.00 was issued, not yet due and not yet paid.
    assert (pack["aging"]["totals"]["total"], pack["aging"]["totals"]["overdue"]) == (
        D("600.00"),
        D("0.00"),
    )
    assert pack["sales"]["month"] == D("0.00")


def test_a_month_not_begun_is_refused(director):
    with pytest.raises(ValueError):
        monthly_pack(user=director, month=dt.date(2026, 11, 1))


def test_warehouse_has_no_pack(warehouse):
    with pytest.raises(PermissionError):
        monthly_pack(user=warehouse, month=OCTOBER)


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-10", OCTOBER), (" 2026-01 ", dt.date(2026, 1, 1)), ("2026-13", None), ("26-10", None)],
)
def test_parse_month(text, month):
    assert parse_month(text) == month


# --- the page -------------------------------------------------------------------------------


def test_page_needs_sign_in_and_a_reports_role(client, client_for, warehouse):
    assert_goes_to_login(client.get("/reports/pack/"))
    assert client_for(warehouse).get("/reports/pack/?month=2026-10").status_code == 403


def test_page_is_get_only(client_for, director):
    assert client_for(director).post("/reports/pack/?month=2026-10").status_code == 405


def test_director_page_shows_figures_and_svg_charts(data, client_for, director, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client_for(director).get("/reports/pack/?month=2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "¥1,500.00" in html and "¥1,750.50" in html
    assert "宁波华丰纸业有限公司" in html and "¥88.00" in html
    for chart in ("sd-chart-sales", "sd-chart-ranking", "sd-chart-collection", "sd-chart-aging"):
        assert f'class="sd-svg-chart {chart}"' in html
    assert html.count("<svg") >= 4
    assert 'href="/reports/pack/pdf/?month=2026-10"' in html


def test_salesperson_page_shows_nothing_of_others(data, client_for, salesperson):
    html = client_for(salesperson).get("/reports/pack/?month=2026-10").content.decode()
    assert "¥1,000.00" in html
    for secret in ("宁波华丰纸业有限公司", "¥500.00", "¥300.00", "¥88.00", "2019年对账差额"):
        assert secret not in html


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026-13", "Enter a month as YYYY-MM"), ("2026-11", "This month has not begun yet")],
)
def test_bad_month_names_the_field(client_for, director, month, message):
    client = client_for(director)
    client.cookies["django_language"] = "en"
    response = client.get(f"/reports/pack/?month={month}")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'name="month"' in html and "is-invalid" in html
    assert client.get(f"/reports/pack/pdf/?month={month}").status_code == 400


def test_page_queries_are_bounded(data, client_for, director, django_assert_max_num_queries):
    client = client_for(director)
    with django_assert_max_num_queries(40):
        assert client.get("/reports/pack/?month=2026-10").status_code == 200


def test_excel_workbook_has_the_same_figures(data, client_for, director):
    client = client_for(director)
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/reports/pack/?month=2026-10&format=xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary = dict(book.get_sheet_by_name(book.sheet_names[0]).to_python()[1:])
    assert summary["本月接单额"] == 1500.0
    assert summary["本年累计接单额"] == 1750.5
    assert summary["未结总部争议"] == 1
    ranking = book.get_sheet_by_name("排名").to_python()
    assert [row[2] for row in ranking[1:3]] == [1000.0, 500.0]


# --- the PDF --------------------------------------------------------------------------------


@pytest.fixture
def pdf(data, director):
    with translation.override("zh-hans"):
        return render_pack_pdf(monthly_pack(user=director, month=OCTOBER))


def test_pdf_embeds_its_chinese_font(pdf):
    assert pdf.startswith(b"%PDF-")
    fonts = pdftext.embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts  # every font used has its /FontFile
    assert all("SalesDesk-CJK" in name for name in fonts)


def test_pdf_holds_chinese_text_figures_and_charts(pdf):
    text = pdftext.text(pdf)
    assert "2026-10 月度报告" in text
    for figure in ("¥1,500.00", "¥1,750.50", "¥400.00", "33.3%", "¥88.00"):
        assert figure in text, figure
    assert "杭州明发包装有限公司" in text and "宁波华丰纸业有限公司" in text
    lines = set(text.splitlines())
    # The SVG charts are drawn: their axis month names and bar labels are in the PDF.
    assert {"一月", "十月", "万元"} <= lines
    assert "¥1,000" in lines and "¥500" in lines  # the ranking chart's bar labels


def test_pdf_view(data, client_for, director):
    response = client_for(director).get("/reports/pack/pdf/?month=2026-10")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "salesdesk-monthly-pack-2026-10.pdf" in response["Content-Disposition"]
    assert "¥1,500.00" in pdftext.text(response.content)


def test_salesperson_pdf_holds_own_figures_only(data, client_for, salesperson):
    response = client_for(salesperson).get("/reports/pack/pdf/?month=2026-10")
    text = pdftext.text(response.content)
    assert "¥1,000.00" in text
    assert "宁波华丰纸业有限公司" not in text and "¥88.00" not in text


def test_pdf_shows_chinese_on_a_machine_without_fonts(data, director, tmp_path):
    """Rendered in a process whose fontconfig knows no font at all: every glyph must come
    from the embedded SALESDESK_PDF_FONT."""
    with translation.override("zh-hans"):
        html = pack_html(monthly_pack(user=director, month=OCTOBER))
    (tmp_path / "pack.html").write_text(html, encoding="utf-8")
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    script = (
        "import django, pathlib, sys; django.setup();"
        "from salesdesk.reports.pdf import html_to_pdf;"
        "d = pathlib.Path(sys.argv[1]);"
        "(d / 'pack.pdf').write_bytes(html_to_pdf((d / 'pack.html').read_text()))"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"),
        "DJANGO_SETTINGS_MODULE": "salesdesk.settings",
        "SALESDESK_INSECURE_DEV_KEY": "1",
    }
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], env=env, check=True, capture_output=True
    )
    pdf = (tmp_path / "pack.pdf").read_bytes()
    fonts = pdftext.embedded_fonts(pdf)
    assert fonts and all(fonts.values()) and all("SalesDesk-CJK" in f for f in fonts)
    text = pdftext.text(pdf)
    assert "月度报告" in text and "¥1,500.00" in text and "十月" in text
    assert "\ufffd" not in text


def test_missing_font_setting_is_named(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from salesdesk.reports.pdf import pdf_font

    settings.SALESDESK_PDF_FONT = str(tmp_path / "none.ttc")
    with pytest.raises(ImproperlyConfigured, match="SALESDESK_PDF_FONT"):
        pdf_font()


# --- the command ----------------------------------------------------------------------------


def test_command_writes_the_pdf_of_a_month(data, tmp_path):
    out = io.StringIO()
    target = tmp_path / "packs" / "2026-10.pdf"
    call_command("monthly_pack", month="2026-10", output=str(target), stdout=out)
    assert f"wrote {target}" in out.getvalue()
    text = pdftext.text(target.read_bytes())
    assert "2026-10 月度报告" in text and "¥1,500.00" in text


def test_command_defaults_to_the_previous_month(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("monthly_pack", stdout=io.StringIO())
    assert Path(tmp_path / "salesdesk-monthly-pack-2026-09.pdf").is_file()


def test_command_as_a_salesperson(data, salesperson, tmp_path):
    target = tmp_path / "mine.pdf"
    call_command(
        "monthly_pack",
        month="2026-10",
        output=str(target),
        user=salesperson.username,
        language="en",
        stdout=io.StringIO(),
    )
    text = pdftext.text(target.read_bytes())
    assert "Monthly pack 2026-10" in text and "¥1,000.00" in text
    assert "宁波华丰纸业有限公司" not in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"month": "2026-13"}, "--month"),
        ({"month": "2026-12"}, "not begun"),
        ({"user": "nobody"}, "no user"),
        ({"user": "warehouse"}, "may not read reports"),
    ],
)
def test_command_refuses_bad_options(warehouse, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("monthly_pack", output=str(tmp_path / "x.pdf"), **options)
    assert not (tmp_path / "x.pdf").exists()
