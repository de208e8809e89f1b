"""The customer statement (对账单): balances on a hand-computed case, exact sums, page, print CSS,
Excel export, scoping and bad input."""

import datetime as dt
import io

import pytest
from django.http import Http404
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.finance.selectors.statements import customer_statement
from salesdesk.finance.services.payments import payment_record

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, make_receivable

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures

START, END = dt.date(2025, 2, 1), dt.date(2025, 2, 28)


@pytest.fixture
def ledger(mine, finance):
    """Before: owed 1000.00, paid 400.00 → opening 600.00. In February: +500.25 and −300.10 on the
    5th, +99.99 on the 18th, −1000.00 on the 28th. After: March items that must not show."""

    def pay(amount, day):
        return payment_record(
            by=finance,
            customer=mine,
            amount=amount,
            received_on=day,
            method="bank",
            reference=f"BK-{day:%m%d}",
        )

    make_receivable(mine, "1000.00", issued_on=dt.date(2025, 1, 10), invoice_number="FP-JAN")
    pay("400.00", dt.date(2025, 1, 20))
    pay("300.10", dt.date(2025, 2, 5))  # entered before the receivable of the same day
    make_receivable(mine, "500.25", issued_on=dt.date(2025, 2, 5), invoice_number="FP-FEB5")
    make_receivable(mine, "99.99", issued_on=dt.date(2025, 2, 18), invoice_number="FP-FEB18")
    pay("1000.00", dt.date(2025, 2, 28))
    make_receivable(mine, "50.00", issued_on=dt.date(2025, 3, 2), invoice_number="FP-MAR")
    pay("7.00", dt.date(2025, 3, 3))
    return mine


def test_hand_computed_statement(ledger, finance):
    s = customer_statement(user=finance, customer=ledger, start=START, end=END)
    assert s.opening == D("600.00")
    assert [
        (line.date, line.document, line.debit, line.credit, line.balance) for line in s.lines
    ] == [
        (dt.date(2025, 2, 5), "FP-FEB5", D("500.25"), None, D("1100.25")),
        (dt.date(2025, 2, 5), "BK-0205", None, D("300.10"), D("800.15")),
        (dt.date(2025, 2, 18), "FP-FEB18", D("99.99"), None, D("900.14")),
        (dt.date(2025, 2, 28), "BK-0228", None, D("1000.00"), D("-99.86")),
    ]
    assert s.debit_total == D("600.24") and s.credit_total == D("1300.10")
    assert s.closing == D("-99.86") == s.lines[-1].balance  # the customer holds 99.86 of credit


def test_period_edges_are_included_and_next_period_opens_with_this_closing(ledger, finance):
    march = customer_statement(
        user=finance, customer=ledger, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
    )
    assert march.opening == D("-99.86")
    assert march.closing == D("-99.86") + D("50.00") - D("7.00")
    one_day = customer_statement(
        user=finance, customer=ledger, start=dt.date(2025, 2, 28), end=dt.date(2025, 2, 28)
    )
    assert [line.document for line in one_day.lines] == ["BK-0228"]


def test_sums_are_exact_over_many_cents(mine, finance):
    amounts = [D("0.01"), D("0.10"), D("0.20"), D("9672386.91"), D("1234567.89"), D("33.33")] * 5
    for i, amount in enumerate(amounts):
        make_receivable(mine, amount, issued_on=dt.date(2025, 1, 1) + dt.timedelta(days=i))
    s = customer_statement(
        user=finance, customer=mine, start=dt.date(2025, 1, 15), end=dt.date(2025, 12, 31)
    )
    assert s.opening == sum(amounts[:14], D("0"))
    assert s.debit_total == sum(amounts[14:], D("0"))
    assert s.closing == sum(amounts, D("0"))


def test_statement_is_scoped(ledger, theirs, salesperson, other_salesperson, warehouse):
    assert customer_statement(user=salesperson, customer=ledger, start=START, end=END).opening == D(
        "600.00"
    )
    with pytest.raises(Http404):
        customer_statement(user=other_salesperson, customer=ledger, start=START, end=END)
    with pytest.raises(Http404):
        customer_statement(user=warehouse, customer=ledger, start=START, end=END)


# --- the page ---------------------------------------------------------------------------------


def params(who, **extra):
    data = {"customer": who.code, "start": "2025-02-01", "end": "2025-02-28"}
    data.update(extra)
    return data


@pytest.mark.parametrize(
    "persona", ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
)
def test_readers_get_the_printable_page(request, client_for, ledger, persona):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("finance:statement"), params(ledger)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "@media print" in body
    assert "¥600.00" in body and "-¥99.86" in body and "FP-FEB18" in body and "FP-MAR" not in body


def test_empty_form_first(client_for, finance):
    response = client_for(finance).get(reverse("finance:statement"))
    assert response.status_code == 200 and response.context["statement"] is None
    assert response.context["form"]["start"].value().day == 1


