"""Order pages: permission matrix, scoping, htmx table, entry form, actions with bad input, export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from salesdesk.orders.choices import OrderChannel, OrderState, ProductionStatus
from salesdesk.orders.models import Order, OrderLine, PromiseChange
from tests.factories import CustomerFactory
from tests.helpers import EVERYONE, as_persona, assert_goes_to_login
from tests.orders import test_orders_helpers as helpers
from tests.orders.test_orders_helpers import confirmed_order, make_product, place_order, set_state

pytestmark = pytest.mark.django_db

mine, product, theirs = helpers.mine, helpers.product, helpers.theirs  # fixtures

READERS = EVERYONE
EDITORS = ["assistant", "commercial", "salesperson", "admin_user"]
PRODUCTION = ["assistant", "commercial", "warehouse", "admin_user"]


@pytest.fixture
def order(assistant, mine):
    return confirmed_order(assistant, mine)


def _urls(order):
    pk = order.pk
    return {
        "list": ("GET", reverse("orders:list")),
        "export": ("GET", reverse("orders:export")),
        "promises": ("GET", reverse("orders:promises")),
        "contracts": ("GET", reverse("orders:contracts")),
        "detail": ("GET", reverse("orders:detail", args=[pk])),
        "create": ("GET", reverse("orders:create")),
        "customer-search": ("GET", reverse("orders:customer-search")),
        "edit": ("GET", reverse("orders:edit", args=[pk])),
        "confirm": ("POST", reverse("orders:confirm", args=[pk])),
        "promise-change": ("POST", reverse("orders:promise-change", args=[pk])),
        "production": ("POST", reverse("orders:production", args=[pk])),
        "cancel": ("POST", reverse("orders:cancel", args=[pk])),
        "close": ("POST", reverse("orders:close", args=[pk])),
    }


READ_VIEWS = ["list", "export", "promises", "contracts", "detail"]
EDIT_VIEWS = ["create", "customer-search", "edit", "confirm", "promise-change", "cancel", "close"]


@pytest.mark.parametrize("name", READ_VIEWS + EDIT_VIEWS + ["production"])
def test_anonymous_goes_to_login(client, order, name):
    method, url = _urls(order)[name]
    assert_goes_to_login(client.generic(method, url))


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("name", READ_VIEWS)
def test_readers_open_read_pages(request, client_for, order, persona, name):
    _method, url = _urls(order)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
@pytest.mark.parametrize("name", EDIT_VIEWS)
def test_non_editors_get_403(request, client_for, order, persona, name):
    method, url = _urls(order)[name]
    assert as_persona(request, client_for, persona).generic(method, url).status_code == 403
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance"])
def test_production_is_refused_to_others(request, client_for, order, persona):
    url = reverse("orders:production", args=[order.pk])
    response = as_persona(request, client_for, persona).post(
        url, {"production-status": "scheduled"}
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.production_status == ProductionStatus.NOT_SCHEDULED


@pytest.mark.parametrize("persona", EDITORS)
@pytest.mark.parametrize("name", ["create", "customer-search"])
def test_editors_open_entry(request, client_for, order, persona, name):
    _method, url = _urls(order)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize("name", ["detail", "edit", "confirm", "promise-change", "cancel", "close"])
def test_another_salespersons_order_is_404(client_for, other_salesperson, order, name):
    method, url = _urls(order)[name]
    assert client_for(other_salesperson).generic(method, url, {}).status_code == 404
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("list", "POST"),
        ("export", "POST"),
        ("detail", "POST"),
        ("promises", "POST"),
        ("contracts", "POST"),
        ("confirm", "GET"),
        ("promise-change", "GET"),
        ("production", "GET"),
        ("cancel", "GET"),
        ("close", "GET"),
        ("create", "PUT"),
        ("customer-search", "POST"),
    ],
)
def test_wrong_method_is_405(client_for, assistant, order, name, method):
    _m, url = _urls(order)[name]
    assert client_for(assistant).generic(method, url).status_code == 405


# --- list --------------------------------------------------------------------------------


def test_salesperson_sees_only_own_orders(client_for, salesperson, assistant, order, theirs):
    other = confirmed_order(assistant, theirs)
    body = client_for(salesperson).get(reverse("orders:list")).content.decode()
    assert order.number in body and other.number not in body


def test_warehouse_sees_every_order_without_money(client_for, warehouse, assistant, order, theirs):
    other = confirmed_order(assistant, theirs)
    body = client_for(warehouse).get(reverse("orders:list")).content.decode()
    assert order.number in body and other.number in body
    assert "¥" not in body
    detail = client_for(warehouse).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "¥" not in detail and "0.8560" not in detail
    assert 'id="production-form"' in detail


def test_money_is_shown_to_the_office(client_for, assistant, order):
    body = client_for(assistant).get(reverse("orders:list")).content.decode()
    assert "¥85.60" in body


def test_filters_and_htmx_fragment(client_for, assistant, mine, order):
    draft = place_order(assistant, mine)
    client = client_for(assistant)
    response = client.get(
        reverse("orders:list"),
        {"state": "draft"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="order-table",
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="order-table"' in body
    assert draft.number in body and order.number not in body
    body = client.get(reverse("orders:list"), {"search": order.number}).content.decode()
    assert order.number in body and draft.number not in body
    assert "<html" in body


def test_at_risk_filter(client_for, assistant, mine):
    soon = confirmed_order(assistant, mine, promised_in_days=1)
    later = confirmed_order(assistant, mine, promised_in_days=30)
    body = client_for(assistant).get(reverse("orders:list"), {"at_risk": "on"}).content.decode()
    assert soon.number in body and later.number not in body


def test_bad_filter_values_do_not_break_the_list(client_for, assistant, order):
    response = client_for(assistant).get(
        reverse("orders:list"), {"state": "nope", "page": "x", "customer": "abc"}
    )
    assert response.status_code == 200


def test_list_query_count_is_flat(
    client_for, assistant, mine, theirs, django_assert_max_num_queries
):
    products = [make_product() for _ in range(3)]
    for i in range(32):
        confirmed_order(
            assistant, mine if i % 2 else theirs, lines=[(p, 10, Decimal("1")) for p in products]
        )
    client = client_for(assistant)
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("orders:list"))
    assert response.content.decode().count('href="/orders/') >= 32
    # Only what the rows show is read: not the customer's or the order's notes, nor the people's
    # passwords beyond the signed-in person's own row.
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"customers_customer"."notes"' not in sql
    assert '"orders_order"."notes"' not in sql
    assert sql.count('"accounts_user"."password"') == 1


def test_export_follows_scope_and_hides_money(
    client_for, salesperson, warehouse, assistant, order, theirs
):
    other = confirmed_order(assistant, theirs)
    rows = _xlsx(client_for(salesperson).get(reverse("orders:export")))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [order.number]
    assert len(rows[0]) == 16 and rows[1][12] == 85.6
    rows = _xlsx(client_for(warehouse).get(reverse("orders:export")))
    assert {r[0] for r in rows[1:]} == {order.number, other.number}
    assert len(rows[0]) == 12


def test_export_follows_the_filters(client_for, assistant, mine, order):
    draft = place_order(assistant, mine)
    rows = _xlsx(client_for(assistant).get(reverse("orders:export"), {"state": "draft"}))
    assert [r[0] for r in rows[1:]] == [draft.number]


def _xlsx(response):
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


# --- detail ------------------------------------------------------------------------------


def test_detail_shows_lines_promises_production_and_execution(client_for, assistant, order):
    from salesdesk.orders.services.promises import promise_change

    promise_change(
        order=order,
        by=assistant,
        promised_date=order.promised_date + dt.timedelta(days=5),
        reason="原纸缺货",
        customer_accepted=True,
    )
    body = client_for(assistant).get(reverse("orders:detail", args=[order.pk])).content.decode()
    line = order.lines.get()
    assert line.product.code in body
    assert "原纸缺货" in body
    assert f"{order.promised_date:%Y-%m-%d} → " in body
    assert (
        'id="execution"' in body and 'id="promise-form"' in body and 'id="production-form"' in body
    )


def test_detail_query_count_is_flat(client_for, assistant, mine, django_assert_max_num_queries):
    products = [make_product() for _ in range(30)]
    big = confirmed_order(assistant, mine, lines=[(p, 10, Decimal("1")) for p in products])
    client = client_for(assistant)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("orders:detail", args=[big.pk]))
    assert response.status_code == 200


# --- entry -------------------------------------------------------------------------------


def _entry(customer, lines, **extra):
    data = {
        "customer_text": customer.code,
        "customer_id": "",
        "channel": OrderChannel.PHONE,
        "order_date": "2026-03-10",
        "requested_date": "",
        "contract_number": "HT-01",
        "contract_terms": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra)
    return data


def test_entry_by_typed_codes(client_for, assistant, salesperson, mine, product):
    second = make_product(code="BX-002", name="五层纸箱", list_price=Decimal("2.1235"))
    lines = [
        {"product_text": "bx-001", "quantity": "3", "unit_price": "0.3333"},
        {"product_text": "BX-002 五层纸箱", "quantity": "3", "unit_price": ""},
        {"product_text": "", "quantity": "", "unit_price": ""},
    ]
    response = client_for(assistant).post(reverse("orders:create"), _entry(mine, lines))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "orders:detail", args=[order.pk]
    )
    assert order.salesperson == salesperson and order.channel == OrderChannel.PHONE
    assert [(line.product_id, line.amount) for line in order.lines.all()] == [
        (product.pk, Decimal("1.00")),
        (second.pk, Decimal("6.37")),
    ]
    assert order.total_amount == Decimal("7.37")


def test_entry_by_suggested_ids(client_for, salesperson, mine, product):
    data = _entry(
        mine,
        [
            {
                "product_text": f"{product.code} {product.name}",
                "product_id": product.pk,
                "quantity": "5",
            }
        ],
        customer_text=f"{mine.code} {mine.name}",
        customer_id=mine.pk,
        channel=OrderChannel.SALESPERSON,
    )
    assert client_for(salesperson).post(reverse("orders:create"), data).status_code == 302
    assert Order.objects.get().lines.get().product == product


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"customer_text": "NO-SUCH"}, "No customer of yours"),
        ({"lines-0-product_text": "NO-SUCH"}, "No product has this code"),
        ({"lines-0-quantity": "0"}, "lines-0-quantity"),
        ({"lines-0-unit_price": "-1"}, "lines-0-unit_price"),
        ({"order_date": ""}, "order_date"),
        ({"requested_date": "2026-03-01"}, "requested delivery date"),
        ({"lines-0-product_text": "", "lines-0-quantity": ""}, "at least one order line"),
    ],
)
def test_entry_bad_input_shows_the_field_and_saves_nothing(
    client_for, assistant, mine, product, change, field_text
):
    data = _entry(mine, [{"product_text": product.code, "quantity": "10"}], **change)
    client = client_for(assistant)
    client.cookies["django_language"] = "en"  # the messages are asserted in English
    response = client.post(reverse("orders:create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body or "alert-danger" in body
    assert field_text.lower() in body.lower() or field_text in body
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_entry_refuses_another_salespersons_customer(client_for, salesperson, theirs, product):
    data = _entry(theirs, [{"product_text": product.code, "quantity": "1"}], customer_id=theirs.pk)
    response = client_for(salesperson).post(reverse("orders:create"), data)
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_entry_page_is_keyboard_friendly(client_for, assistant):
    body = client_for(assistant).get(reverse("orders:create")).content.decode()
    assert "autofocus" in body and "order_entry.js" in body and 'id="add-line"' in body
    assert 'id="line-template"' in body and "lines-__prefix__-product_text" in body


def test_customer_suggestions_are_scoped(client_for, salesperson, mine, theirs):
    rows = client_for(salesperson).get(reverse("orders:customer-search"), {"q": "有限公司"}).json()
    assert [r["id"] for r in rows] == [mine.pk]
    assert set(rows[0]) == {"id", "code", "name"}


def test_edit_a_draft(client_for, assistant, mine, product):
    draft = place_order(assistant, mine)
    client = client_for(assistant)
    page = client.get(reverse("orders:edit", args=[draft.pk])).content.decode()
    assert draft.lines.get().product.code in page
    data = _entry(mine, [{"product_text": product.code, "quantity": "7"}])
    assert client.post(reverse("orders:edit", args=[draft.pk]), data).status_code == 302
    assert draft.lines.get().quantity == 7


def test_edit_a_confirmed_order_is_refused(client_for, assistant, order, product):
    data = _entry(order.customer, [{"product_text": product.code, "quantity": "7"}])
    response = client_for(assistant).post(reverse("orders:edit", args=[order.pk]), data)
    assert response.status_code == 302
    assert order.lines.get().quantity == 100


# --- actions -----------------------------------------------------------------------------


def test_confirm_then_change_the_promise(client_for, salesperson, mine):
    draft = place_order(salesperson, mine)
    client = client_for(salesperson)
    promised = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("orders:confirm", args=[draft.pk]),
        {"confirm-promised_date": promised, "confirm-customer_accepted": "yes"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == OrderState.CONFIRMED and draft.promised_date.isoformat() == promised
    later = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    response = client.post(
        reverse("orders:promise-change", args=[draft.pk]),
        {
            "promise-promised_date": later,
            "promise-reason": "原纸缺货",
            "promise-customer_accepted": "no",
        },
    )
    assert response.status_code == 302
    change = PromiseChange.objects.order_by("id").last()
    assert (change.reason, change.customer_accepted, change.new_date.isoformat()) == (
        "原纸缺货",
        False,
        later,
    )


def test_confirm_without_date_shows_the_message(client_for, assistant, mine):
    draft = place_order(assistant, mine)
    response = client_for(assistant).post(
        reverse("orders:confirm", args=[draft.pk]), {"confirm-promised_date": ""}
    )
    assert response.status_code == 200
    assert (
        "Enter the promised delivery date" in response.content.decode()
        or "交期" in response.content.decode()
    )
    assert 'id="id_confirm-promised_date"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == OrderState.DRAFT and not PromiseChange.objects.exists()


def test_promise_change_without_reason_shows_the_message(client_for, assistant, order):
    new = (order.promised_date + dt.timedelta(days=3)).isoformat()
    response = client_for(assistant).post(
        reverse("orders:promise-change", args=[order.pk]), {"promise-promised_date": new}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert PromiseChange.objects.count() == 1


def test_production_update_and_delay_without_reason(client_for, warehouse, order):
    client = client_for(warehouse)
    url = reverse("orders:production", args=[order.pk])
    response = client.post(url, {"production-status": "delayed", "production-note": ""})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    order.refresh_from_db()
    assert order.production_status == ProductionStatus.NOT_SCHEDULED
    assert client.post(url, {"production-status": "in_production"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.IN_PRODUCTION


def test_production_on_a_draft_shows_the_message(client_for, assistant, mine):
    draft = place_order(assistant, mine)
    response = client_for(assistant).post(
        reverse("orders:production", args=[draft.pk]), {"production-status": "scheduled"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.production_status == ProductionStatus.NOT_SCHEDULED


def test_cancel_needs_a_reason_and_then_cancels(client_for, assistant, order):
    client = client_for(assistant)
    url = reverse("orders:cancel", args=[order.pk])
    response = client.post(url, {"cancel-reason": ""})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert client.post(url, {"cancel-reason": "客户取消"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED


def test_cancel_after_shipping_shows_the_message(client_for, assistant, order):
    set_state(order, OrderState.SHIPPED)
    response = client_for(assistant).post(
        reverse("orders:cancel", args=[order.pk]), {"cancel-reason": "客户取消"}
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED


def test_close_partly_shipped_needs_a_reason(client_for, assistant, order):
    set_state(order, OrderState.PARTLY_SHIPPED)
    url = reverse("orders:close", args=[order.pk])
    client = client_for(assistant)
    assert client.post(url, {"close-reason": ""}).status_code == 200
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED
    assert client.post(url, {"close-reason": "余量不要了"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED


# --- worklist and contracts pages ------------------------------------------------------------


def test_promise_worklist_page(client_for, salesperson, assistant, mine, theirs):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        old = place_order(assistant, mine, order_date=dt.date(2026, 1, 1))
        hidden = place_order(assistant, theirs, order_date=dt.date(2026, 1, 1))
    body = client_for(salesperson).get(reverse("orders:promises")).content.decode()
    assert old.number in body and hidden.number not in body


def test_promise_worklist_page_is_paginated_per_list(
    client_for, assistant, mine, django_assert_max_num_queries
):
    """Each list shows 50 rows with its total and its own page links (performance fix 1)."""
    product = make_product()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        orders = [
            place_order(assistant, mine, [(product, 10, None)], order_date=dt.date(2026, 1, 1))
            for _ in range(53)
        ]
    client = client_for(assistant)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orders:promises"))
    page = response.context["lists"]["unanswered"]
    assert page.paginator.count == 53 and len(page.object_list) == 50
    body = response.content.decode()
    assert "unanswered_page=2" in body and body.count("/orders/") >= 50
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orders:promises"), {"unanswered_page": 2})
    numbers = [o.number for o in response.context["lists"]["unanswered"].object_list]
    assert len(numbers) == 3 and set(numbers) <= {o.number for o in orders}


def test_contract_page_filters_behind_schedule(
    client_for, assistant, mine, django_assert_max_num_queries
):
    late = confirmed_order(
        assistant,
        mine,
        order_date=timezone.localdate() - dt.timedelta(days=20),
        promised_in_days=10,
    )
    fine = confirmed_order(assistant, mine, promised_in_days=30)
    for _ in range(30):
        confirmed_order(
            assistant,
            mine,
            order_date=timezone.localdate() - dt.timedelta(days=20),
            promised_in_days=10,
        )
    client = client_for(assistant)
    with django_assert_max_num_queries(8) as captured:
        body = client.get(reverse("orders:contracts"), {"behind": "on"}).content.decode()
    assert late.number in body and fine.number not in body
    # Only what the rows show is read: not the order's or the customer's notes, nor the
    # salesperson (the signed-in person's own row reads a password).
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"orders_order"."notes"' not in sql
    assert '"orders_order"."contract_terms"' not in sql
    assert '"customers_customer"."notes"' not in sql
    assert sql.count('"accounts_user"."password"') == 1
    response = client.get(
        reverse("orders:contracts"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contract-table"
    )
    assert "<html" not in response.content.decode()


def test_key_accounts_are_marked(client_for, assistant, salesperson):
    from salesdesk.customers.choices import Tier

    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    confirmed_order(assistant, key)
    body = client_for(assistant).get(reverse("orders:list")).content.decode()
    assert "key-account" in body and "badge-key" in body
