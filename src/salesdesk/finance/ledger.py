"""Finance's ledger sheet (R-5.4): read it, map its columns, and match its lines against
SalesDesk's receivables and payments. Pure functions: no database here (the services load
the SalesDesk side and save the result), so every rule is tested directly.

Finance's sheets are not templates: a title row, merged header cells, Chinese headers,
numbers typed as text ("1,234.50"), dates as text or Excel serials, subtotal rows (合计/小计).
`read_ledger` finds the header row, `propose_mapping` maps columns from header aliases,
`parse_lines` turns rows into `LedgerLine`s (every bad cell reported by row and header),
and `match` lists every difference by kind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesdesk.core import imports as engine

from .choices import DifferenceKind

SALE = "sale"
RECEIPT = "receipt"
TOLERANCE_DAYS = 3
PREVIEW_ROWS = 8
HEADER_SCAN_ROWS = 30
MAX_ERRORS = 50

# Field → header aliases, in the order a header containing an alias is tried (debit and credit
# before the bare "金额", the customer code before the customer name).
FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "记账日期", "凭证日期", "开票日期", "业务日期", "单据日期", "date"),
    "number": (
        "发票号",
        "发票号码",
        "票号",
        "单号",
        "单据号",
        "单据编号",
        "invoice",
        "invoice number",
        "reference",
        "凭证号",
    ),
    "customer_code": ("客户编码", "客户代码", "客户编号", "customer code"),
    "customer": ("客户名称", "客户", "单位名称", "往来单位", "购货单位", "customer"),
    "kind": ("借/贷", "借贷", "借或贷", "方向", "类型", "业务类型", "kind"),
    "summary": ("摘要", "备注", "summary"),
    "debit": ("借方", "借方金额", "应收", "应收金额", "销售金额", "开票金额", "debit"),
    "credit": ("贷方", "贷方金额", "收款", "收款金额", "回款", "回款金额", "credit"),
    "amount": ("金额", "发生额", "价税合计", "含税金额", "amount"),
    "quantity": ("数量", "quantity"),
    "unit_price": ("单价", "含税单价", "unit price", "price"),
}
FIELD_LABELS = {
    "date": _("Date"),
    "number": _("Invoice or document number"),
    "customer_code": _("Customer code"),
    "customer": _("Customer name"),
    "kind": _("Debit/credit (借/贷)"),
    "summary": _("Summary (摘要)"),
    "debit": _("Debit amount (sales)"),
    "credit": _("Credit amount (receipts)"),
    "amount": _("Amount"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price"),
}

_SUBTOTAL = re.compile(r"合\s*计|小\s*计|总\s*计|累\s*计|期初余额|期末余额|承前页|过次页|上年结转")
_RECEIPT_WORDS = ("贷", "收款", "回款", "收到", "到账", "收回", "receipt", "credit")
_SALE_WORDS = ("借", "销售", "应收", "开票", "发票", "发货", "销", "sale", "debit", "invoice")


class LedgerError(Exception):
    """The sheet cannot be read as a ledger (no header row, not an .xlsx)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --------------------------------------------------------------------------- reading


@dataclass
class LedgerSheet:
    name: str
    header_row: int  # the Excel row number of the header row
    headers: list[str]  # per column, as written (merged cells filled)
    rows: list[tuple[int, list]]  # (Excel row number, raw cells) below the header row

    @property
    def signature(self) -> str:
        return header_signature(self.headers)

    def preview(self, count: int = PREVIEW_ROWS) -> list[list[str]]:
        out = []
        for _number, cells in self.rows:
            if all(engine._clean(c) is None for c in cells):
                continue
            out.append([engine.display(engine._clean(c)) for c in cells[: len(self.headers)]])
            if len(out) >= count:
                break
        return out


def header_signature(headers: Sequence[str]) -> str:
    """sha256 of the normalized header row: the same layout next month finds its mapping."""
    names = [engine.normalize_header(h) for h in headers]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def _alias_lookup() -> dict[str, str]:
    return {
        engine.normalize_header(alias): key for key, aliases in FIELDS.items() for alias in aliases
    }


def _fill_merged(raw: list[list], merged) -> list[list]:
    """Copy each merged range's top-left value into all its cells: a header merged over two
    rows, or a customer name merged down the rows of its lines."""
    rows = [list(r) for r in raw]
    for (r0, c0), (r1, c1) in merged or ():
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
    return rows


def _score(row: list, lookup: dict[str, str]) -> int:
    keys = set()
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            key = _column_field(engine.normalize_header(cell), lookup)
            if key:
                keys.add(key)
    return len(keys)


