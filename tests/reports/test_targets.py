"""Sales targets (R-8.4): progress and run rate computed by hand, the rules of setting targets,
and who sees and sets what. The pages, the import and the API: test_targets_views.py,
test_targets_import.py, test_targets_api.py."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from salesdesk.orders.choices import OrderState
from salesdesk.orders.services.orders import order_cancel, order_confirm
from salesdesk.reports.models import SalesTarget
from salesdesk.reports.selectors.targets import (
    resolve_salespeople,
    target_grid,
    target_progress,
    working_days,
)
from salesdesk.reports.services.targets import TargetEntry, parse_amount, targets_set
from tests.factories import CustomerFactory, UserFactory
from tests.orders.factories_shipments import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def target(year, amount, *, month=None, salesperson=None):
    return SalesTarget.objects.create(
        year=year, month=month, salesperson=salesperson, amount=D(amount)
    )


def booked(salesperson, day, amount, *, by):
    """A draft order of `amount` yuan dated `day`, confirmed through the order service (which
    books it in the monthly summary)."""
    order = make_order(
        customer=CustomerFactory(owner=salesperson),
        order_date=day,
        state=OrderState.DRAFT,
        promised_date=None,
        lines=((1, amount),),
    )
    return order_confirm(order=order, by=by, promised_date=day + dt.timedelta(days=20))


@pytest.fixture
def plan(salesperson, other_salesperson, assistant):
    """2026: the department aims at 1,200,000 (March 100,000); sales1 at 600,000 (March
    50,000, April 60,000). sales1 books 30,000 on 28 February, 20,000 on 1 March, 10,000.50
    on 31 March and 99,999 on 1 April; sales2 5,000 on 10 March. A last-year order and a
    next-year one stay out of 2026."""
    target(2026, "1200000", month=None)
    target(2026, "100000", month=3)
    target(2026, "600000", salesperson=salesperson)
    target(2026, "50000", month=3, salesperson=salesperson)
    target(2026, "60000", month=4, salesperson=salesperson)
    target(2026, "999", salesperson=other_salesperson, month=3)
    for day, amount in [
        (dt.date(2026, 2, 28), "30000.00"),
        (dt.date(2026, 3, 1), "20000.00"),
        (dt.date(2026, 3, 31), "10000.50"),
        (dt.date(2026, 4, 1), "99999.00"),
        (dt.date(2025, 12, 31), "77777.00"),
        (dt.date(2027, 1, 1), "88888.00"),
    ]:
        booked(salesperson, day, amount, by=assistant)
    booked(other_salesperson, dt.date(2026, 3, 10), "5000.00", by=assistant)


def rows_by_name(progress):
    return {r.salesperson.username if r.salesperson else "dept": r for r in progress.rows}


# --------------------------------------------------------------------------- progress


def test_working_days_follow_chinas_calendar():
    # January 2026: 22 weekdays, less New Year (1st, 2nd), plus Sunday the 4th worked = 21.
    assert working_days(dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == 21
    # February 2026: 20 weekdays, less the Spring Festival's 16th–20th and 23rd, plus the
    # Saturdays 14th and 28th worked = 16.
    assert working_days(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == 16
    # 31 March is a Tuesday: one day.
    assert working_days(dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == 1
    assert working_days(dt.date(2026, 4, 1), dt.date(2026, 3, 31)) == 0
    # 248 in the year, 58 of them from January to 30 March (21 + 16 + 21).
    assert working_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 248
    assert working_days(dt.date(2026, 3, 31), dt.date(2026, 12, 31)) == 190


def test_progress_and_run_rate_on_the_last_day_of_march(plan, director):
    progress = target_progress(director, 2026, dt.date(2026, 3, 31))
    assert (progress.month, progress.remaining_months) == (3, 10)
    assert progress.elapsed == D("24.7")  # day 90 of 365
    assert progress.remaining_working_days == 190
    rows = rows_by_name(progress)
    sales1 = rows["sales1"]
    # 30,000 (28 Feb) + 20,000 (1 Mar) + 10,000.50 (31 Mar); 1 April is not yet.
    assert sales1.booked_year == D("60000.50")
    assert sales1.target_year == D("600000.00")
    assert sales1.share == D("10.0")
    assert (sales1.target_month, sales1.booked_month) == (D("50000.00"), D("30000.50"))
    assert sales1.month_share == D("60.0")
    assert sales1.remaining == D("539999.50")
    assert sales1.needed_per_month == D("53999.95")  # ÷ 10 months
    assert sales1.needed_per_working_day == D("2842.11")  # ÷ 190 = 2842.1026…, rounded up
    assert sales1.on_track is False  # 10.0% reached, 24.7% of the year gone

    dept = rows["dept"]
    assert dept.salesperson is None
    assert dept.booked_year == D("65000.50")  # everyone's, sales2's 5,000 too
    assert dept.share == D("5.4")  # 65,000.50 ÷ 1,200,000 = 5.416…%
    assert (dept.target_month, dept.booked_month) == (D("100000.00"), D("35000.50"))
    assert dept.month_share == D("35.0")
    assert dept.needed_per_month == D("113499.95")
    assert dept.needed_per_working_day == D("5973.69")  # 1,134,999.50 ÷ 190 = 5973.68…

    sales2 = rows["sales2"]
    assert sales2.target_year is None and sales2.share is None and sales2.needed_per_month is None
    assert sales2.booked_year == D("5000.00") and sales2.on_track is None
    assert (sales2.target_month, sales2.month_share) == (D("999.00"), D("500.5"))


def test_month_boundaries(plan, director):
    feb = rows_by_name(target_progress(director, 2026, dt.date(2026, 2, 28)))
    assert feb["sales1"].booked_year == D("30000.00")  # 1 March not yet counted
    assert feb["sales1"].booked_month == D("30000.00")
    assert feb["sales1"].target_month is None and feb["sales1"].month_share is None
    april = target_progress(director, 2026, dt.date(2026, 4, 1))
    assert (april.month, april.remaining_months, april.elapsed) == (4, 9, D("24.9"))
    sales1 = rows_by_name(april)["sales1"]
    assert sales1.booked_year == D("159999.50")
    assert (sales1.booked_month, sales1.month_share) == (D("99999.00"), D("166.7"))
    assert sales1.needed_per_month == D("48888.95")  # 440,000.50 ÷ 9 = 48,888.944…, up
    assert sales1.bar == D("26.7") and sales1.month_bar == D(100)


def test_an_order_confirmed_then_cancelled_leaves_the_progress(
    plan, director, salesperson, assistant
):
    order = booked(salesperson, dt.date(2026, 3, 15), "40000.00", by=assistant)
    march = dt.date(2026, 3, 31)
    assert rows_by_name(target_progress(director, 2026, march))["sales1"].booked_month == D(
        "70000.50"
    )
    order_cancel(order=order, by=assistant, reason="客户取消")
    rows = rows_by_name(target_progress(director, 2026, march))
    assert rows["sales1"].booked_month == D("30000.50")
    assert rows["dept"].booked_year == D("65000.50")


def test_a_past_year_is_over_and_a_future_one_not_started(plan, director):
    past = target_progress(director, 2026, dt.date(2027, 2, 1))
    assert (past.month, past.elapsed, past.remaining_months, past.remaining_working_days) == (
        12,
        D(100),
        0,
        0,
    )
    sales1 = rows_by_name(past)["sales1"]
    assert sales1.booked_year == D("159999.50")  # the whole year, not 2027's order
    assert sales1.needed_per_month is None and sales1.needed_per_working_day is None
    assert sales1.remaining == D("440000.50")
    future = target_progress(director, 2026, dt.date(2025, 6, 1))
    assert (future.month, future.elapsed, future.remaining_months) == (1, D(0), 12)
    assert future.remaining_working_days == 248
    sales1 = rows_by_name(future)["sales1"]
    assert sales1.booked_year == D("0.00") and sales1.needed_per_month == D("50000.00")


def test_the_target_made_needs_nothing_more(salesperson, assistant, director):
    target(2026, "100", salesperson=salesperson)
    booked(salesperson, dt.date(2026, 1, 5), "150.00", by=assistant)
    row = rows_by_name(target_progress(director, 2026, dt.date(2026, 6, 30)))["sales1"]
    assert (row.share, row.remaining, row.needed_per_month) == (D("150.0"), D("0.00"), D("0.00"))
    assert row.on_track is True and row.bar == D(100)


def test_progress_takes_a_fixed_number_of_queries(plan, director, django_assert_max_num_queries):
    for n in range(5):
        UserFactory(username=f"extra{n}", role="salesperson")
    with django_assert_max_num_queries(4):
        progress = target_progress(director, 2026, dt.date(2026, 3, 31))
    assert len(progress.people) == 7


# ----------------------------------------------------------------------------- scoping


def test_a_salesperson_sees_own_and_the_departments_only(plan, salesperson):
    progress = target_progress(salesperson, 2026, dt.date(2026, 3, 31))
    assert [r.salesperson for r in progress.rows] == [None, salesperson]
    assert progress.department.booked_year == D("65000.50")  # the department's total
    grid = target_grid(salesperson, 2026)
    assert [r.salesperson for r in grid.rows] == [None, salesperson]
    assert grid.people_total is None
    assert D("999.00") not in [m for r in grid.rows for m in r.months]


def test_team_roles_see_everyone(plan, assistant, commercial, director, finance, admin_user):
    for user in (assistant, commercial, director, finance, admin_user):
        names = [r.salesperson.username for r in target_grid(user, 2026).people]
        assert names == ["sales1", "sales2"]


def test_warehouse_is_refused(plan, warehouse):
    with pytest.raises(PermissionDenied):
        target_progress(warehouse, 2026, dt.date(2026, 3, 31))
    with pytest.raises(PermissionDenied):
        target_grid(warehouse, 2026)


def test_former_salespeople_show_only_in_years_they_have_figures(plan, director, assistant):
    gone = UserFactory(username="sales0", role="salesperson", is_active=False)
    assert "sales0" not in rows_by_name(target_progress(director, 2026, dt.date(2026, 3, 31)))
    booked(gone, dt.date(2026, 1, 10), "100.00", by=assistant)
    assert "sales0" in rows_by_name(target_progress(director, 2026, dt.date(2026, 3, 31)))


def test_grid_shows_the_monthly_difference(plan, director):
    grid = target_grid(director, 2026)
    sales1 = grid.people[0]
    assert sales1.annual == D("600000.00")
    assert sales1.month_sum == D("110000.00")
    assert sales1.difference == D("-490000.00")
    assert grid.people[1].difference is None  # no annual target
    assert grid.people_total.annual == D("600000.00")
    assert grid.people_total.months[2] == D("50999.00")


# ------------------------------------------------------------------------ setting targets


def entry(key, amount, *, salesperson=None, month=None):
    return TargetEntry(key=key, salesperson=salesperson, month=month, amount=amount)


def test_targets_are_set_changed_and_cleared_with_history(assistant, director, salesperson):
    changes = targets_set(
        by=assistant,
        year=2026,
        entries=[
            entry("a", "1,200,000"),
            entry("b", "¥100000.5", month=3),
            entry("c", "600000", salesperson=salesperson),
            entry("d", "", salesperson=salesperson, month=1),
        ],
    )
    assert (changes.created, changes.updated, changes.cleared) == (3, 0, 0)
    mine = SalesTarget.objects.get(year=2026, salesperson=salesperson, month=None)
    assert mine.amount == D("600000.00") and mine.updated_by == assistant
    assert SalesTarget.objects.get(year=2026, salesperson=None, month=3).amount == D("100000.50")

    changes = targets_set(
        by=director,
        year="2026",
        entries=[
            entry("a", "1200000.00"),
            entry("b", None, month=3),
            entry("c", "650000", salesperson="sales1"),
        ],
    )
    assert (changes.created, changes.updated, changes.cleared, changes.unchanged) == (0, 1, 1, 1)
    mine.refresh_from_db()
    assert mine.amount == D("650000.00") and mine.updated_by == director
    assert not SalesTarget.objects.filter(year=2026, salesperson=None, month=3).exists()
    history = SalesTarget.history.filter(year=2026).order_by("history_id")
    assert [(h.history_type, h.history_user) for h in history if h.month == 3] == [
        ("+", assistant),
        ("-", director),
    ]
    assert [h.amount for h in history if h.salesperson_id == salesperson.pk] == [
        D("600000.00"),
        D("650000.00"),
    ]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "A target cannot be negative."),
        ("abc", "“abc” is not an amount (e.g. 1234.50)."),
        ("1.234", "A target has at most 2 decimal places (fen)."),
        ("1e5", "“1e5” is not an amount (e.g. 1234.50)."),
        ("NaN", "“NaN” is not an amount (e.g. 1234.50)."),
        ("1000000000000", "The amount is too large."),
        (True, "“True” is not an amount (e.g. 1234.50)."),
    ],
)
def test_bad_amounts_are_refused_by_field_and_nothing_is_saved(assistant, amount, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        targets_set(
            by=assistant, year=2026, entries=[entry("ok", "100"), entry("dept_m1", amount, month=1)]
        )
    assert caught.value.message_dict == {"dept_m1": [message]}
    assert not SalesTarget.objects.exists()


def test_every_problem_is_named_at_once(assistant, salesperson, warehouse):
    entries = [
        TargetEntry("t.0.amount", "nobody", None, "1", salesperson_key="t.0.salesperson"),
        TargetEntry("t.1.amount", warehouse.pk, None, "1", salesperson_key="t.1.salesperson"),
        TargetEntry("t.2.amount", None, 13, "1", month_key="t.2.month"),
        TargetEntry("t.3.amount", None, "x", "1", month_key="t.3.month"),
        TargetEntry("t.4.amount", salesperson.pk, 2, "1"),
        TargetEntry("t.5.amount", salesperson, 2, "2"),
        TargetEntry("t.6.amount", True, 2, "2", salesperson_key="t.6.salesperson"),
        TargetEntry("t.7.amount", [1], 2, "2", salesperson_key="t.7.salesperson"),
    ]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        targets_set(by=assistant, year=2026, entries=entries)
    assert caught.value.message_dict == {
        "t.0.salesperson": ["“nobody” is not a salesperson."],
        "t.1.salesperson": [f"“{warehouse.pk}” is not a salesperson."],
        "t.2.month": ["A month is a whole number from 1 to 12."],
        "t.3.month": ["A month is a whole number from 1 to 12."],
        "t.5.amount": ["This target is given twice."],
        "t.6.salesperson": ["“True” is not a salesperson."],
        "t.7.salesperson": ["“[1]” is not a salesperson."],
    }
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize("year", ["abc", 1999, "2101", None])
def test_a_bad_year_is_refused(assistant, year):
    with pytest.raises(ValidationError) as caught:
        targets_set(by=assistant, year=year, entries=[entry("a", "1")])
    assert list(caught.value.message_dict) == ["year"]


def test_only_target_editors_set_targets(
    salesperson, other_salesperson, commercial, finance, warehouse
):
    for user in (salesperson, other_salesperson, commercial, finance, warehouse):
        with pytest.raises(PermissionDenied):
            targets_set(by=user, year=2026, entries=[entry("a", "1", salesperson=user.pk)])
    assert not SalesTarget.objects.exists()


def test_salespeople_by_id_username_or_name(salesperson, other_salesperson):
    twin = UserFactory(username="sales7", role="salesperson", display_name="张业务")
    with translation.override("en"):
        people, errors = resolve_salespeople(
            [salesperson.pk, "sales2", "李业务", "张业务", "ghost", salesperson]
        )
    assert people == {
        salesperson.pk: salesperson,
        "sales2": other_salesperson,
        "李业务": salesperson,
        salesperson: salesperson,
    }
    assert errors["张业务"].startswith("Several salespeople are called")
    assert errors["ghost"] == "“ghost” is not a salesperson."
    assert twin not in people.values()


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1200000", D("1200000.00")),
        (" 1,200,000.5 ", D("1200000.50")),
        ("￥12.30", D("12.30")),
        (1234.56, D("1234.56")),
        (0, D("0.00")),
        ("", None),
        (None, None),
    ],
)
def test_amounts_are_read_exactly(raw, value):
    assert parse_amount(raw) == value


def test_recent_changes_are_scoped_newest_first(
    assistant, director, salesperson, other_salesperson
):
    from salesdesk.reports.selectors.targets import target_changes

    targets_set(
        by=assistant,
        year=2026,
        entries=[entry("a", "100"), entry("b", "5", salesperson=other_salesperson)],
    )
    targets_set(
        by=director,
        year=2026,
        entries=[entry("a", "120"), entry("c", "7", salesperson=salesperson)],
    )
    targets_set(by=director, year=2026, entries=[entry("c", "", salesperson=salesperson)])
    changes = target_changes(director, 2026)
    assert [(c.who, c.salesperson, c.old, c.new) for c in changes] == [
        (director, salesperson, D("7.00"), None),
        (director, salesperson, None, D("7.00")),
        (director, None, D("100.00"), D("120.00")),
        (assistant, other_salesperson, None, D("5.00")),
        (assistant, None, None, D("100.00")),
    ]
    mine = target_changes(salesperson, 2026)
    assert other_salesperson not in [c.salesperson for c in mine]
    assert len(mine) == 4
