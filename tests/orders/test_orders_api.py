"""Orders API: scoping, money hidden from the warehouse, entry with lines, confirm, promises,
production, cancel; bad input names the field and writes nothing; list query count flat."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.orders.choices import OrderState, ProductionStatus
from salesdesk.orders.models import Order, OrderLine, PromiseChange
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, make_product, place_order, set_state

pytestmark = pytest.mark.django_db

mine, product, theirs = helpers.mine, helpers.product, helpers.theirs  # fixtures
BASE = "/api/v1/orders/"


def _fields(response):
    return [e["field"] for e in response.json()["errors"]]


@pytest.fixture
def order(assistant, mine):
    return confirmed_order(assistant, mine)


def test_anonymous_gets_401(api_for, order):
    assert api_for().get(BASE).status_code == 401
    assert api_for().post(f"{BASE}{order.pk}/confirm/", {}).status_code == 401


def test_salesperson_sees_only_own_orders(api_for, salesperson, assistant, order, theirs):
    other = confirmed_order(assistant, theirs)
    api = api_for(salesperson)
    numbers = [row["number"] for row in api.get(BASE).json()["results"]]
    assert numbers == [order.number]
    assert api.get(f"{BASE}{other.pk}/").status_code == 404
    assert api.get(f"{BASE}{other.pk}/promises/").status_code == 404
    assert api.post(f"{BASE}{other.pk}/promise/", {}, format="json").status_code == 404
    assert api.post(f"{BASE}{other.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    other.refresh_from_db()
    assert other.state == OrderState.CONFIRMED


def test_warehouse_reads_every_order_without_money(api_for, warehouse, assistant, order, theirs):
    confirmed_order(assistant, theirs)
    api = api_for(warehouse)
    rows = api.get(BASE).json()["results"]
    assert len(rows) == 2
    assert all("total_amount" not in row and "paid_amount" not in row for row in rows)
    detail = api.get(f"{BASE}{order.pk}/").json()
    assert "total_amount" not in detail
    assert "unit_price" not in detail["lines"][0] and "amount" not in detail["lines"][0]
    assert detail["lines"][0]["quantity"] == 100
    assert api.post(BASE, {}, format="json").status_code == 403


def test_office_sees_money_exact(api_for, assistant, order):
    detail = api_for(assistant).get(f"{BASE}{order.pk}/").json()
    assert detail["total_amount"] == "85.60"
    assert detail["lines"][0]["unit_price"] == "0.8560"
    assert detail["current_promise"]["new_date"] == order.promised_date.isoformat()
    assert detail["current_promise"]["old_date"] is None


@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_cannot_write(request, api_for, order, product, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(BASE).status_code == 200
    body = {"customer": order.customer_id, "lines": [{"product": product.pk, "quantity": 1}]}
    assert api.post(BASE, body, format="json").status_code == 403
    assert (
        api.post(
            f"{BASE}{order.pk}/production/", {"status": "scheduled"}, format="json"
        ).status_code
        == 403
    )


def test_create_with_lines(api_for, salesperson, mine, product):
    body = {
        "customer": mine.pk,
        "order_date": "2026-03-10",
        "contract_number": "HT-9",
        "lines": [
            {"product": product.pk, "quantity": 3, "unit_price": "0.3333"},
            {"product": product.pk, "quantity": 7, "unit_price": "1.005"},
            {"product": product.pk, "quantity": 10},
        ],
    }
    response = api_for(salesperson).post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft" and data["salesperson"] == salesperson.pk
    assert [line["amount"] for line in data["lines"]] == ["1.00", "7.04", "8.56"]
    assert data["total_amount"] == "16.60"
    assert Order.objects.get().total_amount == Decimal("16.60")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": 999999}, "customer"),
        ({"customer": "theirs"}, "customer"),
        ({"lines": [{"product": 999999, "quantity": 1}]}, "lines.0.product"),
        ({"lines": [{"quantity": 1}]}, "lines.0.product"),
        ({"lines": [{"product": "P", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"product": "P", "quantity": "abc"}]}, "lines.0.quantity"),
        (
            {
                "lines": [
                    {"product": "P", "quantity": 1},
                    {"product": "P", "quantity": 1, "unit_price": "-1"},
                ]
            },
            "lines.1.unit_price",
        ),
        ({"lines": []}, "lines"),
        ({"channel": "fax"}, "channel"),
        ({"order_date": "2026-13-01"}, "order_date"),
        ({"salesperson": 999999}, "salesperson"),
        ({"customer": None}, "customer"),
        ({"requested_date": "2000-01-01"}, "requested_date"),
    ],
)
def test_bad_create_names_the_field(api_for, salesperson, mine, theirs, product, body, field):
    payload = {
        "customer": mine.pk,
        "order_date": "2026-03-10",
        "lines": [{"product": product.pk, "quantity": 1}],
    }
    payload.update(body)
    if payload["customer"] == "theirs":  # out of the salesperson's scope
        payload["customer"] = theirs.pk
    for line in payload["lines"]:
        if line.get("product") == "P":
            line["product"] = product.pk
    response = api_for(salesperson).post(BASE, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in _fields(response)
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_office_names_an_unknown_salesperson(api_for, assistant, mine, product):
    payload = {
        "customer": mine.pk,
        "salesperson": assistant.pk,
        "lines": [{"product": product.pk, "quantity": 1}],
    }
    response = api_for(assistant).post(BASE, payload, format="json")
    assert response.status_code == 400 and _fields(response) == ["salesperson"]
    assert not Order.objects.exists()


def test_confirm_and_promise_flow(api_for, salesperson, mine):
    draft = place_order(salesperson, mine)
    api = api_for(salesperson)
    response = api.post(f"{BASE}{draft.pk}/confirm/", {}, format="json")
    assert response.status_code == 400 and _fields(response) == ["promised_date"]
    assert not PromiseChange.objects.exists()
    promised = timezone.localdate() + dt.timedelta(days=10)
    response = api.post(
        f"{BASE}{draft.pk}/confirm/",
        {"promised_date": promised.isoformat(), "customer_accepted": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "confirmed"

    later = promised + dt.timedelta(days=5)
    response = api.post(
        f"{BASE}{draft.pk}/promise/", {"promised_date": later.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "reason" in _fields(response)
    response = api.post(
        f"{BASE}{draft.pk}/promise/",
        {"promised_date": promised.isoformat(), "reason": "x"},
        format="json",
    )
    assert response.status_code == 400 and "promised_date" in _fields(response)
    response = api.post(
        f"{BASE}{draft.pk}/promise/",
        {"promised_date": later.isoformat(), "reason": "原纸缺货", "customer_accepted": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["current_promise"]["old_date"] == promised.isoformat()
    history = api.get(f"{BASE}{draft.pk}/promises/").json()
    assert [
        (h["old_date"], h["new_date"], h["reason"], h["customer_accepted"]) for h in history
    ] == [
        (None, promised.isoformat(), "", True),
        (promised.isoformat(), later.isoformat(), "原纸缺货", False),
    ]
    assert history[1]["changed_by_name"] == str(salesperson)


def test_production_and_cancel(api_for, warehouse, assistant, order):
    api = api_for(warehouse)
    response = api.post(f"{BASE}{order.pk}/production/", {"status": "delayed"}, format="json")
    assert response.status_code == 400 and _fields(response) == ["note"]
    response = api.post(f"{BASE}{order.pk}/production/", {"status": "bogus"}, format="json")
    assert response.status_code == 400 and _fields(response) == ["status"]
    response = api.post(f"{BASE}{order.pk}/production/", {"status": "scheduled"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "in_production"
    assert "total_amount" not in response.json()
    assert api.post(f"{BASE}{order.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403

    office = api_for(assistant)
    response = office.post(f"{BASE}{order.pk}/cancel/", {}, format="json")
    assert response.status_code == 400 and _fields(response) == ["reason"]
    response = office.post(f"{BASE}{order.pk}/cancel/", {"reason": "客户取消"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    response = api.post(f"{BASE}{order.pk}/production/", {"status": "done"}, format="json")
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.production_status == ProductionStatus.SCHEDULED


def test_cancel_after_shipping_is_refused(api_for, assistant, order):
    set_state(order, OrderState.SHIPPED)
    response = api_for(assistant).post(f"{BASE}{order.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 400 and _fields(response) == ["state"]


def test_list_filters(api_for, assistant, mine, theirs, order):
    draft = place_order(assistant, theirs)
    soon = confirmed_order(assistant, mine, promised_in_days=1)
    api = api_for(assistant)
    assert [r["number"] for r in api.get(BASE, {"state": "draft"}).json()["results"]] == [
        draft.number
    ]
    assert [r["number"] for r in api.get(BASE, {"customer": theirs.pk}).json()["results"]] == [
        draft.number
    ]
    assert [r["number"] for r in api.get(BASE, {"at_risk": "true"}).json()["results"]] == [
        soon.number
    ]
    assert api.get(BASE, {"search": draft.number}).json()["count"] == 1
    assert api.get(BASE, {"salesperson": theirs.owner_id}).json()["count"] == 1
    response = api.get(BASE, {"state": "nope"})
    assert response.status_code == 400 and _fields(response) == ["state"]


def test_api_list_query_count_is_flat(
    api_for, assistant, mine, theirs, django_assert_max_num_queries
):
    products = [make_product() for _ in range(3)]
    for i in range(32):
        confirmed_order(
            assistant, mine if i % 2 else theirs, lines=[(p, 10, Decimal("1")) for p in products]
        )
    api = api_for(assistant)
    with django_assert_max_num_queries(3):
        response = api.get(BASE)
    assert response.json()["count"] == 32


def test_api_detail_query_count_is_flat(api_for, assistant, mine, django_assert_max_num_queries):
    big = confirmed_order(
        assistant, mine, lines=[(make_product(), 10, Decimal("1")) for _ in range(30)]
    )
    api = api_for(assistant)
    with django_assert_max_num_queries(4):
        response = api.get(f"{BASE}{big.pk}/")
    assert len(response.json()["lines"]) == 30