def test_anonymous_warehouse_and_wrong_method(client, client_for, warehouse, finance, ledger):
    response = client.get(reverse("finance:statement"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert (
        client_for(warehouse).get(reverse("finance:statement"), params(ledger)).status_code == 403
    )
    assert client_for(finance).post(reverse("finance:statement")).status_code == 405


def test_another_salespersons_customer_is_not_found(client_for, other_salesperson, ledger):
    for fmt in ("", "xlsx"):
        response = client_for(other_salesperson).get(
            reverse("finance:statement"), params(ledger, format=fmt)
        )
        assert response.status_code == 200
        assert response.context["statement"] is None
        assert response.context["form"].errors["customer"]
        assert "FP-FEB5" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": ""}, "customer"),
        ({"customer": "NOBODY"}, "customer"),
        ({"start": "2025-13-01"}, "start"),
        ({"end": ""}, "end"),
        ({"start": "2025-03-01", "end": "2025-02-01"}, "end"),
        ({"start": "2000-01-01", "end": "2025-02-01"}, "start"),
    ],
)
def test_bad_input_names_the_field(client_for, finance, ledger, changes, field):
    response = client_for(finance).get(reverse("finance:statement"), params(ledger, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["statement"] is None


def test_excel_export(client_for, finance, ledger):
    response = client_for(finance).get(reverse("finance:statement"), params(ledger, format="xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    flat = [[str(c) for c in row] for row in rows]
    assert ledger.code in flat[1] and ledger.name in flat[1]
    assert rows[2][7] == pytest.approx(600.00)  # opening
    assert [row[2] for row in rows[3:7]] == ["FP-FEB5", "BK-0205", "FP-FEB18", "BK-0228"]
    assert rows[-1][7] == pytest.approx(-99.86)  # closing
    assert rows[-2][5] == pytest.approx(600.24) and rows[-2][6] == pytest.approx(1300.10)


def test_page_query_count_is_bounded(client_for, finance, mine, django_assert_max_num_queries):
    for i in range(40):
        make_receivable(mine, f"{i}.50", issued_on=dt.date(2025, 2, 1) + dt.timedelta(days=i % 28))
        payment_record(
            by=finance,
            customer=mine,
            amount="0.25",
            received_on=dt.date(2025, 2, 1) + dt.timedelta(days=i % 28),
            method="bank",
        )
    client = client_for(finance)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("finance:statement"), params(mine))
    assert len(response.context["statement"].lines) == 80


def test_pages_carry_the_balance_forward(ledger, finance):
    """A page holds some lines; its first line continues from the balance brought forward, and
    the totals, opening and closing stay those of the whole period."""
    whole = customer_statement(user=finance, customer=ledger, start=START, end=END)
    first = customer_statement(
        user=finance, customer=ledger, start=START, end=END, page=1, per_page=3
    )
    second = customer_statement(
        user=finance, customer=ledger, start=START, end=END, page="2", per_page=3
    )
    assert first.line_count == second.line_count == 4
    assert [line.balance for line in first.lines] == [line.balance for line in whole.lines[:3]]
    assert (first.brought_forward, first.carried_forward) == (D("600.00"), D("900.14"))
    assert [line.document for line in second.lines] == ["BK-0228"]
    assert (second.brought_forward, second.carried_forward) == (D("900.14"), D("-99.86"))
    for s in (first, second):
        assert (s.opening, s.closing) == (whole.opening, whole.closing)
        assert (s.debit_total, s.credit_total) == (D("600.24"), D("1300.10"))
    # A page number out of range shows the last page; a bad one the first.
    for page, documents in (("9", ["BK-0228"]), ("x", ["FP-FEB5", "BK-0205", "FP-FEB18"])):
        s = customer_statement(
            user=finance, customer=ledger, start=START, end=END, page=page, per_page=3
        )
        assert [line.document for line in s.lines] == documents


def test_page_shows_brought_and_carried_forward(client_for, finance, ledger, monkeypatch):
    from salesdesk.finance.selectors import statements

    monkeypatch.setattr(statements, "STATEMENT_PAGE_SIZE", 2)
    client = client_for(finance)
    body = client.get(reverse("finance:statement"), params(ledger)).content.decode()
    assert "FP-FEB5" in body and "FP-FEB18" not in body
    assert 'data-role="carried-forward"' in body and 'data-role="brought-forward"' not in body
    assert "¥800.15" in body and "1 / 2" in body
    body = client.get(reverse("finance:statement"), params(ledger, page=2)).content.decode()
    assert "FP-FEB5" not in body and "FP-FEB18" in body and "BK-0228" in body
    assert 'data-role="brought-forward"' in body and 'data-role="carried-forward"' not in body
    assert "¥800.15" in body and "-¥99.86" in body and "¥600.00" in body  # opening stays
    # The Excel export holds every line whatever the page.
    response = client.get(reverse("finance:statement"), params(ledger, page=2, format="xlsx"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert [row[2] for row in rows.to_python()[3:7]] == [
        "FP-FEB5",
        "BK-0205",
        "FP-FEB18",
        "BK-0228",
    ]


def test_page_of_a_long_statement_builds_only_its_lines(
    client_for, finance, mine, monkeypatch, django_assert_max_num_queries
):
    from salesdesk.finance.selectors import statements

    monkeypatch.setattr(statements, "STATEMENT_PAGE_SIZE", 10)
    for i in range(30):
        make_receivable(mine, f"{i}.50", issued_on=dt.date(2025, 2, 1) + dt.timedelta(days=i % 28))
    client = client_for(finance)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("finance:statement"), params(mine, page=3))
    s = response.context["statement"]
    assert len(s.lines) == 10 and s.line_count == 30
    whole = customer_statement(user=finance, customer=mine, start=START, end=END)
    assert [line.balance for line in s.lines] == [line.balance for line in whole.lines[20:]]
    assert s.brought_forward == whole.lines[19].balance
