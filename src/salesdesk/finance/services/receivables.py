"""Receivables (应收, R-5.1): from shipments or from an invoice number finance gives.

A shipment's receivable is created inside the shipment's own transaction: the money a customer
owes never lags the goods. Its due date follows the customer's payment terms. An invoice number
from finance either names the receivables of shipments already recorded (no new money) or, for
an invoice without shipments, creates a receivable of its own.

The orders' stored `invoiced_amount` (receivables with an invoice number) and `paid_amount`
(allocations to the order's receivables) are recomputed here with integer-fen sums whenever a
receivable or allocation of that order changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core.money import CENT, fen_sum, fen_to_yuan

from ..choices import ReceivableSource
from ..models import Allocation, Receivable

MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2

# Change reasons written on the history rows.
REASON_SHIPMENT = "receivable from shipment"
REASON_INVOICE = "invoice number"
REASON_ALLOCATION = "allocation"
REASON_ORDER_MONEY = "invoiced/paid recomputed"


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def record(instance, by, reason: str) -> None:
    """Who and why, for the history row the next save writes."""
    instance._history_user = by
    instance._change_reason = reason


def parse_amount(value, errors: dict, field: str) -> Decimal | None:
    """A positive amount in yuan with at most two decimal places; None (and a message) otherwise."""
    if isinstance(value, bool) or value is None or value == "":
        _add(errors, field, _("Enter the amount."))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        _add(errors, field, _("Enter the amount as a number, e.g. 1280.50."))
        return None
    if not amount.is_finite():
        _add(errors, field, _("Enter the amount as a number, e.g. 1280.50."))
        return None
    if amount != amount.quantize(CENT):
        _add(errors, field, _("Enter the amount in yuan with at most 2 decimal places."))
        return None
    if amount <= 0:
        _add(errors, field, _("The amount must be above 0."))
        return None
    if amount > MAX_AMOUNT:
        _add(errors, field, _("The amount is too large."))
        return None
    return amount.quantize(CENT)


def _date(value, errors: dict, field: str, message) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    _add(errors, field, message)
    return None


def due_date_for(customer, issued_on: dt.date) -> dt.date:
    """The day payment falls due: issue date plus the customer's payment terms (0 when unset)."""
    return issued_on + dt.timedelta(days=customer.payment_terms_days or 0)


def orders_refresh(order_ids: Iterable[int | None], *, by) -> None:
    """Recompute invoiced and paid amounts of these orders from their receivables, exactly in fen."""
    from salesdesk.orders.models import Order

    ids = sorted({pk for pk in order_ids if pk})
    if not ids:
        return
    # Locked so two clerks allocating to one order at once cannot write a stale sum.
    orders = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    invoiced = dict(
        Receivable.objects.filter(order_id__in=ids)
        .values("order_id")
        .annotate(fen=fen_sum("amount", filter=~Q(invoice_number="")))
        .values_list("order_id", "fen")
    )
    paid = dict(
        Allocation.objects.filter(receivable__order_id__in=ids)
        .values("receivable__order_id")
        .annotate(fen=fen_sum("amount"))
        .values_list("receivable__order_id", "fen")
    )
    for order in orders:
        new_invoiced = fen_to_yuan(invoiced.get(order.pk, 0))
        new_paid = fen_to_yuan(paid.get(order.pk, 0))
        if order.invoiced_amount == new_invoiced and order.paid_amount == new_paid:
            continue
        order.invoiced_amount = new_invoiced
        order.paid_amount = new_paid
        record(order, by, REASON_ORDER_MONEY)
        order.save(update_fields=["invoiced_amount", "paid_amount"])


def _may_invoice(by) -> None:
    if not roles.records_payments(by):
        raise PermissionDenied(_("Your role cannot record invoices or payments."))


def _clean_invoice_number(value, errors: dict, field: str = "invoice_number") -> str:
    number = "" if value is None else str(value).strip()
    if not number:
        _add(errors, field, _("Enter the invoice number."))
    elif len(number) > 40:
        _add(errors, field, _("At most 40 characters."))
    return number


def _check_invoice_owner(
    number: str, customer, errors: dict, *, exclude=(), field="invoice_number"
) -> None:
    """One invoice belongs to one customer: refuse a number already on another customer's receivable."""
    if not number:
        return
    other = (
        Receivable.objects.filter(invoice_number=number)
        .exclude(customer=customer)
        .exclude(pk__in=[r.pk for r in exclude])
        .select_related("customer")
        .first()
    )
    if other is not None:
        _add(
            errors,
            field,
            _("Invoice %(number)s is already on a receivable of %(customer)s.")
            % {"number": number, "customer": other.customer.name},
        )


@transaction.atomic
def receivable_for_shipment(*, shipment, by) -> Receivable | None:
    """A shipment creates what the customer owes for it, due after the customer's payment terms."""
    if Receivable.objects.filter(shipment=shipment).exists():
        return Receivable.objects.get(shipment=shipment)
    amount = shipment.amount or Decimal("0.00")
    if amount <= 0:
        return None  # nothing is owed for goods shipped at no charge
    order = shipment.order
    customer = shipment.customer
    receivable = Receivable(
        customer=customer,
        salesperson_id=order.salesperson_id,
        order=order,
        shipment=shipment,
        source=ReceivableSource.SHIPMENT,
        issued_on=shipment.ship_date,
        due_date=due_date_for(customer, shipment.ship_date),
        amount=amount,
        created_by=by,
    )
    record(receivable, by, REASON_SHIPMENT)
    receivable.save()
    return receivable


