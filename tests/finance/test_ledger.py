"""finance/ledger.py, directly: reading messy ledger sheets, proposing a mapping, parsing lines,
and matching them against SalesDesk items (every difference kind, alone and together)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from salesdesk.finance import ledger
from salesdesk.finance.ledger import RECEIPT, SALE, Item, LedgerLine

from .factories_reconciliation import SPLIT_HEADERS, ledger_xlsx, split_row


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English, whatever the default language."""
    with translation.override("en"):
        yield


D = Decimal
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def line(row, kind, amount, date, number="", customer_id=1, unit_price=None):
    return LedgerLine(
        row=row,
        date=date,
        kind=kind,
        amount=D(amount),
        number=number,
        customer_id=customer_id,
        unit_price=None if unit_price is None else D(unit_price),
    )


def item(pk, kind, amount, date, number="", customer_id=1, prices=()):
    return Item(kind, pk, customer_id, number, D(amount), date, frozenset(D(p) for p in prices))


def kinds(result):
    return sorted(
        (f.kind, f.line.row if f.line else None, f.item.pk if f.item else None)
        for f in result.differences
    )


def run(lines, items):
    return ledger.match(lines, items, period_start=START, period_end=END)


# --- matching -----------------------------------------------------------------------------


def base():
    lines = [
        line(2, SALE, "8560.00", dt.date(2026, 3, 2), "00012301", unit_price="0.856"),
        line(3, SALE, "1200.00", dt.date(2026, 3, 12)),  # no number: customer + amount + date
        line(4, RECEIPT, "8560.00", dt.date(2026, 3, 20), "BK-001"),
        line(5, RECEIPT, "3000.00", dt.date(2026, 3, 24)),
    ]
    items = [
        item(1, SALE, "8560.00", dt.date(2026, 3, 2), "00012301", prices=["0.8560"]),
        item(2, SALE, "1200.00", dt.date(2026, 3, 10)),
        item(3, RECEIPT, "8560.00", dt.date(2026, 3, 20), "BK-001"),
        item(4, RECEIPT, "3000.00", dt.date(2026, 3, 27)),  # 3 days: still within the window
    ]
    return lines, items


def test_agreeing_sides_have_no_difference():
    lines, items = base()
    result = run(lines, items)
    assert result.differences == []
    assert result.matched == 4


def test_missing_in_salesdesk_alone():
    lines, items = base()
    lines.append(line(9, SALE, "777.00", dt.date(2026, 3, 15), "00012399"))
    assert kinds(run(lines, items)) == [("missing_in_salesdesk", 9, None)]


def test_missing_in_finance_alone_and_only_inside_the_period():
    lines, items = base()
    items.append(item(9, SALE, "640.00", dt.date(2026, 3, 18), "00012350"))
    items.append(
        item(10, SALE, "640.00", dt.date(2026, 4, 2), "00012351")
    )  # after the period: not reported
    assert kinds(run(lines, items)) == [("missing_in_finance", None, 9)]


def test_amount_differs_alone():
    lines, items = base()
    lines.append(line(9, SALE, "2100.00", dt.date(2026, 3, 8), "00012360"))
    items.append(item(9, SALE, "2000.00", dt.date(2026, 3, 8), "00012360"))
    assert kinds(run(lines, items)) == [("amount_differs", 9, 9)]


def test_price_differs_alone_at_the_ledgers_precision():
    lines, items = base()
    lines.append(line(9, SALE, "1200.00", dt.date(2026, 3, 22), "00012370", unit_price="1.25"))
    items.append(item(9, SALE, "1200.00", dt.date(2026, 3, 22), "00012370", prices=["1.2000"]))
    lines.append(
        line(10, SALE, "860.00", dt.date(2026, 3, 23), "00012371", unit_price="0.86")
    )  # 0.8560 rounded
    items.append(item(10, SALE, "860.00", dt.date(2026, 3, 23), "00012371", prices=["0.8560"]))
    result = run(lines, items)
    assert kinds(result) == [("price_differs", 9, 9)]
    assert result.differences[0].detail == {
        "ledger_unit_price": "1.25",
        "salesdesk_unit_price": "1.2000",
    }