def _column_field(name: str, lookup: dict[str, str]) -> str | None:
    if not name:
        return None
    if name in lookup:
        return lookup[name]
    if "余额" in name or "balance" in name:  # a running balance is never an amount of a line
        return None
    for key, aliases in FIELDS.items():
        if any(len(a) > 1 and engine.normalize_header(a) in name for a in aliases):
            return key
    return None


def read_ledger(content: bytes) -> LedgerSheet:
    """The first sheet with a recognisable header row (the row with the most known headers)."""
    try:
        book = engine.open_workbook(content)
    except engine.WorkbookError as exc:
        raise LedgerError(exc.message) from exc
    lookup = _alias_lookup()
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            raw = sheet.to_python(skip_empty_area=False)
            merged = getattr(sheet, "merged_cell_ranges", None)
        except Exception:  # noqa: BLE001 - calamine raises several types for odd sheets
            continue
        rows = _fill_merged(raw, merged)
        best_index, best_score = None, 1  # at least two known headers make a header row
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            score = _score(row, lookup)
            if score > best_score:
                best_index, best_score = index, score
        if best_index is None:
            continue
        width = max((len(r) for r in rows[: best_index + 1]), default=0)
        header_cells = rows[best_index] + [""] * (width - len(rows[best_index]))
        headers = [
            str(engine._clean(c) or "") if not isinstance(c, float) else engine.display(c)
            for c in header_cells
        ]
        while headers and not headers[-1]:
            headers.pop()
        body = [(i + 1, rows[i]) for i in range(best_index + 1, len(rows))]
        return LedgerSheet(name, best_index + 1, headers, body)
    raise LedgerError(
        _(
            "No header row found: the ledger needs columns such as 日期, 发票号, 客户名称, 金额 (or 借方/贷方)."
        )
    )


def propose_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field → column index from the header aliases: exact names first, then names containing one."""
    names = [engine.normalize_header(h) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for key, aliases in FIELDS.items():  # exact names, in the aliases' order of preference
        for alias in aliases:
            wanted = engine.normalize_header(alias)
            index = next((i for i, n in enumerate(names) if n == wanted and i not in taken), None)
            if index is not None:
                mapping[key] = index
                taken.add(index)
                break
    for index, name in enumerate(names):
        if index in taken or not name:
            continue
        key = _column_field(name, {})
        if key and key not in mapping:
            mapping[key] = index
            taken.add(index)
    return dict(sorted(mapping.items(), key=lambda kv: list(FIELDS).index(kv[0])))


def mapping_problems(mapping: dict[str, int], headers: Sequence[str]) -> list[str]:
    """What a mapping lacks to read sales and receipts; [] when it can be used."""
    problems = []
    for key, index in mapping.items():
        if key not in FIELDS:
            problems.append(gettext("Unknown field “%(field)s”.") % {"field": key})
        elif not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(headers):
            problems.append(gettext("%(field)s: no such column.") % {"field": FIELD_LABELS[key]})
    used = [i for i in mapping.values() if isinstance(i, int)]
    if len(used) != len(set(used)):
        problems.append(gettext("One column is mapped to two fields."))
    if "date" not in mapping:
        problems.append(gettext("Map the date column (日期)."))
    has_split = "debit" in mapping or "credit" in mapping
    if not has_split and "amount" not in mapping:
        problems.append(
            gettext("Map the amount column (金额), or the debit and credit columns (借方/贷方).")
        )
    if not has_split and "amount" in mapping and "kind" not in mapping and "summary" not in mapping:
        problems.append(
            gettext(
                "Map a column telling sales from receipts: 借/贷 or 摘要, or use debit and credit columns."
            )
        )
    if "number" not in mapping and "customer" not in mapping and "customer_code" not in mapping:
        problems.append(gettext("Map the invoice number or the customer column."))
    return problems


# --------------------------------------------------------------------------- parsing


@dataclass
class LedgerLine:
    row: int
    date: dt.date
    kind: str  # SALE or RECEIPT
    amount: Decimal
    number: str = ""
    customer: str = ""
    customer_code: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    customer_id: int | None = None
    data: dict = field(default_factory=dict)  # header → cell as typed, kept with a difference


@dataclass(frozen=True)
class LineError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def kind_of(text: str) -> str | None:
    """借/贷 or a summary's words → SALE or RECEIPT; None when it says neither."""
    value = engine.normalize_header(text)
    if not value:
        return None
    if any(w in value for w in _RECEIPT_WORDS):
        return RECEIPT
    if any(w in value for w in _SALE_WORDS):
        return SALE
    return None


def number_key(value: str) -> str:
    """Invoice numbers compare without spaces and case; Excel drops leading zeros of digit-only ones."""
    text = re.sub(r"\s", "", str(value or "")).casefold()
    return text.lstrip("0") or text if text.isdigit() else text


