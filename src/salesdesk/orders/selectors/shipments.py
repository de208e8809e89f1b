"""Reads of shipments, their lines, notices and receipts (R-4.5).

Scoped through core.scoping.scope_orders: a salesperson reads the shipments of own customers,
the warehouse reads them all (and the pages hide money from it). Query counts do not grow
with the number of rows.

order_shipments(*, order, user) -> {"shipping": {...}} feeds templates/orders/_order_shipments.html
inside the order page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.accounts import roles
from salesdesk.catalog.selectors.approvals import unapproved_products
from salesdesk.core.scoping import scope_orders

from ..choices import OPEN_STATES
from ..models import Order, OrderLine, Shipment, ShipmentLine, ShipmentNotice
from ..services.notices import shipment_message_text
from ..services.shipments import may_notify


def _lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=ShipmentLine.objects.select_related("order_line__product").order_by(
            "order_line__line_no", "id"
        ),
    )


def _notices() -> Prefetch:
    return Prefetch(
        "notices",
        queryset=ShipmentNotice.objects.select_related("sent_by").order_by("-sent_at", "-id"),
    )


def shipment_list(
    *,
    user,
    notified: bool | None = None,
    received: bool | None = None,
    customer=None,
    order=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    search: str = "",
    key_first: bool | None = None,
) -> QuerySet[Shipment]:
    """Shipments this person may read, newest first; key accounts first on the worklists (R-3.3).

    key_first=None (default): key accounts first only when the list is a worklist (not notified or
    not received, a few hundred rows); the whole history (a million rows) is newest first, read
    from shipment_list_idx, with the key-account badge on each row.
    """
    if key_first is None:
        key_first = notified is False or received is False
    qs = scope_orders(
        Shipment.objects.select_related("customer", "order", "order__salesperson"), user
    )
    if notified is not None:
        qs = qs.filter(notified_at__isnull=not notified)
    if received is not None:
        qs = qs.filter(received_at__isnull=not received)
    if customer:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    if order:
        qs = qs.filter(order_id=getattr(order, "pk", order))
    if date_from:
        qs = qs.filter(ship_date__gte=date_from)
    if date_to:
        qs = qs.filter(ship_date__lte=date_to)
    text = (search or "").strip()
    if text:
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(order__number__icontains=text)
            | Q(order__contract_number__icontains=text)
            | Q(tracking_number__icontains=text)
            | Q(carrier__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__short_name__icontains=text)
            | Q(customer__code__iexact=text)
        )
    ordering = ("-ship_date", "-id")
    if key_first:
        ordering = ("customer__tier", *ordering)
    return qs.order_by(*ordering)


def with_lines(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Prefetch lines (with order line and product) and notices: two queries for any page."""
    return queryset.prefetch_related(_lines(), _notices())


# What the shipments list shows of a shipment, its customer and order (the rest stays unread).
LIST_FIELDS = (
    "number",
    "ship_date",
    "carrier",
    "tracking_number",
    "amount",
    "notified_at",
    "received_at",
    "received_by_name",
    "customer__name",
    "customer__tier",
    "order__number",
)