def test_date_differs_alone():
    lines, items = base()
    lines.append(line(9, SALE, "900.00", dt.date(2026, 3, 9), "00012380"))
    items.append(item(9, SALE, "900.00", dt.date(2026, 3, 3), "00012380"))
    lines.append(line(10, SALE, "901.00", dt.date(2026, 3, 9), "00012381"))  # 3 days: tolerated
    items.append(item(10, SALE, "901.00", dt.date(2026, 3, 6), "00012381"))
    assert kinds(run(lines, items)) == [("date_differs", 9, 9)]


def test_all_kinds_together_and_nothing_else():
    lines, items = base()
    lines += [
        line(9, SALE, "777.00", dt.date(2026, 3, 15), "00012399"),
        line(10, SALE, "2100.00", dt.date(2026, 3, 8), "00012360"),
        line(11, SALE, "1200.00", dt.date(2026, 3, 22), "00012370", unit_price="1.25"),
        line(12, SALE, "900.00", dt.date(2026, 3, 9), "00012380"),
    ]
    items += [
        item(20, SALE, "640.00", dt.date(2026, 3, 18), "00012350"),
        item(21, SALE, "2000.00", dt.date(2026, 3, 8), "00012360"),
        item(22, SALE, "1200.00", dt.date(2026, 3, 22), "00012370", prices=["1.2"]),
        item(23, SALE, "900.00", dt.date(2026, 3, 3), "00012380"),
    ]
    result = run(lines, items)
    assert kinds(result) == [
        ("amount_differs", 10, 21),
        ("date_differs", 12, 23),
        ("missing_in_finance", None, 20),
        ("missing_in_salesdesk", 9, None),
        ("price_differs", 11, 22),
    ]
    assert result.matched == 7


def test_each_item_matches_one_line_at_most():
    items = [item(1, SALE, "500.00", dt.date(2026, 3, 5))]
    lines = [
        line(2, SALE, "500.00", dt.date(2026, 3, 5)),
        line(3, SALE, "500.00", dt.date(2026, 3, 6)),
    ]
    assert kinds(run(lines, items)) == [("missing_in_salesdesk", 3, None)]
    numbered = [item(1, SALE, "500.00", dt.date(2026, 3, 5), "A1")]
    lines = [
        line(2, SALE, "500.00", dt.date(2026, 3, 5), "A1"),
        line(3, SALE, "500.00", dt.date(2026, 3, 5), "A1"),
    ]
    assert kinds(run(lines, numbered)) == [("missing_in_salesdesk", 3, None)]


def test_fuzzy_match_needs_customer_amount_and_window():
    items = [item(1, SALE, "500.00", dt.date(2026, 3, 5), customer_id=1)]
    cases = [
        line(2, SALE, "500.00", dt.date(2026, 3, 9)),  # 4 days away
        line(2, SALE, "500.01", dt.date(2026, 3, 5)),  # one fen off
        line(2, SALE, "500.00", dt.date(2026, 3, 5), customer_id=2),
        line(2, RECEIPT, "500.00", dt.date(2026, 3, 5)),  # a receipt never matches a receivable
        line(2, SALE, "500.00", dt.date(2026, 3, 5), customer_id=None),
    ]
    for case in cases:
        assert kinds(run([case], items)) == [
            ("missing_in_finance", None, 1),
            ("missing_in_salesdesk", 2, None),
        ]


def test_two_different_numbers_never_match_by_amount():
    items = [item(1, SALE, "500.00", dt.date(2026, 3, 5), "F-1")]
    result = run([line(2, SALE, "500.00", dt.date(2026, 3, 5), "F-2")], items)
    assert kinds(result) == [("missing_in_finance", None, 1), ("missing_in_salesdesk", 2, None)]


