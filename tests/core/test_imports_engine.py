"""The Excel import engine: parsing cells, finding the header, collecting every error."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.db import models
from django.utils import translation

from salesdesk.core import imports as engine
from salesdesk.core.imports import Column, ImportResult, Spec


class Colour(models.TextChoices):
    RED = "red", "Red"
    DARK_BLUE = "dark_blue", "Dark blue"


SPEC = Spec(
    sheet="客户",
    sheet_aliases=("Customers",),
    columns=(
        Column("code", ("客户编码", "Customer code", "code"), engine.text(20)),
        Column("name", ("客户名称", "Customer name", "name"), engine.text(10), required=True),
        Column("days", ("账期(天)", "Payment terms (days)"), engine.integer(0, 365, units=("天",))),
        Column("limit", ("信用额度", "Credit limit"), engine.money()),
        Column("since", ("日期", "Date"), engine.date()),
        Column(
            "colour",
            ("颜色", "Colour"),
            engine.choice(Colour, {"红色": Colour.RED, "深蓝": Colour.DARK_BLUE}),
        ),
        Column("mobile", ("手机", "Mobile"), engine.mobile()),
        Column("phone", ("电话", "Phone"), engine.phone()),
        Column("credit", ("统一社会信用代码", "Credit code"), engine.credit_code()),
        Column("primary", ("主要", "Primary"), engine.boolean()),
    ),
)


def xlsx(rows, *, sheet="客户", top=(), date_cells=()):
    """An .xlsx with `top` rows (titles, blanks) above `rows`; date_cells: {(row, col): date}."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for r, row in enumerate([*top, *rows]):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def read(content, max_rows=None):
    result = ImportResult()
    sheet = engine.read_sheet(engine.open_workbook(content), SPEC, result, max_rows=max_rows)
    return sheet, result


def test_parses_numbers_text_money_dates_and_choices():
    content = xlsx(
        [
            [
                "客户编码",
                "客户名称",
                "账期(天)",
                "信用额度",
                "日期",
                "颜色",
                "手机",
                "电话",
                "统一社会信用代码",
                "主要",
            ],
            [
                1001,
                "甲",
                "30",
                "1,234.50",
                dt.date(2026, 3, 1),
                "红色",
                13812345678,
                "0571 88886666",
                "91330100MA27XL0L63",
                "是",
            ],
            [
                "0012",
                "乙",
                45.0,
                1234.5,
                "2026/3/1",
                "dark_blue",
                "138 1234 5678",
                "400-820-8820",
                None,
                "N",
            ],
            ["C3", "丙", "60天", "¥200000", "2026年3月1日", "Dark blue", None, None, None, 1],
            ["C4", "丁", None, 99, "20260301", "深蓝", None, None, None, None],
            ["C5", "戊", None, None, 46082, "RED", None, None, None, None],
        ]
    )
    sheet, result = read(content)
    assert result.valid, result.error_dicts()
    values = [row.values for row in sheet.rows]
    assert values[0]["code"] == "1001"  # a number in a text column loses Excel's ".0"
    assert values[1]["code"] == "0012"
    assert [v.get("days") for v in values] == [30, 45, 60, None, None]
    assert values[0]["limit"] == Decimal("1234.50")
    assert values[1]["limit"] == Decimal("1234.50")
    assert values[2]["limit"] == Decimal("200000.00")
    assert values[3]["limit"] == Decimal("99.00")
    assert all(v["since"] == dt.date(2026, 3, 1) for v in values)
    assert [v["colour"] for v in values] == ["red", "dark_blue", "dark_blue", "dark_blue", "red"]
    assert values[0]["mobile"] == "13812345678"
    assert values[1]["mobile"] == "13812345678"
    assert values[0]["phone"] == "0571-88886666"
    assert values[0]["credit"] == "91330100MA27XL0L63"
    assert (
        values[0]["primary"] is True
        and values[1]["primary"] is False
        and values[2]["primary"] is True
    )
    assert "primary" not in values[3]  # a blank cell has no value: the caller keeps what is stored


def test_choice_accepts_labels_in_every_language():
    from salesdesk.customers.choices import Tier

    parse = engine.choice(Tier)
    assert parse("大客户") == "key"
    assert parse("Key account") == "key"
    assert parse("KEY") == "key"
    with translation.override("en"), pytest.raises(ValueError, match="Key account"):
        parse("金牌")


def test_header_found_below_a_title_row_and_blank_rows():
    content = xlsx(
        [
            ["客户名称*", "Unknown column", "客户编码"],
            ["甲", "x", "C1"],
            [],
            [None, "only unknown"],
            ["乙", None, "C2"],
        ],
        top=[["2026 年客户清单"], []],
    )
    sheet, result = read(content)
    assert result.valid
    assert sheet.header_row == 3
    assert [(r.number, r.values["name"], r.values["code"]) for r in sheet.rows] == [
        (4, "甲", "C1"),
        (7, "乙", "C2"),
    ]