def for_list(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """`queryset` (from shipment_list) reading only the columns the list shows."""
    return queryset.select_related(None).select_related("customer", "order").only(*LIST_FIELDS)


def attach_goods(shipments) -> list[Shipment]:
    """Give each shipment of a page `goods`: its lines as (product code, quantity) in line
    order, read in one query of plain values (no line, order line or product objects)."""
    shipments = list(shipments)
    goods: dict[int, list] = {s.pk: [] for s in shipments}
    rows = (
        ShipmentLine.objects.filter(shipment_id__in=goods)
        .order_by("shipment_id", "order_line__line_no", "id")
        .values_list("shipment_id", "order_line__product__code", "quantity")
    )
    for shipment_id, code, quantity in rows:
        goods[shipment_id].append((code, quantity))
    for shipment in shipments:
        shipment.goods = goods[shipment.pk]
    return shipments


# What the JSON list shows of a line's order line and product (its spec included).
_API_LINE_FIELDS = (
    "shipment",
    "order_line",
    "quantity",
    "checked_quantity",
    "damaged_quantity",
    "amount",
    "order_line__line_no",
    "order_line__product",
    "order_line__unit_price",
    *(
        f"order_line__product__{f}"
        for f in ("code", "name", "length_mm", "width_mm", "height_mm", "flute", "ply", "material")
    ),
)


def for_api_list(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """`queryset` (from shipment_list) with what the JSON list shows: every shipment column, the
    customer's name and the order's number (no other customer, order or salesperson column),
    and the lines and notices prefetched, the lines reading only what they show."""
    own = [f.name for f in Shipment._meta.concrete_fields]
    lines = Prefetch(
        "lines",
        queryset=ShipmentLine.objects.select_related("order_line__product")
        .only(*_API_LINE_FIELDS)
        .order_by("order_line__line_no", "id"),
    )
    return (
        queryset.select_related(None)
        .select_related("customer", "order")
        .only(*own, "customer__name", "order__number")
        .prefetch_related(lines, _notices())
    )


def shipment_get(*, user, pk) -> Shipment:
    """One shipment with lines and notices, or 404 when absent or out of this person's scope."""
    qs = scope_orders(
        Shipment.objects.select_related(
            "customer", "customer__owner", "order", "order__salesperson", "created_by"
        ),
        user,
    )
    return get_object_or_404(with_lines(qs), pk=pk)


def order_for_shipping(*, user, pk) -> Order:
    """The order a shipment is entered for, with its lines; 404 when out of scope."""
    qs = scope_orders(Order.objects.select_related("customer", "salesperson"), user)
    lines = Prefetch(
        "lines", queryset=OrderLine.objects.select_related("product").order_by("line_no")
    )
    return get_object_or_404(qs.prefetch_related(lines), pk=pk)


def open_lines(*, order: Order) -> list[OrderLine]:
    """The order's lines with something still to ship, with their product approval state.

    Each line gets `.open` (quantity remaining) and `.approved` (False when the product needs
    this customer's approval and has none for its current revision).
    """
    lines = _order_lines(order)
    _mark_approval(order, lines)
    return [line for line in lines if line.open > 0]


def _order_lines(order: Order) -> list[OrderLine]:
    cached = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if cached is not None and all("product" in line._state.fields_cache for line in cached):
        lines = list(cached)
    else:
        lines = list(
            OrderLine.objects.filter(order=order).select_related("product").order_by("line_no")
        )
    for line in lines:
        line.open = line.quantity - line.shipped_quantity
    return lines


def _mark_approval(order: Order, lines: list[OrderLine]) -> None:
    products = {line.product_id: line.product for line in lines}
    refused = (
        {
            p.pk
            for p in unapproved_products(customer=order.customer, products=list(products.values()))
        }
        if products
        else set()
    )
    for line in lines:
        line.approved = line.product_id not in refused


def shipment_card(*, shipment: Shipment, user) -> dict:
    """What one shipment's card needs: the pasteable text and which actions this person has."""
    return {
        "shipment": shipment,
        "message_text": shipment_message_text(shipment),
        "can_notify": may_notify(user, shipment.customer),
        "can_receive": roles.records_shipments(user) and shipment.received_at is None,
    }


def order_shipments(*, order, user) -> dict:
    """The order page's shipments block: shipments with lines and notices, open quantities, approvals."""
    shipments = list(
        with_lines(Shipment.objects.filter(order=order).select_related("customer")).order_by(
            "-ship_date", "-id"
        )
    )
    for shipment in shipments:
        shipment.order = order  # the message text names the order and its salesperson
    lines = _order_lines(order)
    _mark_approval(order, lines)
    can_record = roles.records_shipments(user) and order.state in OPEN_STATES
    unapproved = [line for line in lines if line.open > 0 and not line.approved]
    return {
        "shipping": {
            "order": order,
            "cards": [shipment_card(shipment=s, user=user) for s in shipments],
            "lines": lines,
            "open_quantity": sum(line.open for line in lines),
            "unapproved_lines": unapproved,
            "can_record": can_record and any(line.open > 0 for line in lines),
            "sees_money": roles.sees_money(user),
        }
    }
