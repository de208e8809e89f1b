"""Excel out: one function writes any table a page shows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = field(default_factory=list)


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """Write sheets to .xlsx bytes: header row bold and frozen, dates and money formatted."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    header_fmt = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.title[:31])
        for col, header in enumerate(sheet.headers):
            ws.write_string(0, col, str(header), header_fmt)
            width = (
                sheet.widths[col] if col < len(sheet.widths) else max(10, len(str(header)) * 2 + 2)
            )
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), money_fmt)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif isinstance(value, datetime):
                    ws.write_datetime(
                        r, c, timezone.localtime(value).replace(tzinfo=None), datetime_fmt
                    )
                elif isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
                else:
                    ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(write_xlsx(sheets), content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    from urllib.parse import quote

    full = f"{filename}-{stamp}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(full)}"
    return response
