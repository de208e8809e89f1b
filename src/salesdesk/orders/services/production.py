"""Production status per order (R-4.4): scheduled, in production, done, delayed with a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles

from ..choices import OrderState, ProductionStatus
from ..models import Order
from .orders import REASON_PRODUCTION, _add, _clean_str, _raise, _record

NOT_FOR_PRODUCTION = (OrderState.DRAFT, OrderState.CANCELLED, OrderState.CLOSED)


@transaction.atomic
def production_update(*, order: Order, by, status: str, note: str = "") -> Order:
    """Set an order's production status; delayed needs a reason; starting it moves the order to in production."""
    if not roles.updates_production(by):
        raise PermissionDenied(_("Your role cannot update production status."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.state in NOT_FOR_PRODUCTION:
        raise ValidationError(
            {
                "status": [
                    _(
                        "Production status is kept on confirmed orders only (not on drafts, cancelled or closed orders)."
                    )
                ]
            }
        )
    errors: dict = {}
    note = _clean_str(note)
    if status not in ProductionStatus.values:
        _add(errors, "status", _("Choose a production status."))
    if status == ProductionStatus.DELAYED and not note:
        _add(errors, "note", _("Give the reason for the delay."))
    if len(note) > 200:
        _add(errors, "note", _("Keep the note under 200 characters."))
    _raise(errors)

    order.production_status = status
    order.production_note = note
    order.production_updated_at = timezone.now()
    if order.state == OrderState.CONFIRMED and status in (
        ProductionStatus.SCHEDULED,
        ProductionStatus.IN_PRODUCTION,
    ):
        order.state = OrderState.IN_PRODUCTION
    _record(order, by, REASON_PRODUCTION)
    order.save()
    return order
