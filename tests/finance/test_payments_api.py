"""API: payments/ — list, detail, POST with optional allocations, POST {id}/allocate/; scoping,
permissions, over-allocation naming the line with nothing written, query counts."""

import pytest

from salesdesk.finance.models import Allocation, Payment, Receivable
from salesdesk.finance.services.payments import payment_record
from tests.factories import CustomerFactory

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, today

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures

URL = "/api/v1/payments/"


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def state():
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        list(Receivable.objects.order_by("pk").values_list("allocated_amount", flat=True)),
    )


@pytest.fixture
def open_two(mine):
    old = make_receivable(mine, "100.00", issued_on=days_ago(90), invoice_number="FP-OLD")
    new = make_receivable(mine, "200.00", issued_on=days_ago(10), invoice_number="FP-NEW")
    return old, new


def test_anonymous_is_refused(api_for):
    assert api_for().get(URL).status_code in (401, 403)


@pytest.mark.parametrize("persona", ["salesperson", "director", "commercial", "warehouse"])
def test_only_recorders_post(request, api_for, finance, mine, persona):
    credit = payment_record(
        by=finance, customer=mine, amount="5.00", received_on=today(), method="bank"
    )
    make_receivable(mine, "5.00")
    before = state()
    api = api_for(request.getfixturevalue(persona))
    assert api.post(URL, {"customer": mine.pk, "amount": "1.00"}, format="json").status_code == 403
    assert api.post(f"{URL}{credit.pk}/allocate/", {}, format="json").status_code == 403
    assert state() == before


def test_warehouse_reads_none_and_wrong_methods(api_for, warehouse, finance, mine):
    payment = payment_record(
        by=finance, customer=mine, amount="5.00", received_on=today(), method="bank"
    )
    assert api_for(warehouse).get(URL).status_code == 403
    api = api_for(finance)
    assert api.delete(f"{URL}{payment.pk}/").status_code == 405
    assert api.patch(f"{URL}{payment.pk}/", {}, format="json").status_code == 405
    assert api.get(f"{URL}{payment.pk}/allocate/").status_code == 405


