"""Writes on sample and brochure mailings (R-2.2)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import MailingKind, Stage
from ..models import Customer, Lead, Mailing
from .leads import ensure_may_edit, lead_move

# Sending samples moves a lead only forward: a lead already quoting stays where it is.
_MOVES_TO_SAMPLES_SENT = (Stage.FOUND, Stage.CONTACTED)


def _require_text(errors: dict, field: str, value: str, max_length: int, message) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    elif len(value) > max_length:
        errors[field] = _("Keep this to %(n)s characters.") % {"n": max_length}
    return value


@transaction.atomic
def mailing_send(
    *,
    customer: Customer,
    by,
    kind: str,
    items: str,
    courier: str,
    tracking_number: str,
    sent_on: dt.date,
    feedback_due_on: dt.date | None = None,
    lead: Lead | None = None,
) -> Mailing:
    """Feedback is due on or after the day of sending; sending samples moves an open lead in
    found/contacted to samples sent."""
    ensure_may_edit(customer=customer, by=by)
    errors: dict = {}
    if kind not in MailingKind.values:
        errors["kind"] = _("Choose what was sent.")
    items = _require_text(errors, "items", items, 200, _("Say what was sent."))
    courier = _require_text(errors, "courier", courier, 50, _("Give the courier."))
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > 50:
        errors["tracking_number"] = _("Keep this to %(n)s characters.") % {"n": 50}
    if sent_on is None:
        errors["sent_on"] = _("Give the day it was sent.")
    elif sent_on > timezone.localdate():
        errors["sent_on"] = _("The day sent cannot be in the future.")
    elif feedback_due_on is not None and feedback_due_on < sent_on:
        errors["feedback_due_on"] = _("Feedback cannot be due before the day it was sent.")
    if lead is not None and lead.customer_id != customer.pk:
        errors["lead"] = _("This lead belongs to another customer.")
    if errors:
        raise ValidationError(errors)

    open_lead = lead if lead is not None and lead.is_open else None
    if open_lead is None:
        open_lead = Lead.objects.filter(customer=customer, closed_at__isnull=True).first()
    mailing = Mailing(
        customer=customer,
        lead=lead or open_lead,
        kind=kind,
        items=items,
        courier=courier,
        tracking_number=tracking_number,
        sent_on=sent_on,
        feedback_due_on=feedback_due_on,
        created_by=by,
    )
    mailing.save()
    if open_lead is not None and open_lead.stage in _MOVES_TO_SAMPLES_SENT:
        open_lead.customer = customer
        lead_move(
            lead=open_lead,
            by=by,
            stage=Stage.SAMPLES_SENT,
            note=str(
                _("%(kind)s sent by %(courier)s")
                % {"kind": mailing.get_kind_display(), "courier": courier}
            )[:200],
        )
    return mailing


@transaction.atomic
def mailing_record_feedback(
    *, mailing: Mailing, by, received_on: dt.date, feedback: str
) -> Mailing:
    """Feedback is received on or after the day of sending, and not in the future."""
    ensure_may_edit(customer=mailing.customer, by=by)
    errors: dict = {}
    if received_on is None:
        errors["received_on"] = _("Give the day the feedback came.")
    elif received_on < mailing.sent_on:
        errors["received_on"] = _("Feedback cannot come before the day it was sent (%(day)s).") % {
            "day": mailing.sent_on.isoformat()
        }
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The day received cannot be in the future.")
    feedback = (feedback or "").strip()
    if not feedback:
        errors["feedback"] = _("Write down what the customer said.")
    if errors:
        raise ValidationError(errors)
    mailing.feedback_received_on = received_on
    mailing.feedback = feedback
    mailing.save()
    return mailing
