"""The order desk in a real Chromium: enter an order, confirm it with a date, change the date
with a reason, ship part of it, send the customer the notice."""

import datetime as dt

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from salesdesk.accounts.roles import Role
from salesdesk.catalog.models import Product
from salesdesk.orders.choices import OrderState
from salesdesk.orders.models import Order, PromiseChange, Shipment
from tests.factories import ContactFactory, CustomerFactory, UserFactory


def test_assistant_follows_an_order_from_entry_to_notice(
    page, live_server, sign_in, console_errors, transactional_db
):
    UserFactory(username="assistant", role=Role.ASSISTANT, display_name="王助理")
    owner = UserFactory(username="sales1", role=Role.SALESPERSON, display_name="李业务")
    customer = CustomerFactory(code="C000777", name="嘉兴市南湖区恒达食品有限公司", owner=owner)
    ContactFactory(
        customer=customer, name="周建国", email="zhou@hengda.example.cn", is_primary=True
    )
    Product.objects.create(
        code="ZX-5BC-0001",
        name="五层BC楞外箱",
        length_mm=400,
        width_mm=300,
        height_mm=250,
        flute="BC",
        ply=5,
        list_price="2.3500",
    )
    today = timezone.localdate()
    promised = today + dt.timedelta(days=10)
    later = today + dt.timedelta(days=14)

    sign_in("assistant")
    page.goto(f"{live_server.url}/orders/new/")
    expect(page.locator("h1")).to_have_text("新建订单")
    page.fill("input[name=customer_text]", "C000777")
    page.fill("input[name=lines-0-product_text]", "ZX-5BC-0001")
    page.fill("input[name=lines-0-quantity]", "1000")
    page.get_by_role("button", name="保存订单").click()

    order = Order.objects.get(customer=customer)
    expect(page.locator("#order-state")).to_have_text("草稿")
    assert order.total_amount == 2350 and order.salesperson == owner

    confirm = page.locator("#confirm-form")
    confirm.locator("input[name$=promised_date]").fill(promised.isoformat())
    confirm.get_by_role("button", name="确认订单").click()
    expect(page.locator("#order-state")).to_have_text("已确认")

    change = page.locator("#promise-form")
    change.locator("input[name$=promised_date]").fill(later.isoformat())
    change.locator("input[name$=reason]").fill("原纸供应延迟")
    change.get_by_role("button", name="变更交期").click()
    expect(page.locator("#promises")).to_contain_text("原纸供应延迟")
    assert list(PromiseChange.objects.filter(order=order).values_list("old_date", "new_date")) == [
        (None, promised),
        (promised, later),
    ]

    page.get_by_role("link", name="登记发货").click()
    page.fill("input[name=carrier]", "德邦物流")
    page.fill("input[name=carrier_phone]", "400-830-5555")
    page.fill("input[name=tracking_number]", "DPK202611240001")
    line = order.lines.get()
    page.fill(f"input[name=quantity_{line.pk}]", "400")
    page.get_by_role("button", name="登记发货").click()
    shipment = Shipment.objects.get(order=order)
    expect(page.locator("h1")).to_contain_text(shipment.number)
    assert shipment.lines.get().quantity == 400

    card = page.locator(f"#shipment-card-{shipment.pk}")
    expect(card.locator("textarea")).to_contain_text("DPK202611240001")
    card.get_by_role("button", name="发邮件通知客户").click()
    expect(card).to_contain_text("zhou@hengda.example.cn")
    shipment.refresh_from_db()
    assert shipment.notified_at is not None
    assert len(mail.outbox) == 1 and "DPK202611240001" in mail.outbox[0].body
    assert mail.outbox[0].to == ["zhou@hengda.example.cn"]
    # Back on the order page: partly shipped, the shipment and its notice on one screen.
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator("#order-state")).to_have_text("部分发货")
    expect(page.locator("#order-shipments")).to_contain_text("DPK202611240001")
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED
    assert console_errors == []
