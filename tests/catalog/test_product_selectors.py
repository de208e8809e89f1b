"""Product reads: list filters and search, the order entry's picker, history."""

import pytest

from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors.products import product_history, product_list, product_search
from salesdesk.catalog.services.products import product_update

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return {
        "box": ProductFactory(code="ZX-100", name="五层瓦楞纸箱"),
        "tray": ProductFactory(code="TP-200", name="纸托盘", is_new=True, needs_approval=True),
        "pad": ProductFactory(code="ZX-1000", name="隔板"),
        "old": ProductFactory(code="ZX-101", name="旧纸箱", archived_at="2026-01-01T00:00:00Z"),
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("zx-10", ["pad", "box"]),
        ("纸箱", ["box"]),
        ("walengzhixiang", ["box"]),
        ("ztp", ["tray"]),
        ("", ["pad", "box", "tray"]),
    ],
)
def test_list_searches_code_name_pinyin_initials(warehouse, products, search, expected):
    found = list(product_list(user=warehouse, search=search, sort="-code"))
    assert found == [products[k] for k in expected]


def test_list_filters(warehouse, products):
    assert list(product_list(user=warehouse, is_new=True)) == [products["tray"]]
    assert set(product_list(user=warehouse, needs_approval=False)) == {
        products["box"],
        products["pad"],
    }
    assert list(product_list(user=warehouse, archived=True)) == [products["old"]]
    assert len(product_list(user=warehouse, archived=None)) == 4


def test_price_sort_is_ignored_for_the_warehouse(warehouse, assistant):
    cheap = ProductFactory(code="B", list_price="1")
    dear = ProductFactory(code="A", list_price="9")
    assert list(product_list(user=assistant, sort="-list_price")) == [dear, cheap]
    assert list(product_list(user=warehouse, sort="list_price")) == [dear, cheap]  # code order


def test_search_puts_code_prefix_first_and_skips_archived(
    salesperson, products, django_assert_num_queries
):
    named = ProductFactory(code="AB-1", name="ZX-10 专用内衬")
    with django_assert_num_queries(1):
        found = product_search(user=salesperson, q="ZX-10")
    assert found[:2] == [products["box"], products["pad"]]
    assert named in found and products["old"] not in found
    assert product_search(user=salesperson, q="  ") == []
    assert len(product_search(user=salesperson, q="zx", limit=1)) == 1


def test_history_shows_spec_change_and_hides_price_from_the_warehouse(assistant, warehouse):
    product = ProductFactory()
    product_update(product=product, by=assistant, data={"length_mm": 500, "list_price": "5"})
    entries = product_history(product, user=assistant)
    assert entries[0].who == assistant
    label = {
        f: str(Product._meta.get_field(f).verbose_name)
        for f in ("length_mm", "revision", "list_price")
    }
    fields = {c.field for c in entries[0].changes}
    assert set(label.values()) <= fields
    hidden = {c.field for c in product_history(product, user=warehouse)[0].changes}
    assert label["list_price"] not in hidden and label["revision"] in hidden
