"""The sales assistant's morning (R-8.1): sign in, land on Today, follow an item, do the work,
come back to Today and see the item gone."""

import re

from playwright.sync_api import expect

from salesdesk.accounts.roles import Role
from tests.factories import UserFactory
from tests.reports.today_data import set_of_work


def test_assistant_works_through_today(
    page, live_server, sign_in, console_errors, transactional_db
):
    UserFactory(username="assistant", role=Role.ASSISTANT, display_name="王助理")
    sales1 = UserFactory(username="sales1", role=Role.SALESPERSON, display_name="李业务")
    set_of_work(sales1, "绍兴同心")

    sign_in("assistant")
    expect(page.locator("h1")).to_have_text("今日待办")
    followups = page.locator("#today-followups")
    expect(followups.locator("[data-count]")).to_have_text("1")
    expect(followups).to_contain_text("绍兴同心包装有限公司")
    total_before = int(page.locator("#today-badge").inner_text())

    # follow the item: it opens the follow-up form of that customer
    followups.locator("li a").first.click()
    expect(page.locator("h1")).to_contain_text("绍兴同心包装有限公司")
    page.select_option("select[name=channel]", "call")
    page.fill("textarea[name=summary]", "电话沟通，下周下单")
    page.get_by_role("button", name="保存跟进").click()

    # back on Today: the item is gone, the counts say so
    expect(page.locator("h1")).to_have_text("今日待办")
    expect(followups.locator("[data-count]")).to_have_text("0")
    expect(followups).not_to_contain_text("绍兴同心包装有限公司")
    expect(page.locator("#today-badge")).to_have_text(str(total_before - 1))
    assert re.search(r"/reports/today/$", page.url)
    assert console_errors == []
