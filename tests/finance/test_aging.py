"""Receivables aging (R-5.2): buckets on their boundary days, past dates against the raw rows,
both computation paths, scoping and the query shape."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Customer
from salesdesk.finance.models import Allocation, Receivable
from salesdesk.finance.selectors.reports import BUCKET_KEYS, bucket_of, receivables_aging
from tests.factories import CustomerFactory, UserFactory

from .factories_reports import D, allocate, make_payment, make_receivable, pay

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH), tick=False):
        yield


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "d0_30"),
        (30, "d0_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
        (400, "d90_plus"),
    ],
)
def test_boundary_days_fall_in_their_bucket(finance, salesperson, days_overdue, bucket):
    customer = CustomerFactory(owner=salesperson)
    make_receivable(customer, "1000.10", days_ago(days_overdue))
    for history in (False, True):
        report = receivables_aging(user=finance, as_of=TODAY, history=history)
        (row,) = report["rows"]
        assert row[bucket] == D("1000.10")
        assert all(row[k] == 0 for k in BUCKET_KEYS if k != bucket)
        assert row["total"] == D("1000.10") == report["totals"][bucket]
    assert bucket_of(days_overdue) == bucket


def test_open_amount_is_amount_less_allocations(finance, salesperson):
    customer = CustomerFactory(owner=salesperson)
    r = make_receivable(customer, "500.00", days_ago(45))
    pay(r, "120.35", days_ago(10))
    closed = make_receivable(customer, "80.00", days_ago(70))
    pay(closed, "80.00", days_ago(5))
    (row,) = receivables_aging(user=finance, as_of=TODAY)["rows"]
    assert row["d31_60"] == D("379.65") and row["d61_90"] == 0 and row["total"] == D("379.65")


def test_past_date_counts_what_was_open_then(finance, salesperson):
    customer = CustomerFactory(owner=salesperson)
    # Due 100 days ago, paid in two parts 40 and 20 days ago.
    r = make_receivable(customer, "1000.00", days_ago(100), issued_on=days_ago(130))
    pay(r, "300.00", days_ago(40))
    pay(r, "700.00", days_ago(20))
    # Issued after the report date: not owed then.
    make_receivable(customer, "55.55", days_ago(-10), issued_on=days_ago(10))
    as_of = days_ago(30)  # r was 70 days overdue, 300 paid
    (row,) = receivables_aging(user=finance, as_of=as_of)["rows"]
    assert row["d61_90"] == D("700.00") and row["total"] == D("700.00")
    as_of = days_ago(50)  # 50 days overdue, nothing paid yet
    (row,) = receivables_aging(user=finance, as_of=as_of)["rows"]
    assert row["d31_60"] == D("1000.00") and row["total"] == D("1000.00")
    # Today it is paid in full; only the new one is open (not yet due).
    (row,) = receivables_aging(user=finance, as_of=TODAY)["rows"]
    assert row["not_due"] == D("55.55") and row["total"] == D("55.55")
    # Before anything was issued: nothing.
    assert receivables_aging(user=finance, as_of=days_ago(200))["rows"] == []


def expected_from_raw_rows(as_of: dt.date, by: str = "customer") -> dict:
    """An independent computation: every receivable and allocation read row by row in Python."""
    paid = defaultdict(Decimal)
    for a in Allocation.objects.select_related("payment"):
        if a.payment.received_on <= as_of:
            paid[a.receivable_id] += a.amount
    result: dict = defaultdict(lambda: dict.fromkeys(BUCKET_KEYS, Decimal("0.00")))
    for r in Receivable.objects.all():
        if r.issued_on > as_of:
            continue
        open_amount = r.amount - paid[r.pk]
        if open_amount:
            key = r.customer_id if by == "customer" else r.salesperson_id
            result[key][bucket_of((as_of - r.due_date).days)] += open_amount
    return {k: v for k, v in result.items() if sum(v.values())}


def got(report) -> dict:
    return {row["id"]: {k: row[k] for k in BUCKET_KEYS} for row in report["rows"]}


@pytest.fixture
def history(salesperson, other_salesperson):
    """A year and a half of receivables with payments on random days, some partial."""
    rng = random.Random(7)
    customers = [
        CustomerFactory(owner=rng.choice([salesperson, other_salesperson])) for _ in range(6)
    ]
    for _ in range(60):
        customer = rng.choice(customers)
        issued = days_ago(rng.randint(0, 540))
        r = make_receivable(
            customer,
            D(rng.randint(1, 2_000_000)) / 100,
            issued + dt.timedelta(days=rng.choice([0, 30, 60, 90])),
            issued_on=issued,
        )
        left = r.amount
        for _ in range(rng.randint(0, 3)):
            received = issued + dt.timedelta(days=rng.randint(0, 200))
            if received > TODAY or not left:
                break
            part = (
                left
                if rng.random() < 0.4
                else (left * D(rng.randint(1, 90)) / 100).quantize(D("0.01"))
            )
            if part <= 0:
                continue
            allocate(make_payment(customer, part, received), r, part)
            r.refresh_from_db()
            left = r.amount - r.allocated_amount
    return customers


@pytest.mark.parametrize("by", ["customer", "salesperson"])
def test_past_dates_and_today_agree_with_raw_rows(finance, history, by):
    for as_of in [TODAY, days_ago(1), days_ago(45), days_ago(120), days_ago(365)]:
        report = receivables_aging(user=finance, as_of=as_of, by=by)
        assert got(report) == expected_from_raw_rows(as_of, by), as_of
        totals = report["totals"]
        assert totals["total"] == sum(
            (sum(v.values()) for v in expected_from_raw_rows(as_of, by).values()), D(0)
        )


def test_fast_path_and_history_path_agree_today(finance, history):
    for by in ("customer", "salesperson"):
        fast = receivables_aging(user=finance, as_of=TODAY, by=by)
        slow = receivables_aging(user=finance, as_of=TODAY, by=by, history=True)
        assert fast["rows"] == slow["rows"] and fast["totals"] == slow["totals"]
        assert fast["totals"]["total"] > 0


def test_one_pass_over_the_open_items_and_a_page_costs_no_query(finance, history):
    """The report is one query: one pass over the open items grouped per customer (today never
    the allocations), the customer joined once per group; the totals, the row count and any
    page come from its rows without another query."""
    for by in ("customer", "salesperson"):
        with CaptureQueriesContext(connection) as ctx:
            report = receivables_aging(user=finance, as_of=TODAY, by=by)
            page = report["rows"][1:3]
            count = len(report["rows"])
        (query,) = ctx.captured_queries
        sql = query["sql"]
        assert "is_open" in sql and "finance_allocation" not in sql
        assert sql.count("GROUP BY") == 1 and sql.count('finance_receivable" WHERE') <= 1
        every = list(receivables_aging(user=finance, as_of=TODAY, by=by)["rows"])
        assert page == every[1:3] and count == len(every) >= 2
        assert report["rows"][-1] == every[-1] and report["rows"][1] == every[1]
        assert report["rows"][::-1] == every[::-1]
    with CaptureQueriesContext(connection) as ctx:
        receivables_aging(user=finance, as_of=days_ago(30))["rows"][:2]
    assert len(ctx.captured_queries) == 1


def test_rows_are_in_page_order_whatever_page_is_asked_first(finance, salesperson):
    """The first pages come from a partial sort, deep pages and the export from the full one:
    both give the same order (key accounts, then name, then id; a shared name keeps id order)."""
    names = ["宁波", "安吉", "杭州", "安吉", "嘉兴", "湖州"] * 4
    for i, name in enumerate(names):
        customer = CustomerFactory(
            owner=salesperson, name=name, tier=Tier.KEY if i % 7 == 3 else Tier.ORDINARY
        )
        make_receivable(customer, f"{10 + i}.00", days_ago(i))
    customers = {c.pk: c for c in Customer.objects.filter(name__in=names)}
    expected = sorted(customers, key=lambda pk: (customers[pk].tier, customers[pk].name, pk))
    assert expected[0] in {pk for pk, c in customers.items() if c.tier == Tier.KEY}
    fresh = receivables_aging(user=finance, as_of=TODAY)["rows"]
    assert [r["id"] for r in fresh[:2]] == expected[:2]  # top-N
    assert [r["id"] for r in fresh[20:24]] == expected[20:24]  # full sort
    assert [r["id"] for r in fresh[:2]] == expected[:2]  # from the sorted list
    assert [r["id"] for r in receivables_aging(user=finance, as_of=TODAY)["rows"]] == expected
    assert receivables_aging(user=finance, as_of=TODAY)["rows"][5]["id"] == expected[5]


def test_key_accounts_first_and_salesperson_rows(finance, salesperson, other_salesperson):
    plain = CustomerFactory(owner=salesperson, name="安吉普通纸品")
    key = CustomerFactory(owner=other_salesperson, name="萧山大客户包装", tier=Tier.KEY)
    make_receivable(plain, "100.00", days_ago(5))
    make_receivable(key, "200.00", days_ago(5))
    make_receivable(key, "50.00", days_ago(-5), salesperson=salesperson)
    rows = receivables_aging(user=finance, as_of=TODAY)["rows"]
    assert [r["name"] for r in rows] == ["萧山大客户包装", "安吉普通纸品"]
    assert rows[0]["is_key"] and not rows[1]["is_key"]
    by_person = {
        r["id"]: r for r in receivables_aging(user=finance, as_of=TODAY, by="salesperson")["rows"]
    }
    assert by_person[salesperson.pk]["total"] == D("150.00")
    assert by_person[salesperson.pk]["name"] == "李业务"
    assert by_person[other_salesperson.pk]["d0_30"] == D("200.00")


def test_filters_and_receivable_without_salesperson(finance, salesperson):
    customer = CustomerFactory(owner=salesperson)
    other = CustomerFactory(owner=salesperson)
    make_receivable(customer, "10.00", days_ago(3))
    Receivable.objects.create(
        customer=other,
        salesperson=None,
        issued_on=days_ago(40),
        due_date=days_ago(3),
        amount=D("20.00"),
    )
    assert [
        r["id"] for r in receivables_aging(user=finance, as_of=TODAY, customer=customer)["rows"]
    ] == [customer.pk]
    rows = receivables_aging(user=finance, as_of=TODAY, by="salesperson")["rows"]
    assert {r["id"] for r in rows} == {salesperson.pk, None}
    only = receivables_aging(user=finance, as_of=TODAY, salesperson=salesperson)["rows"]
    assert [r["total"] for r in only] == [D("10.00")]


def test_salesperson_sees_own_customers_only(salesperson, other_salesperson, warehouse):
    mine = CustomerFactory(owner=salesperson)
    theirs = CustomerFactory(owner=other_salesperson)
    make_receivable(mine, "10.00", days_ago(3))
    # The other salesperson's customer, even if sales1 is named on the receivable.
    make_receivable(theirs, "99.00", days_ago(3), salesperson=salesperson)
    for as_of in (TODAY, days_ago(1)):
        report = receivables_aging(user=salesperson, as_of=as_of)
        assert [r["id"] for r in report["rows"]] == [mine.pk]
        assert report["totals"]["total"] == D("10.00")
        by_person = receivables_aging(user=salesperson, as_of=as_of, by="salesperson")
        assert by_person["totals"]["total"] == D("10.00")
    assert receivables_aging(user=warehouse, as_of=TODAY)["rows"] == []


def test_bad_grouping_is_refused(finance):
    with pytest.raises(ValueError):
        receivables_aging(user=finance, as_of=TODAY, by="region")


def test_new_salesperson_user_factory_has_no_rows():
    assert receivables_aging(user=UserFactory(role="finance"), as_of=TODAY)["rows"] == []
