"""Reads on sample and brochure mailings (R-2.2), scoped to what the person may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core.scoping import scope_by_customer

from ..models import Mailing
from .leads import customer_search_q


def mailing_list(
    *,
    user,
    awaiting: bool = False,
    overdue: bool = False,
    customer=None,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[Mailing]:
    """Mailings, key accounts first then latest sent. `awaiting`: no feedback yet;
    `overdue`: feedback was due before today and has not come."""
    qs = scope_by_customer(Mailing.objects.all(), user, "customer__")
    if awaiting or overdue:
        qs = qs.filter(feedback_received_on__isnull=True)
    if overdue:
        qs = qs.filter(feedback_due_on__lt=today or timezone.localdate())
    if customer is not None:
        qs = qs.filter(customer=customer)
    if search:
        qs = qs.filter(customer_search_q(search))
    # Pages read a page through KeyAccountsFirst (selectors/key_first.py), served by
    # mailing_list_idx; the lead and who entered it are shown on neither the page nor the API.
    return qs.select_related("customer", "customer__owner").order_by(
        "customer__tier", "-sent_on", "-id"
    )


def mailing_get(*, user, pk) -> Mailing:
    """One mailing the person may see, else 404."""
    qs = scope_by_customer(Mailing.objects.all(), user, "customer__")
    return get_object_or_404(qs.select_related("customer", "customer__owner", "lead"), pk=pk)


def customer_mailings(*, customer, limit: int | None = 10) -> list[Mailing]:
    """A customer's latest mailings (the customer is already scoped)."""
    qs = customer.mailings.order_by("-sent_on", "-id")
    return list(qs[:limit] if limit else qs)
