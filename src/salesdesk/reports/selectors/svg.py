"""Charts drawn on the server as inline SVG: the monthly pack's page and its PDF show the same
drawing (WeasyPrint runs no JavaScript, so the ECharts charts of the other pages cannot print).

Figures stay Decimal; only the geometry (bar lengths, positions) is computed in float, and
every number written as text comes from the Decimal itself. Labels are escaped here, so the
result is safe to put in a template as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ["#2f6fde", "#f0a020", "#2e9e6a", "#d9534f", "#7a5cc7", "#17a2b8", "#8c8c8c"]
# The PDF's @font-face family first (reports/pack_pdf.html), then what office PCs have.
FONT = "'SalesDesk CJK', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal | None]
    kind: str = "bar"  # "bar" or "line"
    color: str = ""


def _f(value) -> float:
    """A coordinate (never a figure shown as text)."""
    return float(value or 0)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def nice_top(value: float) -> tuple[float, float]:
    """A round axis top at or above `value` and its step: 5 steps of 1, 2, 2.5 or 5 × 10^n."""
    if value <= 0:
        return 5.0, 1.0
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            step = factor * magnitude
            return step * 5, step
    return 50 * magnitude, 10 * magnitude  # pragma: no cover - factor 10 always matches


def wan(value: float) -> str:
    """An axis tick in 10,000 yuan (万元), as the department reads amounts."""
    number = Decimal(str(value)) / TEN_THOUSAND
    return f"{number.normalize():,f}" if number != number.to_integral() else f"{int(number):,}"


def short_amount(amount: Decimal | None) -> str:
    """A bar label: yuan up to 10,000, then 万 with one decimal (¥12.3万)."""
    if amount is None:
        return ""
    if abs(amount) < TEN_THOUSAND:
        return f"¥{amount:,.0f}"
    return str(_("¥%(amount)s×10k")) % {
        "amount": f"{(amount / TEN_THOUSAND).quantize(Decimal('0.1')):,}"
    }


def _svg(width: int, height: int, label: str, body: list[str], css_class: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sd-svg-chart {css_class}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" font-family="{FONT}" font-size="12">'
        f"<title>{escape(label)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every label escaped above


def _legend(series: list[Series], x: float, y: float) -> list[str]:
    out = []
    for s in series:
        if s.kind == "line":
            out.append(
                f'<line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 16)}" y2="{_num(y - 4)}" '
                f'stroke="{s.color}" stroke-width="2"/>'
            )
        else:
            out.append(
                f'<rect x="{_num(x)}" y="{_num(y - 10)}" width="14" height="10" fill="{s.color}"/>'
            )
        out.append(f'<text x="{_num(x + 20)}" y="{_num(y)}" fill="{TEXT}">{escape(s.name)}</text>')
        x += 30 + 13 * len(s.name)
    return out


def column_chart(
    *,
    categories: list[str],
    series: list[Series],
    label: str,
    width: int = 720,
    height: int = 260,
    css_class: str = "",
) -> SafeString:
    """Vertical bars per category (grouped when there are several bar series), with line
    series drawn over them on the same axis; the axis is in 万元."""
    series = [
        Series(s.name, s.values, s.kind, s.color or PALETTE[i % len(PALETTE)])
        for i, s in enumerate(series)
    ]
    left, right, top, bottom = 56, 12, 34, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((_f(v) for s in series for v in s.values if v is not None), default=0.0)
    axis_top, step = nice_top(highest)
    body = _legend(series, left, 14)
    unit = escape(_("10,000 yuan"))
    body.append(f'<text x="4" y="{_num(top - 8)}" fill="{MUTED}" font-size="11">{unit}</text>')
    for i in range(6):
        y = top + plot_h - plot_h * i / 5
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="11">{wan(step * i)}</text>'
        )
    count = max(len(categories), 1)
    slot = plot_w / count
    bars = [s for s in series if s.kind == "bar"]
    bar_w = slot * 0.7 / max(len(bars), 1)

    def y_of(value) -> float:
        return top + plot_h - plot_h * _f(value) / axis_top

    for c, name in enumerate(categories):
        x0 = left + slot * c + slot * 0.15
        for b, s in enumerate(bars):
            value = s.values[c] if c < len(s.values) else None
            if value is None:
                continue
            y = y_of(max(value, 0))
            body.append(
                f'<rect class="sd-bar" x="{_num(x0 + b * bar_w)}" y="{_num(y)}" '
                f'width="{_num(bar_w - 1)}" height="{_num(top + plot_h - y)}" fill="{s.color}">'
                f"<title>{escape(name)} {escape(s.name)}: ¥{value:,}</title></rect>"
            )
        body.append(
            f'<text x="{_num(left + slot * c + slot / 2)}" y="{height - 10}" '
            f'text-anchor="middle" fill="{TEXT}" font-size="11">{escape(name)}</text>'
        )
    for s in series:
        if s.kind != "line":
            continue
        points = [
            f"{_num(left + slot * c + slot / 2)},{_num(y_of(v))}"
            for c, v in enumerate(s.values)
            if v is not None
        ]
        if points:
            body.append(
                f'<polyline class="sd-line" points="{" ".join(points)}" fill="none" '
                f'stroke="{s.color}" stroke-width="2"/>'
            )
            for point in points:
                x, y = point.split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{s.color}"/>')
    return _svg(width, height, label, body, css_class)


def bar_list_chart(
    *,
    labels: list[str],
    values: list[Decimal | None],
    texts: list[str],
    label: str,
    width: int = 720,
    color: str = PALETTE[0],
    css_class: str = "",
) -> SafeString:
    """Horizontal bars, one per row (largest first as given), each with its text at the end."""
    row_h, left, right = 22, 150, 110
    height = max(row_h * len(labels), row_h) + 8
    plot_w = width - left - right
    highest = max((_f(v) for v in values if v is not None), default=0.0) or 1.0
    body = []
    for i, (name, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = 4 + row_h * i
        shown = name if len(name) <= 12 else name[:11] + "…"
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="{TEXT}">'
            f"{escape(shown)}</text>"
        )
        length = plot_w * max(_f(value), 0) / highest if value is not None else 0
        body.append(
            f'<rect class="sd-bar" x="{left}" y="{y + 3}" width="{_num(max(length, 1))}" '
            f'height="{row_h - 6}" fill="{color}"><title>{escape(name)}: {escape(text)}</title>'
            f"</rect>"
        )
        body.append(
            f'<text x="{_num(left + length + 6)}" y="{y + 15}" fill="{TEXT}">{escape(text)}</text>'
        )
    return _svg(width, height, label, body, css_class)
