"""Shipments (发货) and the customer's receipt (签收) (R-4.5, R-3.4).

A shipment takes goods off the open quantity of its order's lines. Nothing is ever shipped
beyond what the order owes, nor a new or changed product the customer has not approved; a
refused shipment writes nothing. The order row is locked while a shipment is written, so two
clerks shipping the same order at the same moment cannot over-ship it together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.catalog.selectors.approvals import unapproved_products
from salesdesk.core.money import CENT
from salesdesk.core.numbers import next_numbers
from salesdesk.core.validators import normalize_phone, validate_phone
from salesdesk.finance.services.receivables import receivable_for_shipment

from ..choices import OPEN_STATES, OrderState
from ..models import Order, OrderLine, Shipment, ShipmentLine

# Change reasons written on the history rows of orders, order lines and shipments.
REASON_SHIPMENT = "shipment"
REASON_RECEIPT = "receipt"


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _record(instance, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _int(value):
    """An integer from a number or its text; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def line_label(order_line: OrderLine) -> str:
    """How a clerk names an order line in a message: Line 2 (P-0031 三层B楞纸箱)."""
    product = order_line.product
    return str(_("Line %(no)s (%(code)s %(name)s)")) % {
        "no": order_line.line_no,
        "code": product.code,
        "name": product.name,
    }


def may_record_shipments(by) -> bool:
    return roles.records_shipments(by)


def may_notify(by, customer) -> bool:
    """The warehouse and the sales office tell any customer; a salesperson tells own customers."""
    if roles.records_shipments(by):
        return True
    if not roles.edits_orders(by):
        return False
    return roles.sees_all_customers(by) or customer.owner_id == by.pk


def _check_header(
    order: Order, errors: dict, *, ship_date, carrier, carrier_phone, tracking_number, notes
) -> dict:
    if order.state not in OPEN_STATES:
        _add(
            errors,
            NON_FIELD_ERRORS,
            _(
                "Order %(number)s is %(state)s: only confirmed, in-production or partly shipped orders can be shipped."
            )
            % {"number": order.number, "state": order.get_state_display()},
        )
    if not isinstance(ship_date, dt.date) or isinstance(ship_date, dt.datetime):
        _add(errors, "ship_date", _("Enter the ship date."))
    elif ship_date < order.order_date:
        _add(
            errors,
            "ship_date",
            _("The ship date cannot be before the order date (%(date)s).")
            % {"date": order.order_date.isoformat()},
        )
    elif ship_date > timezone.localdate():
        _add(errors, "ship_date", _("The ship date cannot be in the future."))
    carrier = _text(carrier)
    if not carrier:
        _add(errors, "carrier", _("Enter the carrier (物流公司)."))
    elif len(carrier) > 50:
        _add(errors, "carrier", _("At most 50 characters."))
    carrier_phone = normalize_phone(_text(carrier_phone))
    if not carrier_phone:
        _add(errors, "carrier_phone", _("Enter the carrier's phone number."))
    else:
        try:
            validate_phone(carrier_phone)
        except ValidationError as exc:
            for message in exc.messages:
                _add(errors, "carrier_phone", message)
    tracking_number = _text(tracking_number)
    if len(tracking_number) > 50:
        _add(errors, "tracking_number", _("At most 50 characters."))
    notes = _text(notes)
    if len(notes) > 200:
        _add(errors, "notes", _("At most 200 characters."))
    return {
        "ship_date": ship_date,
        "carrier": carrier,
        "carrier_phone": carrier_phone,
        "tracking_number": tracking_number,
        "notes": notes,
    }


