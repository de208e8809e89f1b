"""Pages of a "key accounts first" list read without sorting the whole list (R-3.3).

A list ordered ("customer__tier", <row order>) makes the database join every row to its
customer and sort them all before it can hand out one page: the whole table at every page
view. Key accounts are few (well under 1 % of the rows on the bench data), so
KeyAccountsFirst reads the same order as two parts:

- key accounts: still ordered by tier first, which sends the database through the customers'
  tier index to their few rows (cheap to sort);
- everyone else: ordered by the row order alone, which an index of the row table serves
  (e.g. the leads' stage_changed_at, mailing_list_idx): the database walks it and stops after
  the page.

Counting is the list's own count plus the key accounts' count. Tier is "key" or "ordinary"
(its choices), so the two parts in this order are exactly the original list.
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import QuerySet

from ..choices import Tier
from ..models import Customer


def key_account_ids() -> QuerySet[Customer]:
    """The key accounts' ids, as a subquery: `exclude(customer__in=key_account_ids())` keeps
    every other customer's rows without joining the customers to read their tier."""
    return Customer.objects.filter(tier=Tier.KEY).values("pk")


class KeyAccountsFirst:
    """A sliceable, countable stand-in for `queryset` (ordered tier first) for Paginator.

    Slicing gives a list of the same rows, in the same order, as slicing `queryset`.
    """

    ordered = True  # the paginators' "unordered list" warning reads this

    def __init__(self, queryset: QuerySet, tier_field: str = "customer__tier"):
        ordering = list(queryset.query.order_by)
        if not ordering or ordering[0] != tier_field:
            raise ValueError(f"{tier_field!r} must come first in the ordering: {ordering}")
        self.queryset = queryset
        self.key = queryset.filter(**{tier_field: Tier.KEY})  # keeps the tier-first order
        self.others = queryset.exclude(**{tier_field: Tier.KEY}).order_by(*ordering[1:])

    @cached_property
    def key_count(self) -> int:
        return self.key.count()

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def _key_rows(self, start: int, stop: int) -> list:
        """The key accounts' rows start:stop, their ids chosen by a subquery: with every column
        and the related rows joined in, SQLite's planner walks the whole row table and sorts
        it; asked for the ids alone it goes through the customers' tier index (0.3 ms against
        20 ms on the bench data). Same order, still one query."""
        return list(self.key.filter(pk__in=self.key.values("pk")[start:stop]))

    def __iter__(self):
        yield from self.key
        yield from self.others

    def __getitem__(self, index):
        if isinstance(index, int):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
            raise ValueError("KeyAccountsFirst takes forward slices from the start only.")
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        if stop <= start:
            return []
        keys = self.key_count
        rows = []
        if start < keys:
            rows += self._key_rows(start, min(stop, keys))
        if stop > keys:
            rows += list(self.others[max(start - keys, 0) : stop - keys])
        return rows
