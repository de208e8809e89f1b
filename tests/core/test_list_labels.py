"""core.lists.with_choice_labels: the labels list pages show, mapped once per page and language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from salesdesk.core.lists import with_choice_labels
from salesdesk.customers.models import Customer
from salesdesk.orders.models import Order
from tests.factories import CustomerFactory
from tests.orders.test_orders_helpers import place_order

pytestmark = pytest.mark.django_db


def _choice_fields(model):
    return [f for f in model._meta.concrete_fields if f.choices]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_are_what_get_display_returns(language, salesperson):
    CustomerFactory(owner=salesperson)
    CustomerFactory(owner=salesperson, province="", industry="")
    with translation.override(language):
        rows = with_choice_labels(Customer.objects.order_by("pk"))
        assert len(rows) == 2
        for row in rows:
            for field in _choice_fields(Customer):
                shown = getattr(row, f"{field.name}_label")
                assert shown == getattr(row, f"get_{field.name}_display")(), field.name
                assert isinstance(shown, str)


def test_labels_follow_the_language(salesperson):
    order = place_order(salesperson, CustomerFactory(owner=salesperson))
    with translation.override("en"):
        (row,) = with_choice_labels(Order.objects.filter(pk=order.pk))
        assert row.state_label == "Draft"
    with translation.override("zh-hans"):
        (row,) = with_choice_labels(Order.objects.filter(pk=order.pk))
        assert row.state_label == row.get_state_display() != "Draft"


def test_an_unknown_stored_value_is_shown_as_stored(salesperson):
    customer = CustomerFactory(owner=salesperson)
    Customer.objects.filter(pk=customer.pk).update(province="atlantis")
    (row,) = with_choice_labels(Customer.objects.filter(pk=customer.pk))
    assert row.province_label == "atlantis" == row.get_province_display()


def test_one_query_for_the_page_and_none_per_row(salesperson):
    for _ in range(5):
        CustomerFactory(owner=salesperson)
    with CaptureQueriesContext(connection) as queries:
        rows = with_choice_labels(Customer.objects.only("pk", "name", "status"))
    assert len(queries) == 1
    assert all(hasattr(row, "status_label") for row in rows)
    assert not any(hasattr(row, "province_label") for row in rows)  # deferred: not loaded


def test_no_rows():
    assert with_choice_labels(Customer.objects.none()) == []
