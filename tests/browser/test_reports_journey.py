"""The sales report in a real Chromium: the assistant opens it from the menu, the charts are
drawn with Chinese labels, and clicking a bar opens the orders behind it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory
from tests.orders.test_orders_helpers import confirmed_order, make_product

pytestmark = pytest.mark.django_db(transaction=True)


def test_sales_report_charts_drill_down_to_orders(
    page, live_server, sign_in, assistant, salesperson, console_errors
):
    today = timezone.localdate()
    customer = CustomerFactory(name="杭州明发包装有限公司", owner=salesperson)
    order = confirmed_order(
        salesperson,
        customer,
        order_date=today.replace(day=1),
        lines=[(make_product(), 1000, Decimal("1.2345"))],
    )
    last_year = confirmed_order(
        salesperson,
        customer,
        order_date=today.replace(day=1) - dt.timedelta(days=365),
        lines=[(make_product(), 10, Decimal("3.0000"))],
    )
    sign_in("assistant")
    page.click("text=报表")
    page.click("text=销售报表")
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator("h1").first.inner_text() == "销售报表"
    drawn = page.evaluate(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('trend-chart'));"
        " const o = c.getOption(); return [o.xAxis[0].data.length, o.series.map(s => s.name),"
        " o.series[0].data[o.series[0].data.length - 1]]; }"
    )
    assert drawn[0] == 12
    assert drawn[1] == ["销售额", "去年同期"]
    assert drawn[2] == str(order.total_amount)
    page.wait_for_selector("#breakdown-chart canvas")
    page.wait_for_selector("#stacked-chart canvas")

    # Click this month's bar: the order list shows the booked orders of the month.
    page.locator("#trend-chart").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # the bars grow in for a second
    point = page.evaluate(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('trend-chart'));"
        " const n = c.getOption().xAxis[0].data.length;"
        " const p = c.convertToPixel({seriesIndex: 0}, [n - 1, c.getOption().series[0].data[n - 1] / 2]);"
        " const r = document.getElementById('trend-chart').getBoundingClientRect();"
        " return [r.left + p[0], r.top + p[1]]; }"
    )
    assert page.get_attribute("#trend-chart", "data-drill") == "1"
    page.mouse.move(point[0], point[1])  # the bar is hovered, then clicked
    page.wait_for_timeout(300)
    page.mouse.click(point[0], point[1])
    page.wait_for_url("**/orders/?booked=1*")
    page.wait_for_selector("#drill-down")
    table = page.locator("main table").first.inner_text()
    assert order.number in table
    assert last_year.number not in table

    # The director's monthly pack for this month: its charts are drawn on the page.
    page.click("text=报表")
    page.click("text=月度报告")
    page.wait_for_selector("main svg")
    assert page.locator("main svg").count() >= 1
    assert console_errors == []
