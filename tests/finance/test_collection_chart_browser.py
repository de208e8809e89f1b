"""The collection-rate chart is drawn in a real Chromium (ECharts from the static tree, set up by
salesdesk/charts.js), redrawn after an htmx switch, with no console errors; aging page too."""

import datetime as dt
import os
import shutil

import pytest
from django.utils import timezone

from salesdesk.customers.choices import Tier
from tests.factories import CustomerFactory

from .factories_reports import make_receivable, pay, report_translations  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("report_translations"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Chinese office PC: the browser asks for Chinese, as the department's do.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def errors(page):
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: found.append(str(exc)))
    page.on("response", lambda r: found.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return found


def test_chart_is_drawn_and_redrawn(page, live_server, finance, errors):
    today = timezone.localdate()
    key = CustomerFactory(name="宁波重点纸业", tier=Tier.KEY)
    for months_back in range(6):
        due = today - dt.timedelta(days=30 * months_back + 3)
        r = make_receivable(key, f"{1000 + months_back * 100}.00", due)
        pay(r, f"{500 + months_back * 80}.00", due)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/finance/collection-rate/")
    page.wait_for_selector("#collection-chart canvas")
    assert page.locator("h1").first.inner_text().startswith("回款率")
    drawn = page.evaluate(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('collection-chart'));"
        " const o = c.getOption(); return [o.xAxis[0].data.length, o.series.map(s => s.name)]; }"
    )
    assert drawn[0] == 12 and drawn[1] == ["应收", "已回款", "回款率 %"]

    page.select_option("#id_by", "customer")  # htmx swaps the report in; the chart is redrawn
    page.wait_for_selector("text=按客户")
    page.wait_for_selector("#collection-chart canvas")
    assert page.evaluate(
        "() => !!echarts.getInstanceByDom(document.getElementById('collection-chart'))"
    )
    page.set_viewport_size({"width": 420, "height": 800})  # a phone: the chart follows
    page.wait_for_timeout(300)
    width = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('collection-chart')).getWidth()"
    )
    assert width < 420

    shots = os.environ.get("SD_SCREENSHOTS")  # a folder, to look at the pages by eye
    if shots:
        page.screenshot(path=f"{shots}/collection-rate.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/finance/aging/")
    assert "宁波重点纸业" in page.inner_text("#aging-report")
    if shots:
        page.screenshot(path=f"{shots}/aging.png", full_page=True)
        page.goto(f"{live_server.url}/finance/chase/")
        page.screenshot(path=f"{shots}/chase.png", full_page=True)
    assert errors == []