def test_merged_title_row_is_not_taken_for_the_header():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("客户")
    ws.merge_range(0, 0, 0, 2, "客户名称 清单")
    ws.write_row(1, 0, ["Customer code", "Customer name"])
    ws.write_row(2, 0, ["C1", "甲"])
    ws.merge_range(3, 0, 3, 1, "")
    ws.write_row(4, 0, ["C2", "乙"])
    book.close()
    sheet, result = read(buffer.getvalue())
    assert result.valid, result.error_dicts()
    assert sheet.headers == {"code": "Customer code", "name": "Customer name"}
    assert [r.values["name"] for r in sheet.rows] == ["甲", "乙"]


def test_every_error_in_every_row_and_column_is_collected():
    content = xlsx(
        [
            ["客户名称", "账期(天)", "信用额度", "日期", "颜色", "手机", "统一社会信用代码"],
            ["甲", "thirty", "12abc", "2026-13-01", "green", "12345", "91330100MA27XL0L6X"],
            [None, -1, -5, "yesterday", None, "13812345678", None],
            ["一个名字太长太长太长太长了", 400, None, None, None, None, None],
        ]
    )
    _sheet, result = read(content)
    errors = [(e["row"], e["column"]) for e in result.error_dicts()]
    assert errors == [
        (2, "账期(天)"),
        (2, "信用额度"),
        (2, "日期"),
        (2, "颜色"),
        (2, "手机"),
        (2, "统一社会信用代码"),
        (3, "客户名称"),
        (3, "账期(天)"),
        (3, "信用额度"),
        (3, "日期"),
        (4, "客户名称"),
        (4, "账期(天)"),
    ]
    messages = {(e["row"], e["column"]): e["message"] for e in result.error_dicts()}
    assert "thirty" in messages[(2, "账期(天)")]
    assert "91330100MA27XL0L6X" in messages[(2, "统一社会信用代码")]


def test_errors_name_the_header_as_written_in_the_sheet():
    content = xlsx([["Customer name", "Payment terms (days)"], ["A", "x"]])
    _sheet, result = read(content)
    assert result.error_dicts() == [
        {
            "sheet": "客户",
            "row": 2,
            "column": "Payment terms (days)",
            "message": result.errors[0].message,
        }
    ]


def test_missing_required_columns_give_one_error_naming_them():
    content = xlsx([["客户编码", "信用额度"], ["C1", 5]])
    sheet, result = read(content)
    assert sheet is None
    assert len(result.errors) == 1
    assert result.errors[0].row == 1
    assert "客户名称" in result.errors[0].message


def test_no_sheet_of_that_name():
    content = xlsx([["客户名称"], ["甲"]], sheet="Sheet1")
    result = ImportResult()
    assert engine.read_sheet(engine.open_workbook(content), SPEC, result) is None
    assert "客户" in result.errors[0].message


def test_row_limit(settings):
    settings.SALESDESK_IMPORT_MAX_ROWS = 2
    content = xlsx([["客户名称"], ["甲"], ["乙"], ["丙"]])
    sheet, result = read(content)
    assert sheet is None
    assert "2" in result.errors[0].message
    sheet, result = read(xlsx([["客户名称"], ["甲"], [], ["乙"]]))
    assert result.valid and len(sheet.rows) == 2  # blank rows do not count


@pytest.mark.parametrize(
    "content",
    [b"", b"name,code\nA,1\n", b"PK\x03\x04 not really a zip", "客户".encode() * 10],
)
def test_not_an_xlsx_is_a_clear_error(content):
    with pytest.raises(engine.WorkbookError):
        engine.open_workbook(content)
    with pytest.raises(Exception) as exc:
        engine.check_xlsx(content)
    assert "file" in exc.value.message_dict


def test_result_sorts_errors_by_row_and_keeps_sheet_order():
    result = ImportResult()
    result.add("联系人", 2, "姓名", "b", order=1)
    result.add("客户", 9, "客户名称", "a", order=0)
    result.add("客户", 3, "手机", "c", order=0)
    result.add("客户", None, "", "whole sheet", order=0)
    assert [e["row"] for e in result.error_dicts()] == [None, 3, 9, 2]
    assert result.as_dict()["valid"] is False


def test_dates_in_several_forms():
    parse = engine.date()
    for value in [
        "2026-03-01",
        "2026/3/1",
        "2026.3.1",
        "2026年3月1日",
        "20260301",
        "2026-03-01 00:00:00",
        46082.0,
    ]:
        assert parse(value) == dt.date(2026, 3, 1), value
    assert parse(dt.datetime(2026, 3, 1, 10, 30)) == dt.date(2026, 3, 1)
    for bad in ["2026-02-30", "March", "3/1/2026", 1.5]:
        with pytest.raises(ValueError):
            parse(bad)


def test_money_is_decimal_exact():
    parse = engine.money()
    assert parse(0.1) + parse(0.2) == Decimal("0.30")
    assert parse("1，234.5") == Decimal("1234.50")
    for bad in ["abc", "-1", True, "1e20"]:
        with pytest.raises(ValueError):
            parse(bad)