def test_a_numbered_line_matches_an_uninvoiced_receivable_by_amount():
    items = [item(1, SALE, "500.00", dt.date(2026, 3, 5))]
    assert run([line(2, SALE, "500.00", dt.date(2026, 3, 7), "F-9")], items).differences == []


def test_numbers_compare_without_case_spaces_and_lost_zeros():
    assert ledger.number_key(" bk-001 ") == ledger.number_key("BK-001")
    assert ledger.number_key("12345") == ledger.number_key("00012345")
    assert ledger.number_variants("12345") == {"12345", "00012345"}


@pytest.mark.parametrize(
    "text,kind",
    [
        ("借", SALE),
        ("贷", RECEIPT),
        ("销售纸箱", SALE),
        ("收到货款", RECEIPT),
        ("开具发票", SALE),
        ("回款", RECEIPT),
        ("调整", None),
    ],
)
def test_kind_of(text, kind):
    assert ledger.kind_of(text) == kind


# --- reading --------------------------------------------------------------------------------


def test_reads_a_plain_sheet_and_proposes_the_mapping():
    content = ledger_xlsx([split_row(dt.date(2026, 3, 2), "001", "甲公司", debit="100")])
    sheet = ledger.read_ledger(content)
    assert sheet.header_row == 1
    assert sheet.headers == SPLIT_HEADERS
    mapping = ledger.propose_mapping(sheet.headers)
    assert mapping == {
        "date": 0,
        "number": 2,
        "customer": 3,
        "summary": 4,
        "debit": 7,
        "credit": 8,
        "quantity": 5,
        "unit_price": 6,
    }  # 发票号 is preferred to the voucher number 凭证号; the balance 余额 is not an amount
    assert ledger.mapping_problems(mapping, sheet.headers) == []


def test_title_row_and_merged_header_cells():
    rows = [split_row(dt.date(2026, 3, 2), "001", "甲公司", debit="100")]
    content = ledger_xlsx(rows, title="2026年3月 应收账款明细账", merged_header=True)
    sheet = ledger.read_ledger(content)
    assert sheet.header_row == 3  # title, then the "金额" band, then 借方/贷方
    assert sheet.headers == SPLIT_HEADERS  # merged 日期 etc. carried down to the header row
    lines, errors = ledger.parse_lines(sheet, ledger.propose_mapping(sheet.headers))
    assert errors == []
    assert [(ln.row, ln.kind, ln.amount) for ln in lines] == [(4, SALE, D("100.00"))]


def test_text_numbers_and_dates_and_subtotal_rows():
    rows = [
        split_row("2026/3/1", "A1", "甲公司", debit=" 1,234.50 "),
        split_row("2026年3月5日", "A2", "甲公司", credit="980"),
        ["", "", "", "", "小计", "", "", "2,214.50", "", ""],
        [],
        split_row(46091, "A3", "甲公司", debit=12.5),  # an Excel serial: 2026-03-10
        split_row(dt.date(2026, 3, 11), "A4", "甲公司", debit="¥88.00"),
        ["本月合计", "", "", "", "", "", "", "1,335.00", "980.00", ""],
        ["", "", "", "", "本年累计", "", "", "9,999.00", "", ""],
    ]
    sheet = ledger.read_ledger(ledger_xlsx(rows, dates_as_excel=True))
    lines, errors = ledger.parse_lines(sheet, ledger.propose_mapping(sheet.headers))
    assert errors == []
    assert [(ln.date, ln.number, ln.kind, ln.amount) for ln in lines] == [
        (dt.date(2026, 3, 1), "A1", SALE, D("1234.50")),
        (dt.date(2026, 3, 5), "A2", RECEIPT, D("980.00")),
        (dt.date(2026, 3, 10), "A3", SALE, D("12.50")),
        (dt.date(2026, 3, 11), "A4", SALE, D("88.00")),
    ]


