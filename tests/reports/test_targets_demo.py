"""`salesdesk demo`: sales targets for last year and this year, for the department and every
demo salesperson, realistic against what each booked, and the progress shows work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from salesdesk.accounts.demo import SALESPEOPLE
from salesdesk.accounts.models import User
from salesdesk.customers.models import Customer
from salesdesk.orders.choices import BOOKED_STATES
from salesdesk.orders.models import Order
from salesdesk.reports.models import SalesTarget
from salesdesk.reports.selectors.targets import target_progress

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo built once for this module and rolled back after it."""
    moment = timezone.now().replace(microsecond=0)
    with django_db_blocker.unblock():
        assert not Customer.objects.exists()
        with transaction.atomic():
            out = StringIO()
            with time_machine.travel(moment, tick=False):
                call_command("demo", seed=2026, password="demo-pass", stdout=out)
            yield timezone.localdate(moment), out.getvalue()
            transaction.set_rollback(True)


def booked_by_rows(year: int) -> dict[str | None, Decimal]:
    """Booked sales of a year straight from the order rows, per salesperson username."""
    totals: dict[str | None, Decimal] = defaultdict(Decimal)
    orders = Order.objects.filter(state__in=BOOKED_STATES, order_date__year=year)
    for username, amount in orders.values_list("salesperson__username", "total_amount"):
        totals[username] += amount
    return totals


def test_every_year_has_the_department_and_each_salesperson_in_full(demo):
    today, out = demo
    years = (today.year - 1, today.year)
    people = list(User.objects.filter(username__in=SALESPEOPLE))
    assert len(people) == 3
    for year in years:
        for person in [None, *people]:
            slots = set(
                SalesTarget.objects.filter(year=year, salesperson=person).values_list(
                    "month", flat=True
                )
            )
            assert slots == {None, *range(1, 13)}, (year, person)
    assert set(SalesTarget.objects.values_list("year", flat=True)) == set(years)
    assert f"{SalesTarget.objects.count():>7,}  sales targets" in out
    director = User.objects.get(username="director")
    assert {t.updated_by for t in SalesTarget.objects.all()} == {director}
    history = SalesTarget.history.filter(history_type="+")
    assert history.count() == SalesTarget.objects.count()
    assert all(h.history_user_id == director.pk for h in history)
    assert all(h.history_date.date() < dt.date(h.year, 1, 1) for h in history)


def test_targets_are_realistic_against_sales(demo):
    today, _out = demo
    last = today.year - 1
    booked_last = booked_by_rows(last)
    for username in SALESPEOPLE:
        person = User.objects.get(username=username)
        this_year = SalesTarget.objects.get(year=today.year, salesperson=person, month=None)
        # This year's aim is 6–18% above last year's sales (rounded to 10,000 yuan).
        ratio = this_year.amount / booked_last[username]
        assert D("1.05") <= ratio <= D("1.19"), (username, ratio)
        months = SalesTarget.objects.filter(
            year=today.year, salesperson=person, month__isnull=False
        )
        month_sum = sum(t.amount for t in months)
        assert abs(month_sum - this_year.amount) <= D("6000"), (username, month_sum)
        assert all(t.amount > 0 and t.amount % 1000 == 0 for t in months)
    dept = SalesTarget.objects.get(year=today.year, salesperson=None, month=None)
    people_sum = sum(
        t.amount
        for t in SalesTarget.objects.filter(
            year=today.year, salesperson__isnull=False, month__isnull=True
        )
    )
    assert people_sum <= dept.amount <= people_sum * D("1.06")


def test_progress_on_the_demo_agrees_with_the_order_rows(demo):
    today, _out = demo
    director = User.objects.get(username="director")
    progress = target_progress(director, today.year, today)
    rows = booked_by_rows(today.year)
    by_name = {r.salesperson.username: r for r in progress.people if r.salesperson}
    for username in SALESPEOPLE:
        # Through this month (the demo has no orders dated after today).
        assert by_name[username].booked_year == rows[username]
        assert by_name[username].share is not None
    assert progress.department.booked_year == sum(rows.values())
    if progress.remaining_months:
        assert any(r.needed_per_month for r in progress.rows)
    assert {r.on_track for r in progress.people} <= {True, False}