def number_variants(value: str) -> set[str]:
    """Spellings of a number as SalesDesk may store it (an 8-digit invoice number lost its zeros in Excel)."""
    text = re.sub(r"\s", "", str(value or ""))
    out = {text}
    if text.isdigit() and len(text) < 8:
        out.add(text.zfill(8))
    return {v for v in out if v}


def _price(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value}) from None
    if not result.is_finite() or result < 0:
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value})
    return result


_PARSE_DATE = engine.date()
_PARSE_MONEY = engine.money(min_value=None)
_PARSE_TEXT = engine.text(60)


def parse_lines(
    sheet: LedgerSheet, mapping: dict[str, int]
) -> tuple[list[LedgerLine], list[LineError]]:
    """Ledger lines of the sheet; blank and subtotal rows (合计/小计) are skipped, bad cells reported."""
    lines: list[LedgerLine] = []
    errors: list[LineError] = []
    headers = sheet.headers
    split = "debit" in mapping or "credit" in mapping

    def header(key: str) -> str:
        return headers[mapping[key]] or str(FIELD_LABELS[key])

    for number, raw in sheet.rows:
        cells = {
            key: (engine._clean(raw[index]) if index < len(raw) else None)
            for key, index in mapping.items()
        }
        if all(v is None for v in cells.values()):
            continue
        if any(isinstance(c, str) and _SUBTOTAL.search(c) for c in raw):
            continue
        row_errors: list[LineError] = []
        values: dict = {}
        for key, parse in (
            ("date", _PARSE_DATE),
            ("number", _PARSE_TEXT),
            ("customer", _PARSE_TEXT),
            ("customer_code", _PARSE_TEXT),
            ("amount", _PARSE_MONEY),
            ("debit", _PARSE_MONEY),
            ("credit", _PARSE_MONEY),
            ("quantity", _price),
            ("unit_price", _price),
        ):
            value = cells.get(key)
            if value is None:
                continue
            try:
                values[key] = parse(value)
            except (ValueError, engine.ValidationError) as exc:
                row_errors.append(LineError(number, header(key), engine.error_message(exc)))
        if "date" not in values and cells.get("date") is None:
            row_errors.append(LineError(number, header("date"), gettext("This cell is required.")))
        kind, amount = None, None
        if split:
            debit, credit = values.get("debit") or Decimal(0), values.get("credit") or Decimal(0)
            if debit and credit:
                row_errors.append(
                    LineError(
                        number,
                        header("debit"),
                        gettext("Both debit and credit are filled; split the row."),
                    )
                )
            elif debit:
                kind, amount = SALE, debit
            elif credit:
                kind, amount = RECEIPT, credit
            elif not any(k in values or cells.get(k) is not None for k in ("debit", "credit")):
                row_errors.append(
                    LineError(
                        number,
                        header("debit" if "debit" in mapping else "credit"),
                        gettext("No amount."),
                    )
                )
            elif not row_errors:
                continue  # both zero: a balance line, nothing happened
        else:
            amount = values.get("amount")
            if amount is None and cells.get("amount") is None:
                row_errors.append(
                    LineError(number, header("amount"), gettext("This cell is required."))
                )
            source = "kind" if "kind" in mapping else "summary"
            kind = kind_of(str(cells.get(source) or ""))
            if kind is None:
                row_errors.append(
                    LineError(
                        number,
                        header(source),
                        gettext("Cannot tell a sale from a receipt by “%(value)s”; write 借 or 贷.")
                        % {"value": engine.display(cells.get(source))},
                    )
                )
        if row_errors:
            errors.extend(row_errors)
            continue
        lines.append(
            LedgerLine(
                row=number,
                date=values["date"],
                kind=kind,
                amount=amount,
                number=values.get("number", ""),
                customer=values.get("customer", ""),
                customer_code=values.get("customer_code", ""),
                quantity=values.get("quantity"),
                unit_price=values.get("unit_price"),
                data={
                    headers[index] or str(FIELD_LABELS[key]): engine.display(cells[key])
                    for key, index in mapping.items()
                    if cells.get(key) is not None
                },
            )
        )
    return lines, errors


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Item:
    """A SalesDesk receivable (SALE) or payment (RECEIPT) as the matcher sees it."""

    kind: str
    pk: int
    customer_id: int | None
    number: str  # invoice number or payment reference
    amount: Decimal
    date: dt.date
    unit_prices: frozenset[Decimal] = frozenset()


@dataclass
class Found:
    kind: str  # a DifferenceKind value
    line: LedgerLine | None = None
    item: Item | None = None
    detail: dict = field(default_factory=dict)

    @property
    def customer_id(self):
        if self.item is not None:
            return self.item.customer_id
        return self.line.customer_id if self.line else None


