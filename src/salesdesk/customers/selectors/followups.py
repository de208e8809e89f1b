"""Reads on follow-ups and return visits (R-3.1, R-3.3), scoped to what the person may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.scoping import scope_by_customer

from ..models import Customer, FollowUp
from .leads import customer_search_q


def customer_get(*, user, pk) -> Customer:
    """A customer the person may see (for writes hanging off it), else 404."""
    return get_object_or_404(
        scope_by_customer(Customer.objects.select_related("owner"), user, ""), pk=pk
    )


def customer_choices(*, user) -> QuerySet[Customer]:
    """Customers the person may pick in a form: in scope and not archived."""
    return scope_by_customer(Customer.objects.filter(archived_at__isnull=True), user, "").order_by(
        "tier", "name", "id"
    )


def followups_due(
    *, user, until: dt.date | None = None, owner=None, search: str = ""
) -> QuerySet[Customer]:
    """Customers whose next follow-up or return visit is due by `until` (default today), key
    accounts first then the earliest date, with the last follow-up's summary. Reads the stored
    next/last columns, so it is one indexed query whatever the number of follow-ups."""
    until = until or timezone.localdate()
    last = FollowUp.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-id")
    qs = scope_by_customer(
        Customer.objects.filter(archived_at__isnull=True, next_followup_on__lte=until), user, ""
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    if search:
        qs = qs.filter(customer_search_q(search, prefix=""))
    return (
        qs.select_related("owner")
        .annotate(last_summary=Subquery(last.values("summary")[:1]))
        .order_by("tier", "next_followup_on", "name", "id")
    )


# What a row of the follow-ups due list shows (customers/_followups_due_table.html): the file's
# name and tier (key-account badge), its owner's name, the next follow-up's date, kind and note
# and the last follow-up's date; last_summary is the list's annotation.
DUE_LIST_FIELDS = (
    "name",
    "tier",
    "next_followup_on",
    "next_followup_kind",
    "next_followup_note",
    "last_followup_at",
    "owner",
    *name_fields("owner"),
)


def for_due_list(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """`queryset` (from followups_due) reading only the columns the list shows: a file has ~40
    columns and its owner ~15, all turned into Python values for 50 rows: 1–3 ms of the page's
    12–16 ms at full scale on SQLite."""
    return queryset.only(*DUE_LIST_FIELDS)


def customer_followups(customer: Customer, limit: int | None = 20) -> list[FollowUp]:
    """A customer's follow-ups, latest first (the customer is already scoped)."""
    qs = customer.followups.select_related("contact", "created_by").order_by("-occurred_at", "-id")
    return list(qs[:limit] if limit else qs)


def followup_list(*, user, customer=None) -> QuerySet[FollowUp]:
    """Follow-ups the person may see, latest first."""
    qs = scope_by_customer(FollowUp.objects.all(), user, "customer__")
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.select_related("customer", "customer__owner", "contact", "created_by").order_by(
        "-occurred_at", "-id"
    )
