"""Builders for the reconciliation and disputes tests: receivables and payments written straight
to the tables (stored columns consistent: nothing allocated, open), shipments with priced
lines, finance ledgers as .xlsx built with xlsxwriter, and disputes."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import xlsxwriter
from django.utils import timezone

from salesdesk.finance.choices import DisputeKind, PaymentMethod, ReceivableSource
from salesdesk.finance.models import Dispute, Payment, Receivable
from salesdesk.orders.models import Shipment, ShipmentLine
from tests.orders.factories_shipments import make_order

D = Decimal
_numbers = itertools.count(1)


def receivable(
    customer, amount, issued_on, *, invoice_number="", shipment=None, order=None, terms=None
) -> Receivable:
    """An open receivable with nothing collected; due after the customer's payment terms."""
    days = customer.payment_terms_days if terms is None else terms
    return Receivable.objects.create(
        customer=customer,
        salesperson=customer.owner,
        order=order or (shipment.order if shipment else None),
        shipment=shipment,
        source=ReceivableSource.SHIPMENT if shipment else ReceivableSource.INVOICE,
        invoice_number=invoice_number,
        issued_on=issued_on,
        due_date=issued_on + dt.timedelta(days=days or 0),
        amount=D(amount),
    )


def payment(customer, amount, received_on, *, reference="") -> Payment:
    """A payment with nothing allocated yet (all of it customer credit)."""
    return Payment.objects.create(
        customer=customer,
        salesperson=customer.owner,
        received_on=received_on,
        amount=D(amount),
        method=PaymentMethod.BANK,
        reference=reference,
    )


def shipped_receivable(
    customer, *, quantity, unit_price, ship_date, invoice_number=""
) -> Receivable:
    """An order line shipped whole, and the receivable of that shipment (amount = quantity × price)."""
    order = make_order(
        customer=customer,
        lines=((quantity, unit_price),),
        order_date=ship_date - dt.timedelta(days=5),
    )
    line = order.lines.get()
    shipment = Shipment.objects.create(
        number=f"SH-T{next(_numbers):05d}",
        order=order,
        customer=customer,
        ship_date=ship_date,
        carrier="顺丰速运",
        carrier_phone="400-811-1111",
        amount=line.amount,
    )
    ShipmentLine.objects.create(
        shipment=shipment,
        order_line=line,
        quantity=quantity,
        checked_quantity=quantity,
        amount=line.amount,
    )
    line.shipped_quantity = quantity
    line.save(update_fields=["shipped_quantity"])
    order.shipped_amount = line.amount
    order.last_shipped_on = ship_date
    order.save(update_fields=["shipped_amount", "last_shipped_on"])
    return receivable(
        customer, line.amount, ship_date, invoice_number=invoice_number, shipment=shipment
    )


SPLIT_HEADERS = [
    "日期",
    "凭证号",
    "发票号",
    "客户名称",
    "摘要",
    "数量",
    "单价",
    "借方",
    "贷方",
    "余额",
]


def split_row(
    date, number, customer, *, debit="", credit="", summary="", quantity="", unit_price=""
) -> list:
    """A row of a debit/credit ledger (借方 = sale, 贷方 = receipt)."""
    summary = summary or ("销售纸箱" if debit != "" else "收到货款")
    return [
        date,
        f"记-{next(_numbers)}",
        number,
        customer,
        summary,
        quantity,
        unit_price,
        debit,
        credit,
        "",
    ]


