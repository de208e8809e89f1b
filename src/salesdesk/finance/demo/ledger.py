"""Finance's ledger of last month for the demo (应收账款明细账): the sheet finance would send for
reconciliation, built from the demo's receivables (sales, 借方) and payments (receipts, 贷方),
with one planted difference of each kind for the reconciliation wizard to find:

- a sale missing in SalesDesk: a die-cutting plate fee (刀模费) finance invoiced directly;
- a receivable missing in finance's ledger: a shipment finance has not booked yet;
- an amount that differs: finance booked the invoice less a few crushed boxes;
- a unit price that differs: finance kept the price before the last price change;
- a date that differs by more than the tolerance: finance booked the invoice a week late.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.conf import settings

from salesdesk.orders.models import ShipmentLine

from ..choices import PaymentMethod

HEADERS = ("日期", "发票号", "客户名称", "摘要", "借方金额", "贷方金额", "数量", "单价")
FILENAME = "finance-ledger.xlsx"
DIE_FEES = ("刀模费", "印版费", "刀模及印版费")


def ledger_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / FILENAME


def _shipment_lines(receivables) -> dict[int, list[tuple[int, Decimal]]]:
    """(quantity, unit price) of each shipment's lines, in one query."""
    lines: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = (
        ShipmentLine.objects.filter(shipment_id__in=[r.shipment.pk for r in receivables])
        .order_by("shipment_id", "id")
        .values_list("shipment_id", "quantity", "order_line__unit_price")
    )
    for shipment_id, quantity, price in rows:
        lines[shipment_id].append((quantity, price))
    return lines


def _pick(rng, items, taken: set, test=lambda r: True):
    pool = [r for r in items if r._index not in taken and test(r)]
    if not pool:
        return None
    chosen = rng.choice(pool)
    taken.add(chosen._index)
    return chosen


def plan_ledger(builder) -> tuple[list[dict], dict]:
    """The ledger's lines (dicts by header) and what was planted where."""
    rng = builder.rng
    start, end = builder.ledger_start, builder.ledger_end
    sales = sorted(
        (r for r in builder.receivables if start <= r.issued_on <= end and r._finance_number),
        key=lambda r: (r.issued_on, r._finance_number),
    )
    receipts = [p for p in builder.payments if start <= p.received_on <= end]
    lines_of = _shipment_lines(sales)
    single = {r._index for r in sales if len(lines_of[r.shipment.pk]) == 1}
    known = [r for r in sales if r.invoice_number]
    taken: set[int] = set()
    planted: dict = {"period": (start, end)}

    price_r = _pick(rng, known, taken, lambda r: r._index in single)
    amount_r = _pick(
        rng, known, taken, lambda r: r._index in single and lines_of[r.shipment.pk][0][0] >= 50
    )
    shift = rng.randint(5, 8)
    date_r = _pick(rng, known, taken, lambda r: r.issued_on + dt.timedelta(days=shift) <= end)
    missing_r = _pick(rng, sales, taken, lambda r: 8 <= r.issued_on.day <= 22)

    rows: list[dict] = []
    for r in sales:
        if r is missing_r:
            planted["missing_in_finance"] = r.invoice_number or r.shipment.number
            continue
        quantities = lines_of[r.shipment.pk]
        quantity = sum(q for q, _p in quantities)
        price = quantities[0][1] if len(quantities) == 1 else None
        row = {
            "日期": r.issued_on,
            "发票号": r._finance_number,
            "客户名称": r.customer.name,
            "摘要": f"销售纸箱 {r.shipment.number}"
            if price is not None
            else f"销售纸箱（多品种）{r.shipment.number}",
            "借方金额": r.amount,
            "数量": quantity,
            "单价": price,
        }
        if r is price_r:
            # Finance kept the price before the last change; the amount is the invoice's.
            row["单价"] = (price + Decimal(rng.choice(("0.05", "0.08", "0.12", "-0.06")))).quantize(
                Decimal("0.01")
            )
            planted["price_differs"] = r.invoice_number
        elif r is amount_r:
            broken = rng.randint(3, 12)
            row["借方金额"] = r.amount - (broken * price).quantize(Decimal("0.01"))
            row["数量"] = quantity - broken
            row["摘要"] += f" 扣破损{broken}只"
            planted["amount_differs"] = r.invoice_number
        elif r is date_r:
            row["日期"] = r.issued_on + dt.timedelta(days=shift)
            planted["date_differs"] = r.invoice_number
        rows.append(row)

    # A sale finance invoiced that SalesDesk never saw: a die-cutting plate fee.
    customers = sorted({r.customer.pk: r.customer for r in sales}.values(), key=lambda c: c.code)
    if customers:
        c = rng.choice(customers)
        amounts = {r.amount for r in builder.receivables if r.customer.pk == c.pk}
        fee = Decimal(rng.randrange(600, 3200, 50)).quantize(Decimal("0.01"))
        while fee in amounts:
            fee += Decimal("50.00")
        day = min(start + dt.timedelta(days=rng.randint(9, 20)), end)
        rows.append(
            {
                "日期": day,
                "发票号": builder.spare_invoice_number,
                "客户名称": c.name,
                "摘要": rng.choice(DIE_FEES),
                "借方金额": fee,
                "数量": 1,
                "单价": fee,
            }
        )
        planted["missing_in_salesdesk"] = builder.spare_invoice_number

    for p in receipts:
        summary = "收到货款"
        if p.method == PaymentMethod.ACCEPTANCE:
            summary = "收到银行承兑汇票"
        elif p.method == PaymentMethod.MOBILE:
            summary = "收到货款（微信/支付宝）"
        rows.append(
            {
                "日期": p.received_on,
                "发票号": "",
                "客户名称": p.customer.name,
                "摘要": summary,
                "贷方金额": p.amount,
            }
        )
    rows.sort(key=lambda row: (row["日期"], "贷方金额" in row, row["发票号"], row["客户名称"]))
    planted["lines"] = len(rows)
    return rows, planted


