"""API: receivables/ — list with filters, detail with allocations, invoice numbers; scoping,
permissions, bad input naming fields, query counts."""

import datetime as dt

import pytest

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Receivable
from salesdesk.finance.services.payments import payment_record
from tests.factories import CustomerFactory
from tests.orders.factories_shipments import make_order

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, ship, today

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures

URL = "/api/v1/receivables/"


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


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


def test_anonymous_is_refused(api_for, mine_r):
    assert api_for().get(URL).status_code in (401, 403)
    assert api_for().post(URL, {}, format="json").status_code in (401, 403)


def test_warehouse_reads_no_receivables(api_for, warehouse, mine_r):
    assert api_for(warehouse).get(URL).status_code == 403
    assert api_for(warehouse).get(f"{URL}{mine_r.pk}/").status_code == 403


@pytest.mark.parametrize("persona", ["salesperson", "director", "commercial", "warehouse"])
def test_only_recorders_post(request, api_for, mine, persona):
    response = api_for(request.getfixturevalue(persona)).post(
        URL,
        {
            "customer": mine.pk,
            "invoice_number": "FP-1",
            "amount": "1.00",
            "issued_on": str(today()),
        },
        format="json",
    )
    assert response.status_code == 403
    assert Receivable.objects.count() == 0


def test_wrong_methods(api_for, finance, mine_r):
    api = api_for(finance)
    assert api.delete(f"{URL}{mine_r.pk}/").status_code == 405
    assert api.put(f"{URL}{mine_r.pk}/", {}, format="json").status_code == 405
    assert api.get(f"{URL}{mine_r.pk}/invoice/").status_code == 405


def test_salesperson_sees_own_customers_only(api_for, salesperson, mine_r, theirs_r):
    api = api_for(salesperson)
    data = api.get(URL).json()
    assert [r["id"] for r in data["results"]] == [mine_r.pk]
    assert api.get(f"{URL}{theirs_r.pk}/").status_code == 404
    assert api.get(URL, {"customer": theirs_r.customer_id}).json()["count"] == 0


def test_finance_sees_all_with_filters(api_for, finance, mine, theirs, other_salesperson):
    paid = make_receivable(mine, "10.00", issued_on=days_ago(100), due_in=30)
    payment_record(by=finance, customer=mine, amount="10.00", received_on=today(), method="bank")
    overdue = make_receivable(mine, "20.00", issued_on=days_ago(40), due_in=30)
    current = make_receivable(theirs, "30.00", issued_on=days_ago(5), due_in=30)
    api = api_for(finance)

    def ids(**params):
        return [r["id"] for r in api.get(URL, params).json()["results"]]

    assert set(ids()) == {paid.pk, overdue.pk, current.pk}
    assert ids(status="paid") == [paid.pk]
    assert ids(status="overdue") == [overdue.pk]
    assert set(ids(status="open")) == {overdue.pk, current.pk}
    assert ids(status="overdue", as_of=str(days_ago(15))) == []
    assert ids(customer=theirs.pk) == [current.pk]
    assert ids(salesperson=other_salesperson.pk) == [current.pk]
    row = api.get(URL, {"status": "overdue"}).json()["results"][0]
    assert row["days_overdue"] == 10 and row["open_amount"] == "20.00" and row["amount"] == "20.00"
    assert row["customer_code"] == mine.code and row["key_account"] is False


@pytest.mark.parametrize(
    "params", [{"status": "late"}, {"as_of": "yesterday"}, {"customer": "x"}, {"salesperson": "0"}]
)
def test_bad_filters_name_the_parameter(api_for, finance, params):
    response = api_for(finance).get(URL, params)
    assert response.status_code == 400 and fields_of(response) == list(params)


def test_detail_with_allocations(api_for, finance, mine_r):
    payment = payment_record(
        by=finance,
        customer=mine_r.customer,
        amount="120.00",
        received_on=days_ago(2),
        method="bank",
    )
    data = api_for(finance).get(f"{URL}{mine_r.pk}/").json()
    assert (
        data["allocated_amount"] == "120.00"
        and data["open_amount"] == "180.00"
        and data["is_open"] is True
    )
    assert data["allocations"] == [
        {
            "id": payment.allocations.get().pk,
            "payment": payment.pk,
            "receivable": mine_r.pk,
            "received_on": str(days_ago(2)),
            "amount": "120.00",
            "allocated_at": data["allocations"][0]["allocated_at"],
            "allocated_by": finance.pk,
            "allocated_by_name": str(finance),
        }
    ]