def ledger_xlsx(
    rows: list[list],
    *,
    headers=tuple(SPLIT_HEADERS),
    title: str | None = None,
    merged_header: bool = False,
    sheet: str = "应收明细",
    dates_as_excel: bool = False,
) -> bytes:
    """A finance ledger workbook. `title` adds a merged title row; `merged_header` puts a merged
    "金额" band over 借方/贷方 with 日期 etc. merged down two rows; date objects are written as
    Excel dates when `dates_as_excel`, else as the text given."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
        r = 1
    if merged_header:
        band = [i for i, h in enumerate(headers) if h in ("借方", "贷方")]
        for i, h in enumerate(headers):
            if i not in band:
                ws.merge_range(r, i, r + 1, i, h)
        if band:
            ws.merge_range(r, min(band), r, max(band), "金额")
            for i in band:
                ws.write_string(r + 1, i, headers[i])
        r += 2
    else:
        for i, h in enumerate(headers):
            ws.write_string(r, i, h)
        r += 1
    for row in rows:
        for c, value in enumerate(row):
            if value == "" or value is None:
                continue
            if isinstance(value, dt.date):
                if dates_as_excel:
                    ws.write_datetime(
                        r, c, dt.datetime(value.year, value.month, value.day), date_fmt
                    )
                else:
                    ws.write_string(r, c, value.isoformat())
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
        r += 1
    book.close()
    return buffer.getvalue()


def dispute(
    customer,
    owner,
    *,
    amount="12800.00",
    status="open",
    kind=DisputeKind.MISSING_DOCUMENTS,
    **kwargs,
) -> Dispute:
    closed = status in ("resolved", "written_off")
    return Dispute.objects.create(
        customer=customer,
        title=kwargs.pop("title", "2023年对账差异：缺签收单"),
        kind=kind,
        amount=D(amount),
        period=kwargs.pop("period", "2023"),
        owner=owner,
        status=status,
        opened_on=kwargs.pop("opened_on", timezone.localdate() - dt.timedelta(days=40)),
        closed_on=timezone.localdate() if closed else None,
        resolution="总部已补签收单" if closed else "",
        **kwargs,
    )


# --- a month of business with differences planted on demand ---------------------------------

MARCH = dt.date(2026, 3, 1)
PLANTED = (
    "missing_in_salesdesk",
    "missing_in_finance",
    "amount_differs",
    "price_differs",
    "date_differs",
)


def march(day: int) -> dt.date:
    return MARCH.replace(day=day)


def month_scenario(a, b, planted=()) -> tuple[list[list], dict]:
    """SalesDesk's March for customers `a` and `b` and finance's ledger rows (split layout) for it.

    Without `planted` the two sides agree (by invoice number, by reference, and by customer +
    amount + date within 3 days for items without a number). Each planted kind adds exactly one
    difference of that kind. Returns (ledger rows, {kind: the SalesDesk object or ledger number}).
    """
    rows, made = [], {}
    shipped = shipped_receivable(
        a, quantity=10000, unit_price="0.8560", ship_date=march(2), invoice_number="00012301"
    )
    rows.append(
        split_row(march(2), "00012301", a.name, debit="8,560.00", quantity=10000, unit_price=0.856)
    )
    receivable(b, "5000.00", march(5), invoice_number="00012302")
    rows.append(split_row(march(5), "12302", b.name, debit=5000))  # Excel dropped the leading zeros
    receivable(a, "1200.00", march(10))  # not invoiced yet: matched by customer, amount and date
    rows.append(split_row(march(12), "", a.name, debit="1200"))
    payment(a, "8560.00", march(20), reference="BK-001")
    rows.append(split_row(march(20), "BK-001", a.name, credit="8560.00"))
    payment(b, "3000.00", march(25))
    rows.append(split_row(march(24), "", b.name, credit=" 3,000.00 "))
    made["base_receivable"] = shipped
    if "missing_in_salesdesk" in planted:
        rows.append(split_row(march(15), "00012399", a.name, debit="777.00"))
        made["missing_in_salesdesk"] = "00012399"
    if "missing_in_finance" in planted:
        made["missing_in_finance"] = receivable(b, "640.00", march(18), invoice_number="00012350")
    if "amount_differs" in planted:
        made["amount_differs"] = receivable(a, "2000.00", march(8), invoice_number="00012360")
        rows.append(split_row(march(8), "00012360", a.name, debit="2100.00"))
    if "price_differs" in planted:
        made["price_differs"] = shipped_receivable(
            a, quantity=1000, unit_price="1.2000", ship_date=march(22), invoice_number="00012370"
        )
        rows.append(
            split_row(
                march(22), "00012370", a.name, debit="1200.00", quantity=1000, unit_price="1.25"
            )
        )
    if "date_differs" in planted:
        made["date_differs"] = receivable(b, "900.00", march(3), invoice_number="00012380")
        rows.append(split_row(march(9), "00012380", b.name, debit="900.00"))
    rows.sort(key=lambda r: r[0])
    return rows, made
