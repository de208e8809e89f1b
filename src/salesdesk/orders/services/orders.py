"""Writes to orders and contracts: entry, editing drafts, confirmation, cancel, close (R-4.2).

Every function takes the acting person as `by`, runs in one transaction, keeps history
(django-simple-history, with the actor and a change reason) and raises
django.core.exceptions.ValidationError({field: [messages]}) naming the field; order lines are
named "lines.<index>.<field>".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.catalog.models import Product
from salesdesk.core.money import CENT
from salesdesk.core.numbers import next_numbers
from salesdesk.customers.models import Customer

from ..choices import BOOKED_STATES, CANCELLABLE_STATES, OrderChannel, OrderState
from ..models import Order, OrderLine, PromiseChange
from . import summaries

NUMBER_PREFIX = "SO"
PRICE_PLACES = Decimal("0.0001")
MAX_QUANTITY = 2_147_483_647
MAX_PRICE = Decimal("99999999.9999")
MAX_AMOUNT = Decimal("999999999999.99")

# Change reasons stored on history rows.
REASON_CREATE = "create"
REASON_UPDATE = "update"
REASON_CONFIRM = "confirm"
REASON_CANCEL = "cancel"
REASON_CLOSE = "close"
REASON_PROMISE = "promise"
REASON_PRODUCTION = "production"


# --- helpers ----------------------------------------------------------------------------


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _record(instance, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason


def _clean_str(value) -> str:
    return "" if value is None else str(value).strip()


def require_order_editor(by, order: Order | None = None, customer: Customer | None = None) -> None:
    """Order writers only; a salesperson only on orders of own customers."""
    if not roles.edits_orders(by):
        raise PermissionDenied(_("Your role cannot change orders."))
    customer = customer or (order.customer if order is not None else None)
    if customer is not None and by.role in roles.OWNS_CUSTOMERS and customer.owner_id != by.pk:
        raise PermissionDenied(_("This order belongs to another salesperson's customer."))


def line_amount(quantity: int, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, rounded half up to the fen."""
    return (Decimal(quantity) * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_date(value, field: str, errors: dict, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            _add(errors, field, _("Enter a date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        _add(errors, field, _("Enter a valid date (YYYY-MM-DD)."))
        return None


def _resolve_salesperson(by, customer: Customer | None, salesperson, errors: dict) -> User | None:
    """A salesperson orders for themself; the office names an active salesperson (default: the owner)."""
    if by.role in roles.OWNS_CUSTOMERS:
        wanted = getattr(salesperson, "pk", salesperson)
        if wanted not in (None, "", by.pk):
            _add(errors, "salesperson", _("A salesperson enters orders in their own name."))
        return by
    if salesperson in (None, ""):
        if customer is None:
            return None
        salesperson = customer.owner_id
        if salesperson is None:
            _add(
                errors,
                "salesperson",
                _(
                    "This customer has no salesperson: name the salesperson the order is assigned to."
                ),
            )
            return None
    if isinstance(salesperson, User):
        person = salesperson
    else:
        try:
            person = User.objects.filter(pk=int(salesperson)).first()
        except (TypeError, ValueError):
            person = None
    if person is None or not person.is_active or person.role not in roles.OWNS_CUSTOMERS:
        _add(errors, "salesperson", _("Choose an active salesperson."))
        return None
    return person


def _check_customer(by, customer, errors: dict) -> Customer | None:
    if customer in (None, ""):
        _add(errors, "customer", _("Choose the customer."))
        return None
    if not isinstance(customer, Customer):
        try:
            customer = Customer.objects.filter(pk=int(customer)).first()
        except (TypeError, ValueError):
            customer = None
        if customer is None:
            _add(errors, "customer", _("There is no such customer."))
            return None
    if customer.archived_at is not None:
        _add(errors, "customer", _("This customer file is archived; restore it before ordering."))
    elif by.role in roles.OWNS_CUSTOMERS and customer.owner_id != by.pk:
        _add(errors, "customer", _("You can only enter orders for your own customers."))
    return customer


def _products_of(lines: Sequence[Mapping]) -> dict[int, Product]:
    """Products named by id in the lines, fetched in one query (instances pass through)."""
    ids = set()
    for line in lines:
        product = line.get("product") if isinstance(line, Mapping) else None
        if product not in (None, "") and not isinstance(product, Product):
            try:
                ids.add(int(product))
            except (TypeError, ValueError):
                pass
    return Product.objects.in_bulk(ids) if ids else {}


def _clean_lines(lines, errors: dict) -> list[dict]:
    """Check each line; returns [{product, quantity, unit_price, amount, note}]."""
    if not lines:
        _add(errors, "lines", _("Add at least one order line."))
        return []
    fetched = _products_of(lines)
    cleaned = []
    for index, line in enumerate(lines):
        key = f"lines.{index}."
        product = line.get("product")
        if not isinstance(product, Product):
            try:
                product = fetched.get(int(product)) if product not in (None, "") else None
            except (TypeError, ValueError):
                product = None
            if product is None:
                _add(errors, key + "product", _("Choose a product."))
        if product is not None and product.archived_at is not None:
            _add(
                errors,
                key + "product",
                _("Product %(code)s is archived and cannot be ordered.") % {"code": product.code},
            )
            product = None

        quantity = line.get("quantity")
        try:
            quantity = int(quantity)
            if Decimal(str(line.get("quantity"))) != quantity:
                raise ValueError
        except (TypeError, ValueError, InvalidOperation):
            _add(errors, key + "quantity", _("Enter the quantity as a whole number."))
            quantity = None
        else:
            if quantity <= 0:
                _add(errors, key + "quantity", _("The quantity must be more than zero."))
                quantity = None
            elif quantity > MAX_QUANTITY:
                _add(errors, key + "quantity", _("The quantity is too large."))
                quantity = None

        price = line.get("unit_price")
        if price in (None, ""):
            price = product.list_price if product is not None else None
        else:
            try:
                price = Decimal(str(price).strip().replace(",", "").lstrip("¥￥"))
                if not price.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                _add(errors, key + "unit_price", _("Enter the unit price as an amount in yuan."))
                price = None
            else:
                if price < 0:
                    _add(errors, key + "unit_price", _("The unit price cannot be negative."))
                    price = None
                elif price != price.quantize(PRICE_PLACES):
                    _add(
                        errors, key + "unit_price", _("A unit price has at most 4 decimal places.")
                    )
                    price = None
                elif price > MAX_PRICE:
                    _add(errors, key + "unit_price", _("The unit price is too large."))
                    price = None
        note = _clean_str(line.get("note"))
        if len(note) > 200:
            _add(errors, key + "note", _("Keep the note under 200 characters."))
        if product is None or quantity is None or price is None:
            continue
        price = price.quantize(PRICE_PLACES)
        cleaned.append(
            {
                "product": product,
                "quantity": quantity,
                "unit_price": price,
                "amount": line_amount(quantity, price),
                "note": note[:200],
            }
        )
    return cleaned


def _clean_header(
    *,
    by,
    customer,
    salesperson,
    channel,
    order_date,
    requested_date,
    contract_number,
    contract_terms,
    notes,
    errors: dict,
) -> dict:
    customer = _check_customer(by, customer, errors)
    person = _resolve_salesperson(
        by, customer if "customer" not in errors else None, salesperson, errors
    )
    if channel not in OrderChannel.values:
        _add(errors, "channel", _("Choose how the order came in."))
    order_date = _parse_date(order_date, "order_date", errors, required=True)
    requested_date = _parse_date(requested_date, "requested_date", errors, required=False)
    if order_date and requested_date and requested_date < order_date:
        _add(errors, "requested_date", _("The requested date cannot be before the order date."))
    contract_number = _clean_str(contract_number)
    if len(contract_number) > 50:
        _add(errors, "contract_number", _("Keep the contract number under 50 characters."))
    return {
        "customer": customer,
        "salesperson": person,
        "channel": channel,
        "order_date": order_date,
        "requested_date": requested_date,
        "contract_number": contract_number,
        "contract_terms": _clean_str(contract_terms),
        "notes": _clean_str(notes),
    }


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _touch_last_order_date(customer_id: int, order_date: dt.date) -> None:
    """Move the customer's last order date forward (one conditional UPDATE; derived column)."""
    Customer.objects.filter(pk=customer_id).filter(
        Q(last_order_date__isnull=True) | Q(last_order_date__lt=order_date)
    ).update(last_order_date=order_date)


def recompute_last_order_date(customer_id: int) -> None:
    """The customer's last order date = the latest order date of its orders not cancelled."""
    latest = (
        Order.objects.filter(customer_id=customer_id)
        .exclude(state=OrderState.CANCELLED)
        .aggregate(latest=Max("order_date"))["latest"]
    )
    Customer.objects.filter(pk=customer_id).update(last_order_date=latest)


def _build_lines(order: Order, cleaned: list[dict], start: int = 1) -> list[OrderLine]:
    return [
        OrderLine(
            order=order,
            line_no=start + i,
            product=line["product"],
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            amount=line["amount"],
            note=line["note"],
        )
        for i, line in enumerate(cleaned)
    ]


_HISTORY_MANAGERS: dict = {}


def create_with_history(objs: list, model, *, by, reason: str) -> list:
    """Insert rows and their history rows: two statements whatever the count.

    simple_history's bulk_create_with_history, minus its per-call manager lookup (a new manager
    class per access, a third of the cost of entering an order), where the database returns
    the new ids from a bulk insert (PostgreSQL, SQLite ≥ 3.35).
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        return bulk_create_with_history(objs, model, default_user=by, default_change_reason=reason)
    manager = _HISTORY_MANAGERS.get(model)
    if manager is None:
        manager = _HISTORY_MANAGERS[model] = get_history_manager_for_model(model)
    created = model._default_manager.bulk_create(objs)
    manager.bulk_history_create(created, default_user=by, default_change_reason=reason)
    return created


def _total(cleaned: list[dict]) -> Decimal:
    return sum((line["amount"] for line in cleaned), Decimal("0.00")).quantize(CENT)


# --- services ---------------------------------------------------------------------------


def _clean_order(*, lines, **header_fields) -> tuple[dict, list[dict], Decimal]:
    """Check a whole order (header and lines) at once, so every problem is named together."""
    errors: dict = {}
    header = _clean_header(errors=errors, **header_fields)
    cleaned = _clean_lines(lines, errors)
    total = _total(cleaned)
    if total > MAX_AMOUNT:
        _add(errors, "lines", _("The order amount is too large."))
    _raise(errors)
    return header, cleaned, total


@transaction.atomic
def order_create(
    *,
    by,
    customer,
    salesperson=None,
    channel: str = OrderChannel.SALESPERSON,
    order_date,
    requested_date=None,
    contract_number: str = "",
    contract_terms: str = "",
    notes: str = "",
    lines: Sequence[Mapping],
) -> Order:
    """Enter a draft order: at least one line, amounts = quantity × price rounded half up, total stored."""
    require_order_editor(by)
    header, cleaned, total = _clean_order(
        by=by,
        customer=customer,
        salesperson=salesperson,
        channel=channel,
        order_date=order_date,
        requested_date=requested_date,
        contract_number=contract_number,
        contract_terms=contract_terms,
        notes=notes,
        lines=lines,
    )

    (number,) = next_numbers(NUMBER_PREFIX, header["order_date"].year)
    order = Order(
        number=number, state=OrderState.DRAFT, total_amount=total, created_by=by, **header
    )
    create_with_history([order], Order, by=by, reason=REASON_CREATE)
    create_with_history(_build_lines(order, cleaned), OrderLine, by=by, reason=REASON_CREATE)
    _touch_last_order_date(order.customer_id, order.order_date)
    return order


@transaction.atomic
def order_update(
    *,
    order: Order,
    by,
    customer,
    salesperson=None,
    channel: str,
    order_date,
    requested_date=None,
    contract_number: str = "",
    contract_terms: str = "",
    notes: str = "",
    lines: Sequence[Mapping],
) -> Order:
    """Change a draft order: header and lines are replaced; confirmed orders change by promise only."""
    require_order_editor(by, order)
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    if order.state != OrderState.DRAFT:
        raise ValidationError({"state": [_("Only a draft order can be edited.")]})
    header, cleaned, total = _clean_order(
        by=by,
        customer=customer,
        salesperson=salesperson,
        channel=channel,
        order_date=order_date,
        requested_date=requested_date,
        contract_number=contract_number,
        contract_terms=contract_terms,
        notes=notes,
        lines=lines,
    )

    old_customer_id, old_date = order.customer_id, order.order_date
    for field, value in header.items():
        setattr(order, field, value)
    order.total_amount = total
    _record(order, by, REASON_UPDATE)
    order.save()

    existing = list(order.lines.order_by("line_no"))
    kept = existing[: len(cleaned)]
    for line, data in zip(kept, cleaned, strict=False):
        for field in ("product", "quantity", "unit_price", "amount", "note"):
            setattr(line, field, data[field])
    if kept:
        bulk_update_with_history(
            kept,
            OrderLine,
            ["product", "quantity", "unit_price", "amount", "note"],
            default_user=by,
            default_change_reason=REASON_UPDATE,
        )
    for line in existing[len(cleaned) :]:
        # Lines of a draft were never shipped; the history keeps the removal.
        _record(line, by, REASON_UPDATE)
        line.delete()
    extra = cleaned[len(kept) :]
    if extra:
        create_with_history(
            _build_lines(order, extra, start=len(kept) + 1), OrderLine, by=by, reason=REASON_UPDATE
        )
    if old_customer_id != order.customer_id or old_date > order.order_date:
        recompute_last_order_date(old_customer_id)
    _touch_last_order_date(order.customer_id, order.order_date)
    return order


@transaction.atomic
def order_confirm(
    *, order: Order, by, promised_date, customer_accepted: bool | None = None
) -> Order:
    """Confirm a draft: a promised delivery date is required and starts the promise ledger."""
    require_order_editor(by, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.state != OrderState.DRAFT:
        raise ValidationError({"state": [_("Only a draft order can be confirmed.")]})
    errors: dict = {}
    if promised_date in (None, ""):
        _add(errors, "promised_date", _("Enter the promised delivery date to confirm the order."))
    else:
        promised_date = _parse_date(promised_date, "promised_date", errors, required=True)
    if promised_date and "promised_date" not in errors and promised_date < order.order_date:
        _add(errors, "promised_date", _("The promised date cannot be before the order date."))
    _raise(errors)

    now = timezone.now()
    PromiseChange.objects.create(
        order=order,
        old_date=None,
        new_date=promised_date,
        reason="",
        customer_accepted=customer_accepted,
        changed_at=now,
        changed_by=by,
    )
    order.promised_date = promised_date
    if order.promise_answered_at is None:
        order.promise_answered_at = now
    order.confirmed_at = now
    order.confirmed_by = by
    order.state = OrderState.CONFIRMED
    _record(order, by, REASON_CONFIRM)
    order.save()
    summaries.book(order)
    return order


@transaction.atomic
def order_cancel(*, order: Order, by, reason: str) -> Order:
    """Cancel an order not yet shipped, with a reason; the customer's last order date follows."""
    require_order_editor(by, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    reason = _clean_str(reason)
    if order.state not in CANCELLABLE_STATES or order.shipped_amount > 0:
        raise ValidationError(
            {"state": [_("An order that is shipped, closed or cancelled cannot be cancelled.")]}
        )
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for cancelling.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("Keep the reason under 200 characters.")]})
    was_booked = order.state in BOOKED_STATES
    order.state = OrderState.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancelled_by = by
    order.cancel_reason = reason
    _record(order, by, REASON_CANCEL)
    order.save()
    if was_booked:
        summaries.book(order, sign=-1)
    recompute_last_order_date(order.customer_id)
    return order


@transaction.atomic
def order_close(*, order: Order, by, reason: str = "") -> Order:
    """Close a shipped order; a partly shipped one closes short only with a reason."""
    require_order_editor(by, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    reason = _clean_str(reason)
    if order.state not in (OrderState.SHIPPED, OrderState.PARTLY_SHIPPED):
        raise ValidationError(
            {"state": [_("Only a shipped or partly shipped order can be closed.")]}
        )
    if order.state == OrderState.PARTLY_SHIPPED and not reason:
        raise ValidationError(
            {
                "reason": [
                    _("Part of this order is still open: give the reason for closing it short.")
                ]
            }
        )
    if len(reason) > 200:
        raise ValidationError({"reason": [_("Keep the reason under 200 characters.")]})
    now = timezone.now()
    if reason:
        stamp = timezone.localtime(now).strftime("%Y-%m-%d")
        line = str(_("Closed on %(date)s: %(reason)s")) % {"date": stamp, "reason": reason}
        order.notes = f"{order.notes}\n{line}".strip()
    order.state = OrderState.CLOSED
    order.closed_at = now
    _record(order, by, f"{REASON_CLOSE}: {reason}"[:100] if reason else REASON_CLOSE)
    order.save()
    return order
