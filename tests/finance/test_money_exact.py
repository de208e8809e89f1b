"""Money is exact (issue 4, item 6): aging totals and collection sums computed by the database
equal the exact Decimal sums of random amounts, on SQLite (which keeps decimals as REAL) and
on PostgreSQL. Run this file on both engines."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from salesdesk.accounts.roles import Role
from salesdesk.finance.selectors.reports import (
    BUCKET_KEYS,
    bucket_of,
    chase_list,
    collection_rate,
    receivables_aging,
)
from tests.factories import CustomerFactory, UserFactory

from .factories_reports import allocate, make_payment, make_receivable

CENT = Decimal("0.01")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)
# One receivable: amount, days overdue today (negative: not yet due), share paid (0–100 %).
items = st.tuples(
    amounts, st.integers(min_value=-60, max_value=200), st.integers(min_value=0, max_value=100)
)


def paid_part(amount: Decimal, percent: int) -> Decimal:
    return (amount * percent / 100).quantize(CENT)


class TestReportsAreExact(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = UserFactory(username="finance", role=Role.FINANCE)
        cls.owner = UserFactory(username="sales1", role=Role.SALESPERSON)

    @settings(max_examples=30, deadline=None)
    @given(st.lists(items, min_size=1, max_size=25), st.integers(min_value=1, max_value=3))
    def test_aging_and_collection_equal_exact_decimal_sums(self, values, customers):
        today = timezone.localdate()
        people = [CustomerFactory(owner=self.owner) for _ in range(customers)]
        expected = dict.fromkeys(BUCKET_KEYS, Decimal("0.00"))
        due_total = collected_total = Decimal("0.00")
        start, end = today - dt.timedelta(days=200), today + dt.timedelta(days=60)
        for index, (amount, overdue, percent) in enumerate(values):
            customer = people[index % customers]
            due_date = today - dt.timedelta(days=overdue)
            issued_on = due_date - dt.timedelta(days=30)  # after today for some: not owed yet
            receivable = make_receivable(customer, amount, due_date, issued_on=issued_on)
            part = paid_part(amount, percent)
            if part:
                allocate(
                    make_payment(customer, part, today - dt.timedelta(days=1)), receivable, part
                )
            if amount - part and issued_on <= today:
                expected[bucket_of(overdue)] += amount - part
            due_total += amount
            collected_total += part

        for history in (False, True):
            report = receivables_aging(user=self.finance, as_of=today, history=history)
            assert {k: report["totals"][k] for k in BUCKET_KEYS} == expected
            assert report["totals"]["total"] == sum(expected.values(), Decimal("0.00"))
            by_person = receivables_aging(
                user=self.finance, as_of=today, by="salesperson", history=history
            )
            assert by_person["totals"] == report["totals"]
            overdue = sum(
                (r.overdue for r in chase_list(user=self.finance, as_of=today, history=history)),
                Decimal(0),
            )
            assert overdue == report["totals"]["overdue"]

        for by in ("month", "customer", "salesperson"):
            totals = collection_rate(user=self.finance, start=start, end=end, by=by)["totals"]
            assert totals["due"] == due_total and totals["collected"] == collected_total
            assert all(isinstance(v, Decimal) for v in (totals["due"], totals["collected"]))
