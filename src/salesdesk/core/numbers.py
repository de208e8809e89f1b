"""Document numbers without gaps or collisions: SO2026000001, FH2026000001, ..."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberSequence


def next_numbers(prefix: str, year: int, count: int = 1) -> list[str]:
    """Take `count` numbers from the series; call inside the writing transaction.

    The row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    already serialize writers), so two clerks saving at once never get the same number.
    """
    # No savepoint: the caller's transaction already covers this; only the first number of a
    # year needs one, to survive two clerks creating that row at once.
    with transaction.atomic(savepoint=False):
        updated = NumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + count)
        if not updated:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, year=year, last=count)
            except IntegrityError:
                NumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + count)
        last = NumberSequence.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return [f"{prefix}{year}{n:06d}" for n in range(last - count + 1, last + 1)]
