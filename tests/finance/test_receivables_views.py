"""Receivable pages: permission matrix, scoping, filters, totals, export, invoice number, query counts."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Receivable
from salesdesk.finance.services.payments import payment_record
from tests.factories import CustomerFactory

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, today

pytestmark = pytest.mark.django_db

key_customer, mine, theirs = helpers.key_customer, helpers.mine, helpers.theirs  # fixtures

READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
RECORDERS = ["assistant", "finance", "admin_user"]
NOT_RECORDERS = ["commercial", "salesperson", "director", "warehouse"]


@pytest.fixture
def mine_r(mine):
    return make_receivable(
        mine, "300.00", issued_on=days_ago(70), due_in=30, invoice_number="FP-MINE"
    )


@pytest.fixture
def theirs_r(theirs):
    return make_receivable(
        theirs, "700.00", issued_on=days_ago(20), due_in=60, invoice_number="FP-THEIRS"
    )


def sheet_rows(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


# --- permission matrix ----------------------------------------------------------------------


def test_anonymous_goes_to_login(client, mine_r):
    for method, url in [
        ("GET", reverse("finance:receivables")),
        ("GET", reverse("finance:receivable-detail", args=[mine_r.pk])),
        ("POST", reverse("finance:receivable-invoice", args=[mine_r.pk])),
    ]:
        response = client.generic(method, url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", READERS)
def test_readers_open_list_and_detail(request, client_for, mine_r, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("finance:receivables")).status_code == 200
    assert client.get(reverse("finance:receivable-detail", args=[mine_r.pk])).status_code == 200


def test_warehouse_reads_no_money(client_for, warehouse, mine_r):
    client = client_for(warehouse)
    assert client.get(reverse("finance:receivables")).status_code == 403
    assert client.get(reverse("finance:receivables"), {"format": "xlsx"}).status_code == 403
    assert client.get(reverse("finance:receivable-detail", args=[mine_r.pk])).status_code == 403


@pytest.mark.parametrize("persona", NOT_RECORDERS)
def test_others_cannot_set_invoice_numbers(request, client_for, mine_r, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(
        reverse("finance:receivable-invoice", args=[mine_r.pk]), {"invoice_number": "X-1"}
    )
    assert response.status_code == 403
    mine_r.refresh_from_db()
    assert mine_r.invoice_number == "FP-MINE"


def test_wrong_methods(client_for, finance, mine_r):
    client = client_for(finance)
    assert client.post(reverse("finance:receivables")).status_code == 405
    assert client.post(reverse("finance:receivable-detail", args=[mine_r.pk])).status_code == 405
    assert client.get(reverse("finance:receivable-invoice", args=[mine_r.pk])).status_code == 405


# --- scoping --------------------------------------------------------------------------------


def test_salesperson_sees_only_own_customers_receivables(client_for, salesperson, mine_r, theirs_r):
    client = client_for(salesperson)
    page = client.get(reverse("finance:receivables"))
    assert [r.pk for r in page.context["page_obj"].object_list] == [mine_r.pk]
    body = page.content.decode()
    assert "FP-MINE" in body and "FP-THEIRS" not in body
    # The whole ledger totals what is open, within scope (the page counts its rows); a filter
    # totals the amounts too.
    assert page.context["page_obj"].paginator.count == 1
    assert (page.context["totals"].count, page.context["totals"].open) == (None, D("300.00"))
    page = client.get(reverse("finance:receivables"), {"status": "open"})
    assert page.context["totals"].amount == D("300.00")
    assert client.get(reverse("finance:receivable-detail", args=[theirs_r.pk])).status_code == 404
    rows = sheet_rows(client.get(reverse("finance:receivables"), {"format": "xlsx"}))
    flat = " ".join(str(c) for row in rows for c in row)
    assert "FP-MINE" in flat and "FP-THEIRS" not in flat
    # Naming the other customer in the filter shows nothing either.
    page = client.get(reverse("finance:receivables"), {"customer": theirs_r.customer_id})
    assert list(page.context["page_obj"].object_list) == []


def test_finance_sees_all(client_for, finance, mine_r, theirs_r):
    page = client_for(finance).get(reverse("finance:receivables"))
    assert {r.pk for r in page.context["page_obj"].object_list} == {mine_r.pk, theirs_r.pk}
    assert page.context["page_obj"].paginator.count == 2
    assert page.context["totals"].open == D("1000.00")
    page = client_for(finance).get(reverse("finance:receivables"), {"status": "overdue"})
    assert page.context["totals"].amount == D("300.00")  # mine_r fell due 40 days ago


# --- list: order, filters, totals, export ---------------------------------------------------


def test_open_lists_key_accounts_first_then_due_date_with_days_overdue(
    client_for, finance, mine, key_customer
):
    early = make_receivable(mine, "10.00", issued_on=days_ago(100), due_in=30)  # 70 days overdue
    key_late = make_receivable(
        key_customer, "20.00", issued_on=days_ago(10), due_in=30
    )  # not yet due
    key_early = make_receivable(
        key_customer, "30.00", issued_on=days_ago(50), due_in=45
    )  # 5 days overdue
    client = client_for(finance)
    page = client.get(reverse("finance:receivables"), {"status": "open"})
    rows = list(page.context["page_obj"].object_list)
    assert [r.pk for r in rows] == [key_early.pk, key_late.pk, early.pk]
    assert [r.days_overdue for r in rows] == [5, 0, 70]
    body = page.content.decode()
    assert "key-account" in body and "badge-key" in body
    page = client.get(reverse("finance:receivables"), {"status": "overdue"})
    assert [r.pk for r in page.context["page_obj"].object_list] == [key_early.pk, early.pk]


def test_whole_ledger_latest_due_first_with_key_badge(client_for, finance, mine, key_customer):
    """The unfiltered ledger (a million rows at ten years) is not sorted by tier; badges stay."""
    early = make_receivable(mine, "10.00", issued_on=days_ago(100), due_in=30)  # due 70 days ago
    key_late = make_receivable(key_customer, "20.00", issued_on=days_ago(10), due_in=30)  # in 20
    key_early = make_receivable(key_customer, "30.00", issued_on=days_ago(50), due_in=45)  # 5 ago
    page = client_for(finance).get(reverse("finance:receivables"))
    rows = list(page.context["page_obj"].object_list)
    assert [r.pk for r in rows] == [key_late.pk, key_early.pk, early.pk]
    assert [r.days_overdue for r in rows] == [0, 5, 70]
    body = page.content.decode()
    assert body.count("badge-key") >= 2
    # A row: the customer and code, the receivable's label linked, dates, amounts, status.
    link = body.index(f'href="{reverse("finance:receivable-detail", args=[early.pk])}"')
    row = body[body.rindex("<tr", 0, link) :].split("</tr>")[0]
    assert f">应收款 {early.pk}</a>" in row and mine.name in row and mine.code in row
    assert f"<td>{early.issued_on:%Y-%m-%d}</td><td>{early.due_date:%Y-%m-%d}</td>" in row
    assert row.count("¥10.00") == 2 and "¥0.00" in row
    assert '<span class="badge text-bg-danger">逾期 70 天</span>' in row
    row = body[body.index(f'href="{reverse("finance:receivable-detail", args=[key_late.pk])}"') :]
    assert '<span class="badge text-bg-primary">' in row.split("</tr>")[0]  # open, not yet due


def test_status_filters_and_as_of(client_for, finance, mine):
    paid = make_receivable(mine, "10.00", issued_on=days_ago(100), due_in=30)
    payment_record(by=finance, customer=mine, amount="10.00", received_on=today(), method="bank")
    overdue = make_receivable(mine, "20.00", issued_on=days_ago(40), due_in=30)  # due 10 days ago
    current = make_receivable(mine, "30.00", issued_on=days_ago(5), due_in=30)  # due in 25 days
    client = client_for(finance)

    def pks(**params):
        return [
            r.pk
            for r in client.get(reverse("finance:receivables"), params)
            .context["page_obj"]
            .object_list
        ]

    assert pks(status="paid") == [paid.pk]
    assert pks(status="open") == [overdue.pk, current.pk]
    assert pks(status="overdue") == [overdue.pk]
    assert pks(status="overdue", as_of=str(days_ago(11))) == []
    future = today().replace(year=today().year + 1)
    assert pks(status="overdue", as_of=str(future)) == [overdue.pk, current.pk]
    page = client.get(reverse("finance:receivables"), {"status": "overdue"})
    assert page.context["page_obj"].object_list[0].days_overdue == 10
    assert "10" in page.content.decode()


def test_search_and_salesperson_filter(client_for, finance, mine, theirs, other_salesperson):
    make_receivable(mine, "10.00", invoice_number="FP-ABC")
    other = make_receivable(theirs, "20.00", invoice_number="FP-XYZ")
    client = client_for(finance)
    page = client.get(reverse("finance:receivables"), {"q": "xyz"})
    assert [r.pk for r in page.context["page_obj"].object_list] == [other.pk]
    page = client.get(reverse("finance:receivables"), {"q": "宁波华丰"})
    assert [r.pk for r in page.context["page_obj"].object_list] == [other.pk]
    page = client.get(reverse("finance:receivables"), {"salesperson": other_salesperson.pk})
    assert [r.pk for r in page.context["page_obj"].object_list] == [other.pk]


def test_bad_filters_are_ignored_not_an_error(client_for, finance, mine_r):
    page = client_for(finance).get(
        reverse("finance:receivables"), {"as_of": "not-a-date", "status": "??", "salesperson": "x"}
    )
    assert page.status_code == 200
    assert [r.pk for r in page.context["page_obj"].object_list] == [mine_r.pk]


def test_totals_are_exact_for_the_whole_filtered_list(client_for, finance, mine, settings):
    settings.SALESDESK_PAGE_SIZE = 5
    amounts = [
        D("0.10"),
        D("0.20"),
        D("9672386.91"),
        D("1234567.89"),
        D("0.01"),
        D("3.33"),
        D("12.34"),
    ]
    paid = make_receivable(mine, "5.00", issued_on=days_ago(90))
    payment_record(by=finance, customer=mine, amount="5.00", received_on=today(), method="bank")
    paid.refresh_from_db()
    assert not paid.is_open
    for amount in amounts:
        make_receivable(mine, amount)
    payment_record(by=finance, customer=mine, amount="0.07", received_on=today(), method="bank")
    client = client_for(finance)
    page = client.get(reverse("finance:receivables"), {"customer": mine.pk})
    totals = page.context["totals"]
    assert len(page.context["page_obj"].object_list) == 5
    assert page.context["page_obj"].paginator.count == totals.count == 8
    assert totals.amount == sum(amounts, D("5.00"))
    assert totals.collected == D("5.07")
    assert totals.open == sum(amounts, D("0")) - D("0.07")
    assert "¥10,906,975.78" in page.content.decode()
    # Every year's ledger unfiltered: what is open summed over the open items; count, amount
    # and collected are not read by the totals (a million rows at scale: the page counts up to
    # a cap) and the page says so.
    page = client.get(reverse("finance:receivables"))
    totals = page.context["totals"]
    assert page.context["page_obj"].paginator.count == 8 and totals.count is None
    assert (totals.amount, totals.collected) == (None, None)
    assert totals.open == sum(amounts, D("0")) - D("0.07")
    body = page.content.decode()
    assert "¥10,906,970.71" in body and 'data-role="totals-note"' in body
    assert "8 笔应收款合计" in body  # the footer's count: the page's
    assert 'data-total="amount">—' in body
    # The paid list is history too: nothing open in it.
    page = client.get(reverse("finance:receivables"), {"status": "paid"})
    assert page.context["page_obj"].paginator.count == 1
    assert page.context["totals"].open == D("0.00")


def test_export_is_what_the_list_shows_with_a_total_row(client_for, finance, mine, theirs):
    make_receivable(mine, "100.25", invoice_number="FP-1")
    make_receivable(theirs, "0.50", invoice_number="FP-2")
    response = client_for(finance).get(reverse("finance:receivables"), {"q": "FP-1"})
    assert response.status_code == 200
    response = client_for(finance).get(
        reverse("finance:receivables"), {"q": "FP-1", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert len(rows) == 3  # header, one receivable, total
    assert rows[1][4] == "FP-1" and rows[1][9] == pytest.approx(100.25)
    assert rows[2][9] == pytest.approx(100.25)


def test_htmx_filter_returns_the_table_only(client_for, finance, mine_r):
    response = client_for(finance).get(
        reverse("finance:receivables"),
        {"q": "FP"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="receivable-table",
    )
    body = response.content.decode()
    assert 'id="receivable-table"' in body and "<html" not in body


def test_list_query_count_is_bounded(
    client_for, finance, salesperson, warehouse, django_assert_max_num_queries
):
    from .test_receivables_helpers import shipped_order

    customers = [
        CustomerFactory(owner=salesperson, tier=Tier.KEY if i % 3 == 0 else Tier.ORDINARY)
        for i in range(8)
    ]
    for i in range(40):
        make_receivable(customers[i % 8], f"{i + 1}.11", invoice_number=f"FP-{i}")
    # Rows with an order and a shipment: their numbers are shown, read with the page.
    shipped = [shipped_order(customers[i], warehouse) for i in range(3)]
    client = client_for(finance)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("finance:receivables"))
    assert len(page.context["page_obj"].object_list) == 43
    body = page.content.decode()
    assert all(o.number in body and s.number in body for o, s in shipped)
    with django_assert_max_num_queries(8):
        client.get(reverse("finance:receivables"), {"format": "xlsx"})
    client_for(salesperson)  # the same test client, signed in as sales1 outside the count
    with django_assert_max_num_queries(8) as captured:
        page = client.get(reverse("finance:receivables"))
    assert len(page.context["page_obj"].object_list) == 43
    # Only what the rows show is read: not the notes of the receivable, its customer, order or
    # shipment, nor the salesperson's password (the signed-in person's own row reads it).
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"finance_receivable"."notes"' not in sql
    assert '"customers_customer"."notes"' not in sql
    assert '"orders_order"."notes"' not in sql
    assert '"orders_shipment"."notes"' not in sql
    assert sql.count('"accounts_user"."password"') == 1


# --- detail and invoice number --------------------------------------------------------------


def test_detail_shows_allocations_order_and_shipment_links(client_for, finance, mine, warehouse):
    from .test_receivables_helpers import shipped_order

    order, shipment = shipped_order(mine, warehouse, lines=((100, "2.0000"),))
    payment_record(
        by=finance,
        customer=mine,
        amount="50.00",
        received_on=today(),
        method="bank",
        reference="BANK-77",
    )
    r = Receivable.objects.get()
    body = (
        client_for(finance).get(reverse("finance:receivable-detail", args=[r.pk])).content.decode()
    )
    assert reverse("orders:detail", args=[order.pk]) in body
    assert reverse("orders:shipment-detail", args=[shipment.pk]) in body
    assert "BANK-77" in body and "¥50.00" in body and "¥150.00" in body


def test_set_invoice_number_plain_post_and_htmx(client_for, finance, mine_r):
    client = client_for(finance)
    url = reverse("finance:receivable-invoice", args=[mine_r.pk])
    response = client.post(url, {"invoice_number": "FP-NEW"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance:receivable-detail", args=[mine_r.pk]
    )
    mine_r.refresh_from_db()
    assert mine_r.invoice_number == "FP-NEW"
    response = client.post(url, {"invoice_number": "FP-NEWER"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="receivable-summary"' in body and "<html" not in body and "FP-NEWER" in body


def test_set_invoice_bad_input_shows_the_message_and_saves_nothing(
    client_for, finance, mine_r, theirs_r
):
    client = client_for(finance)
    url = reverse("finance:receivable-invoice", args=[mine_r.pk])
    for value in ("", "FP-THEIRS", "X" * 41):
        response = client.post(url, {"invoice_number": value})
        assert response.status_code == 200
        assert response.context["invoice_form"].errors["invoice_number"]
    mine_r.refresh_from_db()
    assert mine_r.invoice_number == "FP-MINE"


def test_finance_sets_any_customers_invoice_and_a_missing_one_is_404(client_for, finance, theirs_r):
    # Finance sees every customer: the post works. (A salesperson has no right to post at all.)
    response = client_for(finance).post(
        reverse("finance:receivable-invoice", args=[theirs_r.pk]), {"invoice_number": "FP-OK"}
    )
    assert response.status_code == 302
    assert (
        client_for(finance)
        .post(reverse("finance:receivable-invoice", args=[999999]), {"invoice_number": "A"})
        .status_code
        == 404
    )


def test_detail_query_count_is_bounded(client_for, finance, mine, django_assert_max_num_queries):
    r = make_receivable(mine, "300.00", invoice_number="FP-Q")
    for i in range(30):
        payment_record(
            by=finance, customer=mine, amount="10.00", received_on=days_ago(30 - i), method="bank"
        )
    assert r.allocations.count() == 30
    client = client_for(finance)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("finance:receivable-detail", args=[r.pk]))
    assert response.content.decode().count(reverse("finance:payment-detail", args=[0])[:-2]) >= 30
