"""Reads behind the reconciliation pages and API (R-5.4): past runs with counts by kind, one
run's differences grouped by kind, the mapping step's view of an uploaded ledger.

Reconciliation is finance's work (roles.reconciles, who see every customer); differences still
pass through scope_by_customer. Query counts do not grow with the number of differences.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.accounts import roles
from salesdesk.core.scoping import scope_by_customer

from .. import ledger
from ..choices import DifferenceKind, DifferenceStatus
from ..models import Difference, Reconciliation
from ..services.reconciliation import read_ledger_or_error, remembered_mapping

KINDS = list(DifferenceKind)
STATUS_FILTERS = ("open", "closed", "all")


def _count_annotations() -> dict:
    counts = {
        f"n_{kind.value}": Count("differences", filter=Q(differences__kind=kind.value))
        for kind in KINDS
    }
    counts["n_open"] = Count("differences", filter=Q(differences__status=DifferenceStatus.OPEN))
    counts["n_total"] = Count("differences")
    return counts


def reconciliation_list(*, user) -> QuerySet[Reconciliation]:
    """Past runs, newest first, each with its difference counts by kind (one query)."""
    if not roles.reconciles(user):
        return Reconciliation.objects.none()
    return (
        Reconciliation.objects.select_related("created_by")
        .defer("content")
        .annotate(**_count_annotations())
        .order_by("-created_at")
    )


def reconciliation_get(*, user, pk) -> Reconciliation:
    return get_object_or_404(reconciliation_list(user=user), pk=pk)


def kind_counts(reconciliation: Reconciliation) -> list[dict]:
    """Per kind: label, total and open counts, from the annotated run."""
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "count": getattr(reconciliation, f"n_{kind.value}", 0),
        }
        for kind in KINDS
    ]


def difference_list(
    *, user, reconciliation, status: str = "open", kind: str = ""
) -> QuerySet[Difference]:
    """The run's differences in the person's scope, by kind then ledger row; filter open/closed/all."""
    qs = scope_by_customer(
        Difference.objects.filter(reconciliation=reconciliation).select_related(
            "customer", "receivable", "payment", "resolved_by"
        ),
        user,
        "customer__",
    )
    if status == "open":
        qs = qs.filter(status=DifferenceStatus.OPEN)
    elif status == "closed":
        qs = qs.exclude(status=DifferenceStatus.OPEN)
    if kind in DifferenceKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "customer__tier", "ledger_row", "id")


def difference_groups(differences) -> list[dict]:
    """Differences grouped by kind, in the kinds' order, each group with its label and count."""
    groups = {kind.value: {"kind": kind.value, "label": kind.label, "items": []} for kind in KINDS}
    for difference in differences:
        groups[difference.kind]["items"].append(difference)
    return [g for g in groups.values() if g["items"]]


def difference_get(*, user, reconciliation, pk) -> Difference:
    return get_object_or_404(
        difference_list(user=user, reconciliation=reconciliation, status="all"), pk=pk
    )


def ledger_preview(*, content: bytes) -> dict:
    """What the mapping step shows: the header row found, the proposed (or remembered) mapping,
    what the mapping lacks, and the first rows."""
    sheet = read_ledger_or_error(content)
    remembered = remembered_mapping(sheet.headers)
    mapping = remembered if remembered is not None else ledger.propose_mapping(sheet.headers)
    return {
        "sheet": sheet,
        "headers": sheet.headers,
        "header_row": sheet.header_row,
        "signature": sheet.signature,
        "mapping": mapping,
        "remembered": remembered is not None,
        "problems": ledger.mapping_problems(mapping, sheet.headers),
        "preview": sheet.preview(),
        "fields": [(key, ledger.FIELD_LABELS[key]) for key in ledger.FIELDS],
    }
