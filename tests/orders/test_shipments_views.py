"""Shipment pages and the order page's shipments block: permissions, scoping, forms, htmx, query counts."""

import datetime as dt

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.customers.choices import Tier
from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import OrderLine, Shipment, ShipmentNotice
from salesdesk.orders.selectors.shipments import order_shipments
from salesdesk.orders.services.notices import shipment_notify
from salesdesk.orders.services.shipments import shipment_receive, shipment_record
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import EVERYONE, as_persona, assert_goes_to_login

from .factories_shipments import ProductFactory, approve, make_order

pytestmark = pytest.mark.django_db

READERS = EVERYONE
SHIPPERS = ["assistant", "commercial", "warehouse", "admin_user"]
NOT_SHIPPERS = ["salesperson", "director", "finance"]


def ship(order, by, quantities, **kwargs):
    lines = list(order.lines.order_by("line_no"))
    data = {
        "ship_date": timezone.localdate(),
        "carrier": "顺丰速运",
        "carrier_phone": "400-811-1111",
        "tracking_number": "SF100",
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
    ContactFactory(
        customer=customer, name="王经理", email="wang@mingfa.example.cn", is_primary=True
    )
    return make_order(customer=customer, lines=((1000, "0.8560"), (400, "1.2345")))


@pytest.fixture
def shipment(order, warehouse):
    return ship(order, warehouse, [100, 0])


@pytest.fixture
def theirs(other_salesperson, warehouse):
    order = make_order(
        customer=CustomerFactory(owner=other_salesperson, name="宁波华丰纸业有限公司")
    )
    return ship(order, warehouse, [10], tracking_number="THEIRS-1")


def urls(order, shipment):
    return {
        "list": ("GET", reverse("orders:shipments")),
        "detail": ("GET", reverse("orders:shipment-detail", args=[shipment.pk])),
        "create": ("GET", reverse("orders:shipment-create") + f"?order={order.pk}"),
        "notify": ("POST", reverse("orders:shipment-notify", args=[shipment.pk])),
        "receive": ("POST", reverse("orders:shipment-receive", args=[shipment.pk])),
    }


# --- permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "detail", "create", "notify", "receive"])
def test_anonymous_goes_to_login(client, order, shipment, name):
    method, url = urls(order, shipment)[name]
    assert_goes_to_login(client.generic(method, url))


@pytest.mark.parametrize("persona", READERS)
def test_readers_open_list_and_detail(request, client_for, order, shipment, persona):
    client = as_persona(request, client_for, persona)
    assert client.get(reverse("orders:shipments")).status_code == 200
    assert client.get(reverse("orders:shipment-detail", args=[shipment.pk])).status_code == 200


@pytest.mark.parametrize("persona", SHIPPERS)
def test_shippers_open_the_form(request, client_for, order, persona):
    response = as_persona(request, client_for, persona).get(
        reverse("orders:shipment-create"), {"order": order.pk}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("persona", NOT_SHIPPERS)
def test_others_cannot_record_shipments_or_receipts(request, client_for, order, shipment, persona):
    client = as_persona(request, client_for, persona)
    assert client.get(reverse("orders:shipment-create"), {"order": order.pk}).status_code == 403
    assert (
        client.post(reverse("orders:shipment-create") + f"?order={order.pk}", {}).status_code == 403
    )
    response = client.post(
        reverse("orders:shipment-receive", args=[shipment.pk]),
        {"received_at": "2026-01-01T10:00", "received_by_name": "王"},
    )
    assert response.status_code == 403
    shipment.refresh_from_db()
    assert shipment.received_at is None and Shipment.objects.count() == 1


@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_without_a_write_right_cannot_notify(request, client_for, shipment, persona):
    response = as_persona(request, client_for, persona).post(
        reverse("orders:shipment-notify", args=[shipment.pk]), {"channel": "message"}
    )
    assert response.status_code == 403
    assert ShipmentNotice.objects.count() == 0


def test_wrong_methods(client_for, assistant, order, shipment):
    client = client_for(assistant)
    assert client.post(reverse("orders:shipments")).status_code == 405
    assert client.post(reverse("orders:shipment-detail", args=[shipment.pk])).status_code == 405
    assert client.put(reverse("orders:shipment-create") + f"?order={order.pk}").status_code == 405
    assert client.get(reverse("orders:shipment-notify", args=[shipment.pk])).status_code == 405
    assert client.get(reverse("orders:shipment-receive", args=[shipment.pk])).status_code == 405


# --- scoping ----------------------------------------------------------------------------


def test_salesperson_sees_only_own_customers_shipments(client_for, salesperson, shipment, theirs):
    client = client_for(salesperson)
    page = client.get(reverse("orders:shipments"))
    assert [s.pk for s in page.context["page_obj"].object_list] == [shipment.pk]
    assert theirs.number not in page.content.decode()
    assert client.get(reverse("orders:shipment-detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("orders:shipment-notify", args=[theirs.pk]), {"channel": "message"}
    )
    assert response.status_code == 404
    assert not theirs.notices.exists()


def test_warehouse_sees_all_shipments_but_no_money(
    client_for, warehouse, assistant, shipment, theirs
):
    page = client_for(warehouse).get(reverse("orders:shipments"))
    assert {s.pk for s in page.context["page_obj"].object_list} == {shipment.pk, theirs.pk}
    body = page.content.decode()
    assert "¥" not in body
    detail = (
        client_for(warehouse)
        .get(reverse("orders:shipment-detail", args=[shipment.pk]))
        .content.decode()
    )
    assert "¥" not in detail and "85.60" not in detail
    detail = (
        client_for(assistant)
        .get(reverse("orders:shipment-detail", args=[shipment.pk]))
        .content.decode()
    )
    assert "¥85.60" in detail  # 100 × 0.8560


def test_create_for_an_unknown_order_is_404(client_for, assistant):
    client = client_for(assistant)
    assert client.get(reverse("orders:shipment-create")).status_code == 404
    assert client.get(reverse("orders:shipment-create"), {"order": "abc"}).status_code == 404
    assert client.get(reverse("orders:shipment-create"), {"order": 999999}).status_code == 404


# --- recording a shipment through the page ------------------------------------------------


def form_data(order, quantities, **overrides):
    lines = list(order.lines.order_by("line_no"))
    data = {
        "order": order.pk,
        "ship_date": timezone.localdate().isoformat(),
        "carrier": "德邦物流",
        "carrier_phone": "0571-88886666",
        "tracking_number": "DB778899",
        "notes": "",
    }
    for ln, q in zip(lines, quantities, strict=False):
        data[f"quantity_{ln.pk}"] = q
        data[f"checked_quantity_{ln.pk}"] = ""
        data[f"damaged_quantity_{ln.pk}"] = ""
    data.update(overrides)
    return data


def test_form_lists_open_lines_with_remaining(client_for, warehouse, order):
    ship(order, warehouse, [0, 400])  # line 2 fully shipped
    response = client_for(warehouse).get(reverse("orders:shipment-create"), {"order": order.pk})
    rows = response.context["form"].line_rows()
    assert [(r["line"].line_no, r["line"].open) for r in rows] == [(1, 1000)]
    body = response.content.decode()
    assert "¥" not in body and "0.8560" not in body  # no prices for the warehouse


def test_record_shipment_happy_path(client_for, warehouse, order):
    l1 = order.lines.get(line_no=1)
    data = form_data(
        order, [300, ""], **{f"checked_quantity_{l1.pk}": "298", f"damaged_quantity_{l1.pk}": "2"}
    )
    response = client_for(warehouse).post(
        reverse("orders:shipment-create") + f"?order={order.pk}", data
    )
    shipment = Shipment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:shipment-detail", args=[shipment.pk])
    line = shipment.lines.get()
    assert (line.quantity, line.checked_quantity, line.damaged_quantity) == (300, 298, 2)
    assert shipment.carrier_phone == "0571-88886666"
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED


@pytest.mark.parametrize(
    ("change", "field_of", "text"),
    [
        (lambda o: {"carrier": ""}, lambda o: "carrier", None),
        (lambda o: {"carrier_phone": "12345"}, lambda o: "carrier_phone", "12345"),
        (lambda o: {"ship_date": "not-a-date"}, lambda o: "ship_date", None),
        (
            lambda o: {"ship_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
            lambda o: "ship_date",
            None,
        ),
        (
            lambda o: {f"quantity_{o.lines.get(line_no=2).pk}": "500"},
            lambda o: f"quantity_{o.lines.get(line_no=2).pk}",
            "only 400 remain to ship, 500 given",
        ),
        (
            lambda o: {f"quantity_{o.lines.get(line_no=1).pk}": "x"},
            lambda o: f"quantity_{o.lines.get(line_no=1).pk}",
            None,
        ),
        (
            lambda o: {f"checked_quantity_{o.lines.get(line_no=1).pk}": "11"},
            lambda o: f"checked_quantity_{o.lines.get(line_no=1).pk}",
            None,
        ),
        (
            lambda o: {f"damaged_quantity_{o.lines.get(line_no=1).pk}": "-1"},
            lambda o: f"damaged_quantity_{o.lines.get(line_no=1).pk}",
            None,
        ),
        (
            lambda o: {f"quantity_{o.lines.get(line_no=1).pk}": ""},
            lambda o: None,
            "Enter the quantity shipped on at least one line.",
        ),
    ],
)
def test_record_shipment_bad_input_names_the_field_and_saves_nothing(
    client_for, warehouse, order, change, field_of, text, settings
):
    settings.LANGUAGE_CODE = "en"
    data = form_data(order, [10, ""], **change(order))
    response = client_for(warehouse).post(
        reverse("orders:shipment-create") + f"?order={order.pk}", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    form = response.context["form"]
    field = field_of(order)
    if field is None:
        assert form.non_field_errors()
    else:
        assert field in form.errors, form.errors
    if text:
        assert text in response.content.decode()
    assert Shipment.objects.count() == 0
    assert list(
        OrderLine.objects.filter(order=order).values_list("shipped_quantity", flat=True)
    ) == [0, 0]


def test_unapproved_product_warned_on_the_form_and_refused(client_for, warehouse, salesperson):
    customer = CustomerFactory(owner=salesperson)
    new = ProductFactory(code="P-NEW9", name="新款彩印箱", needs_approval=True)
    order = make_order(customer=customer, lines=((100, "2.0000", new),))
    client = client_for(warehouse)
    page = client.get(
        reverse("orders:shipment-create"), {"order": order.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Awaiting the customer" in page.content.decode()
    response = client.post(
        reverse("orders:shipment-create") + f"?order={order.pk}",
        form_data(order, [10]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "P-NEW9 新款彩印箱" in response.content.decode()
    assert Shipment.objects.count() == 0
    approve(customer, new)
    response = client.post(
        reverse("orders:shipment-create") + f"?order={order.pk}", form_data(order, [10])
    )
    assert response.status_code == 302 and Shipment.objects.count() == 1


# --- notify and receive through the page ------------------------------------------------------


def test_notify_by_email_from_the_page(
    client_for, salesperson, shipment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(salesperson).post(
            reverse("orders:shipment-notify", args=[shipment.pk]), {"channel": "email"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@mingfa.example.cn"]
    shipment.refresh_from_db()
    assert shipment.notified_at is not None


def test_notify_by_message_with_htmx_returns_the_card(client_for, warehouse, shipment):
    response = client_for(warehouse).post(
        reverse("orders:shipment-notify", args=[shipment.pk]),
        {"channel": "message", "recipients": "王经理 微信"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="shipment-card-{shipment.pk}"' in body and "<html" not in body
    assert "王经理 微信" in body
    assert shipment.notices.get().channel == "message"


def test_notify_plain_post_goes_back_to_a_safe_next(client_for, warehouse, shipment):
    client = client_for(warehouse)
    url = reverse("orders:shipment-notify", args=[shipment.pk])
    response = client.post(url, {"channel": "message", "next": "/orders/1/"})
    assert response["Location"] == "/orders/1/"
    response = client.post(url, {"channel": "message", "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("orders:shipment-detail", args=[shipment.pk])


def test_notify_bad_input_shows_the_message_and_saves_nothing(
    client_for, warehouse, salesperson, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=salesperson, name="无邮箱客户")
    ContactFactory(customer=customer, email="")
    shipment = ship(make_order(customer=customer), warehouse, [5])
    client = client_for(warehouse)
    url = reverse("orders:shipment-notify", args=[shipment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"channel": "email"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No live contact of 无邮箱客户 has an email address" in response.content.decode()
    response = client.post(url, {"channel": "fax"})
    assert response.status_code == 200 and "channel" in response.context["notice_form"].errors
    assert ShipmentNotice.objects.count() == 0 and len(mail.outbox) == 0


def test_receive_from_the_page_once(client_for, warehouse, shipment):
    client = client_for(warehouse)
    url = reverse("orders:shipment-receive", args=[shipment.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"received_at": now, "received_by_name": "王经理"})
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.received_by_name == "王经理"
    response = client.post(
        url, {"received_at": now, "received_by_name": "李四"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "already recorded" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.received_by_name == "王经理"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"received_at": "", "received_by_name": "王"}, "received_at"),
        ({"received_at": "yesterday", "received_by_name": "王"}, "received_at"),
        ({"received_at": "2000-01-01T10:00", "received_by_name": "王"}, "received_at"),
        ({"received_at": "NOW", "received_by_name": ""}, "received_by_name"),
    ],
)
def test_receive_bad_input(client_for, warehouse, shipment, data, field):
    if data["received_at"] == "NOW":
        data["received_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client_for(warehouse).post(
        reverse("orders:shipment-receive", args=[shipment.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert field in response.context["receive_form"].errors
    assert "invalid-feedback" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.received_at is None


# --- the list -------------------------------------------------------------------------------


def test_list_filters_and_key_accounts_first(client_for, assistant, warehouse, salesperson):
    ordinary = ship(
        make_order(customer=CustomerFactory(owner=salesperson, name="普通客户")), warehouse, [1]
    )
    key = ship(
        make_order(customer=CustomerFactory(owner=salesperson, name="大客户公司", tier=Tier.KEY)),
        warehouse,
        [1],
        ship_date=timezone.localdate() - dt.timedelta(days=3),
    )
    shipment_notify(shipment=ordinary, by=assistant, channel="message")
    shipment_receive(shipment=key, by=warehouse, received_at=timezone.now(), received_by_name="王")
    client = client_for(assistant)

    def numbers(**params):
        response = client.get(reverse("orders:shipments"), params)
        return [s.number for s in response.context["page_obj"].object_list]

    # The whole history (a million rows at ten years) is newest first, never sorted by tier.
    assert numbers() == [ordinary.number, key.number]
    assert numbers(notified="no") == [key.number]
    assert numbers(notified="yes") == [ordinary.number]
    assert numbers(received="no") == [ordinary.number]
    assert numbers(q="大客户") == [key.number]
    assert numbers(date_from=timezone.localdate().isoformat()) == [ordinary.number]
    assert numbers(notified="maybe") == [ordinary.number, key.number]  # a bad filter is ignored
    # The worklists (not notified / not received) put key accounts first.
    fresh = ship(make_order(customer=ordinary.customer), warehouse, [1])
    assert numbers() == [fresh.number, ordinary.number, key.number]
    assert numbers(notified="no") == [key.number, fresh.number]
    older_key = ship(
        make_order(customer=key.customer),
        warehouse,
        [1],
        ship_date=timezone.localdate() - dt.timedelta(days=5),
    )
    assert numbers(received="no") == [older_key.number, fresh.number, ordinary.number]
    html = client.get(reverse("orders:shipments")).content.decode()
    assert 'class="key-account"' in html and "大客户公司 <span" in html
    # Each row: link, notified time (local) or a badge, received date and name, amount.
    notified = timezone.localtime(Shipment.objects.get(pk=ordinary.pk).notified_at)
    assert f'href="{reverse("orders:shipment-detail", args=[ordinary.pk])}"' in html
    assert f"<td>{notified:%m-%d %H:%M}</td>" in html
    assert html.count('<span class="badge text-bg-warning">未通知</span>') == 3
    assert f"<td>{timezone.localdate():%m-%d} 王</td>" in html
    assert f"<td>{key.order.number}</td>" in html and "¥" in html
    assert "¥" not in client_for(warehouse).get(reverse("orders:shipments")).content.decode()
    table = client.get(
        reverse("orders:shipments"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="shipment-table"
    )
    assert table.content.decode().lstrip().startswith('<div id="shipment-table"')


def many_shipments(count, warehouse, salesperson):
    customers = [CustomerFactory(owner=salesperson) for _ in range(3)]
    shipments = []
    for i in range(count):
        order = make_order(customer=customers[i % 3], lines=((100, "1.0000"), (100, "2.0000")))
        shipments.append(ship(order, warehouse, [10, 5]))
    return shipments


def test_list_query_count_is_bounded(
    client_for, warehouse, salesperson, django_assert_max_num_queries
):
    shipments = many_shipments(32, warehouse, salesperson)
    client = client_for(warehouse)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orders:shipments"))
    assert len(response.context["page_obj"].object_list) == 32
    # The goods column: each line's product code and quantity, in line order.
    first, second = (line.order_line.product.code for line in shipments[0].lines.all())
    assert f"{first} ×10; {second} ×5" in response.content.decode()


# --- the order page's block -------------------------------------------------------------------


def test_fragment_shows_lines_shipments_and_actions(assistant, warehouse, order, settings):
    first = ship(order, warehouse, [300, 400])
    second = ship(order, warehouse, [200, 0], tracking_number="SF200")
    shipment_notify(shipment=first, by=assistant, channel="message", recipients="微信群")
    context = order_shipments(order=order, user=assistant)
    shipping = context["shipping"]
    assert [line.open for line in shipping["lines"]] == [500, 0]
    assert shipping["can_record"] is True
    html = render_to_string("orders/_order_shipments.html", {**context, "request": None})
    assert first.number in html and second.number in html
    assert "SF200" in html and "微信群" in html
    assert f'data-copy-target="#message-text-{first.pk}"' in html
    assert reverse("orders:shipment-create") + f"?order={order.pk}" in html
    assert reverse("orders:shipment-receive", args=[first.pk]) in html
    assert "copy.js" in html


def test_fragment_for_the_warehouse_hides_money_and_for_finance_actions(warehouse, finance, order):
    ship(order, warehouse, [300, 0])
    html = render_to_string(
        "orders/_order_shipments.html", order_shipments(order=order, user=warehouse)
    )
    assert "¥" not in html
    html = render_to_string(
        "orders/_order_shipments.html", order_shipments(order=order, user=finance)
    )
    assert "¥256.80" in html  # 300 × 0.8560
    assert "Record shipment" not in html and "登记发货" not in html
    assert "received_by_name" not in html and 'name="channel"' not in html


def test_fragment_warns_of_unapproved_products(assistant, salesperson):
    customer = CustomerFactory(owner=salesperson)
    new = ProductFactory(code="P-NEW5", name="新品箱", needs_approval=True)
    order = make_order(customer=customer, lines=((100, "1.0000", new), (100, "1.0000")))
    shipping = order_shipments(order=order, user=assistant)["shipping"]
    assert [line.product.code for line in shipping["unapproved_lines"]] == ["P-NEW5"]
    assert "P-NEW5 新品箱" in render_to_string(
        "orders/_order_shipments.html", {"shipping": shipping}
    )
    approve(customer, new, status=ApprovalStatus.APPROVED)
    assert order_shipments(order=order, user=assistant)["shipping"]["unapproved_lines"] == []


def test_fragment_query_count_is_bounded(
    assistant, warehouse, salesperson, django_assert_max_num_queries
):
    order = make_order(
        customer=CustomerFactory(owner=salesperson), lines=((1000, "1.0000"), (1000, "2.0000"))
    )
    for i in range(31):
        s = ship(order, warehouse, [3, 2], tracking_number=f"SF{i}")
        shipment_notify(shipment=s, by=assistant, channel="message")
    order.refresh_from_db()
    with django_assert_max_num_queries(8):
        html = render_to_string(
            "orders/_order_shipments.html", order_shipments(order=order, user=assistant)
        )
    assert html.count("shipment-card-") >= 31
