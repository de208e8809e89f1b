"""Writes to the promise ledger (回复交期, R-4.3): every change of a promised delivery date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import OPEN_STATES
from ..models import Order, PromiseChange
from .orders import (
    REASON_PROMISE,
    _add,
    _clean_str,
    _parse_date,
    _raise,
    _record,
    require_order_editor,
)


@transaction.atomic
def promise_change(
    *, order: Order, by, promised_date, reason: str, customer_accepted: bool | None = None
) -> PromiseChange:
    """Move the promised date of an open order: a new date and a reason, old and new date kept."""
    require_order_editor(by, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.state not in OPEN_STATES:
        raise ValidationError(
            {
                "state": [
                    _(
                        "The promised date can only change on a confirmed order that is not fully shipped."
                    )
                ]
            }
        )
    errors: dict = {}
    new_date = _parse_date(promised_date, "promised_date", errors, required=False)
    if promised_date in (None, ""):
        _add(errors, "promised_date", _("Enter the new promised date."))
    elif new_date is not None:
        if new_date == order.promised_date:
            _add(errors, "promised_date", _("The new date is the same as the current promise."))
        elif new_date < order.order_date:
            _add(errors, "promised_date", _("The promised date cannot be before the order date."))
    reason = _clean_str(reason)
    if not reason:
        _add(errors, "reason", _("Give the reason for changing the promised date."))
    elif len(reason) > 200:
        _add(errors, "reason", _("Keep the reason under 200 characters."))
    if customer_accepted not in (None, True, False):
        _add(errors, "customer_accepted", _("Answer yes, no or not asked yet."))
    _raise(errors)

    change = PromiseChange.objects.create(
        order=order,
        old_date=order.promised_date,
        new_date=new_date,
        reason=reason,
        customer_accepted=customer_accepted,
        changed_at=timezone.now(),
        changed_by=by,
    )
    order.promised_date = new_date
    _record(order, by, REASON_PROMISE)
    order.save(update_fields=["promised_date"])
    return change
