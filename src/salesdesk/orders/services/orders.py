"""Writes to orders and contracts: entry, editing drafts, confirmation, cancel, close (R-4.2).

Every function takes the acting person as `by`, runs in one transaction, keeps history
(django-simple-history, with the actor and a change reason) and raises
django.core.exceptions.ValidationError({field: [messages]}) naming the field; order lines are
named "lines.<index>.<field>".
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_model_for_model,
)

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.catalog.models import Product
from salesdesk.core.money import CENT
from salesdesk.core.numbers import next_numbers
from salesdesk.core.prepared import prepared_cursor
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


# --- rows and their history in few statements ----------------------------------------
#
# Entering an order is the hottest write (issue 3: ≥ 300 orders/s on SQLite and PostgreSQL).
# The history rows are copied by the database from the rows just written (INSERT … SELECT)
# instead of being built as historical model instances in Python: the same columns and values
# as simple_history's bulk_history_create (every tracked field, history_date, the change
# reason, "+", the user), without a Python object and a bound parameter per column. On
# PostgreSQL the lines, both history inserts and the customer's last order date go out as one
# statement (data-modifying CTEs), so an order costs BEGIN, the number, the order, that
# statement and COMMIT: five round trips instead of eight; the three statements are prepared
# (core/prepared.py), which halves the server's work on them. bench/orders_throughput.py
# measures it; tests/orders/test_orders_services.py checks the rows and history rows.

_HISTORY_EXTRA = ("history_date", "history_change_reason", "history_type", "history_user")


@functools.cache
def _history_copy(model) -> str | None:
    """`INSERT INTO <history table> (…) SELECT <row columns>, %s, %s, %s, %s`, to be followed
    by `FROM <rows>`; None when the history model has fields this copy would not fill (then
    simple_history's own bulk path is used)."""
    history = get_history_model_for_model(model)
    qn = connection.ops.quote_name
    targets, sources = [], []
    for field in history.tracked_fields:
        targets.append(qn(history._meta.get_field(field.name).column))
        sources.append(qn(field.column))
    filled = {field.name for field in history.tracked_fields} | set(_HISTORY_EXTRA)
    filled.add(history._meta.pk.name)
    if {field.name for field in history._meta.concrete_fields} != filled:
        return None
    targets += [qn(history._meta.get_field(name).column) for name in _HISTORY_EXTRA]
    return (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)}, %s, %s, %s, %s"
    )


@functools.cache
def _history_date_field(model):
    # simple_history builds a new manager class on every lookup of the history model: once.
    return get_history_model_for_model(model)._meta.get_field("history_date")


def _history_params(model, *, by, reason: str, when: dt.datetime) -> list:
    when = _history_date_field(model).get_db_prep_save(when, connection)
    return [when, reason, "+", getattr(by, "pk", by)]


def _copy_history(model, pks: list, *, by, reason: str, when: dt.datetime) -> None:
    """History rows ("+") for rows just inserted, copied from the table in primary key order."""
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_history_copy(model)} FROM {qn(model._meta.db_table)} "
            f"WHERE {pk} IN ({marks}) ORDER BY {pk}",
            [*_history_params(model, by=by, reason=reason, when=when), *pks],
        )


def create_with_history(objs: list, model, *, by, reason: str, when=None) -> list:
    """Insert rows and their history rows: two statements whatever the count.

    Where the database returns the new ids from a bulk insert (PostgreSQL, SQLite ≥ 3.35) the
    history rows are copied by the database (`_copy_history`); otherwise simple_history's
    bulk_create_with_history builds them.
    """
    if not connection.features.can_return_rows_from_bulk_insert or _history_copy(model) is None:
        return bulk_create_with_history(objs, model, default_user=by, default_change_reason=reason)
    created = model._default_manager.bulk_create(objs)
    _copy_history(
        model, [obj.pk for obj in created], by=by, reason=reason, when=when or timezone.now()
    )
    return created


@functools.cache
def _copyable(model) -> bool:
    """Whether `_insert_order` may write the model's rows and history itself: the history copy
    fills every history column and no field takes a database default (db_default)."""
    return _history_copy(model) is not None and all(
        field.db_default is NOT_PROVIDED for field in model._meta.concrete_fields
    )