def test_post_an_invoice_without_shipments_creates_one(api_for, finance, mine):
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "invoice_number": "FP-9",
            "amount": "1234.56",
            "issued_on": str(days_ago(1)),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    [row] = response.json()
    assert (
        row["invoice_number"] == "FP-9"
        and row["amount"] == "1234.56"
        and row["source"] == "invoice"
    )
    assert row["due_date"] == str(
        days_ago(1) + dt.timedelta(days=30)
    )  # the customer's 30-day terms


def test_post_an_invoice_for_shipments_names_them(api_for, finance, warehouse, mine):
    order = make_order(customer=mine, lines=((100, "2.0000"),))
    s1 = ship(order, warehouse, [40])
    s2 = ship(order, warehouse, [60])
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "invoice_number": "FP-S",
            "amount": "200.00",
            "issued_on": str(today()),
            "shipments": [s1.pk, s2.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert {r["shipment"] for r in response.json()} == {s1.pk, s2.pk}
    assert Receivable.objects.count() == 2
    order.refresh_from_db()
    assert order.invoiced_amount == D("200.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": None}, "customer"),
        ({"customer": 999999}, "customer"),
        ({"invoice_number": ""}, "invoice_number"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"issued_on": "2999-01-01"}, "issued_on"),
        ({"issued_on": "soon"}, "issued_on"),
        ({"shipments": [999999]}, "shipments.0"),
        ({"order": 999999}, "order"),
    ],
)
def test_post_bad_input_names_the_field_and_saves_nothing(api_for, finance, mine, change, field):
    data = {
        "customer": mine.pk,
        "invoice_number": "FP-9",
        "amount": "10.00",
        "issued_on": str(today()),
    }
    data.update(change)
    response = api_for(finance).post(URL, data, format="json")
    assert response.status_code == 400 and field in fields_of(response), response.json()
    assert Receivable.objects.count() == 0


def test_post_shipments_of_another_customer_and_amount_mismatch(
    api_for, finance, warehouse, mine, theirs
):
    their_shipment = ship(make_order(customer=theirs), warehouse)
    my_shipment = ship(make_order(customer=mine, lines=((10, "1.0000"),)), warehouse)
    api = api_for(finance)
    base = {"customer": mine.pk, "invoice_number": "FP-X", "issued_on": str(today())}
    response = api.post(
        URL, {**base, "amount": "10.00", "shipments": [their_shipment.pk]}, format="json"
    )
    assert response.status_code == 400 and fields_of(response) == ["shipments.0"]
    response = api.post(
        URL, {**base, "amount": "10.01", "shipments": [my_shipment.pk]}, format="json"
    )
    assert response.status_code == 400 and fields_of(response) == ["amount"]
    assert set(Receivable.objects.values_list("invoice_number", flat=True)) == {""}


def test_set_invoice_number(api_for, finance, assistant, mine_r, theirs_r):
    response = api_for(assistant).post(
        f"{URL}{mine_r.pk}/invoice/", {"invoice_number": "FP-NEW"}, format="json"
    )
    assert response.status_code == 200 and response.json()["invoice_number"] == "FP-NEW"
    response = api_for(finance).post(
        f"{URL}{mine_r.pk}/invoice/", {"invoice_number": "FP-THEIRS"}, format="json"
    )
    assert response.status_code == 400 and fields_of(response) == ["invoice_number"]
    response = api_for(finance).post(f"{URL}{mine_r.pk}/invoice/", {}, format="json")
    assert response.status_code == 400 and fields_of(response) == ["invoice_number"]
    assert (
        api_for(finance)
        .post(f"{URL}999999/invoice/", {"invoice_number": "A"}, format="json")
        .status_code
        == 404
    )


def test_list_query_count_is_bounded(api_for, finance, salesperson, django_assert_max_num_queries):
    customers = [
        CustomerFactory(owner=salesperson, tier=Tier.KEY if i % 2 else Tier.ORDINARY)
        for i in range(6)
    ]
    for i in range(36):
        make_receivable(customers[i % 6], f"{i + 1}.99")
    for user in (finance, salesperson):
        api = api_for(user)
        with django_assert_max_num_queries(4):
            data = api.get(URL, {"page_size": 50, "status": "open"}).json()
        assert data["count"] == 36 and len(data["results"]) == 36
    # key accounts first on the open list
    tiers = [r["key_account"] for r in data["results"]]
    assert tiers == sorted(tiers, reverse=True)