def test_amount_and_direction_layout_with_customer_codes():
    headers = ["日期", "单号", "客户编码", "借/贷", "金额", "摘要"]
    rows = [
        ["2026-03-02", "X1", "C001", "借", "100.00", "销售"],
        ["2026-03-03", "Y1", "C001", "贷", "60", "回款"],
    ]
    sheet = ledger.read_ledger(ledger_xlsx(rows, headers=headers))
    mapping = ledger.propose_mapping(sheet.headers)
    assert mapping == {
        "date": 0,
        "number": 1,
        "customer_code": 2,
        "kind": 3,
        "summary": 5,
        "amount": 4,
    }
    lines, errors = ledger.parse_lines(sheet, mapping)
    assert errors == []
    assert [(ln.kind, ln.amount, ln.customer_code) for ln in lines] == [
        (SALE, D("100.00"), "C001"),
        (RECEIPT, D("60.00"), "C001"),
    ]


def test_bad_cells_are_reported_by_row_and_header():
    headers = ["日期", "发票号", "客户名称", "借/贷", "金额"]
    rows = [
        ["2026-13-40", "X1", "甲", "借", "100"],
        ["2026-03-02", "X2", "甲", "调整", "abc"],
        ["2026-03-03", "X3", "甲", "借", ""],
    ]
    sheet = ledger.read_ledger(ledger_xlsx(rows, headers=headers))
    lines, errors = ledger.parse_lines(sheet, ledger.propose_mapping(sheet.headers))
    assert lines == []
    assert [(e.row, e.column) for e in errors] == [
        (2, "日期"),
        (3, "金额"),
        (3, "借/贷"),
        (4, "金额"),
    ]
    assert "Row 2, 日期" in str(errors[0])


def test_signature_ignores_spacing_and_case_but_not_columns():
    assert ledger.header_signature(["日期", "Amount "]) == ledger.header_signature(
        [" 日 期", "amount", ""]
    )
    assert ledger.header_signature(["日期", "金额"]) != ledger.header_signature(["金额", "日期"])


def test_mapping_problems_name_what_is_missing():
    headers = ["日期", "发票号", "金额"]
    problems = ledger.mapping_problems({"number": 1, "amount": 2}, headers)
    assert any("date" in p for p in problems)
    assert any("借/贷" in p for p in problems)
    assert ledger.mapping_problems({"date": 0, "number": 0, "debit": 2}, headers) == [
        "One column is mapped to two fields."
    ]
    assert ledger.mapping_problems({"date": 7, "debit": 2, "number": 1}, headers)


def test_not_a_ledger():
    with pytest.raises(ledger.LedgerError):
        ledger.read_ledger(b"not a zip")
    with pytest.raises(ledger.LedgerError):
        ledger.read_ledger(ledger_xlsx([["x", "y"]], headers=["甲", "乙"]))


def test_customer_merged_down_its_rows_and_zero_balance_rows():
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("明细")
    for c, h in enumerate(["日期", "发票号", "客户名称", "借方", "贷方"]):
        ws.write_string(0, c, h)
    ws.merge_range(1, 2, 2, 2, "甲公司")
    for r, (date, number, debit, credit) in enumerate(
        [
            ("2026-03-01", "A1", "100", ""),
            ("2026-03-02", "A2", "", "60"),
            ("2026-03-03", "A3", "0", "0.00"),
        ],
        start=1,
    ):
        ws.write_string(r, 0, date)
        ws.write_string(r, 1, number)
        if debit:
            ws.write_string(r, 3, debit)
        if credit:
            ws.write_string(r, 4, credit)
    book.close()
    sheet = ledger.read_ledger(buffer.getvalue())
    lines, errors = ledger.parse_lines(sheet, ledger.propose_mapping(sheet.headers))
    assert errors == []
    assert [(ln.number, ln.customer, ln.kind) for ln in lines] == [
        ("A1", "甲公司", SALE),
        ("A2", "甲公司", RECEIPT),
    ]
