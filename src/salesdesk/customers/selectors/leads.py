"""Reads on the new-customer pipeline (R-2.1), scoped to what the person may see."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.scoping import scope_by_customer

from ..choices import OPEN_STAGES, Stage
from ..models import Lead, LeadStageChange

# A board column shows this many cards; the header still counts them all.
BOARD_COLUMN_LIMIT = 100


def customer_search_q(search: str, prefix: str = "customer__") -> Q:
    """Match a customer by name, short name, code, full pinyin or pinyin initials."""
    search = (search or "").strip()
    if not search:
        return Q()
    lowered = search.lower().replace(" ", "")
    return (
        Q(**{f"{prefix}name__icontains": search})
        | Q(**{f"{prefix}short_name__icontains": search})
        | Q(**{f"{prefix}code__icontains": search})
        | Q(**{f"{prefix}name_pinyin__contains": lowered})
        | Q(**{f"{prefix}name_initials__startswith": lowered})
    )


def lead_list(
    *, user, search: str = "", stage: str = "", open_only: bool = False
) -> QuerySet[Lead]:
    """Leads the person may see, key accounts first, most recently moved first."""
    qs = scope_by_customer(Lead.objects.all(), user, "customer__")
    if search:
        qs = qs.filter(customer_search_q(search))
    if stage:
        qs = qs.filter(stage=stage)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    # The API reads a page through KeyAccountsFirst (selectors/key_first.py), served by the
    # stage_changed_at index.
    return qs.select_related("customer", "customer__owner").order_by(
        "customer__tier", "-stage_changed_at", "-id"
    )


def pipeline_board(*, user, owner=None, search: str = "") -> list[dict]:
    """Open leads per stage, key accounts first then longest in the stage: one column per
    open stage, each {"stage", "label", "count", "leads"} (at most BOARD_COLUMN_LIMIT cards)."""
    qs = scope_by_customer(Lead.objects.filter(closed_at__isnull=True), user, "customer__")
    if owner is not None:
        qs = qs.filter(customer__owner=owner)
    if search:
        qs = qs.filter(customer_search_q(search))
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    cards = (
        qs.select_related("customer", "customer__owner")
        .only(  # what a card shows: the rest of up to 400 rows stays unread
            "customer",
            "stage",
            "stage_changed_at",
            "customer__name",
            "customer__tier",
            *name_fields("customer__owner"),
        )
        .order_by("customer__tier", "stage_changed_at", "id")
    )
    today = timezone.localdate()
    columns = []
    for stage in OPEN_STAGES:
        leads = list(cards.filter(stage=stage)[:BOARD_COLUMN_LIMIT]) if counts.get(stage) else []
        for lead in leads:
            lead.days_in_stage = (today - timezone.localdate(lead.stage_changed_at)).days
        columns.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "count": counts.get(stage, 0),
                "leads": leads,
            }
        )
    return columns


def lead_get(*, user, pk) -> Lead:
    """One lead the person may see, else 404."""
    qs = scope_by_customer(Lead.objects.all(), user, "customer__")
    return get_object_or_404(qs.select_related("customer", "customer__owner", "created_by"), pk=pk)


def lead_stage_changes(*, lead: Lead) -> QuerySet[LeadStageChange]:
    """A lead's moves, latest first (the lead was fetched through a scoped selector)."""
    return lead.stage_changes.select_related("changed_by").order_by("-changed_at", "-id")


def customer_leads(*, customer) -> QuerySet[Lead]:
    """A customer's leads, open one first then latest (the customer is already scoped)."""
    return customer.leads.order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")
