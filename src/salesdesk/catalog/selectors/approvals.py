"""Reads of sample approvals (R-3.4): the list, one approval, a product's approvals by
customer, and the shipment gate `unapproved_products`.

Approvals are customer data: every read goes through scope_by_customer("customer__").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.choices import Tier

from ..choices import ApprovalStatus
from ..models import Approval, Product

_STATUS_RANK = Case(
    When(status=ApprovalStatus.PENDING, then=Value(0)),
    When(status=ApprovalStatus.REJECTED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_KEY_FIRST = Case(
    When(customer__tier=Tier.KEY, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def unapproved_products(*, customer, products: Iterable[Product | int]) -> list[Product]:
    """The products among `products` that may not ship to `customer` yet: they need approval
    (needs_approval) and the customer has not approved their current revision.

    Reads the products' current state from the database in one query, whatever their
    number; returns them in the order given, each once. An approval of an older revision
    does not count.
    """
    ids = list(dict.fromkeys(getattr(p, "pk", p) for p in products))
    if not ids:
        return []
    approved = Approval.objects.filter(
        customer_id=getattr(customer, "pk", customer),
        product_id=OuterRef("pk"),
        revision=OuterRef("revision"),
        status=ApprovalStatus.APPROVED,
    )
    found = {
        p.pk: p
        for p in Product.objects.filter(pk__in=ids, needs_approval=True).exclude(Exists(approved))
    }
    return [found[pk] for pk in ids if pk in found]


def approval_list(
    *,
    user,
    status: str = "",
    customer=None,
    product=None,
    search: str = "",
) -> QuerySet[Approval]:
    """Approvals of the customers this person may read: key accounts first, pending first, newest first."""
    qs = scope_by_customer(
        Approval.objects.select_related(
            "customer", "customer__owner", "product", "created_by", "decided_by"
        ),
        user,
        "customer__",
    )
    if status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    if product:
        qs = qs.filter(product_id=getattr(product, "pk", product))
    text = (search or "").strip()
    if text:
        qs = qs.filter(
            Q(customer__name__icontains=text)
            | Q(customer__code__istartswith=text)
            | Q(product__code__istartswith=text)
            | Q(product__name__icontains=text)
        )
    return qs.annotate(key_rank=_KEY_FIRST, status_rank=_STATUS_RANK).order_by(
        "key_rank", "status_rank", "-created_at", "-id"
    )


def approval_get(*, user, pk) -> Approval:
    """One approval of a customer this person may read, else 404."""
    qs = scope_by_customer(
        Approval.objects.select_related(
            "customer", "customer__owner", "product", "created_by", "decided_by"
        ),
        user,
        "customer__",
    )
    return get_object_or_404(qs, pk=pk)


def product_approvals(*, product: Product, user) -> list[Approval]:
    """A product's approvals by customer, as far as this person may read them; key accounts
    first, then by customer, newest revision first."""
    qs = scope_by_customer(
        Approval.objects.filter(product=product).select_related("customer", "decided_by"),
        user,
        "customer__",
    )
    return list(
        qs.annotate(key_rank=_KEY_FIRST).order_by(
            "key_rank", "customer__name", "-revision", "-created_at", "-id"
        )
    )