def _shipment_receivables(customer, shipments, errors: dict) -> list[tuple[int, Receivable]]:
    """(index given, receivable) of each shipment named, locked; messages keyed "shipments.N"."""
    from salesdesk.orders.models import Shipment

    found: list[tuple[int, Receivable]] = []
    seen: set[int] = set()
    for index, item in enumerate(shipments):
        key = f"shipments.{index}"
        pk = item.pk if isinstance(item, Shipment) else item
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            _add(errors, key, _("Choose a shipment."))
            continue
        if pk in seen:
            _add(errors, key, _("This shipment is given twice."))
            continue
        seen.add(pk)
        receivable = (
            Receivable.objects.select_for_update(of=("self",))
            .select_related("shipment")
            .filter(shipment_id=pk)
            .first()
        )
        shipment = receivable.shipment if receivable else Shipment.objects.filter(pk=pk).first()
        if shipment is None or shipment.customer_id != customer.pk:
            _add(
                errors,
                key,
                _("This shipment is not one of %(customer)s's.") % {"customer": customer.name},
            )
            continue
        if receivable is None:
            _add(
                errors,
                key,
                _("Shipment %(number)s has no receivable (it was shipped at no charge).")
                % {"number": shipment.number},
            )
            continue
        found.append((index, receivable))
    return found


@transaction.atomic
def receivable_from_invoice(
    *,
    by,
    customer,
    invoice_number: str,
    amount,
    issued_on: dt.date,
    order=None,
    shipments: Iterable = (),
    notes: str = "",
) -> list[Receivable]:
    """Finance's invoice: names the receivables of its shipments (amount must equal their sum), or is new money."""
    _may_invoice(by)
    errors: dict = {}
    number = _clean_invoice_number(invoice_number, errors)
    amount = parse_amount(amount, errors, "amount")
    issued_on = _date(issued_on, errors, "issued_on", _("Enter the invoice date."))
    if issued_on and issued_on > timezone.localdate():
        _add(errors, "issued_on", _("The invoice date cannot be in the future."))
    notes = (notes or "").strip()
    if len(notes) > 200:
        _add(errors, "notes", _("At most 200 characters."))
    if order is not None and order.customer_id != customer.pk:
        _add(
            errors,
            "order",
            _("This order is not one of %(customer)s's.") % {"customer": customer.name},
        )
    shipments = list(shipments or ())
    if shipments:
        indexed = _shipment_receivables(customer, shipments, errors)
        receivables = [receivable for _index, receivable in indexed]
        for index, receivable in indexed:
            if receivable.invoice_number and receivable.invoice_number != number:
                _add(
                    errors,
                    f"shipments.{index}",
                    _("Shipment %(shipment)s is already on invoice %(number)s.")
                    % {"shipment": receivable.shipment.number, "number": receivable.invoice_number},
                )
            if order is not None and receivable.order_id != order.pk:
                _add(
                    errors,
                    f"shipments.{index}",
                    _("Shipment %(shipment)s is not on order %(order)s.")
                    % {"shipment": receivable.shipment.number, "order": order.number},
                )
        _check_invoice_owner(number, customer, errors, exclude=receivables)
        if not errors and amount is not None:
            total = sum((r.amount for r in receivables), Decimal("0.00"))
            if total != amount:
                _add(
                    errors,
                    "amount",
                    _("The invoice amount %(amount)s differs from the shipments' total %(total)s.")
                    % {"amount": f"{amount:,}", "total": f"{total:,}"},
                )
        if errors:
            raise ValidationError(errors)
        for receivable in receivables:
            receivable.invoice_number = number
            record(receivable, by, REASON_INVOICE)
            receivable.save(update_fields=["invoice_number"])
        orders_refresh([r.order_id for r in receivables], by=by)
        return receivables

    if number and Receivable.objects.filter(invoice_number=number).exists():
        _add(
            errors,
            "invoice_number",
            _("Invoice %(number)s is already recorded; give its shipments to attach it to them.")
            % {"number": number},
        )
    if errors:
        raise ValidationError(errors)
    receivable = Receivable(
        customer=customer,
        salesperson_id=order.salesperson_id if order is not None else customer.owner_id,
        order=order,
        source=ReceivableSource.INVOICE,
        invoice_number=number,
        issued_on=issued_on,
        due_date=due_date_for(customer, issued_on),
        amount=amount,
        notes=notes,
        created_by=by,
    )
    record(receivable, by, REASON_INVOICE)
    receivable.save()
    orders_refresh([receivable.order_id], by=by)
    return [receivable]


@transaction.atomic
def receivable_set_invoice(*, receivable: Receivable, by, invoice_number: str) -> Receivable:
    """Give a receivable finance's invoice number; one invoice never spans two customers."""
    _may_invoice(by)
    receivable = (
        Receivable.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=receivable.pk)
    )
    errors: dict = {}
    number = _clean_invoice_number(invoice_number, errors)
    _check_invoice_owner(number, receivable.customer, errors)
    if errors:
        raise ValidationError(errors)
    if receivable.invoice_number != number:
        receivable.invoice_number = number
        record(receivable, by, REASON_INVOICE)
        receivable.save(update_fields=["invoice_number"])
        orders_refresh([receivable.order_id], by=by)
    return receivable
