"""Sample approval pages: permission matrix, scoping (404), forms with bad input, list bounds."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.catalog.models import Approval
from salesdesk.customers.choices import Tier
from tests.factories import CustomerFactory
from tests.helpers import as_persona

from .factories import ApprovalFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(name="杭州明发包装有限公司", owner=salesperson)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)


@pytest.fixture
def product():
    return ProductFactory(code="NEW-1", is_new=True, needs_approval=True)


@pytest.fixture
def pending(mine, product):
    return ApprovalFactory(
        customer=mine, product=product, sample_sent_on=TODAY - dt.timedelta(days=3)
    )


def _urls(approval):
    return {
        "list": ("GET", reverse("catalog:approvals")),
        "create": ("GET", reverse("catalog:approval-create")),
        "decide": ("GET", reverse("catalog:approval-decide", args=[approval.pk])),
    }


@pytest.mark.parametrize("name", ["list", "create", "decide"])
def test_anonymous_goes_to_login(client, pending, name):
    method, url = _urls(pending)[name]
    response = client.generic(method, url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["list", "create", "decide"])
def test_warehouse_gets_403(client_for, warehouse, pending, name):
    method, url = _urls(pending)[name]
    assert client_for(warehouse).generic(method, url).status_code == 403


@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_read_but_do_not_write(request, client_for, pending, persona):
    client = as_persona(request, client_for, persona)
    assert client.get(reverse("catalog:approvals")).status_code == 200
    assert client.get(reverse("catalog:approval-create")).status_code == 403
    url = reverse("catalog:approval-decide", args=[pending.pk])
    assert client.post(url, {"decision": "approve", "decided_on": "2026-03-10"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.PENDING


def test_wrong_method_is_405(client_for, salesperson, pending):
    client = client_for(salesperson)
    assert client.post(reverse("catalog:approvals")).status_code == 405
    assert client.delete(reverse("catalog:approval-create")).status_code == 405
    assert client.put(reverse("catalog:approval-decide", args=[pending.pk])).status_code == 405


def test_another_salespersons_approval_is_404(client_for, salesperson, theirs, product):
    approval = ApprovalFactory(customer=theirs, product=product)
    client = client_for(salesperson)
    url = reverse("catalog:approval-decide", args=[approval.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve", "decided_on": "2026-03-10"}).status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert "宁波华丰" not in client.get(reverse("catalog:approvals")).content.decode()


def test_create_happy_path(client_for, salesperson, mine, product):
    client = client_for(salesperson)
    page = client.get(reverse("catalog:approval-create"), {"product": product.pk})
    assert page.status_code == 200 and page.context["form"].initial["product"] == str(product.pk)
    response = client.post(
        reverse("catalog:approval-create"),
        {"customer": mine.pk, "product": product.pk, "sample_sent_on": "2026-03-09"},
    )
    assert response.status_code == 302
    approval = Approval.objects.get()
    assert (approval.customer, approval.revision, approval.sample_sent_on) == (
        mine,
        1,
        dt.date(2026, 3, 9),
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer": ""}, "customer"),
        ({"customer": "theirs"}, "customer"),
        ({"product": "999999"}, "product"),
        ({"sample_sent_on": "2026-13-01"}, "sample_sent_on"),
        ({"sample_sent_on": "2026-03-11"}, "sample_sent_on"),
        ({"product": "duplicate"}, "product"),
    ],
)
def test_create_bad_input_names_the_field(
    client_for, salesperson, mine, theirs, product, pending, data, field
):
    posted = {
        "customer": mine.pk,
        "product": ProductFactory().pk,
        "sample_sent_on": "2026-03-09",
        **data,
    }
    if posted["customer"] == "theirs":
        posted["customer"] = theirs.pk
    if posted["product"] == "duplicate":
        posted["product"] = product.pk
    response = client_for(salesperson).post(reverse("catalog:approval-create"), posted)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Approval.objects.count() == 1


def test_decide_approve_and_reject(client_for, salesperson, pending, mine):
    client = client_for(salesperson)
    url = reverse("catalog:approval-decide", args=[pending.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"decision": "reject", "decided_on": "2026-03-10", "improvement_request": "加厚"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.improvement_request) == (ApprovalStatus.REJECTED, "加厚")
    again = client.post(url, {"decision": "approve", "decided_on": "2026-03-10"})
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.REJECTED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "reject", "improvement_request": ""}, "improvement_request"),
        ({"decision": "maybe"}, "decision"),
        ({"decided_on": ""}, "decided_on"),
        ({"decided_on": "2026-03-01"}, "decided_on"),
    ],
)
def test_decide_bad_input_names_the_field(client_for, salesperson, pending, data, field):
    posted = {"decision": "approve", "decided_on": "2026-03-10", **data}
    response = client_for(salesperson).post(
        reverse("catalog:approval-decide", args=[pending.pk]), posted
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.PENDING


def test_list_filters_key_first_and_query_bound(
    client_for, assistant, django_assert_max_num_queries
):
    key = CustomerFactory(tier=Tier.KEY, name="大客户纸业")
    for _ in range(35):
        ApprovalFactory(status=ApprovalStatus.APPROVED, decided_on=TODAY)
    ApprovalFactory(customer=key, status=ApprovalStatus.APPROVED, decided_on=TODAY)
    ApprovalFactory(customer=key)
    client = client_for(assistant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:approvals"))
    rows = list(response.context["page_obj"].object_list)
    assert rows[0].customer == key and rows[0].status == ApprovalStatus.PENDING
    assert "key-account" in response.content.decode()
    pending_only = client.get(reverse("catalog:approvals"), {"status": "pending"})
    assert [a.status for a in pending_only.context["page_obj"].object_list] == [
        ApprovalStatus.PENDING
    ]
    fragment = client.get(
        reverse("catalog:approvals"),
        {"search": "大客户"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="approval-table",
    )
    assert (
        "<html" not in fragment.content.decode()
        and fragment.context["page_obj"].paginator.count == 2
    )


def test_product_detail_shows_approvals_in_scope(client_for, salesperson, pending, theirs, product):
    ApprovalFactory(customer=theirs, product=product)
    body = (
        client_for(salesperson)
        .get(reverse("catalog:product-detail", args=[product.pk]))
        .content.decode()
    )
    assert "杭州明发" in body and "宁波华丰" not in body
