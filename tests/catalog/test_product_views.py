"""Product pages: permission matrix, money hidden from the warehouse, forms with bad input,
htmx fragment, export, the product picker."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.catalog.models import Product
from tests.helpers import EVERYONE, as_persona, assert_goes_to_login

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

READERS = EVERYONE
EDITORS = ["assistant", "commercial", "admin_user"]
NON_EDITORS = ["salesperson", "director", "finance", "warehouse"]


@pytest.fixture
def product():
    return ProductFactory(code="ZX-0001", name="五层瓦楞纸箱", list_price=Decimal("3.8567"))


def _urls(product):
    return {
        "list": ("GET", reverse("catalog:products")),
        "export": ("GET", reverse("catalog:product-export")),
        "search": ("GET", reverse("catalog:product-search") + "?q=ZX"),
        "detail": ("GET", reverse("catalog:product-detail", args=[product.pk])),
        "create": ("GET", reverse("catalog:product-create")),
        "edit": ("GET", reverse("catalog:product-edit", args=[product.pk])),
        "archive": ("POST", reverse("catalog:product-archive", args=[product.pk])),
        "restore": ("POST", reverse("catalog:product-restore", args=[product.pk])),
        "import": ("GET", reverse("catalog:product-import")),
        "import-template": ("GET", reverse("catalog:product-import-template")),
    }


READ_VIEWS = ["list", "export", "search", "detail"]
WRITE_VIEWS = ["create", "edit", "archive", "restore", "import", "import-template"]


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_anonymous_goes_to_login(client, product, name):
    method, url = _urls(product)[name]
    assert_goes_to_login(client.generic(method, url))


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("name", READ_VIEWS)
def test_every_role_reads_products(request, client_for, product, persona, name):
    _method, url = _urls(product)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize("persona", NON_EDITORS)
@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_non_editors_get_403_on_writes(request, client_for, product, persona, name):
    method, url = _urls(product)[name]
    client = as_persona(request, client_for, persona)
    assert client.generic(method, url).status_code == 403
    response = client.post(
        reverse("catalog:product-create"), {"code": "N1", "name": "新", "unit": "piece"}
    )
    assert response.status_code == 403
    assert Product.objects.count() == 1 and Product.objects.get().archived_at is None


@pytest.mark.parametrize("persona", EDITORS)
@pytest.mark.parametrize("name", ["create", "edit", "import", "import-template"])
def test_editors_open_forms(request, client_for, product, persona, name):
    _method, url = _urls(product)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("list", "POST"),
        ("export", "POST"),
        ("search", "POST"),
        ("detail", "POST"),
        ("archive", "GET"),
        ("restore", "GET"),
        ("create", "DELETE"),
        ("edit", "PUT"),
    ],
)
def test_wrong_method_is_405(client_for, assistant, product, name, method):
    _m, url = _urls(product)[name]
    assert client_for(assistant).generic(method, url).status_code == 405
    assert Product.objects.get().archived_at is None


def test_unknown_product_is_404(client_for, assistant):
    client = client_for(assistant)
    assert client.get(reverse("catalog:product-detail", args=[999])).status_code == 404
    assert client.post(reverse("catalog:product-archive", args=[999])).status_code == 404


def test_warehouse_sees_no_prices(client_for, warehouse, product):
    client = client_for(warehouse)
    for name in ("list", "detail"):
        _m, url = _urls(product)[name]
        body = client.get(url).content.decode()
        assert "3.8567" not in body and product.code in body
    rows = client.get(_urls(product)["search"][1]).json()
    assert rows[0]["code"] == "ZX-0001" and "list_price" not in rows[0]
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get(_urls(product)["export"][1]).content)
    )
    table = book.get_sheet_by_index(0).to_python()
    assert str(Product._meta.get_field("list_price").verbose_name) not in table[0]
    assert "ZX-0001" in table[1]


def test_office_sees_prices(client_for, finance, product):
    client = client_for(finance)
    assert "3.8567" in client.get(_urls(product)["detail"][1]).content.decode()
    assert client.get(_urls(product)["search"][1]).json()[0]["list_price"] == "3.8567"


def test_list_filters_and_htmx_fragment(client_for, director):
    ProductFactory(code="N-1", is_new=True, needs_approval=True)
    ProductFactory(code="O-1")
    client = client_for(director)
    body = client.get(reverse("catalog:products"), {"is_new": "1"}).content.decode()
    assert "N-1" in body and "O-1" not in body
    fragment = client.get(
        reverse("catalog:products"),
        {"search": "O-"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="product-table",
    )
    text = fragment.content.decode()
    assert "O-1" in text and "N-1" not in text and "<html" not in text


def test_list_rows_show_badges_spec_unit_and_price(client_for, finance, warehouse):
    product = ProductFactory(
        code="N-2",
        name="新品<箱>",
        is_new=True,
        needs_approval=True,
        list_price=Decimal("0.8560"),
        length_mm=300,
        width_mm=200,
        height_mm=150,
    )
    ProductFactory(code="W-1", list_price=Decimal("12.0000"))
    html = client_for(finance).get(reverse("catalog:products")).content.decode()
    row = html[html.index(f'href="{reverse("catalog:product-detail", args=[product.pk])}"') :]
    row = row.split("</tr>")[0]
    assert "新品&lt;箱&gt;" in row and "新产品</span>" in row and "需确认样品</span>" in row
    assert product.spec in row and "300×200×150mm" in row
    assert product.get_unit_display() in row
    assert '<td class="text-end">0.8560</td>' in row
    assert '<td class="text-end">12</td>' in html  # a whole price without decimals
    assert "0.8560" not in client_for(warehouse).get(reverse("catalog:products")).content.decode()


@pytest.mark.parametrize("value", ["0.8560", "12.0000", "12", "0.0001", "1234.5", "0"])
def test_row_price_is_floatformat_minus_four(value):
    from django.template.defaultfilters import floatformat

    from salesdesk.catalog.templatetags.product_rows import price

    assert price(Decimal(value)) == floatformat(Decimal(value), "-4")


def test_search_as_htmx_fragment(client_for, commercial, product):
    response = client_for(commercial).get(
        reverse("catalog:product-search"), {"q": "zx"}, HTTP_HX_REQUEST="true"
    )
    assert f'data-product-id="{product.pk}"' in response.content.decode()
    client = client_for(commercial)
    assert client.get(reverse("catalog:product-search")).json() == []
    assert client.get(reverse("catalog:product-search"), {"q": "没有这个"}).json() == []


def test_list_query_count_does_not_grow(client_for, assistant, django_assert_max_num_queries):
    ProductFactory.create_batch(40)
    client = client_for(assistant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:products"))
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 40


def test_export_follows_the_filters(client_for, assistant):
    ProductFactory(
        code="N-1", name="新品箱", is_new=True, needs_approval=True, list_price=Decimal("0.8560")
    )
    ProductFactory(code="O-1")
    response = client_for(assistant).get(
        reverse("catalog:product-export"), {"is_new": "1", "page": "2"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    table = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert len(table) == 2
    assert table[1][0] == "N-1" and table[1][1] == "新品箱"
    assert 0.856 in table[1]


def test_create_happy_path(client_for, assistant):
    data = {
        "code": "ZX-9", "name": "七层重型纸箱", "length_mm": "600", "width_mm": "400", "height_mm": "400",
        "flute": "BC", "ply": "7", "material": "K=A=A=K", "unit": "piece", "list_price": "12.3456", "min_stock": "10",
        "is_new": "on",
    }  # fmt: skip
    response = client_for(assistant).post(reverse("catalog:product-create"), data)
    product = Product.objects.get(code="ZX-9")
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:product-detail", args=[product.pk]
    )
    assert (
        product.list_price == Decimal("12.3456")
        and product.needs_approval
        and product.name_initials == "qczxzx"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "ZX-0001"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"length_mm": "0"}, "length_mm"),
        ({"width_mm": ""}, "width_mm"),
        ({"list_price": "-1"}, "list_price"),
        ({"list_price": "1.23456"}, "list_price"),
        ({"ply": "4"}, "ply"),
    ],
)
def test_create_bad_input_names_the_field(client_for, assistant, product, changes, field):
    data = {
        "code": "ZX-2",
        "name": "箱",
        "length_mm": "1",
        "width_mm": "1",
        "height_mm": "1",
        "unit": "piece",
        "list_price": "1",
    }
    response = client_for(assistant).post(reverse("catalog:product-create"), {**data, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Product.objects.count() == 1


def test_edit_spec_change_makes_a_revision(client_for, assistant, product):
    data = {
        "code": product.code, "name": product.name, "length_mm": "450", "width_mm": "300", "height_mm": "250",
        "flute": "BC", "ply": "5", "material": "K=A=K", "unit": "piece", "list_price": "3.8567", "min_stock": "500",
    }  # fmt: skip
    response = client_for(assistant).post(reverse("catalog:product-edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.revision, product.needs_approval, product.length_mm) == (2, True, 450)
    body = (
        client_for(assistant)
        .get(reverse("catalog:product-detail", args=[product.pk]))
        .content.decode()
    )
    assert "450" in body


def test_edit_bad_input_changes_nothing(client_for, assistant, product):
    response = client_for(assistant).post(
        reverse("catalog:product-edit", args=[product.pk]),
        {"code": product.code, "name": "", "unit": "piece"},
    )
    assert response.status_code == 200 and "name" in response.context["form"].errors
    product.refresh_from_db()
    assert product.name == "五层瓦楞纸箱"


def test_archive_and_restore_pages(client_for, assistant, product):
    client = client_for(assistant)
    assert client.post(reverse("catalog:product-archive", args=[product.pk])).status_code == 302
    product.refresh_from_db()
    assert product.archived_at is not None
    assert (
        client.post(reverse("catalog:product-archive", args=[product.pk]), follow=True).status_code
        == 200
    )
    assert client.post(reverse("catalog:product-restore", args=[product.pk])).status_code == 302
    product.refresh_from_db()
    assert product.archived_at is None
