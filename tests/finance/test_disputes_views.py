"""Disputes pages: permission matrix, scoping (sales1 sees own customers' only), register order and
filters, create/update/attach with bad input, document download scope, query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Dispute, DisputeDocument
from salesdesk.finance.services.disputes import dispute_attach
from tests.factories import CustomerFactory

from .factories_reconciliation import dispute

pytestmark = pytest.mark.django_db

READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
WRITERS = ["finance", "assistant", "admin_user"]
NOT_WRITERS = ["commercial", "salesperson", "director"]


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(name="苏州大通电子有限公司", owner=salesperson, tier=Tier.KEY)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)


@pytest.fixture
def d_mine(mine, finance):
    return dispute(mine, finance, title="缺2023年签收单")


@pytest.fixture
def d_theirs(theirs, finance):
    return dispute(theirs, finance, title="华丰单价差异", kind="price")


@pytest.fixture
def doc(d_mine, finance):
    return dispute_attach(
        dispute=d_mine,
        by=finance,
        file=SimpleUploadedFile("对账函.pdf", b"%PDF-1.4 scan", "application/pdf"),
    )


def urls(d, doc):
    return {
        "list": ("get", reverse("finance:disputes")),
        "detail": ("get", reverse("finance:dispute-detail", args=[d.pk])),
        "document": ("get", reverse("finance:dispute-document", args=[d.pk, doc.pk])),
        "create": ("get", reverse("finance:dispute-create")),
        "update": ("post", reverse("finance:dispute-update", args=[d.pk])),
        "attach": ("post", reverse("finance:dispute-attach", args=[d.pk])),
    }


@pytest.mark.parametrize("name", ["list", "detail", "document", "create", "update", "attach"])
def test_anonymous_goes_to_login(client, d_mine, doc, name):
    method, url = urls(d_mine, doc)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["list", "detail", "document", "create", "update", "attach"])
def test_warehouse_gets_403(client_for, warehouse, d_mine, doc, name):
    method, url = urls(d_mine, doc)[name]
    assert getattr(client_for(warehouse), method)(url).status_code == 403


@pytest.mark.parametrize("persona", NOT_WRITERS)
@pytest.mark.parametrize("name", ["create", "update", "attach"])
def test_readers_who_do_not_reconcile_cannot_write(request, client_for, d_mine, doc, persona, name):
    method, url = urls(d_mine, doc)[name]
    assert (
        getattr(client_for(request.getfixturevalue(persona)), method)(
            url, {"status": "waiting"}
        ).status_code
        == 403
    )
    assert Dispute.objects.get().status == "open"


@pytest.mark.parametrize("persona", READERS)
def test_readers_read(request, client_for, d_mine, doc, persona):
    client = client_for(request.getfixturevalue(persona))
    for name in ("list", "detail", "document"):
        _m, url = urls(d_mine, doc)[name]
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "name,method",
    [
        ("list", "post"),
        ("detail", "post"),
        ("document", "post"),
        ("update", "get"),
        ("attach", "get"),
    ],
)
def test_wrong_method(client_for, finance, d_mine, doc, name, method):
    _m, url = urls(d_mine, doc)[name]
    assert getattr(client_for(finance), method)(url).status_code == 405


def test_salesperson_sees_only_own_customers(client_for, salesperson, d_mine, d_theirs, finance):
    client = client_for(salesperson)
    listed = client.get(reverse("finance:disputes")).context["page_obj"].object_list
    assert list(listed) == [d_mine]
    assert client.get(reverse("finance:dispute-detail", args=[d_theirs.pk])).status_code == 404
    other_doc = dispute_attach(dispute=d_theirs, by=finance, file=SimpleUploadedFile("x.txt", b"x"))
    assert (
        client.get(
            reverse("finance:dispute-document", args=[d_theirs.pk, other_doc.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("finance:dispute-document", args=[d_mine.pk, other_doc.pk])).status_code
        == 404
    )


def test_register_shows_open_first_with_age_and_filters(client_for, finance, mine, theirs):
    closed = dispute(mine, finance, status="resolved")
    open_theirs = dispute(theirs, finance, opened_on=dt.date.today() - dt.timedelta(days=10))
    client = client_for(finance)
    response = client.get(reverse("finance:disputes"), {"status": "all"})
    rows = list(response.context["page_obj"].object_list)
    assert rows == [open_theirs, closed]
    assert rows[0].age_days == 10
    assert response.context["totals"]["count"] == 2
    assert list(client.get(reverse("finance:disputes")).context["page_obj"].object_list) == [
        open_theirs
    ]
    assert list(
        client.get(reverse("finance:disputes"), {"q": "宁波"}).context["page_obj"].object_list
    ) == [open_theirs]
    response = client.get(
        reverse("finance:disputes"),
        {"status": "all"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dispute-table",
    )
    assert response.templates[0].name == "finance/_dispute_table.html"


def test_create_happy_path_and_bad_input(client_for, finance, mine):
    client = client_for(finance)
    url = reverse("finance:dispute-create")
    data = {
        "customer": mine.code,
        "title": "2022年单价差异",
        "kind": "price",
        "amount": "12800.50",
        "period": "2022",
        "owner": finance.pk,
        "description": "总部按旧价结算",
    }
    for field, bad in (
        ("customer", "NOPE"),
        ("amount", "0"),
        ("amount", "abc"),
        ("title", ""),
        ("kind", "x"),
        ("owner", "99999"),
    ):
        response = client.post(url, {**data, field: bad})
        assert response.status_code == 400 and field in response.context["form"].errors
    assert Dispute.objects.count() == 0
    response = client.post(url, data)
    created = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance:dispute-detail", args=[created.pk]
    )
    assert (created.customer, str(created.amount), created.owner) == (mine, "12800.50", finance)


def test_update_closing_needs_resolution_plain_and_htmx(client_for, finance, d_mine):
    client = client_for(finance)
    url = reverse("finance:dispute-update", args=[d_mine.pk])
    response = client.post(url, {"status": "resolved", "note": ""})
    assert response.status_code == 400 and "note" in response.context["update_form"].errors
    d_mine.refresh_from_db()
    assert d_mine.status == "open"
    response = client.post(
        url, {"status": "resolved", "note": "总部已补签收单"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="dispute-panel"' in response.content.decode()
    d_mine.refresh_from_db()
    assert (d_mine.status, d_mine.resolution) == ("resolved", "总部已补签收单")
    response = client.post(url, {"status": "open", "note": ""})
    assert response.status_code == 400 and "note" in response.context["update_form"].errors
    assert client.post(url, {"status": "open", "note": "又有异议"}).status_code == 302
    detail = client.get(reverse("finance:dispute-detail", args=[d_mine.pk]))
    assert [e["status_to"] for e in detail.context["history"]] == ["open", "resolved", "open"]


def test_attach_and_download(client_for, finance, d_mine):
    client = client_for(finance)
    url = reverse("finance:dispute-attach", args=[d_mine.pk])
    response = client.post(url, {})
    assert response.status_code == 400 and "file" in response.context["document_form"].errors
    response = client.post(
        url, {"file": SimpleUploadedFile("签收单.png", b"\x89PNG data", "image/png")}
    )
    assert response.status_code == 302
    doc = DisputeDocument.objects.get()
    download = client.get(reverse("finance:dispute-document", args=[d_mine.pk, doc.pk]))
    assert download.content == b"\x89PNG data" and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_attach_over_10_mb_is_refused(client_for, finance, d_mine):
    big = SimpleUploadedFile("big.zip", b"x" * (10 * 1024 * 1024 + 1))
    response = client_for(finance).post(
        reverse("finance:dispute-attach", args=[d_mine.pk]), {"file": big}
    )
    assert response.status_code == 400 and "file" in response.context["document_form"].errors
    assert DisputeDocument.objects.count() == 0


def test_query_counts(client_for, finance, salesperson, django_assert_max_num_queries):
    for i in range(35):
        owner = salesperson if i % 2 else None
        customer = CustomerFactory(
            owner=owner or salesperson, tier=Tier.KEY if i % 5 == 0 else Tier.ORDINARY
        )
        d = dispute(customer, finance, amount=f"{100 + i}.10")
        if i % 3 == 0:
            dispute_attach(dispute=d, by=finance, file=SimpleUploadedFile(f"{i}.txt", b"x"))
    for user in (finance, salesperson):
        client = client_for(user)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("finance:disputes"))
        assert len(response.context["page_obj"].object_list) == 35
    one = Dispute.objects.first()
    for i in range(5):
        dispute_attach(dispute=one, by=finance, file=SimpleUploadedFile(f"more{i}.txt", b"x"))
    client = client_for(finance)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:dispute-detail", args=[one.pk]))
    assert len(response.context["dispute"].documents.all()) >= 5
