"""Hand-built data for the Today tests: one item of every section for each of two salespeople.

`build()` returns, per owner, {section key: the id the Today item carries} so a test can say
exactly which items a person must see.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.catalog.models import Approval
from salesdesk.customers.choices import Stage, Tier
from salesdesk.orders.choices import OrderState, ProductionStatus
from salesdesk.orders.models import Order, Shipment
from tests.factories import CustomerFactory, LeadFactory, MailingFactory
from tests.finance.factories_reports import make_receivable
from tests.orders.factories_shipments import ProductFactory, make_order


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


_NUMBERS = itertools.count(1)


def _shipment(order, number=None, *, ship_date, notified=True, received=False) -> Shipment:
    now = timezone.now()
    return Shipment.objects.create(
        number=number or f"FH2026{next(_NUMBERS):06d}",
        order=order,
        customer=order.customer,
        ship_date=ship_date,
        carrier="顺丰速运",
        carrier_phone="95338",
        amount=order.total_amount,
        notified_at=now if notified else None,
        received_at=now if received else None,
    )


def set_of_work(owner, tag: str, *, tier=Tier.ORDINARY) -> dict[str, int]:
    """One due item of every section for a customer of `owner`; ids by section key."""
    today = timezone.localdate()
    customer = CustomerFactory(
        owner=owner,
        tier=tier,
        name=f"{tag}包装有限公司",
        next_followup_on=today - dt.timedelta(days=1),
        next_followup_note="问下月订单",
    )
    ids: dict[str, int] = {"followups": customer.pk}

    draft = make_order(customer=customer, state=OrderState.DRAFT, promised_date=None)
    Order.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))
    ids["answer"] = draft.pk

    late = make_order(
        customer=customer,
        promised_date=days(-8),  # last week or before: not in this week's promises
        production_status=ProductionStatus.IN_PRODUCTION,
        state=OrderState.IN_PRODUCTION,
    )
    ids["at_risk"] = late.pk

    # Promised for today with production done: due this week and ready to ship, not at risk.
    week = make_order(
        customer=customer, promised_date=today, production_status=ProductionStatus.DONE
    )
    ids["week"] = week.pk
    ids["ready"] = week.pk

    shipped = make_order(
        customer=customer,
        promised_date=days(20),
        state=OrderState.PARTLY_SHIPPED,
        production_status=ProductionStatus.IN_PRODUCTION,
    )
    ids["notice"] = _shipment(shipped, ship_date=today, notified=False).pk
    ids["receipt"] = _shipment(shipped, ship_date=days(-5), notified=True).pk

    lead_customer = CustomerFactory(owner=owner, tier=tier, name=f"{tag}新线索有限公司")
    lead = LeadFactory(
        customer=lead_customer,
        stage=Stage.CONTACTED,
        stage_changed_at=timezone.now() - dt.timedelta(days=45),
    )
    ids["quiet"] = lead.pk

    mailing = MailingFactory(
        customer=customer, sent_on=days(-10), feedback_due_on=days(-1), items=f"{tag}样品"
    )
    ids["samples"] = mailing.pk

    approval = Approval.objects.create(
        customer=customer,
        product=ProductFactory(is_new=True, needs_approval=True),
        revision=1,
        status=ApprovalStatus.PENDING,
    )
    ids["approvals"] = approval.pk

    make_receivable(customer, "1234.50", days(-10))
    ids["receivables"] = customer.pk
    return ids
