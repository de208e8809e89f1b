"""Reconciliation with finance's ledger (与财务对账, R-5.4): run it, resolve or correct its differences.

A run reads the uploaded ledger with the confirmed column mapping, remembers that mapping for
the header row, matches the ledger against SalesDesk's receivables and payments
(finance/ledger.py) and keeps the file, the mapping and every difference — all or nothing.
SalesDesk amounts are never changed silently: a difference is closed with a note, and only a
sale missing in SalesDesk is turned into a receivable (from the invoice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from salesdesk.core import imports as engine
from salesdesk.customers.models import Customer
from salesdesk.orders.models import OrderLine, ShipmentLine

from .. import ledger
from ..choices import DifferenceKind, DifferenceStatus
from ..models import Difference, LedgerMapping, Payment, Receivable, Reconciliation

NOTE_MAX = 300
REASON_RESOLVE = "difference resolved"
REASON_CORRECT = "difference corrected"


def _record(instance, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason


def read_ledger_or_error(content: bytes) -> ledger.LedgerSheet:
    """The ledger sheet of an upload, or a ValidationError on `file`."""
    engine.check_xlsx(content)
    try:
        return ledger.read_ledger(content)
    except ledger.LedgerError as exc:
        raise ValidationError({"file": exc.message}) from exc


def mapping_clean(mapping, headers: list[str]) -> dict[str, int]:
    """A mapping as {field: column index}; columns may be given by index or by header text.
    Blank values mean "not in this sheet". Raises ValidationError on `mapping`."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": _("Give the mapping as an object {field: column}.")})
    names = [engine.normalize_header(h) for h in headers]
    clean: dict[str, int] = {}
    problems = []
    for key, value in mapping.items():
        if value is None or value == "":
            continue
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, str):
            wanted = engine.normalize_header(value)
            if wanted not in names:
                problems.append(
                    _("%(field)s: the sheet has no column “%(header)s”.")
                    % {"field": key, "header": value}
                )
                continue
            value = names.index(wanted)
        clean[str(key)] = value
    problems.extend(ledger.mapping_problems(clean, headers))
    if problems:
        raise ValidationError({"mapping": [str(p) for p in problems]})
    return clean


def remembered_mapping(headers: list[str]) -> dict[str, int] | None:
    """The mapping confirmed last time for this header row, if it still fits the sheet."""
    saved = LedgerMapping.objects.filter(signature=ledger.header_signature(headers)).first()
    if saved is None:
        return None
    mapping = {k: v for k, v in saved.mapping.items() if k in ledger.FIELDS}
    return mapping if not ledger.mapping_problems(mapping, headers) else None


def _resolve_customers(lines: list[ledger.LedgerLine]) -> None:
    """Fill each line's customer_id: by customer code, else full name, invoice title or short name."""
    codes = {ln.customer_code for ln in lines if ln.customer_code}
    names = {ln.customer for ln in lines if ln.customer}
    if not codes and not names:
        return
    found = Customer.objects.filter(
        Q(code__in=codes) | Q(name__in=names) | Q(invoice_title__in=names) | Q(short_name__in=names)
    ).only("id", "code", "name", "short_name", "invoice_title")
    by_code, by_name, by_title, by_short = {}, {}, {}, defaultdict(set)
    for customer in found:
        by_code[customer.code] = customer.pk
        by_name[customer.name] = customer.pk
        if customer.invoice_title:
            by_title.setdefault(customer.invoice_title, customer.pk)
        if customer.short_name:
            by_short[customer.short_name].add(customer.pk)
    for line in lines:
        if line.customer_code and line.customer_code in by_code:
            line.customer_id = by_code[line.customer_code]
        elif line.customer in by_name:
            line.customer_id = by_name[line.customer]
        elif line.customer in by_title:
            line.customer_id = by_title[line.customer]
        elif len(by_short.get(line.customer, ())) == 1:
            line.customer_id = next(iter(by_short[line.customer]))


