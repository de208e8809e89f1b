"""The salesperson's day in a real Chromium: a new customer with a contact, a follow-up,
a lead taken to won. The pages must read in Chinese and the console must stay clean."""

import re

from playwright.sync_api import expect

from salesdesk.accounts.roles import Role
from salesdesk.customers.choices import Stage
from salesdesk.customers.models import Customer, FollowUp, Lead
from tests.factories import UserFactory


def test_salesperson_creates_customer_logs_followup_and_wins_lead(
    page, live_server, sign_in, console_errors, transactional_db
):
    sales1 = UserFactory(username="sales1", role=Role.SALESPERSON, display_name="李业务")
    sign_in("sales1")
    expect(page.locator("h1")).to_have_text("今日待办")  # Today is the first page
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("h1")).to_have_text("客户")

    page.get_by_role("link", name="新建客户").click()
    expect(page.locator("h1")).to_have_text("新建客户")
    page.fill("input[name=name]", "绍兴市越城区同心食品有限公司")
    page.fill("input[name=short_name]", "同心食品")
    page.fill("input[name=city]", "绍兴")
    page.fill("input[name=contact_name]", "周建国")
    page.fill("input[name=contact_title]", "采购经理")
    page.fill("input[name=contact_mobile]", "13905751234")
    page.get_by_role("button", name="保存", exact=True).click()

    # On the customer's page: the file, its contact, owned by the salesperson.
    expect(page.locator("h1")).to_contain_text("绍兴市越城区同心食品有限公司")
    expect(page.get_by_role("cell", name="周建国")).to_be_visible()
    customer = Customer.objects.get(name="绍兴市越城区同心食品有限公司")
    assert customer.owner == sales1
    assert customer.contacts.get().mobile == "13905751234"

    # Log a follow-up (htmx swaps the activity panel in place).
    page.get_by_text("记录跟进").click()
    form = page.locator("form[action*='followup']").filter(
        has=page.locator("textarea[name=summary]")
    )
    form.locator("select[name=channel]").select_option("wechat")
    form.locator("textarea[name=summary]").fill("微信发送了五层BC楞外箱报价")
    form.locator("input[name=outcome]").fill("客户下周回复")
    form.get_by_role("button", name="保存跟进").click()
    expect(page.get_by_text("微信发送了五层BC楞外箱报价")).to_be_visible()
    assert FollowUp.objects.filter(customer=customer, channel="wechat").count() == 1

    # Start a lead and take it to won.
    page.get_by_role("button", name="创建线索").click()
    move = page.locator("form[action*='lead']").filter(has=page.locator("select[name=stage]"))
    expect(move).to_be_visible()
    move.locator("select[name=stage]").select_option(Stage.WON.value)
    move.get_by_role("button", name="推进线索").click()
    expect(page.locator("#customer-activity .badge", has_text="成交")).to_be_visible()
    lead = Lead.objects.get(customer=customer)
    assert lead.stage == Stage.WON and lead.closed_at is not None
    customer.refresh_from_db()
    assert customer.status == "active"

    body = page.locator("main").inner_text()
    assert re.search(r"[\u4e00-\u9fff]", body)
    assert console_errors == []