@dataclass
class MatchResult:
    differences: list[Found]
    matched: int


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(2, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


def price_differs(ledger_price: Decimal | None, prices: Iterable[Decimal]) -> Decimal | None:
    """The SalesDesk price the ledger's unit price disagrees with, compared at the ledger's
    precision (finance writes 0.86 for 0.8560); None when they agree or cannot be compared."""
    prices = sorted(prices)
    if ledger_price is None or not prices:
        return None
    step = Decimal(1).scaleb(-_places(ledger_price))
    wanted = ledger_price.quantize(step, rounding=ROUND_HALF_UP)
    if any(p.quantize(step, rounding=ROUND_HALF_UP) == wanted for p in prices):
        return None
    return prices[0]


def _compare(line: LedgerLine, item: Item, tolerance: int) -> Found | None:
    other = price_differs(line.unit_price, item.unit_prices)
    if other is not None:
        return Found(
            DifferenceKind.PRICE_DIFFERS,
            line,
            item,
            {"ledger_unit_price": str(line.unit_price), "salesdesk_unit_price": str(other)},
        )
    if line.amount != item.amount:
        return Found(DifferenceKind.AMOUNT_DIFFERS, line, item)
    if abs((line.date - item.date).days) > tolerance:
        return Found(DifferenceKind.DATE_DIFFERS, line, item)
    return None


def match(
    lines: Sequence[LedgerLine],
    items: Sequence[Item],
    *,
    period_start: dt.date,
    period_end: dt.date,
    tolerance: int = TOLERANCE_DAYS,
) -> MatchResult:
    """Every difference between the ledger lines and SalesDesk's items, by kind.

    Sales match receivables and receipts match payments: first by invoice number/reference,
    then by customer + amount + date within ±tolerance days when one side has no number. Each
    item matches at most one line. Unmatched lines are missing in SalesDesk; unmatched items
    dated in the period are missing in finance. Lines dated outside the period still match
    (an item on the period's edge is not reported missing) but none of their differences counts.
    """
    differences: list[Found] = []
    matched = 0
    used: set[tuple[str, int]] = set()
    lines = sorted(lines, key=lambda ln: (ln.date, ln.row))
    by_number: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.date, i.pk)):
        if item.number:
            by_number[(item.kind, number_key(item.number))].append(item)

    pending: list[LedgerLine] = []
    for line in lines:
        candidates = (
            [
                i
                for i in by_number.get((line.kind, number_key(line.number)), [])
                if (i.kind, i.pk) not in used
            ]
            if line.number
            else []
        )
        if not candidates:
            pending.append(line)
            continue
        candidates.sort(
            key=lambda i: (i.customer_id != line.customer_id, abs((i.date - line.date).days), i.pk)
        )
        item = candidates[0]
        used.add((item.kind, item.pk))
        matched += period_start <= line.date <= period_end
        found = _compare(line, item, tolerance)
        if found:
            differences.append(found)

    by_customer: dict[tuple[str, int], list[Item]] = defaultdict(list)
    for item in items:
        if item.customer_id is not None:
            by_customer[(item.kind, item.customer_id)].append(item)
    missing: list[LedgerLine] = []
    for line in pending:
        if line.customer_id is None:
            missing.append(line)
            continue
        candidates = [
            i
            for i in by_customer.get((line.kind, line.customer_id), [])
            if (i.kind, i.pk) not in used
            and i.amount == line.amount
            and abs((i.date - line.date).days) <= tolerance
            and not (i.number and line.number)  # two different numbers are two different documents
        ]
        if not candidates:
            missing.append(line)
            continue
        candidates.sort(key=lambda i: (abs((i.date - line.date).days), i.date, i.pk))
        item = candidates[0]
        used.add((item.kind, item.pk))
        matched += period_start <= line.date <= period_end
        found = _compare(line, item, tolerance)
        if found:
            differences.append(found)

    differences.extend(Found(DifferenceKind.MISSING_IN_SALESDESK, line) for line in missing)
    differences = [
        f for f in differences if f.line is None or period_start <= f.line.date <= period_end
    ]
    for item in sorted(items, key=lambda i: (i.date, i.kind, i.pk)):
        if (item.kind, item.pk) not in used and period_start <= item.date <= period_end:
            differences.append(Found(DifferenceKind.MISSING_IN_FINANCE, None, item))
    return MatchResult(differences, matched)


def period_of(lines: Iterable[LedgerLine]) -> tuple[dt.date, dt.date] | None:
    dates = [ln.date for ln in lines]
    return (min(dates), max(dates)) if dates else None
