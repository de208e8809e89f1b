"""Writes on follow-ups and return visits (R-3.1). They keep the customer's stored
last/next follow-up columns current, so due lists stay one indexed query at 100k customers."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Channel, FollowUpKind
from ..models import Contact, Customer, FollowUp
from .leads import ensure_may_edit

_NEXT_FIELDS = ["next_followup_on", "next_followup_kind", "next_followup_note"]
# A clock a few minutes fast on a phone should not refuse a follow-up logged "now".
_FUTURE_TOLERANCE = dt.timedelta(minutes=10)


def _lock(customer: Customer) -> Customer:
    """Lock the customer row and read the stored columns as they are now."""
    return (
        Customer.objects.select_for_update()
        .only("pk", "last_followup_at", *_NEXT_FIELDS)
        .get(pk=customer.pk)
    )


@transaction.atomic
def followup_log(
    *,
    customer: Customer,
    by,
    channel: str,
    summary: str,
    occurred_at: dt.datetime | None = None,
    kind: str = FollowUpKind.FOLLOW_UP,
    outcome: str = "",
    contact: Contact | None = None,
    next_date: dt.date | None = None,
    next_kind: str = FollowUpKind.FOLLOW_UP,
    next_action: str = "",
) -> FollowUp:
    """The contact is the customer's; the next date is not before the follow-up; the latest
    follow-up sets the customer's next step (or clears it, except a scheduled return visit,
    which only a logged return visit or a new next step settles)."""
    ensure_may_edit(customer=customer, by=by)
    now = timezone.now()
    occurred_at = occurred_at or now
    summary = (summary or "").strip()
    outcome = (outcome or "").strip()
    next_action = (next_action or "").strip()
    next_kind = next_kind or FollowUpKind.FOLLOW_UP
    errors: dict = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the customer was contacted.")
    if kind not in FollowUpKind.values:
        errors["kind"] = _("Choose a valid kind.")
    if not summary:
        errors["summary"] = _("Write down what was said.")
    if len(outcome) > 200:
        errors["outcome"] = _("Keep this to %(n)s characters.") % {"n": 200}
    if occurred_at > now + _FUTURE_TOLERANCE:
        errors["occurred_at"] = _("A follow-up cannot be logged in the future.")
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("This contact belongs to another customer.")
    if next_date is not None and next_date < timezone.localdate(occurred_at):
        errors["next_date"] = _("The next follow-up cannot be before this one.")
    if next_date is None and next_action:
        errors["next_date"] = _("Give a date for the next step.")
    if next_kind not in FollowUpKind.values:
        errors["next_kind"] = _("Choose a valid kind.")
    if len(next_action) > 200:
        errors["next_action"] = _("Keep this to %(n)s characters.") % {"n": 200}
    if errors:
        raise ValidationError(errors)

    followup = FollowUp(
        customer=customer,
        contact=contact,
        channel=channel,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary,
        outcome=outcome,
        next_date=next_date,
        next_kind=next_kind if next_date else "",
        next_action=next_action,
        created_by=by,
    )
    followup.save()

    stored = _lock(customer)
    customer.last_followup_at = stored.last_followup_at
    customer.next_followup_on = stored.next_followup_on
    customer.next_followup_kind = stored.next_followup_kind
    customer.next_followup_note = stored.next_followup_note
    is_latest = stored.last_followup_at is None or occurred_at >= stored.last_followup_at
    settles_return_visit = (
        kind == FollowUpKind.RETURN_VISIT
        and stored.next_followup_kind == FollowUpKind.RETURN_VISIT
        and stored.next_followup_on is not None
        and stored.next_followup_on <= timezone.localdate(occurred_at)
    )
    if is_latest:
        customer.last_followup_at = occurred_at
    # The latest contact decides what comes next; a scheduled return visit stays until a
    # return visit is logged or a new next step replaces it.
    keeps_return_visit = (
        stored.next_followup_kind == FollowUpKind.RETURN_VISIT and kind != FollowUpKind.RETURN_VISIT
    )
    if (is_latest and (next_date or not keeps_return_visit)) or settles_return_visit:
        customer.next_followup_on = next_date
        customer.next_followup_kind = next_kind if next_date else ""
        customer.next_followup_note = next_action if next_date else ""
    customer.save(update_fields=["last_followup_at", *_NEXT_FIELDS, "updated_at"])
    return followup


@transaction.atomic
def return_visit_schedule(*, customer: Customer, by, on: dt.date, note: str = "") -> Customer:
    """A return visit is scheduled for today or later and becomes the customer's next step."""
    ensure_may_edit(customer=customer, by=by)
    note = (note or "").strip()
    errors: dict = {}
    if on is None:
        errors["on"] = _("Give the day of the return visit.")
    elif on < timezone.localdate():
        errors["on"] = _("A return visit cannot be scheduled in the past.")
    if len(note) > 200:
        errors["note"] = _("Keep this to %(n)s characters.") % {"n": 200}
    if errors:
        raise ValidationError(errors)
    _lock(customer)
    customer.next_followup_on = on
    customer.next_followup_kind = FollowUpKind.RETURN_VISIT
    customer.next_followup_note = note
    customer.save(update_fields=[*_NEXT_FIELDS, "updated_at"])
    return customer
