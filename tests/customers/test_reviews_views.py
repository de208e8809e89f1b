"""Report pages and their Excel exports: new-customer table, win/loss, biweekly review."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import LostReason, Source, Stage, Tier
from salesdesk.customers.selectors.reviews import review_pack
from salesdesk.customers.services.leads import lead_move, lead_start
from tests.factories import CustomerFactory, LeadFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SH), tick=False)


def sheets(response) -> dict[str, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture
def march(salesperson, other_salesperson):
    with at(2026, 3, 5, 9, 0):
        CustomerFactory(owner=salesperson, name="三月新客户甲", source=Source.WEBSITE)
        CustomerFactory(
            owner=salesperson, name="三月大客户", tier=Tier.KEY, source=Source.EXHIBITION
        )
        CustomerFactory(owner=other_salesperson, name="别人的三月客户")
    with at(2026, 4, 2, 9, 0):
        CustomerFactory(owner=salesperson, name="四月客户")
    closed = {
        "stage_changed_at": dt.datetime(2026, 3, 10, tzinfo=SH),
        "closed_at": dt.datetime(2026, 3, 10, tzinfo=SH),
    }
    LeadFactory(
        customer__owner=salesperson, customer__source=Source.WEBSITE, stage=Stage.WON, **closed
    )
    LeadFactory(
        customer__owner=salesperson,
        customer__source=Source.WEBSITE,
        stage=Stage.LOST,
        lost_reason=LostReason.PRICE,
        **closed,
    )
    LeadFactory(
        customer__owner=salesperson,
        customer__source=Source.WEBSITE,
        stage=Stage.LOST,
        lost_reason=LostReason.PRICE,
        **closed,
    )
    LeadFactory(
        customer__owner=other_salesperson, customer__source=Source.PHONE, stage=Stage.WON, **closed
    )


def test_new_customers_page_defaults_to_this_month(client_for, salesperson, march):
    with at(2026, 3, 20, 9, 0):
        html = client_for(salesperson).get(reverse("customers:new-customers")).content.decode()
    assert 'value="2026-03-01"' in html and 'value="2026-03-20"' in html
    assert html.index("三月大客户") < html.index("三月新客户甲")
    assert "别人的三月客户" not in html and "四月客户" not in html
    assert "网站" in html


def test_new_customers_rows_show_source_status_and_latest_lead_stage(client_for, salesperson):
    with at(2026, 3, 5, 9, 0):
        quoting = CustomerFactory(owner=salesperson, name="报价中的客户", source=Source.WEBSITE)
        LeadFactory(customer=quoting, stage=Stage.QUOTING)
        CustomerFactory(owner=salesperson, name="没有商机的客户")
    with at(2026, 3, 20, 9, 0):
        html = client_for(salesperson).get(reverse("customers:new-customers")).content.decode()
    row = html[html.index("报价中的客户") :].split("</tr>")[0]
    assert "网站" in row and "报价" in row and quoting.get_status_display() in row
    row = html[html.index("没有商机的客户") :].split("</tr>")[0]
    assert "<td>—</td>" in row


def test_new_customers_bad_period_names_the_field(client_for, salesperson):
    response = client_for(salesperson).get(
        reverse("customers:new-customers"), {"start": "2026-03-10", "end": "2026-03-01"}
    )
    html = response.content.decode()
    assert (
        response.status_code == 200 and "invalid-feedback" in html.split('name="end"', 1)[1][:800]
    )
    response = client_for(salesperson).get(
        reverse("customers:new-customers"), {"start": "yesterday"}
    )
    assert "invalid-feedback" in response.content.decode().split('name="start"', 1)[1][:800]
    response = client_for(salesperson).get(
        reverse("customers:win-loss"), {"start": "2020-01-01", "end": "2026-01-01"}
    )
    assert "invalid-feedback" in response.content.decode().split('name="end"', 1)[1][:800]
    response = client_for(salesperson).get(reverse("customers:review"), {"as_of": "2026-13-01"})
    assert "invalid-feedback" in response.content.decode().split('name="as_of"', 1)[1][:800]


def test_new_customers_excel_scoped_with_chinese_headers(client_for, salesperson, march):
    response = client_for(salesperson).get(
        reverse("customers:new-customers"),
        {"start": "2026-03-01", "end": "2026-03-31", "format": "xlsx"},
    )
    book = sheets(response)
    (rows,) = book.values()
    assert rows[0][:4] == ["客户编码", "客户", "大客户", "来源"]
    names = [r[1] for r in rows[1:]]
    assert "三月新客户甲" in names and "三月大客户" in names
    assert "别人的三月客户" not in names and "四月客户" not in names
    key_row = next(r for r in rows[1:] if r[1] == "三月大客户")
    assert key_row[2] == "大客户" and key_row[3] == "展会"


def test_new_customers_query_count(client_for, assistant, django_assert_max_num_queries):
    with at(2026, 3, 5, 9, 0):
        for i in range(35):
            LeadFactory(
                customer__tier=Tier.KEY if i % 7 == 0 else Tier.ORDINARY,
                customer__name=f"新客户{i:02d}",
            )
    client = client_for(assistant)
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("customers:new-customers"), {"start": "2026-03-01", "end": "2026-03-31"}
        )
    assert response.content.decode().count("新客户") >= 35
    with django_assert_max_num_queries(6):
        rows = next(
            iter(
                sheets(
                    client.get(
                        reverse("customers:new-customers"),
                        {"start": "2026-03-01", "end": "2026-03-31", "format": "xlsx"},
                    )
                ).values()
            )
        )
    assert len(rows) == 36


def test_win_loss_page_and_excel(client_for, salesperson, march):
    client = client_for(salesperson)
    html = client.get(
        reverse("customers:win-loss"), {"start": "2026-03-01", "end": "2026-03-31"}
    ).content.decode()
    assert "33.3%" in html and "电话" not in html  # sales2's phone-sourced win is not counted
    book = sheets(
        client.get(
            reverse("customers:win-loss"),
            {"start": "2026-03-01", "end": "2026-03-31", "format": "xlsx"},
        )
    )
    assert list(book) == ["按来源", "按业务员", "按丢单原因"]
    by_source = book["按来源"]
    assert by_source[0] == ["来源", "成交", "丢单", "已结束", "成交率 %"]
    assert by_source[1] == ["网站", 1.0, 2.0, 3.0, 33.3]
    assert book["按业务员"][1][0] == "李业务"
    assert book["按丢单原因"][1] == ["价格", 2.0, 100.0]


def test_review_page_and_excel_one_sheet_per_section(client_for, salesperson, other_salesperson):
    with at(2026, 3, 1, 9, 0):
        lead_start(customer=CustomerFactory(owner=salesperson, name="停滞纸业"), by=salesperson)
        moving = lead_start(
            customer=CustomerFactory(owner=salesperson, name="推进电器"), by=salesperson
        )
        lost = lead_start(
            customer=CustomerFactory(owner=salesperson, name="丢单食品"), by=salesperson
        )
        lead_start(
            customer=CustomerFactory(owner=other_salesperson, name="别人停滞"), by=other_salesperson
        )
    with at(2026, 3, 20, 9, 0):
        lead_move(lead=moving, by=salesperson, stage=Stage.QUOTING, note="报价 3.2 元/只")
        lead_move(
            lead=lost,
            by=salesperson,
            stage=Stage.LOST,
            lost_reason=LostReason.DELIVERY,
            note="交期太长",
        )
        CustomerFactory(owner=salesperson, name="半月新客户")
    client = client_for(salesperson)
    with at(2026, 3, 28, 18, 0):
        html = client.get(reverse("customers:review")).content.decode()
    assert 'value="2026-03-28"' in html
    for text in ("报价 3.2 元/只", "停滞纸业", "交期太长", "半月新客户"):
        assert text in html
    assert "别人停滞" not in html
    book = sheets(
        client.get(reverse("customers:review"), {"as_of": "2026-03-28", "format": "xlsx"})
    )
    assert list(book) == ["推进", "成交和丢单", "停滞", "新客户表"]
    moved = book["推进"]
    assert moved[0][:6] == ["客户编码", "客户", "大客户", "业务员", "原阶段", "新阶段"]
    assert (
        moved[1][1] == "推进电器"
        and moved[1][4:6] == ["发现", "报价中"]
        and moved[1][-1] == "报价 3.2 元/只"
    )
    closed = book["成交和丢单"]
    assert (
        closed[1][1] == "丢单食品"
        and closed[1][4] == "丢单"
        and closed[1][6:] == ["交期", "交期太长"]
    )
    assert [r[1] for r in book["停滞"][1:]] == ["停滞纸业"] and book["停滞"][1][-1] == 27.0
    assert [r[1] for r in book["新客户表"][1:]] == ["半月新客户"]


def test_review_page_shows_50_stalled_with_counts_and_export_keeps_all(client_for, salesperson):
    """Performance fix 3: the page lists 50 stalled leads and the count per stage; Excel all."""
    from tests.factories import LeadFactory

    since = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
    for i in range(53):
        LeadFactory(
            customer=CustomerFactory(owner=salesperson, name=f"久停客户{i:02d}"),
            stage=Stage.CONTACTED,
            stage_changed_at=since + dt.timedelta(hours=i),
        )
    client = client_for(salesperson)
    with at(2026, 3, 28, 18, 0):
        html = client.get(reverse("customers:review")).content.decode()
    assert html.count("久停客户") == 50 and "53" in html
    assert "久停客户00" in html and "久停客户52" not in html
    book = sheets(
        client.get(reverse("customers:review"), {"as_of": "2026-03-28", "format": "xlsx"})
    )
    assert sum(1 for row in book["停滞"] if "久停客户" in str(row[1])) == 53


# The review's table bodies as the page's template loops wrote them over review_pack's model
# instances before the rows were written in Python (customers/templatetags/review_rows.py).
REVIEW_TABLES = """{% load i18n lists customer_links %}
    <tbody>{% for m in pack.moved|choice_labels %}<tr{% if m.lead.customer.is_key_account %} class="key-account"{% endif %}>
      <td>{% customer_link m.lead.customer %}</td><td>{{ m.lead.customer.owner|default:"—" }}</td>
      <td>{{ m.from_stage_label }}</td><td>{{ m.to_stage_label }}</td><td>{{ m.changed_at|ymd }}</td><td class="wrap">{{ m.note }}</td></tr>
    {% empty %}<tr><td colspan="6" class="text-body-secondary">{% translate "No leads moved." %}</td></tr>{% endfor %}</tbody>
    <tbody>{% for lead in pack.won|choice_labels %}<tr{% if lead.customer.is_key_account %} class="key-account"{% endif %}>
      <td>{% customer_link lead.customer %}</td><td>{{ lead.customer.owner|default:"—" }}</td>
      <td><span class="badge text-bg-success">{{ lead.stage_label }}</span></td><td>{{ lead.closed_at|ymd }}</td><td></td></tr>{% endfor %}
    {% for lead in pack.lost|choice_labels %}<tr{% if lead.customer.is_key_account %} class="key-account"{% endif %}>
      <td>{% customer_link lead.customer %}</td><td>{{ lead.customer.owner|default:"—" }}</td>
      <td><span class="badge text-bg-danger">{{ lead.stage_label }}</span></td><td>{{ lead.closed_at|ymd }}</td><td class="wrap">{{ lead.lost_reason_label }}{% if lead.lost_note %} · {{ lead.lost_note }}{% endif %}</td></tr>{% endfor %}
    {% if not pack.won and not pack.lost %}<tr><td colspan="5" class="text-body-secondary">{% translate "No leads won or lost." %}</td></tr>{% endif %}</tbody>
    <tbody>{% for lead in pack.stalled|choice_labels %}<tr{% if lead.customer.is_key_account %} class="key-account"{% endif %}>
      <td><a href="{{ lead.pk|pk_url:'customers:lead-detail' }}">{{ lead.customer.name }}</a>{{ lead.customer|key_badge }}</td><td>{{ lead.customer.owner|default:"—" }}</td>
      <td>{{ lead.stage_label }}</td><td>{{ lead.stage_changed_at|ymd }}</td><td class="text-end">{{ lead.days_in_stage }}</td></tr>
    {% empty %}<tr><td colspan="5" class="text-body-secondary">{% translate "No stalled leads." %}</td></tr>{% endfor %}</tbody>
    <tbody>{% for c in pack.new_customers|choice_labels %}<tr{% if c.is_key_account %} class="key-account"{% endif %}>
      <td>{% customer_link c %}</td><td>{{ c.source_label|default:"—" }}</td><td>{{ c.owner|default:"—" }}</td><td>{{ c.created_at|ymd }}</td></tr>
    {% empty %}<tr><td colspan="4" class="text-body-secondary">{% translate "No new customers." %}</td></tr>{% endfor %}</tbody>"""


def _table_bodies(html: str) -> list[str]:
    bodies = re.findall(r"<tbody>.*?</tbody>", html, flags=re.DOTALL)
    assert len(bodies) == 4
    return bodies


@pytest.fixture
def review_rows(assistant, salesperson, other_salesperson):
    """Rows covering every branch of the review's tables: key accounts, no owner, an owner
    without a display name, markup in names and notes, lost with and without a note, no
    source, a lead stalled, 2026-03-15 .. 2026-03-28."""
    unnamed = UserFactory(display_name="", first_name="三", last_name="张", username="zhang3")
    with at(2026, 3, 1, 9, 0):
        key = CustomerFactory(owner=salesperson, name="A & B <包装>", tier=Tier.KEY, source="")
        moving = lead_start(customer=key, by=salesperson)
        unowned = lead_start(customer=CustomerFactory(owner=None, name='无主 "客户"'), by=assistant)
        won = lead_start(customer=CustomerFactory(owner=unnamed, tier=Tier.KEY), by=unnamed)
        lost = [
            lead_start(customer=CustomerFactory(owner=other_salesperson), by=other_salesperson)
            for _ in range(2)
        ]
        lead_start(
            customer=CustomerFactory(owner=salesperson, name="停滞<大>客户", tier=Tier.KEY),
            by=salesperson,
        )
        lead_start(customer=CustomerFactory(owner=None), by=assistant)
    with at(2026, 3, 20, 9, 0):
        lead_move(lead=moving, by=salesperson, stage=Stage.QUOTING, note='报价 "3.2" 元 & <包邮>')
        lead_move(lead=unowned, by=assistant, stage=Stage.CONTACTED)
        lead_move(lead=won, by=unnamed, stage=Stage.WON)
        lead_move(
            lead=lost[0],
            by=other_salesperson,
            stage=Stage.LOST,
            lost_reason=LostReason.PRICE,
            note="嫌<贵>",
        )
        lead_move(
            lead=lost[1], by=other_salesperson, stage=Stage.LOST, lost_reason=LostReason.OTHER
        )
        CustomerFactory(owner=None, name="新 & 无主", source="", tier=Tier.KEY)
        CustomerFactory(owner=unnamed, source=Source.WEBSITE)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewer", ["assistant", "salesperson", "other_salesperson"])
def test_review_rows_are_the_template_rows(
    review_rows, client_for, language, viewer, request, django_assert_max_num_queries
):
    """Written in Python, the review's rows are what the template loops wrote over the model
    instances, byte for byte, in both languages; the page reads no unshown wide column and no
    query per row (session, user, the count per stage, five lists, the owners' names)."""
    user = request.getfixturevalue(viewer)
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with at(2026, 3, 28, 18, 0), django_assert_max_num_queries(9) as queries:
        html = client.get(reverse("customers:review")).content.decode()
    with translation.override(language):
        pack = review_pack(user=user, as_of=dt.date(2026, 3, 28))
        reference = Template(REVIEW_TABLES).render(Context({"pack": pack}))
    assert _table_bodies(html) == _table_bodies(reference)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert '"customers_customer"."notes"' not in sql
    if viewer == "assistant":
        for text in (
            "A &amp; B &lt;包装&gt;",
            "&quot;3.2&quot;",
            "三 张",
            " · 嫌&lt;贵&gt;</td>",
            "<td>—</td>",
        ):
            assert text in html
