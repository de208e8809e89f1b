"""JSON API for shipments: permissions, scoping, money hidden from the warehouse, errors naming fields."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from salesdesk.orders.models import OrderLine, Shipment, ShipmentNotice
from salesdesk.orders.services.shipments import shipment_record
from tests.factories import ContactFactory, CustomerFactory

from .factories_shipments import ProductFactory, approve, make_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/shipments/"


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def ship(order, by, quantities, **kwargs):
    lines = list(order.lines.order_by("line_no"))
    data = {
        "ship_date": timezone.localdate(),
        "carrier": "顺丰速运",
        "carrier_phone": "400-811-1111",
        "tracking_number": "SF1",
    }
    data.update(kwargs)
    return shipment_record(
        order=order,
        by=by,
        lines=[
            {"order_line": ln, "quantity": q} for ln, q in zip(lines, quantities, strict=False) if q
        ],
        **data,
    )


@pytest.fixture
def order(salesperson):
    customer = CustomerFactory(owner=salesperson, name="杭州明发包装有限公司")
    ContactFactory(customer=customer, email="wang@mingfa.example.cn", is_primary=True)
    return make_order(customer=customer, lines=((1000, "0.8560"), (400, "1.2345")))


@pytest.fixture
def shipment(order, warehouse):
    return ship(order, warehouse, [100, 0])


@pytest.fixture
def theirs(other_salesperson, warehouse):
    return ship(make_order(customer=CustomerFactory(owner=other_salesperson)), warehouse, [10])


def payload(order, quantities, **overrides):
    lines = list(order.lines.order_by("line_no"))
    data = {
        "order": order.pk,
        "ship_date": timezone.localdate().isoformat(),
        "carrier": "德邦物流",
        "carrier_phone": "0571-88886666",
        "tracking_number": "DB1",
        "lines": [
            {"order_line": ln.pk, "quantity": q}
            for ln, q in zip(lines, quantities, strict=False)
            if q
        ],
    }
    data.update(overrides)
    return data


# --- permissions and scoping -------------------------------------------------------------------


def test_anonymous_is_refused(api_for, shipment):
    assert api_for().get(URL).status_code in (401, 403)
    assert api_for().post(URL, {}, format="json").status_code in (401, 403)
    assert api_for().post(f"{URL}{shipment.pk}/notify/").status_code in (401, 403)


def test_salesperson_reads_own_only(api_for, salesperson, shipment, theirs):
    api = api_for(salesperson)
    body = api.get(URL).json()
    assert [row["id"] for row in body["results"]] == [shipment.pk]
    assert body["results"][0]["amount"] == "85.60"
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert (
        api.post(f"{URL}{theirs.pk}/notify/", {"channel": "message"}, format="json").status_code
        == 404
    )


def test_warehouse_reads_all_without_money(api_for, warehouse, shipment, theirs):
    body = api_for(warehouse).get(URL).json()
    assert {row["id"] for row in body["results"]} == {shipment.pk, theirs.pk}
    row = next(r for r in body["results"] if r["id"] == shipment.pk)
    assert "amount" not in row
    assert "amount" not in row["lines"][0] and "unit_price" not in row["lines"][0]
    assert row["lines"][0]["quantity"] == 100


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance"])
def test_roles_without_the_right_cannot_record(request, api_for, order, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.post(URL, payload(order, [10]), format="json").status_code == 403
    assert Shipment.objects.count() == 0


@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_cannot_notify_or_receive(request, api_for, shipment, persona):
    api = api_for(request.getfixturevalue(persona))
    assert (
        api.post(f"{URL}{shipment.pk}/notify/", {"channel": "message"}, format="json").status_code
        == 403
    )
    assert api.post(f"{URL}{shipment.pk}/receive/", {}, format="json").status_code == 403


def test_unsupported_methods(api_for, assistant, shipment):
    api = api_for(assistant)
    assert api.delete(f"{URL}{shipment.pk}/").status_code == 405
    assert api.put(f"{URL}{shipment.pk}/", {}, format="json").status_code == 405
    assert api.get(f"{URL}{shipment.pk}/notify/").status_code == 405


# --- recording ---------------------------------------------------------------------------------


def test_record_a_shipment(api_for, warehouse, order):
    l1 = order.lines.get(line_no=1)
    data = payload(order, [0, 0])
    data["lines"] = [
        {"order_line": l1.pk, "quantity": 333, "checked_quantity": 330, "damaged_quantity": 1}
    ]
    response = api_for(warehouse).post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("FH") and body["order_number"] == order.number
    line = body["lines"][0]
    assert (
        line["line_no"],
        line["quantity"],
        line["checked_quantity"],
        line["damaged_quantity"],
    ) == (1, 333, 330, 1)
    assert "amount" not in body  # the warehouse recorded it: no money in its answer
    assert Shipment.objects.get().amount.to_eng_string() == "285.05"


def test_over_shipping_is_a_400_naming_the_line(api_for, assistant, order):
    response = api_for(assistant).post(
        URL, payload(order, [10, 500]), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["lines.1.quantity"]
    assert "Line 2" in response.json()["errors"][0]["message"]
    assert "only 400 remain to ship, 500 given" in response.json()["errors"][0]["message"]
    assert Shipment.objects.count() == 0
    assert list(OrderLine.objects.values_list("shipped_quantity", flat=True)) == [0, 0]


def test_unapproved_product_is_a_400(api_for, assistant, salesperson):
    customer = CustomerFactory(owner=salesperson)
    new = ProductFactory(code="P-API1", needs_approval=True)
    order = make_order(customer=customer, lines=((100, "1.0000", new),))
    response = api_for(assistant).post(URL, payload(order, [10]), format="json")
    assert response.status_code == 400 and fields_of(response) == ["lines.0.order_line"]
    assert "P-API1" in response.json()["errors"][0]["message"]
    approve(customer, new)
    assert api_for(assistant).post(URL, payload(order, [10]), format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o, d: d.update(order=999999), "order"),
        (lambda o, d: d.update(order="abc"), "order"),
        (lambda o, d: d.pop("order"), "order"),
        (lambda o, d: d.update(lines=[]), "lines"),
        (lambda o, d: d.pop("lines"), "lines"),
        (lambda o, d: d["lines"][0].update(order_line=999999), "lines.0.order_line"),
        (lambda o, d: d["lines"][0].update(order_line="x"), "lines.0.order_line"),
        (lambda o, d: d["lines"][0].update(quantity="many"), "lines.0.quantity"),
        (lambda o, d: d["lines"][0].update(quantity=0), "lines.0.quantity"),
        (lambda o, d: d["lines"][0].update(checked_quantity=11), "lines.0.checked_quantity"),
        (lambda o, d: d["lines"][0].update(damaged_quantity=-1), "lines.0.damaged_quantity"),
        (lambda o, d: d.update(carrier_phone="123"), "carrier_phone"),
        (lambda o, d: d.update(carrier=""), "carrier"),
        (lambda o, d: d.update(ship_date="2026-13-01"), "ship_date"),
        (
            lambda o, d: d.update(
                ship_date=(timezone.localdate() + dt.timedelta(days=2)).isoformat()
            ),
            "ship_date",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, assistant, order, change, field):
    data = payload(order, [10])
    change(order, data)
    response = api_for(assistant).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in fields_of(response), response.json()
    assert Shipment.objects.count() == 0


# --- notify and receive ------------------------------------------------------------------------


def test_notify_by_email(api_for, salesperson, shipment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(salesperson).post(f"{URL}{shipment.pk}/notify/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["recipients"] == ["wang@mingfa.example.cn"]
    assert (
        body["notified_at"]
        and "SF1" in body["message_text"]
        and "400-811-1111" in body["message_text"]
    )
    assert len(mail.outbox) == 1 and "SF1" in mail.outbox[0].body


def test_notify_by_message_and_bad_channel(api_for, warehouse, shipment):
    api = api_for(warehouse)
    response = api.post(
        f"{URL}{shipment.pk}/notify/", {"channel": "message", "recipients": "微信"}, format="json"
    )
    assert response.status_code == 200 and response.json()["recipients"] == ["微信"]
    response = api.post(f"{URL}{shipment.pk}/notify/", {"channel": "fax"}, format="json")
    assert response.status_code == 400 and fields_of(response) == ["channel"]
    assert ShipmentNotice.objects.count() == 1


def test_notify_without_any_email_is_a_400(api_for, warehouse, salesperson):
    customer = CustomerFactory(owner=salesperson)
    ContactFactory(customer=customer, email="")
    shipment = ship(make_order(customer=customer), warehouse, [1])
    response = api_for(warehouse).post(
        f"{URL}{shipment.pk}/notify/", {"channel": "email"}, format="json"
    )
    assert response.status_code == 400 and fields_of(response) == ["channel"]
    assert ShipmentNotice.objects.count() == 0 and len(mail.outbox) == 0


def test_receive(api_for, warehouse, shipment):
    api = api_for(warehouse)
    when = timezone.now().replace(microsecond=0).isoformat()
    response = api.post(
        f"{URL}{shipment.pk}/receive/",
        {"received_at": when, "received_by_name": "王经理"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["received_by_name"] == "王经理"
    response = api.post(
        f"{URL}{shipment.pk}/receive/",
        {"received_at": when, "received_by_name": "李四"},
        format="json",
    )
    assert response.status_code == 400 and fields_of(response) == ["non_field_errors"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"received_by_name": "王"}, "received_at"),
        ({"received_at": "soon", "received_by_name": "王"}, "received_at"),
        ({"received_at": "2000-01-01T08:00:00+08:00", "received_by_name": "王"}, "received_at"),
        ({"received_at": "2026-01-01T08:00:00+08:00"}, "received_by_name"),
    ],
)
def test_receive_bad_input(api_for, warehouse, shipment, data, field):
    response = api_for(warehouse).post(f"{URL}{shipment.pk}/receive/", data, format="json")
    assert response.status_code == 400 and field in fields_of(response)
    shipment.refresh_from_db()
    assert shipment.received_at is None


def test_receive_on_a_missing_shipment_is_404(api_for, warehouse):
    assert api_for(warehouse).post(f"{URL}999999/receive/", {}, format="json").status_code == 404


# --- list filters and query count ---------------------------------------------------------------


def test_list_filters(api_for, assistant, warehouse, order, shipment, theirs):
    from salesdesk.orders.services.notices import shipment_notify

    shipment_notify(shipment=shipment, by=assistant, channel="message")
    api = api_for(assistant)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(notified="true") == {shipment.pk}
    assert ids(notified="false") == {theirs.pk}
    assert ids(received="false") == {shipment.pk, theirs.pk}
    assert ids(customer=order.customer_id) == {shipment.pk}
    assert ids(order=theirs.order_id) == {theirs.pk}
    response = api.get(URL, {"notified": "maybe", "customer": "x"})
    assert response.status_code == 400 and set(fields_of(response)) == {"notified", "customer"}


def test_list_query_count_is_bounded(
    api_for, warehouse, salesperson, django_assert_max_num_queries
):
    customers = [CustomerFactory(owner=salesperson) for _ in range(3)]
    for i in range(31):
        ship(
            make_order(customer=customers[i % 3], lines=((100, "1.0000"), (100, "2.0000"))),
            warehouse,
            [5, 5],
        )
    api = api_for(warehouse)
    with django_assert_max_num_queries(6):
        response = api.get(URL, {"page_size": 100})
    assert response.json()["count"] == 31 and len(response.json()["results"]) == 31
