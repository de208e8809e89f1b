"""reconciliation_run and the difference services against the database: planted differences
come out exactly, by kind (plain sheet, messy sheet), the mapping is remembered, the period can
be narrowed, nothing is written on errors, and the resolve/correct rules."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from salesdesk.finance import ledger
from salesdesk.finance.choices import DifferenceKind, DifferenceStatus, ReceivableSource
from salesdesk.finance.models import Difference, LedgerMapping, Receivable, Reconciliation
from salesdesk.finance.services.reconciliation import (
    difference_correct,
    difference_resolve,
    reconciliation_run,
)
from tests.factories import CustomerFactory

from .factories_reconciliation import (
    PLANTED,
    SPLIT_HEADERS,
    ledger_xlsx,
    march,
    month_scenario,
    split_row,
)

pytestmark = pytest.mark.django_db
D = Decimal
MAPPING = {
    "date": "日期",
    "number": "发票号",
    "customer": "客户名称",
    "debit": "借方",
    "credit": "贷方",
    "quantity": "数量",
    "unit_price": "单价",
}


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def a(salesperson):
    return CustomerFactory(name="杭州明发包装有限公司", owner=salesperson, payment_terms_days=30)


@pytest.fixture
def b(other_salesperson):
    return CustomerFactory(
        name="宁波华丰纸业有限公司", owner=other_salesperson, payment_terms_days=60
    )


def run(by, rows, mapping=MAPPING, **kwargs):
    return reconciliation_run(
        by=by,
        content=ledger_xlsx(rows, **kwargs.pop("sheet", {})),
        filename="3月应收.xlsx",
        mapping=mapping,
        **kwargs,
    )


def found(run):
    return sorted(run.differences.values_list("kind", flat=True))


def test_agreeing_month_has_no_difference(finance, a, b):
    rows, _made = month_scenario(a, b)
    result = run(finance, rows)
    assert found(result) == []
    assert (result.rows_read, result.matched) == (5, 5)
    assert (result.period_start, result.period_end) == (march(2), march(24))


@pytest.mark.parametrize("kind", PLANTED)
def test_each_planted_difference_alone(finance, a, b, kind):
    rows, made = month_scenario(a, b, planted=[kind])
    result = run(finance, rows)
    assert found(result) == [kind]
    difference = result.differences.get()
    if kind == "missing_in_salesdesk":
        assert (difference.invoice_number, difference.ledger_amount, difference.customer) == (
            "00012399",
            D("777.00"),
            a,
        )
        assert difference.ledger_data["ledger_kind"] == "sale" and difference.receivable is None
    else:
        assert difference.receivable == made[kind]
        assert difference.salesdesk_amount == made[kind].amount
    if kind == "amount_differs":
        assert (difference.ledger_amount, difference.salesdesk_amount) == (
            D("2100.00"),
            D("2000.00"),
        )
    if kind == "price_differs":
        assert difference.ledger_data["ledger_unit_price"] == "1.25"
        assert difference.ledger_data["salesdesk_unit_price"] == "1.2000"
    if kind == "date_differs":
        assert (difference.ledger_date, difference.salesdesk_date) == (march(9), march(3))


def test_all_planted_together_and_nothing_else(finance, a, b):
    rows, _made = month_scenario(a, b, planted=PLANTED)
    result = run(finance, rows)
    assert found(result) == sorted(PLANTED)
    assert result.matched == 8


def test_messy_sheet_yields_the_same_differences(finance, a, b):
    """Title row, merged header cells, text numbers, text and Excel dates, subtotal and blank rows."""
    rows, _made = month_scenario(a, b, planted=PLANTED)
    formats = ["2026/3/{d}", "2026年3月{d}日", None, "2026-03-{d:02d}"]
    messy = []
    for i, row in enumerate(rows):
        row = list(row)
        style = formats[i % len(formats)]
        row[0] = row[0] if style is None else style.format(d=row[0].day)
        if row[7] not in ("", None):
            row[7] = f" {D(str(row[7]).replace(',', '')):,.2f} "
        messy.append(row)
        if i == 3:
            messy.append(["", "", "", "", "小计", "", "", "99,999.00", "", ""])
            messy.append([])
    messy.append(["本月合计", "", "", "", "", "", "", "123.00", "456.00", ""])
    result = run(
        finance,
        messy,
        mapping=MAPPING,
        sheet={"title": "2026年3月 应收账款明细账", "merged_header": True, "dates_as_excel": True},
    )
    assert found(result) == sorted(PLANTED)
    assert result.mapping["header_row"] == 3


def test_mapping_is_remembered_and_used_next_time(finance, a, b):
    rows, _made = month_scenario(a, b, planted=["amount_differs"])
    with pytest.raises(ValidationError) as exc:
        run(finance, rows, mapping=None)
    assert "mapping" in exc.value.message_dict
    assert "发票号" in exc.value.message_dict["mapping"][0]  # the detected headers are listed
    assert Reconciliation.objects.count() == 0

    run(finance, rows)
    saved = LedgerMapping.objects.get()
    assert saved.signature == ledger.header_signature(SPLIT_HEADERS)
    assert saved.mapping == {
        "date": 0,
        "number": 2,
        "customer": 3,
        "debit": 7,
        "credit": 8,
        "quantity": 5,
        "unit_price": 6,
    }
    again = run(finance, rows, mapping=None)
    assert found(again) == ["amount_differs"]


def test_period_can_be_narrowed(finance, a, b):
    rows, _made = month_scenario(a, b, planted=PLANTED)
    result = run(finance, rows, period_start=march(1), period_end=march(10))
    # Inside 1–10 March: the amount and date differences; 15 March (missing) and 18 March are outside.
    assert found(result) == ["amount_differs", "date_differs"]
    assert (result.period_start, result.period_end) == (march(1), march(10))


def test_customer_by_code_and_amount_layout(finance, a, b):
    from .factories_reconciliation import receivable

    receivable(a, "100.00", march(2), invoice_number="X1")
    headers = ["日期", "单号", "客户编码", "借/贷", "金额"]
    rows = [[march(2), "X1", a.code, "借", "100"], [march(3), "", a.code, "借", "55.00"]]
    result = run(
        finance,
        rows,
        mapping={"date": 0, "number": 1, "customer_code": 2, "kind": 3, "amount": 4},
        sheet={"headers": headers},
    )
    difference = result.differences.get()
    assert (difference.kind, difference.customer, difference.ledger_amount) == (
        "missing_in_salesdesk",
        a,
        D("55.00"),
    )


@pytest.mark.parametrize(
    "mapping,field",
    [
        ({"number": "发票号", "debit": "借方"}, "mapping"),  # no date
        ({"date": "日期", "number": "No such column", "debit": "借方"}, "mapping"),
        ({"date": 99, "number": "发票号", "debit": "借方"}, "mapping"),
        ("not a dict", "mapping"),
    ],
)
def test_bad_mapping_is_refused_and_nothing_written(finance, a, b, mapping, field):
    rows, _made = month_scenario(a, b)
    with pytest.raises(ValidationError) as exc:
        run(finance, rows, mapping=mapping)
    assert field in exc.value.message_dict
    assert Reconciliation.objects.count() == 0 and LedgerMapping.objects.count() == 0


def test_bad_rows_refuse_the_whole_run(finance, a, b):
    rows, _made = month_scenario(a, b)
    rows.append(split_row("2026-02-30", "Z1", a.name, debit="1.00"))
    rows.append(split_row(march(3), "Z2", a.name, debit="一百"))
    with pytest.raises(ValidationError) as exc:
        run(finance, rows)
    messages = exc.value.message_dict["file"]
    assert len(messages) == 2 and "日期" in messages[0] and "借方" in messages[1]
    assert Reconciliation.objects.count() == Difference.objects.count() == 0


def test_not_an_xlsx_and_bad_period(finance, a, b):
    with pytest.raises(ValidationError) as exc:
        reconciliation_run(by=finance, content=b"%PDF-1.4", filename="x.pdf", mapping=MAPPING)
    assert "file" in exc.value.message_dict
    rows, _made = month_scenario(a, b)
    with pytest.raises(ValidationError) as exc:
        run(finance, rows, period_start=march(20), period_end=march(10))
    assert "period_end" in exc.value.message_dict


# --- resolve and correct ---------------------------------------------------------------------


def one(by, a, b, kind):
    rows, _made = month_scenario(a, b, planted=[kind])
    return run(by, rows).differences.get()


def test_resolve_needs_a_note_and_happens_once(finance, a, b):
    difference = one(finance, a, b, "amount_differs")
    with pytest.raises(ValidationError) as exc:
        difference_resolve(difference=difference, by=finance, note="  ")
    assert "note" in exc.value.message_dict
    difference.refresh_from_db()
    assert difference.status == DifferenceStatus.OPEN
    difference_resolve(difference=difference, by=finance, note="财务开票金额含运费100元")
    difference.refresh_from_db()
    assert (difference.status, difference.note, difference.resolved_by) == (
        "resolved",
        "财务开票金额含运费100元",
        finance,
    )
    assert difference.resolved_at is not None
    with pytest.raises(ValidationError) as exc:
        difference_resolve(difference=difference, by=finance, note="again")
    assert "status" in exc.value.message_dict
    assert difference.history.count() == 2


def test_correcting_an_amount_difference_keeps_salesdesk_amounts(finance, a, b):
    difference = one(finance, a, b, "amount_differs")
    difference_correct(difference=difference, by=finance, note="已通知财务红冲重开")
    difference.refresh_from_db()
    assert difference.status == DifferenceStatus.CORRECTED
    assert difference.receivable.amount == D("2000.00")


def test_correcting_a_missing_sale_creates_the_receivable(finance, a, b):
    difference = one(finance, a, b, "missing_in_salesdesk")
    before = Receivable.objects.count()
    difference_correct(difference=difference, by=finance, note="补录发票")
    difference.refresh_from_db()
    created = difference.receivable
    assert Receivable.objects.count() == before + 1
    assert (created.customer, created.invoice_number, created.amount) == (
        a,
        "00012399",
        D("777.00"),
    )
    assert created.source == ReceivableSource.INVOICE
    assert (created.issued_on, created.due_date) == (march(15), march(15) + dt.timedelta(days=30))
    assert (created.allocated_amount, created.is_open, created.salesperson) == (
        D("0.00"),
        True,
        a.owner,
    )
    assert difference.status == DifferenceStatus.CORRECTED


def test_correcting_a_missing_sale_of_an_unknown_customer_needs_one(finance, a, b):
    rows, _made = month_scenario(a, b)
    rows.append(split_row(march(16), "00012400", "未登记客户有限公司", debit="300.00"))
    difference = run(finance, rows).differences.get()
    assert difference.customer is None
    with pytest.raises(ValidationError) as exc:
        difference_correct(difference=difference, by=finance, note="补录")
    assert "customer" in exc.value.message_dict
    assert Receivable.objects.filter(invoice_number="00012400").count() == 0
    difference_correct(difference=difference, by=finance, note="补录", customer=b)
    difference.refresh_from_db()
    assert (
        difference.customer,
        difference.receivable.customer,
        difference.receivable.due_date,
    ) == (b, b, march(16) + dt.timedelta(days=60))


def test_correction_refused_by_the_receivable_rules_writes_nothing(finance, a, b):
    from .factories_reconciliation import receivable

    difference = one(finance, a, b, "missing_in_salesdesk")
    receivable(
        b, "5.00", march(1), invoice_number="00012399"
    )  # meanwhile someone recorded it for b
    with pytest.raises(ValidationError) as exc:
        difference_correct(difference=difference, by=finance, note="补录")
    assert "invoice_number" in exc.value.message_dict
    difference.refresh_from_db()
    assert difference.status == DifferenceStatus.OPEN


def test_kind_choices_cover_what_the_matcher_returns():
    assert set(PLANTED) == set(DifferenceKind.values)