def _check_lines(
    order: Order, order_lines: dict[int, OrderLine], lines: Iterable[Mapping], errors: dict
) -> list[tuple[int, OrderLine, int, int, int]]:
    """The posted lines as (index, order line, quantity, checked, damaged), messages in `errors`."""
    checked_lines = []
    seen: set[int] = set()
    lines = list(lines or [])
    if not lines:
        _add(errors, "lines", _("Enter the quantity shipped on at least one line."))
    for index, line in enumerate(lines):
        key = f"lines.{index}."
        raw = line.get("order_line")
        pk = raw.pk if isinstance(raw, OrderLine) else _int(raw)
        order_line = order_lines.get(pk) if pk is not None else None
        if order_line is None:
            _add(
                errors,
                key + "order_line",
                _("This line is not on order %(number)s.") % {"number": order.number},
            )
            continue
        if pk in seen:
            _add(
                errors,
                key + "order_line",
                _("%(line)s is given twice; enter it once.") % {"line": line_label(order_line)},
            )
            continue
        seen.add(pk)
        quantity = _int(line.get("quantity"))
        checked = line.get("checked_quantity")
        checked = quantity if checked is None or checked == "" else _int(checked)
        damaged = line.get("damaged_quantity")
        damaged = 0 if damaged is None or damaged == "" else _int(damaged)
        label = line_label(order_line)
        ok = True
        if quantity is None or quantity <= 0:
            _add(
                errors,
                key + "quantity",
                _("%(line)s: the quantity shipped must be a whole number above 0.")
                % {"line": label},
            )
            ok = False
        elif quantity > order_line.open_quantity:
            _add(
                errors,
                key + "quantity",
                _("%(line)s: only %(open)s remain to ship, %(given)s given.")
                % {"line": label, "open": order_line.open_quantity, "given": quantity},
            )
            ok = False
        if checked is None or checked < 0:
            _add(
                errors,
                key + "checked_quantity",
                _("%(line)s: the checked quantity must be a whole number, 0 or more.")
                % {"line": label},
            )
            ok = False
        elif quantity is not None and checked > quantity:
            _add(
                errors,
                key + "checked_quantity",
                _(
                    "%(line)s: the checked quantity (%(checked)s) cannot exceed the quantity shipped (%(quantity)s)."
                )
                % {"line": label, "checked": checked, "quantity": quantity},
            )
            ok = False
        if damaged is None or damaged < 0:
            _add(
                errors,
                key + "damaged_quantity",
                _("%(line)s: the damaged quantity must be a whole number, 0 or more.")
                % {"line": label},
            )
            ok = False
        elif quantity is not None and damaged > quantity:
            _add(
                errors,
                key + "damaged_quantity",
                _(
                    "%(line)s: the damaged quantity (%(damaged)s) cannot exceed the quantity shipped (%(quantity)s)."
                )
                % {"line": label, "damaged": damaged, "quantity": quantity},
            )
            ok = False
        if ok:
            checked_lines.append((index, order_line, quantity, checked, damaged))
    return checked_lines


def _check_approvals(order: Order, checked_lines: list, errors: dict) -> None:
    """A new or changed product ships only after this customer approved its current revision."""
    products = {ol.product_id: ol.product for _i, ol, *_rest in checked_lines}
    if not products:
        return
    refused = {
        p.pk for p in unapproved_products(customer=order.customer, products=list(products.values()))
    }
    for index, order_line, *_rest in checked_lines:
        if order_line.product_id in refused:
            product = order_line.product
            _add(
                errors,
                f"lines.{index}.order_line",
                _(
                    "%(code)s %(name)s is a new or changed product (revision %(revision)s) that %(customer)s "
                    "has not approved yet: record the customer's approval of a sample before shipping it."
                )
                % {
                    "code": product.code,
                    "name": product.name,
                    "revision": product.revision,
                    "customer": order.customer.name,
                },
            )


