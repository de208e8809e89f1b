"""Reads of the headquarters disputes register (R-5.5), scoped by customer: a salesperson
reads own customers' disputes only. Open disputes first, key accounts first, oldest first."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core.money import fen_sum, fen_to_yuan
from salesdesk.core.scoping import scope_by_customer

from ..choices import CLOSED_DISPUTE_STATUSES, DisputeKind, DisputeStatus
from ..models import Dispute, DisputeDocument
from ..services.disputes import REASON_OPENED

STATUS_FILTERS = ("active", "closed", "all", *DisputeStatus.values)


def _documents() -> Prefetch:
    return Prefetch(
        "documents",
        queryset=DisputeDocument.objects.defer("content")
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id"),
    )


def dispute_list(
    *,
    user,
    status: str = "active",
    kind: str = "",
    owner=None,
    customer=None,
    search: str = "",
) -> QuerySet[Dispute]:
    """Disputes this person may read: open ones first, key accounts first, oldest first."""
    qs = scope_by_customer(Dispute.objects.select_related("customer", "owner"), user, "customer__")
    if status == "active":
        qs = qs.exclude(status__in=CLOSED_DISPUTE_STATUSES)
    elif status == "closed":
        qs = qs.filter(status__in=CLOSED_DISPUTE_STATUSES)
    elif status in DisputeStatus.values:
        qs = qs.filter(status=status)
    if kind in DisputeKind.values:
        qs = qs.filter(kind=kind)
    if owner:
        qs = qs.filter(owner=owner)
    if customer:
        qs = qs.filter(customer=customer)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__iexact=search)
            | Q(period__icontains=search)
        )
    return qs.annotate(
        is_closed=Case(
            When(status__in=CLOSED_DISPUTE_STATUSES, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        n_documents=Count("documents"),
    ).order_by("is_closed", "customer__tier", "opened_on", "id")


def with_age(disputes, today: dt.date | None = None):
    """Set `age_days` on each dispute: days open until closed, or until today."""
    today = today or timezone.localdate()
    for dispute in disputes:
        dispute.age_days = ((dispute.closed_on or today) - dispute.opened_on).days
    return disputes


def dispute_totals(qs: QuerySet[Dispute]) -> dict:
    """Count and exact amount (summed in fen) of the disputes listed."""
    row = qs.order_by().aggregate(count=Count("id"), fen=fen_sum("amount"))
    return {"count": row["count"], "amount": fen_to_yuan(row["fen"])}


def dispute_get(*, user, pk) -> Dispute:
    qs = scope_by_customer(
        Dispute.objects.select_related("customer", "owner", "created_by").prefetch_related(
            _documents()
        ),
        user,
        "customer__",
    )
    return get_object_or_404(qs, pk=pk)


def dispute_history(dispute: Dispute) -> list[dict]:
    """Status changes and notes, oldest first: who, when, from which status to which, the note."""
    rows = list(
        dispute.history.select_related("history_user").order_by("history_date", "history_id")
    )
    labels = dict(DisputeStatus.choices)
    events, previous = [], None
    for row in rows:
        reason = row.history_change_reason or ""
        note = "" if reason == REASON_OPENED else reason
        if previous is None or row.status != previous.status or note:
            events.append(
                {
                    "when": row.history_date,
                    "who": row.history_user,
                    "status_from": previous.status if previous is not None else None,
                    "status_to": row.status,
                    "from": labels.get(previous.status) if previous is not None else None,
                    "to": labels.get(row.status, row.status),
                    "note": note,
                }
            )
        previous = row
    return events


def dispute_document_get(*, user, dispute_pk, pk) -> DisputeDocument:
    """A document of a dispute the person may read, else 404."""
    disputes = scope_by_customer(Dispute.objects.all(), user, "customer__")
    return get_object_or_404(
        DisputeDocument.objects.filter(dispute__in=disputes.values("pk")),
        pk=pk,
        dispute_id=dispute_pk,
    )
