"""Reads of the promise ledger (R-4.3): an order's history and the worklist of answers due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import DateTimeField, F, Func, QuerySet
from django.utils import timezone

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.scoping import scope_orders

from ..choices import OPEN_STATES, OrderState
from ..models import Order, PromiseChange

LATE_WINDOW_DAYS = 30


def promise_answer_hours() -> int:
    return int(getattr(settings, "SALESDESK_PROMISE_ANSWER_HOURS", 24))


class _PlusHours(Func):
    """`expression` + `hours` whole hours, computed in the database.

    Django turns datetime arithmetic on SQLite into a call of a Python function per row
    (django_format_dtdelta): on the 30 days of answers that cost most of the worklist. Whole
    hours leave the sub-second part as it is, so SQLite gets the exact same text Django would
    store: the seconds part shifted by SQLite's datetime(), then the stored fraction.
    Elsewhere this is the ordinary `expression + interval`.
    """

    output_field = DateTimeField()

    def __init__(self, expression, hours: int):
        self.hours = int(hours)
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        shifted = f"(datetime(substr({sql}, 1, 19), %s) || substr({sql}, 20))"
        return shifted, (*params, f"+{self.hours} hours", *params)

    def as_sql(self, compiler, connection, **extra_context):
        expression = self.source_expressions[0] + dt.timedelta(hours=self.hours)
        return compiler.compile(expression.resolve_expression(compiler.query))


def promise_history(order: Order) -> QuerySet[PromiseChange]:
    """Every answer on the order's delivery date, oldest first, with who gave it (one query)."""
    return order.promise_changes.select_related("changed_by").order_by("changed_at", "id")


def promise_worklist(*, user, as_of: dt.datetime | None = None) -> dict[str, QuerySet[Order]]:
    """Unanswered drafts, promises answered late (last 30 days) and broken promises, key accounts first.

    unanswered: draft orders entered more than SALESDESK_PROMISE_ANSWER_HOURS ago (no promise yet);
    late: the first promise came more than that many hours after the order was entered;
    broken: open orders whose promised date has passed.
    """
    as_of = as_of or timezone.now()
    hours = dt.timedelta(hours=promise_answer_hours())
    base = scope_orders(Order.objects.select_related("customer", "salesperson"), user)
    return {
        "unanswered": base.filter(state=OrderState.DRAFT, created_at__lt=as_of - hours).order_by(
            "customer__tier", "created_at", "id"
        ),
        "late": base.filter(
            promise_answered_at__isnull=False,
            promise_answered_at__gt=_PlusHours(F("created_at"), promise_answer_hours()),
            promise_answered_at__gte=as_of - dt.timedelta(days=LATE_WINDOW_DAYS),
        ).order_by("customer__tier", "-promise_answered_at", "-id"),
        "broken": base.filter(
            state__in=OPEN_STATES, promised_date__lt=timezone.localdate(as_of)
        ).order_by("customer__tier", "promised_date", "id"),
    }


PROMISE_LISTS = ("unanswered", "late", "broken")
PROMISE_PAGE_SIZE = 50


def promise_worklist_pages(
    *,
    user,
    pages: Mapping[str, object] | None = None,
    per_page: int = PROMISE_PAGE_SIZE,
    as_of: dt.datetime | None = None,
) -> dict[str, Page]:
    """Each list of the worklist as one page of `per_page` rows, key accounts first within it.

    `pages` maps a list name (PROMISE_LISTS) to the page number asked for; a bad or too-large
    number gives the first or last page. Two queries per list (count and rows), whatever the size.
    """
    pages = pages or {}
    lists = promise_worklist(user=user, as_of=as_of)
    return {
        key: Paginator(lists[key].only(*WORKLIST_FIELDS), per_page).get_page(pages.get(key))
        for key in PROMISE_LISTS
    }


# What the worklist shows of an order, its customer and salesperson (the rest stays unread).
WORKLIST_FIELDS = (
    "number",
    "created_at",
    "requested_date",
    "promised_date",
    "promise_answered_at",
    "customer__name",
    "customer__tier",
    *name_fields("salesperson"),
)
