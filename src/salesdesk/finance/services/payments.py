"""Payments (回款) and their allocation to receivables (R-5.1).

A payment is set against the customer's open receivables oldest first (by due date, then issue
date) unless the clerk names the receivables and amounts by hand. Nothing is ever allocated
beyond a receivable's open amount or beyond the payment; a refused allocation writes nothing.
What is not allocated stays on the payment as the customer's credit and can be allocated later.

The receivables (and the payment, when its credit is used later) are locked while an allocation
is written, so two clerks entering payments of one customer at once cannot over-allocate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles

from ..choices import PaymentMethod
from ..models import Allocation, Payment, Receivable
from .receivables import orders_refresh, parse_amount, record

REASON_PAYMENT = "payment"
REASON_ALLOCATION = "allocation"


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,}"


def receivable_label(receivable: Receivable) -> str:
    """How a clerk names a receivable: its invoice number, else its shipment number, else its id."""
    if receivable.invoice_number:
        return receivable.invoice_number
    if receivable.shipment_id and "shipment" in receivable._state.fields_cache:
        return receivable.shipment.number
    return f"#{receivable.pk}"


def _may_record(by) -> None:
    if not roles.records_payments(by):
        raise PermissionDenied(_("Your role cannot record payments."))


def _check_header(errors: dict, *, received_on, amount, method, reference, notes) -> dict:
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        _add(errors, "received_on", _("Enter the date the money was received."))
    elif received_on > timezone.localdate():
        _add(errors, "received_on", _("The date received cannot be in the future."))
    amount = parse_amount(amount, errors, "amount")
    if method not in PaymentMethod.values:
        _add(errors, "method", _("Choose how the money was paid."))
    reference = "" if reference is None else str(reference).strip()
    if len(reference) > 60:
        _add(errors, "reference", _("At most 60 characters."))
    notes = "" if notes is None else str(notes).strip()
    if len(notes) > 200:
        _add(errors, "notes", _("At most 200 characters."))
    return {
        "received_on": received_on,
        "amount": amount,
        "method": method,
        "reference": reference,
        "notes": notes,
    }


def _open_receivables(customer) -> list[Receivable]:
    """The customer's open receivables, locked, oldest first: due date, then issue date."""
    return list(
        Receivable.objects.select_for_update()
        .filter(customer=customer, is_open=True)
        .order_by("due_date", "issued_on", "id")
    )


def _plan_oldest_first(customer, available: Decimal) -> list[tuple[Receivable, Decimal]]:
    plan = []
    for receivable in _open_receivables(customer):
        if available <= 0:
            break
        amount = min(receivable.open_amount, available)
        plan.append((receivable, amount))
        available -= amount
    return plan


def _pk_of(value) -> int | None:
    if isinstance(value, Receivable):
        return value.pk
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _plan_by_hand(
    customer, allocations: list[Mapping], available: Decimal | None, errors: dict
) -> list[tuple[Receivable, Decimal]]:
    """The clerk's lines, checked one by one; messages name the line ("allocations.2.amount")."""
    pks = [_pk_of(line.get("receivable")) for line in allocations]
    locked = {
        r.pk: r
        for r in Receivable.objects.select_for_update(of=("self",))
        .select_related("shipment")
        .filter(pk__in=[pk for pk in pks if pk is not None])
        .order_by("pk")
    }
    plan: list[tuple[Receivable, Decimal]] = []
    seen: set[int] = set()
    total = Decimal("0.00")
    for index, (line, pk) in enumerate(zip(allocations, pks, strict=True)):
        key = f"allocations.{index}."
        receivable = locked.get(pk) if pk is not None else None
        amount = parse_amount(line.get("amount"), errors, key + "amount")
        if receivable is None or receivable.customer_id != customer.pk:
            _add(
                errors,
                key + "receivable",
                _("This is not a receivable of %(customer)s.") % {"customer": customer.name},
            )
            continue
        label = receivable_label(receivable)
        if pk in seen:
            _add(
                errors,
                key + "receivable",
                _("Receivable %(label)s is given twice; enter it once.") % {"label": label},
            )
            continue
        seen.add(pk)
        if not receivable.is_open:
            _add(
                errors,
                key + "receivable",
                _("Receivable %(label)s is paid in full already.") % {"label": label},
            )
            continue
        if amount is None:
            continue
        if amount > receivable.open_amount:
            _add(
                errors,
                key + "amount",
                _("Receivable %(label)s: only %(open)s remain open, %(given)s given.")
                % {"label": label, "open": _yuan(receivable.open_amount), "given": _yuan(amount)},
            )
            continue
        total += amount
        if available is not None and total > available:
            _add(
                errors,
                key + "amount",
                _(
                    "Allocations add up to %(total)s by this line, more than the %(available)s available."
                )
                % {"total": _yuan(total), "available": _yuan(available)},
            )
            continue
        plan.append((receivable, amount))
    return plan


