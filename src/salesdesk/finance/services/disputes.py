"""Headquarters disputes (往年应付款清理, R-5.5): old disputed balances tracked to closure.

Every status change is kept in the dispute's history with its note (history_change_reason).
Closing (resolved, written off) needs a resolution; a closed dispute reopens only with a note.
Documents (scans, statements) are kept in the database, at most 10 MB each.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core.money import CENT

from ..choices import CLOSED_DISPUTE_STATUSES, DisputeKind, DisputeStatus
from ..models import Dispute, DisputeDocument

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
REASON_MAX = 100  # history_change_reason's length
REASON_OPENED = "opened"
MAX_AMOUNT = Decimal("1000000000000")


def _record(instance, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason[:REASON_MAX]


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _amount(value, errors: dict):
    """A positive amount in yuan with at most two places."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
        _add(errors, "amount", _("Enter the amount as a number, e.g. 1280.50."))
        return None
    if amount is None:
        _add(errors, "amount", _("Enter the amount."))
    elif not amount.is_finite() or amount != amount.quantize(CENT) or not 0 < amount < MAX_AMOUNT:
        _add(errors, "amount", _("Enter an amount above 0 in yuan with at most 2 decimal places."))
        amount = None
    return amount.quantize(CENT) if amount is not None else None


def _check_owner(owner, errors: dict) -> None:
    if owner is None:
        _add(errors, "owner", _("Choose who follows the dispute up."))
    elif not owner.is_active or not roles.reads_receivables(owner):
        _add(errors, "owner", _("This person cannot follow up disputes."))


@transaction.atomic
def dispute_open(
    *,
    by,
    customer,
    title: str,
    kind: str,
    amount: Decimal | str,
    period: str = "",
    owner,
    description: str = "",
) -> Dispute:
    """A disputed old balance is registered with its amount, kind and an owner who follows it up."""
    errors: dict = {}
    title, period, description = _text(title), _text(period), _text(description)
    if customer is None:
        _add(errors, "customer", _("Choose the customer."))
    if not title:
        _add(errors, "title", _("Say what is disputed."))
    elif len(title) > 200:
        _add(errors, "title", _("At most %(max)d characters.") % {"max": 200})
    if kind not in DisputeKind.values:
        _add(errors, "kind", _("Choose the kind of dispute."))
    amount = _amount(amount, errors)
    if len(period) > 50:
        _add(errors, "period", _("At most %(max)d characters.") % {"max": 50})
    _check_owner(owner, errors)
    if owner is not None and customer is not None and not errors.get("owner"):
        if not roles.sees_all_customers(owner) and customer.owner_id != owner.pk:
            _add(errors, "owner", _("A salesperson can only follow up own customers' disputes."))
    if errors:
        raise ValidationError(errors)
    dispute = Dispute(
        customer=customer,
        title=title,
        kind=kind,
        amount=amount,
        period=period,
        owner=owner,
        opened_on=timezone.localdate(),
        description=description,
        created_by=by,
    )
    _record(dispute, by, REASON_OPENED)
    dispute.save()
    return dispute


@transaction.atomic
def dispute_update(*, dispute: Dispute, by, status: str, note: str = "", owner=None) -> Dispute:
    """Closing needs a resolution (the note); a closed dispute reopens only with a note saying why."""
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    note = _text(note)
    errors: dict = {}
    if status not in DisputeStatus.values:
        _add(errors, "status", _("Choose a status."))
    closing = status in CLOSED_DISPUTE_STATUSES
    was_closed = locked.status in CLOSED_DISPUTE_STATUSES
    if closing and not note:
        _add(errors, "note", _("Write the resolution: how the dispute was closed."))
    if was_closed and not closing and not note:
        _add(errors, "note", _("Say why the closed dispute is reopened."))
    if status == locked.status and not note and (owner is None or owner.pk == locked.owner_id):
        _add(errors, "status", _("Nothing changed: choose another status or write a note."))
    if not closing and len(note) > REASON_MAX:
        _add(errors, "note", _("At most %(max)d characters.") % {"max": REASON_MAX})
    if owner is not None:
        _check_owner(owner, errors)
    if errors:
        raise ValidationError(errors)
    if closing:
        if not was_closed or status != locked.status:
            locked.closed_on = timezone.localdate()
        locked.resolution = note
    elif was_closed:
        locked.closed_on = None
        locked.resolution = ""
    locked.status = status
    if owner is not None:
        locked.owner = owner
    _record(locked, by, note)
    locked.save()
    return locked


@transaction.atomic
def dispute_attach(*, dispute: Dispute, by, file) -> DisputeDocument:
    """A document of any type, at most 10 MB, is kept with the dispute."""
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    size = getattr(file, "size", None)
    if size is not None and size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": DOCUMENT_MAX_BYTES // 2**20}}
        )
    content = file.read(DOCUMENT_MAX_BYTES + 1)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": DOCUMENT_MAX_BYTES // 2**20}}
        )
    name = (getattr(file, "name", "") or "document").replace("\\", "/").rsplit("/", 1)[-1][:255]
    return DisputeDocument.objects.create(
        dispute=dispute,
        filename=name or "document",
        content_type=(getattr(file, "content_type", "") or "application/octet-stream")[:100],
        content=content,
        size=len(content),
        uploaded_by=by,
    )
