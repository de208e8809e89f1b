"""Finance's money desk in a real Chromium: record a bank slip, see it allocated oldest first,
see the customer's overdue amount change on the aging page, then reconcile finance's ledger and
find exactly the planted differences, each under its kind."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import timezone
from django.utils.translation import trans_real
from playwright.sync_api import expect

from salesdesk.accounts.roles import Role
from salesdesk.customers.choices import Tier
from salesdesk.finance.choices import DifferenceKind
from salesdesk.finance.models import Difference, LedgerMapping, Payment, Receivable
from tests.factories import CustomerFactory, UserFactory
from tests.finance.factories_reconciliation import shipped_receivable

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
CUSTOMER = "嘉兴市南湖区恒达食品有限公司"


@pytest.fixture
def chinese_of_the_money_pages():
    """The Chinese of translations/*.json active in this process (the live server's thread too)
    for msgids the compiled catalogue does not translate yet; removed again afterwards."""
    catalog = trans_real.translation("zh-hans")._catalog
    added = []
    for path in sorted(TRANSLATIONS.glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            msgid = key.replace("::", "\x04", 1) if "::" in key else key
            if msgid not in catalog:
                catalog[msgid] = value
                added.append(msgid)
    yield
    for table in getattr(catalog, "_catalogs", []):
        for msgid in added:
            table.pop(msgid, None)


def _ledger(rows: list[list]) -> bytes:
    """Finance's sheet: a title row over Chinese headers, numbers and dates as Excel keeps them."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("11月")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 7, "应收账款明细账", book.add_format({"bold": True}))
    for col, header in enumerate(
        ["日期", "发票号", "客户名称", "摘要", "借方金额", "贷方金额", "数量", "单价"]
    ):
        sheet.write_string(1, col, header)
    for r, (day, number, name, summary, debit, credit, quantity, price) in enumerate(rows, start=2):
        sheet.write_datetime(r, 0, dt.datetime(day.year, day.month, day.day), dates)
        sheet.write_string(r, 1, number)
        sheet.write_string(r, 2, name)
        sheet.write_string(r, 3, summary)
        for col, value in ((4, debit), (5, credit), (6, quantity), (7, price)):
            if value is not None:
                sheet.write_number(r, col, float(value))
    book.close()
    return buffer.getvalue()


def _aging_row(page):
    return page.locator("#aging-report tbody tr", has_text=CUSTOMER)


def test_finance_records_a_payment_sees_the_aging_change_and_reconciles(
    page, live_server, sign_in, console_errors, transactional_db, chinese_of_the_money_pages
):
    UserFactory(username="finance", role=Role.FINANCE, display_name="刘敏")
    owner = UserFactory(username="sales1", role=Role.SALESPERSON, display_name="李建明")
    customer = CustomerFactory(
        code="C000888", name=CUSTOMER, owner=owner, tier=Tier.KEY, payment_terms_days=30
    )
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    # Due 45 days ago (31–60), due 10 days ago (0–30), due today and in 10 days (not yet due).
    oldest = shipped_receivable(
        customer, quantity=1000, unit_price="2.3500", ship_date=ago(75), invoice_number="04476312"
    )
    older = shipped_receivable(
        customer, quantity=500, unit_price="3.1000", ship_date=ago(40), invoice_number="04476313"
    )
    booked_late = shipped_receivable(
        customer, quantity=400, unit_price="1.2500", ship_date=ago(30), invoice_number="04476314"
    )
    unbooked = shipped_receivable(
        customer, quantity=300, unit_price="0.8560", ship_date=ago(20), invoice_number="04476315"
    )

    sign_in("finance")
    page.goto(f"{live_server.url}/finance/aging/")
    expect(page.locator("h1")).to_have_text("应收账龄")
    expect(page.locator("#aging-report thead")).to_contain_text("31–60天")
    row = _aging_row(page)
    expect(row).to_contain_text("大客户")
    expect(row.locator("td").nth(2)).to_have_text("¥1,550.00")  # 0–30 days
    expect(row.locator("td").nth(3)).to_have_text("¥2,350.00")  # 31–60 days

    # One bank slip: ¥3,000 goes to the oldest receivable first, the rest to the next one.
    page.goto(f"{live_server.url}/finance/payments/new/")
    expect(page.locator("h1")).to_have_text("登记回款")
    page.fill("input[name=customer]", "C000888")
    page.fill("input[name=amount]", "3,000")
    page.fill("input[name=reference]", f"{today:%Y%m%d}00012345")
    page.get_by_role("button", name="保存").click()
    saved = page.locator("[data-role=last-payment]")
    expect(saved).to_contain_text("已保存")
    allocations = saved.locator("[data-role=allocations] li")
    expect(allocations).to_have_count(2)
    expect(allocations.nth(0)).to_contain_text("¥2,350.00")
    expect(allocations.nth(0)).to_contain_text("04476312")
    expect(allocations.nth(0)).to_contain_text("已收清")
    expect(allocations.nth(1)).to_contain_text("¥650.00")
    expect(allocations.nth(1)).to_contain_text("04476313")
    payment = Payment.objects.get(customer=customer)
    assert (payment.amount, payment.allocated_amount, payment.received_on) == (
        Decimal("3000.00"),
        Decimal("3000.00"),
        today,
    )
    oldest.refresh_from_db()
    older.refresh_from_db()
    assert not oldest.is_open and oldest.paid_on == today
    assert older.allocated_amount == Decimal("650.00") and older.is_open

    page.goto(f"{live_server.url}/finance/aging/")
    row = _aging_row(page)
    expect(row.locator("td").nth(2)).to_have_text("¥900.00")
    expect(row.locator("td").nth(3)).to_have_text("–")
    expect(row.locator("td").nth(6)).to_have_text(
        f"¥{Decimal('900.00') + booked_late.amount + unbooked.amount:,}"
    )

    # Finance's ledger of the period: one planted difference of each kind, the rest agrees.
    ledger = _ledger(
        [
            [
                ago(75),
                "04476312",
                CUSTOMER,
                "销售纸箱",
                Decimal("2300.00"),
                None,
                980,
                Decimal("2.35"),
            ],
            [
                ago(40),
                "04476313",
                CUSTOMER,
                "销售纸箱",
                Decimal("1550.00"),
                None,
                500,
                Decimal("3.20"),
            ],
            [
                ago(24),
                "04476314",
                CUSTOMER,
                "销售纸箱",
                Decimal("500.00"),
                None,
                400,
                Decimal("1.25"),
            ],
            [
                ago(12),
                "04476399",
                CUSTOMER,
                "刀模费",
                Decimal("880.00"),
                None,
                1,
                Decimal("880.00"),
            ],
            [today, "", CUSTOMER, "收到货款", None, Decimal("3000.00"), None, None],
        ]
    )
    page.goto(f"{live_server.url}/finance/reconciliations/new/")
    expect(page.locator("h1")).to_contain_text("上传财务账对账")
    files = {
        "name": "应收明细账.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    page.set_input_files("input[name=file]", {**files, "buffer": ledger})
    page.get_by_role("button", name="下一步：对应列").click()
    expect(page.locator("h1")).to_contain_text("对应财务账的列")
    expect(page.get_by_text("根据表头建议的列对应")).to_be_visible()
    for field, column in (
        ("date", "0"),
        ("number", "1"),
        ("customer", "2"),
        ("debit", "4"),
        ("credit", "5"),
        ("unit_price", "7"),
    ):
        expect(page.locator(f"select[name=map_{field}]")).to_have_value(column)
    page.get_by_role("button", name="开始对账").click()
    expect(page.locator("h1")).to_have_text("应收明细账.xlsx")

    expected = {
        DifferenceKind.AMOUNT_DIFFERS: ("金额不符", "04476312"),
        DifferenceKind.PRICE_DIFFERS: ("单价不符", "04476313"),
        DifferenceKind.DATE_DIFFERS: ("日期不符", "04476314"),
        DifferenceKind.MISSING_IN_SALESDESK: ("SalesDesk 缺少", "04476399"),
        DifferenceKind.MISSING_IN_FINANCE: ("财务账缺少", "04476315"),
    }
    headings = page.locator("h2[id^=kind-]")
    expect(headings).to_have_count(len(expected))
    for kind, (label, number) in expected.items():
        heading = page.locator(f"h2#kind-{kind}")
        expect(heading).to_contain_text(label)
        expect(heading.locator(".badge")).to_have_text("1")
        table = page.locator(f"h2#kind-{kind} + div table tbody tr")
        expect(table).to_have_count(1)
        expect(table).to_contain_text(number)
    differences = Difference.objects.all()
    assert Counter(differences.values_list("kind", flat=True)) == Counter(DifferenceKind.values)
    assert differences.get(kind=DifferenceKind.MISSING_IN_FINANCE).receivable_id == unbooked.pk
    assert Receivable.objects.count() == 4  # nothing was changed silently

    # The same sheet next month: the mapping is remembered.
    assert LedgerMapping.objects.count() == 1
    page.goto(f"{live_server.url}/finance/reconciliations/new/")
    page.set_input_files("input[name=file]", {**files, "buffer": ledger})
    page.get_by_role("button", name="下一步：对应列").click()
    expect(page.get_by_text("沿用上次记住的列对应")).to_be_visible()
    assert console_errors == []
