"""Writes on the new-customer pipeline (R-2.1): start a lead, move it between stages."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles

from ..choices import CLOSED_STAGES, CustomerStatus, LostReason, Stage
from ..models import Customer, Lead, LeadStageChange


def may_edit_customer(*, customer: Customer, user) -> bool:
    """Whether `user` may write on this customer's file: an editing role and, for a
    salesperson, owning the customer."""
    if not roles.edits_customers(user):
        return False
    return roles.sees_all_customers(user) or customer.owner_id == user.pk


def ensure_may_edit(*, customer: Customer, by) -> None:
    """Services check the right themselves: views and the API are not the only callers."""
    if not may_edit_customer(customer=customer, user=by):
        raise PermissionDenied(_("You may not change this customer."))


def _set_customer_status(customer: Customer, status: str) -> None:
    if customer.status != status:
        customer.status = status
        customer.save(update_fields=["status", "updated_at"])


@transaction.atomic
def lead_start(
    *, customer: Customer, by, expected_value: Decimal | None = None, notes: str = ""
) -> Lead:
    """A customer has at most one open lead; starting one makes a non-active customer a lead."""
    ensure_may_edit(customer=customer, by=by)
    if customer.is_archived:
        raise ValidationError({"customer": _("This customer is archived.")})
    if expected_value is not None and expected_value < 0:
        raise ValidationError({"expected_value": _("The expected value cannot be negative.")})
    if Lead.objects.filter(customer=customer, closed_at__isnull=True).exists():
        raise ValidationError({"customer": _("This customer already has an open lead.")})
    now = timezone.now()
    lead = Lead(
        customer=customer,
        stage=Stage.FOUND,
        expected_value=expected_value,
        notes=notes or "",
        created_by=by,
        stage_changed_at=now,
    )
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as exc:  # a second open lead created at the same moment
        raise ValidationError({"customer": _("This customer already has an open lead.")}) from exc
    LeadStageChange.objects.create(
        lead=lead, from_stage="", to_stage=Stage.FOUND, changed_at=now, changed_by=by
    )
    if customer.status != CustomerStatus.ACTIVE:
        _set_customer_status(customer, CustomerStatus.LEAD)
    return lead


@transaction.atomic
def lead_move(*, lead: Lead, by, stage: str, note: str = "", lost_reason: str = "") -> Lead:
    """Open leads move between stages; lost needs a reason; won/lost close the lead and set
    the customer's status; every move is recorded."""
    customer = lead.customer
    ensure_may_edit(customer=customer, by=by)
    # Lock the row and decide on its stored state, not on what the caller last read.
    current = Lead.objects.select_for_update().only("stage", "closed_at").get(pk=lead.pk)
    lead.stage, lead.closed_at = current.stage, current.closed_at
    note = (note or "").strip()
    lost_reason = lost_reason or ""
    if not lead.is_open:
        raise ValidationError({"stage": _("This lead is closed and cannot move any more.")})
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a valid stage.")})
    if stage == lead.stage:
        raise ValidationError({"stage": _("The lead is already in this stage.")})
    errors = {}
    if stage == Stage.LOST:
        if not lost_reason:
            errors["lost_reason"] = _("Give the reason the lead was lost.")
        elif lost_reason not in LostReason.values:
            errors["lost_reason"] = _("Choose a valid lost reason.")
    elif lost_reason:
        errors["lost_reason"] = _("A lost reason is only given when the lead is lost.")
    if len(note) > 200:
        errors["note"] = _("Keep the note to 200 characters.")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    from_stage = lead.stage
    lead.stage = stage
    lead.stage_changed_at = now
    if stage in CLOSED_STAGES:
        lead.closed_at = now
    if stage == Stage.LOST:
        lead.lost_reason = lost_reason
        lead.lost_note = note
    lead.save()
    LeadStageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=stage, changed_at=now, changed_by=by, note=note
    )
    if stage == Stage.WON:
        _set_customer_status(customer, CustomerStatus.ACTIVE)
    elif stage == Stage.LOST:
        _set_customer_status(customer, CustomerStatus.LOST)
    return lead