def line_amount(quantity: int, unit_price: Decimal) -> Decimal:
    return (Decimal(quantity) * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def shipment_record(
    *,
    order: Order,
    by,
    ship_date: dt.date,
    carrier: str,
    carrier_phone: str,
    tracking_number: str = "",
    notes: str = "",
    lines: Iterable[Mapping],
) -> Shipment:
    """Ship goods of an open order: never more than remains open per line, never an unapproved new product."""
    if not may_record_shipments(by):
        raise PermissionDenied(_("Your role cannot record shipments."))
    # The lock serializes shipments of one order: the open quantities read below stay true
    # until this transaction commits.
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=order)
        .select_related("product")
        .order_by("line_no")
    }
    errors: dict = {}
    header = _check_header(
        order,
        errors,
        ship_date=ship_date,
        carrier=carrier,
        carrier_phone=carrier_phone,
        tracking_number=tracking_number,
        notes=notes,
    )
    checked_lines = _check_lines(order, order_lines, lines, errors)
    _check_approvals(order, checked_lines, errors)
    if errors:
        raise ValidationError(errors)

    shipment = Shipment(
        number=next_numbers("FH", header["ship_date"].year)[0],
        order=order,
        customer=order.customer,
        created_by=by,
        **header,
    )
    shipment_lines = []
    total = Decimal("0.00")
    for _index, order_line, quantity, checked, damaged in checked_lines:
        amount = line_amount(quantity, order_line.unit_price)
        total += amount
        shipment_lines.append(
            ShipmentLine(
                shipment=shipment,
                order_line=order_line,
                quantity=quantity,
                checked_quantity=checked,
                damaged_quantity=damaged,
                amount=amount,
            )
        )
        order_line.shipped_quantity += quantity
        _record(order_line, by, REASON_SHIPMENT)
        order_line.save(update_fields=["shipped_quantity"])
    shipment.amount = total
    _record(shipment, by, REASON_SHIPMENT)
    shipment.save()
    ShipmentLine.objects.bulk_create(shipment_lines)

    order.shipped_amount = order.shipped_amount + total
    if order.last_shipped_on is None or header["ship_date"] > order.last_shipped_on:
        order.last_shipped_on = header["ship_date"]
    fully = all(line.shipped_quantity >= line.quantity for line in order_lines.values())
    order.state = OrderState.SHIPPED if fully else OrderState.PARTLY_SHIPPED
    _record(order, by, REASON_SHIPMENT)
    order.save(update_fields=["shipped_amount", "last_shipped_on", "state"])
    # What the customer owes for these goods, in the same transaction.
    receivable_for_shipment(shipment=shipment, by=by)
    return shipment


@transaction.atomic
def shipment_receive(*, shipment: Shipment, by, received_at, received_by_name: str) -> Shipment:
    """Record the customer's receipt (签收) once, not before the goods left nor in the future."""
    if not may_record_shipments(by):
        raise PermissionDenied(_("Your role cannot record receipts."))
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    errors: dict = {}
    if shipment.received_at is not None:
        _add(
            errors,
            NON_FIELD_ERRORS,
            _("The receipt of %(number)s was already recorded on %(when)s.")
            % {
                "number": shipment.number,
                "when": timezone.localtime(shipment.received_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    if isinstance(received_at, dt.date) and not isinstance(received_at, dt.datetime):
        received_at = dt.datetime.combine(received_at, dt.time(12, 0))
    if not isinstance(received_at, dt.datetime):
        _add(errors, "received_at", _("Enter when the customer signed for the goods."))
    else:
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        if timezone.localtime(received_at).date() < shipment.ship_date:
            _add(
                errors,
                "received_at",
                _("The goods cannot be received before they were shipped (%(date)s).")
                % {"date": shipment.ship_date.isoformat()},
            )
        elif received_at > timezone.now() + dt.timedelta(minutes=5):
            _add(errors, "received_at", _("The receipt cannot be in the future."))
    name = _text(received_by_name)
    if not name:
        _add(errors, "received_by_name", _("Enter who signed for the goods."))
    elif len(name) > 50:
        _add(errors, "received_by_name", _("At most 50 characters."))
    if errors:
        raise ValidationError(errors)
    shipment.received_at = received_at
    shipment.received_by_name = name
    _record(shipment, by, REASON_RECEIPT)
    shipment.save(update_fields=["received_at", "received_by_name"])
    return shipment