def _insert_values(model, objs: list) -> tuple[list[str], list[list]]:
    """Columns and database values of new rows, as bulk_create sends them (pre_save fills
    auto_now_add fields on the objects)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        for obj in objs
    ]
    return [field.column for field in fields], rows


@functools.cache
def _order_insert_sql() -> str:
    qn = connection.ops.quote_name
    columns = [f.column for f in Order._meta.concrete_fields if not f.primary_key]
    return (
        f"INSERT INTO {qn(Order._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {qn(Order._meta.pk.column)}"
    )


@functools.lru_cache(maxsize=32)
def _lines_insert_sql(line_count: int) -> str:
    qn = connection.ops.quote_name
    columns = [f.column for f in OrderLine._meta.concrete_fields if not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {qn(OrderLine._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES {', '.join([row] * line_count)}"
    )


@functools.cache
def _touch_sql() -> str:
    """The customer's last order date, moved forward only (a derived column)."""
    qn = connection.ops.quote_name
    customer = Customer._meta
    last = qn(customer.get_field("last_order_date").column)
    return (
        f"UPDATE {qn(customer.db_table)} SET {last} = %s "
        f"WHERE {qn(customer.pk.column)} = %s AND ({last} IS NULL OR {last} < %s)"
    )


@functools.cache
def _order_history_sql() -> str:
    qn = connection.ops.quote_name
    return f"{_history_copy(Order)} FROM {qn(Order._meta.db_table)} WHERE {qn(Order._meta.pk.column)} = %s"


@functools.cache
def _lines_history_sql(source: str | None = None) -> str:
    """History of an order's new lines in line order, from `source` (a CTE) or the table."""
    qn = connection.ops.quote_name
    line_no = qn(OrderLine._meta.get_field("line_no").column)
    if source:
        return f"{_history_copy(OrderLine)} FROM {source} ORDER BY {line_no}"
    order_id = qn(OrderLine._meta.get_field("order").column)
    return (
        f"{_history_copy(OrderLine)} FROM {qn(OrderLine._meta.db_table)} "
        f"WHERE {order_id} = %s ORDER BY {line_no}"
    )


@functools.lru_cache(maxsize=32)
def _order_rows_sql(line_count: int) -> str:
    """PostgreSQL: the lines, the history of the order and of its lines, and the customer's
    last order date, in one statement of data-modifying CTEs (each sees the order row, inserted
    by the statement before; the line history reads the lines from the CTE's RETURNING)."""
    return (
        f"WITH new_lines AS ({_lines_insert_sql(line_count)} RETURNING *), "
        f"order_history AS ({_order_history_sql()}), "
        f"last_order AS ({_touch_sql()}) "
        f"{_lines_history_sql('new_lines')}"
    )


def _insert_order(order: Order, lines: list[OrderLine], *, by, reason: str) -> None:
    """A new order, its lines, the history rows of both, and the customer's last order date.

    PostgreSQL: two prepared statements, the order (its id comes back) and `_order_rows_sql`.
    SQLite: one statement per table, no round trips to save.
    """
    if not connection.features.can_return_rows_from_bulk_insert or not (
        _copyable(Order) and _copyable(OrderLine)
    ):
        create_with_history([order], Order, by=by, reason=reason)
        for line in lines:
            line.order = order  # sets the order's id, known now
        create_with_history(lines, OrderLine, by=by, reason=reason)
        _touch_last_order_date(order.customer_id, order.order_date)
        return

    with prepared_cursor() as cursor:
        _columns, (row,) = _insert_values(Order, [order])
        cursor.execute(_order_insert_sql(), row)
        order.pk = cursor.fetchone()[0]
        order._state.adding, order._state.db = False, connection.alias
        when = timezone.now()  # after created_at, as simple_history's own rows are
        for line in lines:
            line.order = order
        _columns, rows = _insert_values(OrderLine, lines)
        line_values = [value for row in rows for value in row]
        order_history = [*_history_params(Order, by=by, reason=reason, when=when), order.pk]
        order_date = connection.ops.adapt_datefield_value(order.order_date)
        touch = [order_date, order.customer_id, order_date]
        line_history = _history_params(OrderLine, by=by, reason=reason, when=when)
        if connection.vendor == "postgresql":
            cursor.execute(
                _order_rows_sql(len(lines)), line_values + order_history + touch + line_history
            )
        else:
            cursor.execute(_lines_insert_sql(len(lines)), line_values)
            cursor.execute(_order_history_sql(), order_history)
            cursor.execute(_lines_history_sql(), [*line_history, order.pk])
            cursor.execute(_touch_sql(), touch)


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
    _insert_order(order, _build_lines(order, cleaned), by=by, reason=REASON_CREATE)
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
