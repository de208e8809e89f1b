"""What the customer page shows under the file: follow-ups, the lead, mailings.

customer_activity(customer=, user=) -> {"activity": {...}} is merged into the customer page's
context and rendered by templates/customers/_customer_activity.html. Everything sits under
one key so it cannot clash with the page's own names.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ..forms.followups import FollowUpForm, ReturnVisitForm
from ..forms.pipeline import LeadMoveForm, LeadStartForm
from ..services.leads import may_edit_customer
from .followups import customer_followups
from .leads import customer_leads, lead_stage_changes
from .mailings import customer_mailings

FOLLOWUPS_SHOWN = 10


def customer_url(customer) -> str:
    """The customer page, where the activity forms come back to."""
    return reverse("customers:detail", args=[customer.pk])


def _followup_form(customer, contacts) -> FollowUpForm:
    form = FollowUpForm(customer=customer)
    if contacts is not None:  # the page already holds the live contacts: no second query
        field = form.fields["contact"]
        field.choices = [("", field.empty_label), *((c.pk, str(c)) for c in contacts)]
    return form


def customer_activity(*, customer, user, contacts: list | None = None) -> dict:
    """Follow-ups (latest first), the next step, the open or latest lead with its moves, the
    mailings and the forms to add to them. A fixed number of queries whatever the history;
    `contacts` (the file's live contacts, when the caller has them) fill the follow-up form."""
    followups = customer_followups(customer, limit=FOLLOWUPS_SHOWN + 1)
    lead = customer_leads(customer=customer).first()
    open_lead = lead if lead is not None and lead.is_open else None
    today = timezone.localdate()
    next_on = customer.next_followup_on
    return {
        "activity": {
            "customer": customer,
            "back_url": customer_url(customer),
            "may_edit": may_edit_customer(customer=customer, user=user),
            "followups": followups[:FOLLOWUPS_SHOWN],
            "more_followups": len(followups) > FOLLOWUPS_SHOWN,
            "next_followup_on": next_on,
            "next_followup_overdue": next_on is not None and next_on < today,
            "next_followup_due": next_on is not None and next_on <= today,
            "lead": lead,
            "open_lead": open_lead,
            "lead_changes": list(lead_stage_changes(lead=lead)[:20]) if lead is not None else [],
            "mailings": customer_mailings(customer=customer, limit=10),
            "followup_form": _followup_form(customer, contacts),
            "return_visit_form": ReturnVisitForm(),
            "lead_start_form": LeadStartForm(),
            "lead_move_form": LeadMoveForm(lead=open_lead) if open_lead else None,
        }
    }
