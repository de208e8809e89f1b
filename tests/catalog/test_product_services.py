"""Product services (R-4.1): every rule, directly."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.catalog.models import Product
from salesdesk.catalog.services.products import (
    product_archive,
    product_create,
    product_restore,
    product_update,
)

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

DATA = {
    "code": "ZX-1001",
    "name": "五层瓦楞纸箱",
    "length_mm": 400,
    "width_mm": 300,
    "height_mm": 250,
    "flute": "BC",
    "ply": 5,
    "material": "K=A=K",
    "unit": "piece",
    "list_price": Decimal("3.8560"),
    "min_stock": 500,
}


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_create_stores_pinyin_and_price_with_four_places(assistant):
    product = product_create(by=assistant, data=DATA)
    product.refresh_from_db()
    assert product.name_pinyin == "wucengwalengzhixiang"
    assert product.name_initials == "wcwlzx"
    assert product.list_price == Decimal("3.8560")
    assert product.revision == 1
    assert product.needs_approval is False
    assert product.history.get().history_user == assistant


def test_new_product_needs_approval(assistant):
    product = product_create(by=assistant, data={**DATA, "is_new": True, "needs_approval": False})
    assert product.needs_approval is True


def test_code_must_be_unique_with_a_clear_message(assistant):
    ProductFactory(code="ZX-1001")
    with pytest.raises(ValidationError) as exc:
        product_create(by=assistant, data=DATA)
    assert "ZX-1001" in errors_of(exc)["code"][0]
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"length_mm": 0}, "length_mm"),
        ({"width_mm": None}, "width_mm"),
        ({"list_price": Decimal("-1")}, "list_price"),
        ({"list_price": Decimal("1.23456")}, "list_price"),
        ({"list_price": "abc"}, "list_price"),
        ({"code": "  "}, "code"),
        ({"name": ""}, "name"),
        ({"flute": "Z"}, "flute"),
        ({"ply": 4}, "ply"),
        ({"unit": "barrel"}, "unit"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(assistant, changes, field):
    with pytest.raises(ValidationError) as exc:
        product_create(by=assistant, data={**DATA, **changes})
    assert field in errors_of(exc)
    assert not Product.objects.exists()


def test_price_with_trailing_zeros_beyond_four_places_is_fine(assistant):
    product = product_create(by=assistant, data={**DATA, "list_price": "0.856000"})
    assert product.list_price == Decimal("0.8560")


def test_no_dimensions_at_all_is_fine(assistant):
    data = {**DATA, "length_mm": None, "width_mm": None, "height_mm": None}
    product = product_create(by=assistant, data=data)
    assert product.length_mm is None and "×" not in product.spec


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance", "warehouse"])
def test_only_the_office_writes_products(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        product_create(by=user, data=DATA)
    product = ProductFactory()
    with pytest.raises(PermissionDenied):
        product_update(product=product, by=user, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        product_archive(product=product, by=user)
    assert Product.objects.get().name == product.name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("length_mm", 410),
        ("width_mm", 310),
        ("height_mm", 260),
        ("flute", "B"),
        ("ply", 3),
        ("material", "K=K"),
    ],
)
def test_a_spec_change_bumps_the_revision_and_needs_approval(assistant, field, value):
    product = ProductFactory(needs_approval=False)
    product_update(product=product, by=assistant, data={field: value, "needs_approval": False})
    product.refresh_from_db()
    assert product.revision == 2
    assert product.needs_approval is True
    assert product.history.first().history_change_reason == "spec"


def test_other_changes_keep_the_revision(assistant):
    product = ProductFactory(needs_approval=False)
    product_update(
        product=product,
        by=assistant,
        data={
            "name": "新名称",
            "list_price": Decimal("4"),
            "min_stock": 1,
            "notes": "x",
            "length_mm": 400,
        },
    )
    product.refresh_from_db()
    assert product.revision == 1
    assert product.needs_approval is False
    assert product.name_pinyin == "xinmingcheng"


def test_the_office_may_clear_needs_approval(assistant):
    product = ProductFactory(is_new=True, needs_approval=True)
    product_update(product=product, by=assistant, data={"is_new": False, "needs_approval": False})
    product.refresh_from_db()
    assert (product.is_new, product.needs_approval, product.revision) == (False, False, 1)


def test_marking_a_product_new_sets_needs_approval(assistant):
    product = ProductFactory(is_new=False, needs_approval=False)
    product_update(product=product, by=assistant, data={"is_new": True})
    product.refresh_from_db()
    assert product.needs_approval is True


def test_bad_update_changes_nothing(assistant):
    product = ProductFactory(code="A1")
    ProductFactory(code="B2")
    with pytest.raises(ValidationError) as exc:
        product_update(product=product, by=assistant, data={"code": "B2", "length_mm": 999})
    assert "code" in errors_of(exc)
    product.refresh_from_db()
    assert (product.code, product.length_mm, product.revision) == ("A1", 400, 1)


def test_archive_and_restore(assistant):
    product = ProductFactory()
    product_archive(product=product, by=assistant)
    assert Product.objects.get().archived_at is not None
    with pytest.raises(ValidationError):
        product_archive(product=product, by=assistant)
    with pytest.raises(ValidationError):
        product_update(product=product, by=assistant, data={"name": "x"})
    product_restore(product=product, by=assistant)
    assert Product.objects.get().archived_at is None
    with pytest.raises(ValidationError):
        product_restore(product=product, by=assistant)
    assert [h.history_change_reason for h in product.history.order_by("history_id")][-2:] == [
        "archive",
        "restore",
    ]