def test_post_allocates_oldest_first_and_keeps_credit(api_for, finance, mine, open_two):
    old, new = open_two
    response = api_for(finance).post(
        URL,
        {"customer": mine.pk, "amount": "350.00", "method": "acceptance", "reference": "CD-9"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["received_on"] == str(today())
    assert data["allocated_amount"] == "300.00" and data["unallocated_amount"] == "50.00"
    assert [(a["receivable"], a["amount"]) for a in data["allocations"]] == [
        (old.pk, "100.00"),
        (new.pk, "200.00"),
    ]


def test_post_with_allocations_exactly_those(api_for, finance, mine, open_two):
    old, new = open_two
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "amount": "150.00",
            "received_on": str(days_ago(1)),
            "allocations": [{"receivable": new.pk, "amount": "150.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.allocated_amount == 0 and new.allocated_amount == D("150.00")


def test_over_allocation_names_the_line_and_writes_nothing(api_for, finance, mine, open_two):
    old, new = open_two
    before = state()
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "amount": "250.00",
            "allocations": [
                {"receivable": old.pk, "amount": "100.00"},
                {"receivable": new.pk, "amount": "100.00"},
                {"receivable": new.pk, "amount": "60.00"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["allocations.2.receivable"]  # given twice
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "amount": "250.00",
            "allocations": [
                {"receivable": old.pk, "amount": "100.00"},
                {"receivable": new.pk, "amount": "150.01"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400 and fields_of(response) == ["allocations.1.amount"]
    assert "¥250.01" in response.json()["errors"][0]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": 999999}, "customer"),
        ({"customer": None}, "customer"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": None}, "amount"),
        ({"received_on": "2999-12-31"}, "received_on"),
        ({"received_on": "someday"}, "received_on"),
        ({"method": "barter"}, "method"),
        ({"reference": "R" * 61}, "reference"),
        ({"allocations": [{"receivable": 999999, "amount": "1.00"}]}, "allocations.0.receivable"),
        ({"allocations": [{"amount": "1.00"}]}, "allocations.0.receivable"),
        ({"allocations": "all"}, "allocations.non_field_errors"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api_for, finance, mine, open_two, change, field
):
    data = {"customer": mine.pk, "amount": "10.00"}
    data.update(change)
    before = state()
    response = api_for(finance).post(URL, data, format="json")
    assert response.status_code == 400 and field in fields_of(response), response.json()
    assert state() == before


def test_allocation_to_another_customers_receivable_is_refused(api_for, finance, mine, theirs):
    their = make_receivable(theirs, "10.00")
    response = api_for(finance).post(
        URL,
        {
            "customer": mine.pk,
            "amount": "10.00",
            "allocations": [{"receivable": their.pk, "amount": "10.00"}],
        },
        format="json",
    )
    assert response.status_code == 400 and fields_of(response) == ["allocations.0.receivable"]
    assert Payment.objects.count() == 0


def test_allocate_remaining_credit(api_for, finance, mine):
    payment = payment_record(
        by=finance, customer=mine, amount="150.00", received_on=days_ago(3), method="bank"
    )
    a = make_receivable(mine, "100.00", issued_on=days_ago(2))
    b = make_receivable(mine, "100.00", issued_on=days_ago(1))
    api = api_for(finance)
    response = api.post(
        f"{URL}{payment.pk}/allocate/",
        {"allocations": [{"receivable": b.pk, "amount": "100.01"}]},
        format="json",
    )
    assert response.status_code == 400 and fields_of(response) == ["allocations.0.amount"]
    response = api.post(f"{URL}{payment.pk}/allocate/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["unallocated_amount"] == "0.00"
    a.refresh_from_db()
    b.refresh_from_db()
    assert not a.is_open and a.paid_on == days_ago(3) and b.open_amount == D("50.00")
    response = api.post(f"{URL}{payment.pk}/allocate/", {}, format="json")
    assert response.status_code == 400 and fields_of(response) == ["non_field_errors"]


def test_salesperson_scope(api_for, finance, salesperson, mine, theirs):
    own = payment_record(
        by=finance, customer=mine, amount="1.00", received_on=today(), method="bank"
    )
    other = payment_record(
        by=finance, customer=theirs, amount="2.00", received_on=today(), method="bank"
    )
    api = api_for(salesperson)
    assert [p["id"] for p in api.get(URL).json()["results"]] == [own.pk]
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.get(URL, {"customer": theirs.pk}).json()["count"] == 0
    assert api.get(f"{URL}{own.pk}/").status_code == 200


def test_filters(api_for, finance, mine, theirs):
    a = payment_record(
        by=finance,
        customer=mine,
        amount="1.00",
        received_on=days_ago(5),
        method="bank",
        reference="A-1",
    )
    b = payment_record(
        by=finance, customer=theirs, amount="2.00", received_on=days_ago(1), method="bank"
    )
    make_receivable(theirs, "1.50")
    c = payment_record(
        by=finance, customer=theirs, amount="1.00", received_on=today(), method="bank"
    )
    api = api_for(finance)

    def ids(**params):
        return {p["id"] for p in api.get(URL, params).json()["results"]}

    assert ids(customer=mine.pk) == {a.pk}
    assert ids(date_from=str(days_ago(2)), date_to=str(days_ago(1))) == {b.pk}
    assert ids(unallocated_only="true") == {a.pk, b.pk}  # c was used on the 1.50 receivable
    assert ids(search="A-1") == {a.pk}
    assert c.pk in ids()
    response = api.get(URL, {"date_from": "yesterday"})
    assert response.status_code == 400 and fields_of(response) == ["date_from"]


def test_list_query_count_is_bounded(api_for, finance, salesperson, django_assert_max_num_queries):
    customers = [CustomerFactory(owner=salesperson) for _ in range(6)]
    for i in range(36):
        payment_record(
            by=finance,
            customer=customers[i % 6],
            amount=f"{i + 1}.01",
            received_on=today(),
            method="bank",
        )
    for user in (finance, salesperson):
        api = api_for(user)
        with django_assert_max_num_queries(4):
            data = api.get(URL, {"page_size": 50}).json()
        assert data["count"] == 36 and len(data["results"]) == 36


def test_detail_query_count_is_bounded(api_for, finance, mine, django_assert_max_num_queries):
    for i in range(30):
        make_receivable(mine, "1.00", issued_on=days_ago(90 - i))
    payment = payment_record(
        by=finance, customer=mine, amount="30.00", received_on=today(), method="bank"
    )
    api = api_for(finance)
    with django_assert_max_num_queries(4):
        data = api.get(f"{URL}{payment.pk}/").json()
    assert len(data["allocations"]) == 30
