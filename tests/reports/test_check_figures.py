"""`salesdesk check-figures` (R-8.7): no disagreement on the demo; a planted drift in the monthly
summary, in a receivable's stored open amount or in an order's lines is found, named with both
figures, and makes the exit status 1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from salesdesk.__main__ import build_parser, main
from salesdesk.finance.models import Receivable
from salesdesk.orders.choices import BOOKED_STATES
from salesdesk.orders.models import MonthlySales, Order, OrderLine
from salesdesk.reports.checks import check_figures, raw_booked, raw_open
from salesdesk.reports.selectors.pack import previous_month

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo, built once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", seed=2026, password="demo-pass", stdout=StringIO())
        yield timezone.localdate()
        transaction.set_rollback(True)


def _run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_figures", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_the_demo_has_no_disagreement(demo):
    status, output = _run()
    assert status == 0, output
    assert "no disagreement" in output
    assert "DISAGREEMENT" not in output


def test_the_demo_has_no_disagreement_last_month(demo):
    status, output = _run(f"--month={previous_month(demo):%Y-%m}")
    assert status == 0, output
    # Many comparisons ran, not just the summary: sales, pack, aging and collection.
    result = check_figures(previous_month(demo))
    assert result.ok and result.checked > 50


def test_raw_sql_sees_the_demo_figures(demo):
    """The raw figures the check compares against are not empty on the demo (a check of
    zero against zero would prove nothing)."""
    month = previous_month(demo)
    amount, orders = raw_booked(month, demo.replace(day=1) - dt.timedelta(days=1))
    assert amount > 0 and orders > 0
    assert (
        orders
        == Order.objects.filter(
            state__in=BOOKED_STATES, order_date__gte=month, order_date__lt=demo.replace(day=1)
        ).count()
    )
    assert raw_open(demo)[0] > 0


def test_a_drift_in_the_monthly_summary_is_reported(demo):
    month = demo.replace(day=1)
    row = MonthlySales.objects.filter(month=month, amount_fen__gt=0).order_by("id").first()
    MonthlySales.objects.filter(pk=row.pk).update(amount_fen=F("amount_fen") + 12345)
    status, output = _run()
    assert status == 1
    summary = f"monthly sales summary {month:%Y-%m}, salesperson #{row.salesperson_id}"
    assert summary in output
    have, want = Decimal(row.amount_fen + 12345) / 100, Decimal(row.amount_fen) / 100
    assert f"summary (orders_monthlysales) = {have:.2f}" in output
    assert f"booked order rows = {want:.2f}" in output
    # The pages reading the summary now disagree with the order rows too.
    assert "sales page (month total)" in output
    assert "disagreement(s)" in output


def test_a_drift_in_a_stored_open_amount_is_reported(demo):
    receivable = Receivable.objects.filter(is_open=True, issued_on__lte=demo).first()
    Receivable.objects.filter(pk=receivable.pk).update(
        allocated_amount=F("allocated_amount") + Decimal("1.00")
    )
    status, output = _run()
    assert status == 1
    assert f"open receivables on {demo}: SQL over receivables and allocations" in output
    assert "aging by customer =" in output and "aging by salesperson =" in output
    # The history path reads the allocation rows, so it still agrees with the raw figure.
    assert "aging by customer (history path) =" not in output


def test_order_lines_that_do_not_add_up_are_reported(demo):
    line = (
        OrderLine.objects.filter(
            order__state__in=BOOKED_STATES, order__order_date__gte=demo.replace(day=1)
        )
        .order_by("id")
        .first()
    )
    if line is None:
        pytest.skip("no booked order this month in the demo")
    OrderLine.objects.filter(pk=line.pk).update(amount=F("amount") + Decimal("0.01"))
    status, output = _run()
    assert status == 1
    assert "SQL over order lines" in output
    assert "sales page by product (total)" in output


def test_bad_month_is_refused():
    status, output = _run("--month=2026-13")
    assert status == 1 and "--month: expected YYYY-MM" in output


def test_salesdesk_check_figures_command(demo, capsys):
    assert build_parser().parse_args(["check-figures", "--month", "2026-10"]).month == "2026-10"
    assert main(["check-figures"]) == 0
    assert "no disagreement" in capsys.readouterr().out
    MonthlySales.objects.filter(month=demo.replace(day=1)).update(amount_fen=F("amount_fen") + 1)
    assert main(["check-figures"]) == 1
    captured = capsys.readouterr()
    assert "DISAGREEMENT monthly sales summary" in captured.out
    assert "salesdesk check-figures:" in captured.err