def _items(lines: list[ledger.LedgerLine], start: dt.date, end: dt.date) -> list[ledger.Item]:
    """SalesDesk's receivables and payments that could match: dated near the period, or named
    by a ledger number. Constant number of queries."""
    window = (
        start - dt.timedelta(days=ledger.TOLERANCE_DAYS),
        end + dt.timedelta(days=ledger.TOLERANCE_DAYS),
    )
    numbers = {ledger.SALE: set(), ledger.RECEIPT: set()}
    for line in lines:
        numbers[line.kind] |= ledger.number_variants(line.number)
    receivables = list(
        Receivable.objects.filter(
            Q(issued_on__range=window) | Q(invoice_number__in=numbers[ledger.SALE])
        ).only(
            "id", "customer_id", "invoice_number", "amount", "issued_on", "shipment_id", "order_id"
        )
    )
    payments = list(
        Payment.objects.filter(
            Q(received_on__range=window) | Q(reference__in=numbers[ledger.RECEIPT])
        ).only("id", "customer_id", "reference", "amount", "received_on")
    )
    by_shipment, by_order = defaultdict(set), defaultdict(set)
    shipment_ids = {r.shipment_id for r in receivables if r.shipment_id}
    order_ids = {r.order_id for r in receivables if r.order_id and not r.shipment_id}
    if shipment_ids:
        for shipment_id, price in ShipmentLine.objects.filter(
            shipment_id__in=shipment_ids
        ).values_list("shipment_id", "order_line__unit_price"):
            by_shipment[shipment_id].add(price)
    if order_ids:
        for order_id, price in OrderLine.objects.filter(order_id__in=order_ids).values_list(
            "order_id", "unit_price"
        ):
            by_order[order_id].add(price)
    items = [
        ledger.Item(
            ledger.SALE,
            r.pk,
            r.customer_id,
            r.invoice_number,
            r.amount,
            r.issued_on,
            frozenset(
                by_shipment[r.shipment_id] if r.shipment_id else by_order.get(r.order_id, ())
            ),
        )
        for r in receivables
    ]
    items += [
        ledger.Item(ledger.RECEIPT, p.pk, p.customer_id, p.reference, p.amount, p.received_on)
        for p in payments
    ]
    return items


def _difference(reconciliation: Reconciliation, found: ledger.Found) -> Difference:
    line, item = found.line, found.item
    data: dict = {"cells": dict(line.data)} if line else {}
    if line:
        data["ledger_kind"] = line.kind
        if line.customer:
            data["ledger_customer"] = line.customer
    data.update(found.detail)
    return Difference(
        reconciliation=reconciliation,
        kind=found.kind,
        customer_id=found.customer_id,
        invoice_number=((line.number if line else "") or (item.number if item else ""))[:40],
        ledger_row=line.row if line else None,
        ledger_data=data,
        receivable_id=item.pk if item and item.kind == ledger.SALE else None,
        payment_id=item.pk if item and item.kind == ledger.RECEIPT else None,
        ledger_amount=line.amount if line else None,
        salesdesk_amount=item.amount if item else None,
        ledger_date=line.date if line else None,
        salesdesk_date=item.date if item else None,
    )


