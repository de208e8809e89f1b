"""Today on the demo (R-8.1): each role's page has its work, and the counts agree with
independent queries on the raw rows; a salesperson's items are all own customers'."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from salesdesk.accounts.models import User
from salesdesk.customers.models import Customer
from salesdesk.finance.models import Receivable
from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import Order, Shipment
from salesdesk.reports.selectors import today as selectors

MOMENT = timezone.now().replace(microsecond=0)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, built once for the module at a fixed moment and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(VAR_DIR=tmp_path_factory.mktemp("var")):
        assert not Customer.objects.exists()
        with transaction.atomic(), time_machine.travel(MOMENT, tick=False):
            call_command("demo", seed=2026, password="demo-pass", stdout=StringIO())
            cache.clear()
            yield
            transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def at_moment():
    with time_machine.travel(MOMENT, tick=False):
        yield selectors.Moment.of()


pytestmark = pytest.mark.django_db


def page_of(username, moment):
    return selectors.today_page(user=User.objects.get(username=username), moment=moment)


def test_each_role_has_work_on_the_demo(demo, at_moment):
    keys = {}
    for username in ("assistant", "commercial", "director", "sales1", "finance", "warehouse"):
        page = page_of(username, at_moment)
        keys[username] = {s.key for s in page.sections if s.count}
        assert page.total > 0, username
    # the demo is built so the office's day has each kind of work
    assert {"answer", "at_risk", "followups", "samples", "receivables"} <= keys["assistant"]
    assert keys["finance"] == {"receivables"}
    assert keys["warehouse"] <= {"ready", "receipt"} and keys["warehouse"]


def test_counts_agree_with_independent_queries(demo, at_moment):
    today = at_moment.today
    counts = {s.key: s.count for s in page_of("assistant", at_moment).sections}
    hours = dt.timedelta(hours=24)
    assert (
        counts["answer"]
        == Order.objects.filter(
            state=OrderState.DRAFT, created_at__lt=at_moment.now - hours
        ).count()
    )
    assert (
        counts["followups"]
        == Customer.objects.filter(archived_at__isnull=True, next_followup_on__lte=today).count()
    )
    overdue_customers = {
        r.customer_id
        for r in Receivable.objects.filter(is_open=True, issued_on__lte=today)
        if r.due_date < today
    }
    assert counts["receivables"] == len(overdue_customers)
    unreceived = [
        s
        for s in Shipment.objects.all()
        if s.received_at is None and (today - s.ship_date).days >= selectors.RECEIPT_EXPECTED_DAYS
    ]
    assert counts["receipt"] == len(unreceived)


def test_a_salesperson_sees_own_customers_items_only(demo, at_moment):
    sales1 = User.objects.get(username="sales1")
    page = page_of("sales1", at_moment)
    shown = [item for s in page.sections for item in s.items]
    assert shown
    owners = dict(
        Customer.objects.filter(pk__in={i.customer_id for i in shown}).values_list("pk", "owner")
    )
    assert set(owners.values()) == {sales1.pk}
    office = {s.key: s.count for s in page_of("assistant", at_moment).sections}
    mine = {s.key: s.count for s in page.sections}
    assert all(mine[key] <= office[key] for key in mine)
    assert sum(mine.values()) < sum(office[key] for key in mine)
    mine_followups = Customer.objects.filter(
        owner=sales1, archived_at__isnull=True, next_followup_on__lte=at_moment.today
    ).count()
    assert mine["followups"] == mine_followups
