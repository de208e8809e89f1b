from salesdesk.accounts.roles import Role
from tests.factories import UserFactory


def test_sign_in_page_is_chinese_and_clean(page, live_server, console_errors, transactional_db):
    UserFactory(username="warehouse", role=Role.WAREHOUSE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录 SalesDesk"
    page.fill("input[name=username]", "warehouse")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "今日待办"  # Today is the first page
    assert console_errors == []