def ledger_xlsx(rows: list[dict], start: dt.date) -> bytes:
    """The sheet as finance keeps it: a title row over the headers, a 合计 row at the bottom."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(f"{start.month}月")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    text_fmt = book.add_format({"border": 1})
    money_fmt = book.add_format({"num_format": "#,##0.00", "border": 1})
    price_fmt = book.add_format({"num_format": "0.00##", "border": 1})
    total_fmt = book.add_format({"num_format": "#,##0.00", "bold": True, "border": 1})
    ws.merge_range(
        0, 0, 0, len(HEADERS) - 1, f"{start.year}年{start.month}月 应收账款明细账", title
    )
    for col, (header, width) in enumerate(
        zip(HEADERS, (12, 11, 36, 34, 14, 14, 9, 9), strict=True)
    ):
        ws.write_string(1, col, header, head)
        ws.set_column(col, col, width)
    ws.freeze_panes(2, 0)
    r = 1
    debit = credit = Decimal("0.00")
    for r, row in enumerate(rows, start=2):
        day = row["日期"]
        ws.write_datetime(r, 0, dt.datetime(day.year, day.month, day.day), date_fmt)
        ws.write_string(r, 1, row.get("发票号", ""), text_fmt)
        ws.write_string(r, 2, row["客户名称"], text_fmt)
        ws.write_string(r, 3, row["摘要"], text_fmt)
        for col, key in ((4, "借方金额"), (5, "贷方金额")):
            value = row.get(key)
            if value is None:
                ws.write_blank(r, col, None, money_fmt)
            else:
                ws.write_number(r, col, float(value), money_fmt)
        debit += row.get("借方金额") or 0
        credit += row.get("贷方金额") or 0
        if row.get("数量") is not None:
            ws.write_number(r, 6, row["数量"], text_fmt)
        else:
            ws.write_blank(r, 6, None, text_fmt)
        if row.get("单价") is not None:
            ws.write_number(r, 7, float(row["单价"]), price_fmt)
        else:
            ws.write_blank(r, 7, None, price_fmt)
    ws.write_string(r + 1, 3, "合计", head)
    ws.write_number(r + 1, 4, float(debit), total_fmt)
    ws.write_number(r + 1, 5, float(credit), total_fmt)
    book.close()
    return buffer.getvalue()


def write_demo_ledger(builder) -> tuple[Path, dict]:
    """Write var/demo/finance-ledger.xlsx; returns its path and what was planted."""
    rows, planted = plan_ledger(builder)
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ledger_xlsx(rows, builder.ledger_start))
    return path, planted