def _apply(payment: Payment, plan: list[tuple[Receivable, Decimal]], by) -> list[Allocation]:
    """Write the allocations and keep the receivables', the payment's and the orders' sums current."""
    now = timezone.now()
    allocations = []
    for receivable, amount in plan:
        allocation = Allocation(
            payment=payment, receivable=receivable, amount=amount, allocated_at=now, allocated_by=by
        )
        record(allocation, by, REASON_ALLOCATION)
        allocation.save()
        allocations.append(allocation)
        receivable.allocated_amount += amount
        if receivable.allocated_amount == receivable.amount:
            receivable.is_open = False
            receivable.paid_on = payment.received_on
        record(receivable, by, REASON_ALLOCATION)
        receivable.save(update_fields=["allocated_amount", "is_open", "paid_on"])
    if plan:
        payment.allocated_amount += sum((amount for _r, amount in plan), Decimal("0.00"))
        record(payment, by, REASON_ALLOCATION)
        payment.save(update_fields=["allocated_amount"])
        orders_refresh([r.order_id for r, _a in plan], by=by)
    return allocations


@transaction.atomic
def payment_record(
    *,
    by,
    customer,
    received_on: dt.date,
    amount,
    method: str = PaymentMethod.BANK,
    reference: str = "",
    notes: str = "",
    allocations: Iterable[Mapping] | None = None,
) -> Payment:
    """Record money received; allocate it oldest first or as given, never beyond what is open; the rest is credit."""
    _may_record(by)
    errors: dict = {}
    header = _check_header(
        errors,
        received_on=received_on,
        amount=amount,
        method=method,
        reference=reference,
        notes=notes,
    )
    plan: list[tuple[Receivable, Decimal]] = []
    if allocations is not None:
        plan = _plan_by_hand(customer, list(allocations), header["amount"], errors)
    if errors:
        raise ValidationError(errors)
    if allocations is None:
        plan = _plan_oldest_first(customer, header["amount"])
    payment = Payment(customer=customer, salesperson_id=customer.owner_id, created_by=by, **header)
    record(payment, by, REASON_PAYMENT)
    payment.save()
    _apply(payment, plan, by)
    return payment


@transaction.atomic
def payment_allocate(
    *, payment: Payment, by, allocations: Iterable[Mapping] | None = None
) -> list[Allocation]:
    """Use a payment's remaining credit: oldest first or as given, never beyond the credit or what is open."""
    _may_record(by)
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=payment.pk)
    )
    errors: dict = {}
    available = payment.unallocated_amount
    if available <= 0:
        _add(errors, NON_FIELD_ERRORS, _("This payment is fully allocated: it has no credit left."))
        raise ValidationError(errors)
    if allocations is None:
        plan = _plan_oldest_first(payment.customer, available)
        if not plan:
            _add(
                errors,
                NON_FIELD_ERRORS,
                _("%(customer)s has no open receivables to allocate to.")
                % {"customer": payment.customer.name},
            )
    else:
        allocations = list(allocations)
        if not allocations:
            _add(errors, "allocations", _("Enter an amount for at least one receivable."))
        plan = _plan_by_hand(payment.customer, allocations, available, errors)
    if errors:
        raise ValidationError(errors)
    return _apply(payment, plan, by)