@transaction.atomic
def reconciliation_run(
    *,
    by,
    content: bytes,
    filename: str,
    mapping,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> Reconciliation:
    """Finance's ledger against SalesDesk: every difference by kind is kept with the file; the
    mapping is remembered for this header row. Nothing is written when the sheet has errors."""
    sheet = read_ledger_or_error(content)
    if mapping is None:
        mapping = remembered_mapping(sheet.headers)
        if mapping is None:
            raise ValidationError(
                {
                    "mapping": _(
                        "No column mapping is remembered for these headers; give one. Headers found: %(headers)s."
                    )
                    % {"headers": ", ".join(h or "—" for h in sheet.headers)}
                }
            )
    mapping = mapping_clean(mapping, sheet.headers)
    if period_start and period_end and period_start > period_end:
        raise ValidationError({"period_end": _("The end of the period is before its start.")})
    lines, errors = ledger.parse_lines(sheet, mapping)
    if errors:
        messages = [str(e) for e in errors[: ledger.MAX_ERRORS]]
        if len(errors) > ledger.MAX_ERRORS:
            messages.append(str(_("… and %(n)d more.") % {"n": len(errors) - ledger.MAX_ERRORS}))
        raise ValidationError({"file": messages})
    period = ledger.period_of(lines)
    if period is None and not (period_start and period_end):
        raise ValidationError({"file": _("The ledger has no lines below its header row.")})
    start = period_start or period[0]
    end = period_end or period[1]
    if start > end:
        raise ValidationError({"period_end": _("The end of the period is before its start.")})
    margin = dt.timedelta(days=ledger.TOLERANCE_DAYS)
    lines = [ln for ln in lines if start - margin <= ln.date <= end + margin]
    _resolve_customers(lines)
    result = ledger.match(lines, _items(lines, start, end), period_start=start, period_end=end)

    LedgerMapping.objects.update_or_create(
        signature=sheet.signature,
        defaults={"headers": sheet.headers, "mapping": mapping, "updated_by": by},
    )
    reconciliation = Reconciliation.objects.create(
        filename=(filename or "ledger.xlsx")[:255],
        content=content,
        mapping={
            "columns": mapping,
            "headers": sheet.headers,
            "header_row": sheet.header_row,
            "sheet": sheet.name,
        },
        period_start=start,
        period_end=end,
        rows_read=sum(start <= ln.date <= end for ln in lines),
        matched=result.matched,
        created_by=by,
    )
    differences = [_difference(reconciliation, found) for found in result.differences]
    if differences:
        bulk_create_with_history(differences, Difference, default_user=by)
    return reconciliation


LEDGER_UPLOAD_KIND = "finance-ledger"


def ledger_upload(*, by, content: bytes, filename: str):
    """Keep an uploaded ledger for the mapping step; only a readable sheet with a header row is kept."""
    read_ledger_or_error(content)
    return engine.upload_store(by=by, kind=LEDGER_UPLOAD_KIND, filename=filename, content=content)


@transaction.atomic
def reconciliation_from_upload(
    *, by, upload, mapping, period_start=None, period_end=None
) -> Reconciliation:
    """The mapping step's run: an uploaded ledger is reconciled once (a second click does not run it twice)."""
    locked = engine.upload_lock_for_confirm(by=by, upload=upload)
    reconciliation = reconciliation_run(
        by=by,
        content=bytes(locked.content),
        filename=locked.filename,
        mapping=mapping,
        period_start=period_start,
        period_end=period_end,
    )
    engine.upload_mark_confirmed(locked)
    return reconciliation


def _note(note) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": _("Write a note saying how the difference was settled.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": NOTE_MAX}})
    return text


def _lock_open(difference: Difference) -> Difference:
    locked = Difference.objects.select_for_update().get(pk=difference.pk)
    if locked.status != DifferenceStatus.OPEN:
        raise ValidationError(
            {
                "status": _("This difference is already %(status)s.")
                % {"status": locked.get_status_display()}
            }
        )
    return locked


def _close(difference: Difference, *, by, note: str, status: str, reason: str) -> Difference:
    difference.status = status
    difference.note = note
    difference.resolved_at = timezone.now()
    difference.resolved_by = by
    _record(difference, by, reason)
    difference.save()
    return difference


@transaction.atomic
def difference_resolve(*, difference: Difference, by, note: str) -> Difference:
    """A difference is settled with a note saying why; nothing else changes."""
    note = _note(note)
    locked = _lock_open(difference)
    return _close(locked, by=by, note=note, status=DifferenceStatus.RESOLVED, reason=REASON_RESOLVE)


@transaction.atomic
def difference_correct(
    *, difference: Difference, by, note: str, customer: Customer | None = None
) -> Difference:
    """Turned into a correction: a sale missing in SalesDesk becomes a receivable from its invoice
    (due after the customer's payment terms); other kinds keep SalesDesk's amounts and record the note."""
    note = _note(note)
    locked = _lock_open(difference)
    if (
        locked.kind == DifferenceKind.MISSING_IN_SALESDESK
        and locked.ledger_data.get("ledger_kind") == ledger.SALE
    ):
        from .receivables import receivable_from_invoice

        customer = customer or locked.customer
        if customer is None:
            raise ValidationError(
                {
                    "customer": _(
                        "Finance's customer “%(name)s” is not in SalesDesk; choose the customer."
                    )
                    % {"name": locked.ledger_data.get("ledger_customer", "")}
                }
            )
        receivables = receivable_from_invoice(
            by=by,
            customer=customer,
            invoice_number=locked.invoice_number,
            amount=locked.ledger_amount,
            issued_on=locked.ledger_date,
            notes=note[:200],
        )
        locked.receivable = receivables[0]
        locked.customer = customer
    return _close(
        locked, by=by, note=note, status=DifferenceStatus.CORRECTED, reason=REASON_CORRECT
    )
