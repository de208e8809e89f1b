"""JSON API for products and sample approvals: permissions, scoping, money hidden from the
warehouse, writes through the services, bad input naming the field, query bounds."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.catalog.models import Approval, Product
from tests.factories import CustomerFactory

from .factories import ApprovalFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
APPROVALS = "/api/v1/approvals/"
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def product():
    return ProductFactory(code="ZX-1", name="五层瓦楞纸箱", list_price=Decimal("3.8567"))


def fields_of(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# --- products ---------------------------------------------------------------------------------


def test_anonymous_is_refused(api_for, product):
    for url in (PRODUCTS, f"{PRODUCTS}{product.pk}/", APPROVALS):
        assert api_for().get(url).status_code in (401, 403)
    assert api_for().post(PRODUCTS, {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance", "warehouse"])
def test_non_editors_read_but_cannot_write(request, api_for, product, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(PRODUCTS).status_code == 200
    assert api.get(f"{PRODUCTS}{product.pk}/").status_code == 200
    assert api.post(PRODUCTS, {"code": "N", "name": "新"}, format="json").status_code == 403
    assert api.patch(f"{PRODUCTS}{product.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post(f"{PRODUCTS}{product.pk}/archive/").status_code == 403
    product.refresh_from_db()
    assert (
        product.name == "五层瓦楞纸箱"
        and product.archived_at is None
        and Product.objects.count() == 1
    )


def test_warehouse_sees_no_prices(api_for, warehouse, assistant, product):
    listed = api_for(warehouse).get(PRODUCTS).json()["results"][0]
    assert "list_price" not in listed and listed["spec"]
    assert "list_price" not in api_for(warehouse).get(f"{PRODUCTS}{product.pk}/").json()
    assert api_for(assistant).get(f"{PRODUCTS}{product.pk}/").json()["list_price"] == "3.8567"


def test_list_filters_and_search(api_for, finance, product):
    ProductFactory(code="NEW-1", name="纸托盘", is_new=True, needs_approval=True)
    api = api_for(finance)
    assert [r["code"] for r in api.get(PRODUCTS, {"search": "ztp"}).json()["results"]] == ["NEW-1"]
    assert [r["code"] for r in api.get(PRODUCTS, {"is_new": "true"}).json()["results"]] == ["NEW-1"]
    assert [
        r["code"] for r in api.get(PRODUCTS, {"needs_approval": "false"}).json()["results"]
    ] == ["ZX-1"]
    bad = api.get(PRODUCTS, {"is_new": "perhaps"})
    assert bad.status_code == 400 and fields_of(bad) == {"is_new"}


def test_create_update_archive(api_for, assistant):
    api = api_for(assistant)
    data = {
        "code": "A-1",
        "name": "纸箱",
        "length_mm": 100,
        "width_mm": 100,
        "height_mm": 100,
        "list_price": "0.8560",
        "is_new": True,
    }
    created = api.post(PRODUCTS, data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["needs_approval"] is True and body["revision"] == 1 and body["list_price"] == "0.8560"
    )
    changed = api.patch(
        f"{PRODUCTS}{body['id']}/", {"height_mm": 120, "needs_approval": False}, format="json"
    )
    assert (
        changed.status_code == 200
        and changed.json()["revision"] == 2
        and changed.json()["needs_approval"] is True
    )
    cleared = api.patch(f"{PRODUCTS}{body['id']}/", {"needs_approval": False}, format="json")
    assert cleared.json()["needs_approval"] is False and cleared.json()["revision"] == 2
    archived = api.post(f"{PRODUCTS}{body['id']}/archive/")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    again = api.post(f"{PRODUCTS}{body['id']}/archive/")
    assert again.status_code == 400 and fields_of(again) == {"non_field_errors"}
    assert api.post(f"{PRODUCTS}{body['id']}/restore/").json()["archived_at"] is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "ZX-1"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"length_mm": 0}, "length_mm"),
        ({"height_mm": None}, "height_mm"),
        ({"list_price": "-0.01"}, "list_price"),
        ({"list_price": "1.00001"}, "list_price"),
        ({"flute": "Z"}, "flute"),
        ({"unit": "barrel"}, "unit"),
    ],
)
def test_create_bad_input_names_the_field(api_for, assistant, product, data, field):
    base = {"code": "B-1", "name": "纸箱", "length_mm": 1, "width_mm": 1, "height_mm": 1}
    response = api_for(assistant).post(PRODUCTS, {**base, **data}, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)
    assert Product.objects.count() == 1


def test_wrong_method_is_405(api_for, assistant, product):
    api = api_for(assistant)
    assert api.delete(f"{PRODUCTS}{product.pk}/").status_code == 405
    assert api.get(f"{PRODUCTS}{product.pk}/archive/").status_code == 405
    assert api.delete(f"{APPROVALS}1/").status_code == 405
    assert Product.objects.count() == 1


def test_product_list_query_bound(api_for, warehouse, django_assert_max_num_queries):
    ProductFactory.create_batch(35)
    with django_assert_max_num_queries(4):
        response = api_for(warehouse).get(PRODUCTS, {"page_size": 50})
    assert response.json()["count"] == 35 and len(response.json()["results"]) == 35


# --- approvals --------------------------------------------------------------------------------


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(owner=salesperson)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(owner=other_salesperson)


def test_warehouse_cannot_read_approvals(api_for, warehouse):
    assert api_for(warehouse).get(APPROVALS).status_code == 403


@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_cannot_write_approvals(request, api_for, mine, product, persona):
    api = api_for(request.getfixturevalue(persona))
    approval = ApprovalFactory(customer=mine, product=product)
    assert api.get(APPROVALS).status_code == 200
    assert (
        api.post(APPROVALS, {"customer": mine.pk, "product": product.pk}, format="json").status_code
        == 403
    )
    decided = api.post(
        f"{APPROVALS}{approval.pk}/decide/",
        {"approved": True, "decided_on": "2026-03-10"},
        format="json",
    )
    assert decided.status_code == 403
    assert Approval.objects.get().status == ApprovalStatus.PENDING


def test_salesperson_requests_and_decides_for_own_customer(api_for, salesperson, mine, product):
    api = api_for(salesperson)
    created = api.post(
        APPROVALS,
        {"customer": mine.pk, "product": product.pk, "sample_sent_on": "2026-03-08"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["revision"], body["current"]) == ("pending", 1, True)
    bad = api.post(
        f"{APPROVALS}{body['id']}/decide/",
        {"approved": False, "decided_on": "2026-03-09"},
        format="json",
    )
    assert bad.status_code == 400 and fields_of(bad) == {"improvement_request"}
    early = api.post(
        f"{APPROVALS}{body['id']}/decide/",
        {"approved": True, "decided_on": "2026-03-07"},
        format="json",
    )
    assert early.status_code == 400 and fields_of(early) == {"decided_on"}
    ok = api.post(
        f"{APPROVALS}{body['id']}/decide/",
        {"approved": False, "decided_on": "2026-03-09", "improvement_request": "印刷颜色偏淡"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "rejected"
    assert api.get(APPROVALS, {"status": "rejected"}).json()["count"] == 1
    assert api.get(APPROVALS, {"status": "pending"}).json()["count"] == 0
    assert api.get(APPROVALS, {"product": product.pk}).json()["count"] == 1


def test_other_salespersons_customers_are_invisible(api_for, salesperson, theirs, product):
    approval = ApprovalFactory(customer=theirs, product=product)
    api = api_for(salesperson)
    assert api.get(APPROVALS).json()["count"] == 0
    assert api.get(f"{APPROVALS}{approval.pk}/").status_code == 404
    decided = api.post(
        f"{APPROVALS}{approval.pk}/decide/",
        {"approved": True, "decided_on": "2026-03-10"},
        format="json",
    )
    assert decided.status_code == 404
    created = api.post(APPROVALS, {"customer": theirs.pk, "product": product.pk}, format="json")
    assert created.status_code == 400 and fields_of(created) == {"customer"}
    assert Approval.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer": None}, "customer"),
        ({"product": 999999}, "product"),
        ({"sample_sent_on": "tomorrow"}, "sample_sent_on"),
        ({"sample_sent_on": "2026-03-11"}, "sample_sent_on"),
    ],
)
def test_approval_bad_input_names_the_field(api_for, assistant, mine, product, data, field):
    response = api_for(assistant).post(
        APPROVALS, {"customer": mine.pk, "product": product.pk, **data}, format="json"
    )
    assert response.status_code == 400 and field in fields_of(response)
    assert not Approval.objects.exists()


def test_decide_bad_input(api_for, assistant, mine, product):
    approval = ApprovalFactory(customer=mine, product=product)
    api = api_for(assistant)
    for data, field in (
        ({"decided_on": "2026-03-10"}, "approved"),
        ({"approved": True}, "decided_on"),
    ):
        response = api.post(f"{APPROVALS}{approval.pk}/decide/", data, format="json")
        assert response.status_code == 400 and fields_of(response) == {field}
    assert Approval.objects.get().status == ApprovalStatus.PENDING


def test_approval_list_query_bound(api_for, assistant, product, django_assert_max_num_queries):
    for _ in range(35):
        ApprovalFactory(product=product)
    with django_assert_max_num_queries(4):
        response = api_for(assistant).get(APPROVALS, {"page_size": 50})
    assert response.json()["count"] == 35
