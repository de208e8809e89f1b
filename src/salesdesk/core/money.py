"""Money is Decimal yuan with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    """Parse a number or text (with optional thousands separators or ¥) into yuan."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def fen_sum(field: str, *, filter=None):
    """Sum a money column exactly, in integer fen (分).

    SQLite keeps decimals as REAL, so SUM() over yuan drifts (9672386.91000002 was seen);
    each amount × 100 rounds back to its exact fen, and integers add exactly. PostgreSQL
    gives the same integers. Turn the result into yuan with `fen_to_yuan`.
    """
    from django.db.models import BigIntegerField, F, Sum
    from django.db.models.functions import Cast, Coalesce, Round

    return Coalesce(Sum(Cast(Round(F(field) * 100), BigIntegerField()), filter=filter), 0)


def fen_to_yuan(fen) -> Decimal:
    """Integer fen (from `fen_sum`) as Decimal yuan with two places."""
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)
