"""Today (R-8.1): each role sees exactly its items, doing the work removes the item, key
accounts first, the API equals the page, two queries whatever the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from salesdesk.customers.choices import Channel, Tier
from salesdesk.customers.services.followups import followup_log
from salesdesk.customers.services.mailings import mailing_record_feedback
from salesdesk.orders.models import Order
from salesdesk.orders.services.orders import order_confirm
from salesdesk.reports.selectors import today as selectors
from tests.factories import CustomerFactory
from tests.orders.factories_shipments import make_order
from tests.test_i18n import ALLOWED_CJK, ALLOWED_LATIN, visible_text

from .today_data import days, set_of_work

pytestmark = pytest.mark.django_db

ALL_KEYS = [
    "answer",
    "at_risk",
    "week",
    "ready",
    "notice",
    "receipt",
    "followups",
    "quiet",
    "samples",
    "approvals",
    "receivables",
]
SALES_KEYS = [k for k in ALL_KEYS if k != "ready"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def work(salesperson, other_salesperson):
    return {
        "mine": set_of_work(salesperson, "甲"),
        "theirs": set_of_work(other_salesperson, "乙"),
    }


def ids(page) -> dict[str, list[int]]:
    return {s.key: [item.id for item in s.items] for s in page.sections}


def counts(page) -> dict[str, int]:
    return {s.key: s.count for s in page.sections}


def test_salesperson_sees_own_items_only_in_every_section(work, salesperson):
    page = selectors.today_page(user=salesperson)
    assert [s.key for s in page.sections] == SALES_KEYS
    assert ids(page) == {key: [work["mine"][key]] for key in SALES_KEYS}
    assert counts(page) == dict.fromkeys(SALES_KEYS, 1)
    # and the full list of each section holds the same, nothing of the other salesperson
    for section in selectors.sections_for(salesperson):
        rows = list(selectors.section_rows(user=salesperson, section=section))
        assert [r["t_id"] for r in rows] == [work["mine"][section.key]], section.key


@pytest.mark.parametrize("persona", ["assistant", "commercial", "director", "admin_user"])
def test_the_office_sees_everyones_items(request, work, persona):
    user = request.getfixturevalue(persona)
    page = selectors.today_page(user=user)
    assert [s.key for s in page.sections] == ALL_KEYS
    expected = {
        key: sorted({work["mine"][key], work["theirs"][key]}) for key in ALL_KEYS if key != "ready"
    }
    expected["ready"] = sorted({work["mine"]["ready"], work["theirs"]["ready"]})
    assert {k: sorted(v) for k, v in ids(page).items()} == expected
    assert page.total == 22


def test_warehouse_gets_shipping_work_without_money_or_customer_files(work, warehouse, client_for):
    page = selectors.today_page(user=warehouse)
    assert [s.key for s in page.sections] == ["ready", "receipt"]
    assert sorted(ids(page)["ready"]) == sorted([work["mine"]["ready"], work["theirs"]["ready"]])
    assert all(item.amount is None for s in page.sections for item in s.items)
    html = client_for(warehouse).get(reverse("reports:today")).content.decode()
    assert "¥" not in html and "/customers/" not in html and "/finance/" not in html
    ready = next(s for s in page.sections if s.key == "ready")
    assert ready.items[0].url.startswith(reverse("orders:shipment-create") + "?order=")


def test_finance_gets_the_money_to_chase(work, finance):
    page = selectors.today_page(user=finance)
    assert [s.key for s in page.sections] == ["receivables"]
    items = page.sections[0].items
    assert sorted(i.id for i in items) == sorted(
        [work["mine"]["receivables"], work["theirs"]["receivables"]]
    )
    assert {str(i.amount) for i in items} == {"1234.50"}


def test_doing_the_work_removes_the_item(work, salesperson, client_for):
    mine = work["mine"]
    client = client_for(salesperson)
    before = client.get(reverse("reports:today")).context["today"]
    assert ids(before)["answer"] == [mine["answer"]]

    order_confirm(order=Order.objects.get(pk=mine["answer"]), by=salesperson, promised_date=days(9))
    customer = Order.objects.get(pk=mine["answer"]).customer
    followup_log(customer=customer, by=salesperson, channel=Channel.CALL, summary="谈了下月订单")
    lead_customer = CustomerFactory._meta.model.objects.get(name="甲新线索有限公司")
    followup_log(customer=lead_customer, by=salesperson, channel=Channel.CALL, summary="报价")
    mailing = customer.mailings.get()
    mailing_record_feedback(
        mailing=mailing, by=salesperson, received_on=timezone.localdate(), feedback="样品合格"
    )

    after = client.get(reverse("reports:today")).context["today"]
    gone = {"answer", "followups", "quiet", "samples"}
    assert {key for key, value in counts(after).items() if value == 0} == gone
    assert after.total == before.total - len(gone)


def test_key_accounts_first_in_each_section(salesperson):
    ordinary = set_of_work(salesperson, "普通")
    key = set_of_work(salesperson, "大客户", tier=Tier.KEY)
    page = selectors.today_page(user=salesperson)
    for section in page.sections:
        assert [i.id for i in section.items] == [key[section.key], ordinary[section.key]], (
            section.key
        )
        assert [i.key_account for i in section.items] == [True, False]


def test_within_a_section_the_oldest_due_comes_first_and_ten_are_shown(assistant, salesperson):
    customers = [CustomerFactory(owner=salesperson) for _ in range(12)]
    for n, customer in enumerate(customers):
        customer.next_followup_on = days(-n)
        customer.save(update_fields=["next_followup_on"])
    page = selectors.today_page(user=assistant)
    followups = next(s for s in page.sections if s.key == "followups")
    assert followups.count == 12
    assert [i.id for i in followups.items] == [c.pk for c in reversed(customers)][:10]
    assert followups.all_url == reverse("reports:today-section", args=["followups"])


def test_ten_shown_are_the_key_accounts_then_the_oldest_others(assistant, salesperson):
    """Key accounts due latest still come before ordinary customers due earlier, and the
    ten shown are cut after that order (PostgreSQL reads the two parts separately)."""
    ordinary = [CustomerFactory(owner=salesperson) for _ in range(9)]
    key = [CustomerFactory(owner=salesperson, tier=Tier.KEY) for _ in range(3)]
    for n, customer in enumerate(ordinary):
        customer.next_followup_on = days(-20 - n)
        customer.save(update_fields=["next_followup_on"])
    for n, customer in enumerate(key):
        customer.next_followup_on = days(-n)
        customer.save(update_fields=["next_followup_on"])
    page = selectors.today_page(user=assistant)
    followups = next(s for s in page.sections if s.key == "followups")
    assert followups.count == 12
    expected = [c.pk for c in reversed(key)] + [c.pk for c in reversed(ordinary)][:7]
    assert [i.id for i in followups.items] == expected
    assert [i.key_account for i in followups.items] == [True] * 3 + [False] * 7


def test_two_queries_whatever_the_data(assistant, salesperson, django_assert_num_queries):
    set_of_work(salesperson, "一")
    set_of_work(salesperson, "二", tier=Tier.KEY)
    with django_assert_num_queries(2):
        page = selectors.today_page(user=assistant)
    assert page.total == 22
    with django_assert_num_queries(1):
        selectors.today_counts(user=assistant)


def test_the_page_in_chinese_and_english(work, assistant, client_for):
    client = client_for(assistant)
    zh = client.get(reverse("reports:today"))
    assert zh.status_code == 200
    text = visible_text(zh.content.decode())
    for title in ("今日待办", "待回复交期", "风险订单", "逾期应收待催收", "久未跟进的线索"):
        assert title in text
    english = set(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text)) - ALLOWED_LATIN
    assert english == set()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(reverse("reports:today"))
    text = visible_text(en.content.decode())
    for title in ("Today", "Delivery dates to answer", "Orders at risk", "Leads gone quiet"):
        assert title in text
    data = {"甲包装有限公司", "乙包装有限公司", "甲新线索有限公司", "乙新线索有限公司"}
    data |= {"甲样品", "乙样品", "王助理", "李业务", "张业务", "顺丰速运", "问下月订单"}
    for word in data | ALLOWED_CJK:
        text = text.replace(word, "")
    text = re.sub(r"[三五]层\S*", "", text)  # product names
    assert re.findall(r"[\u4e00-\u9fff]+", text) == []


def test_the_api_equals_the_page(work, api_for, salesperson, assistant):
    for user in (salesperson, assistant):
        page = selectors.today_page(user=user)
        cache.clear()
        answer = api_for(user).get("/api/v1/today/")
        assert answer.status_code == 200
        data = answer.json()
        assert data["total"] == page.total
        assert [(s["key"], s["count"]) for s in data["sections"]] == [
            (s.key, s.count) for s in page.sections
        ]
        assert {s["key"]: [i["id"] for i in s["items"]] for s in data["sections"]} == ids(page)
    receivables = next(s for s in data["sections"] if s["key"] == "receivables")
    assert {i["amount"] for i in receivables["items"]} == {"1234.50"}


def test_api_refuses_anonymous_and_scopes_the_salesperson(work, api_for, other_salesperson):
    assert api_for().get("/api/v1/today/").status_code == 401
    data = api_for(other_salesperson).get("/api/v1/today/").json()
    seen = {(s["key"], i["id"]) for s in data["sections"] for i in s["items"]}
    assert seen == {(key, work["theirs"][key]) for key in SALES_KEYS}


def test_first_page_after_sign_in_is_today_for_every_role(
    client_for, assistant, salesperson, warehouse, finance
):
    for user in (assistant, salesperson, warehouse, finance):
        response = client_for(user).get("/")
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:today")


def test_anonymous_goes_to_sign_in(client):
    for url in (reverse("reports:today"), reverse("reports:today-section", args=["answer"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(reverse("reports:today")).status_code == 302


def test_wrong_method_is_refused(client_for, assistant):
    assert client_for(assistant).post(reverse("reports:today")).status_code == 405


def test_section_page_lists_all_items_and_is_only_for_its_roles(
    client_for, assistant, salesperson, warehouse
):
    customers = [CustomerFactory(owner=salesperson, next_followup_on=days(-1)) for _ in range(55)]
    client = client_for(assistant)
    url = reverse("reports:today-section", args=["followups"])
    first = client.get(url)
    assert first.status_code == 200
    assert first.context["page_obj"].paginator.count == 55
    assert len(first.context["items"]) == settings.SALESDESK_PAGE_SIZE
    second = client.get(url, {"page": 2})
    shown = [i.id for i in first.context["items"]] + [i.id for i in second.context["items"]]
    assert sorted(shown) == sorted(c.pk for c in customers)
    # the warehouse has no follow-ups section: not found, as a record out of scope would be
    assert client_for(warehouse).get(url).status_code == 404
    assert client.get(reverse("reports:today-section", args=["nonsense"])).status_code == 404


def test_section_page_is_scoped(work, client_for, salesperson):
    response = client_for(salesperson).get(reverse("reports:today-section", args=["receipt"]))
    assert [i.id for i in response.context["items"]] == [work["mine"]["receipt"]]


def test_header_badge_shows_the_cached_total_without_a_query(
    work, client_for, salesperson, django_assert_max_num_queries
):
    client = client_for(salesperson)
    cold = client.get(reverse("customers:list")).content.decode()
    assert f'hx-get="{reverse("reports:today-badge")}"' in cold
    badge = client.get(reverse("reports:today-badge")).content.decode()
    assert ">10</span>" in badge
    warm = client.get(reverse("customers:list")).content.decode()
    assert ">10</span>" in warm and f'hx-get="{reverse("reports:today-badge")}"' not in warm
    # the Today page counts afresh, refreshes the cache, and the header shows its total
    order_confirm(
        order=Order.objects.get(pk=work["mine"]["answer"]), by=salesperson, promised_date=days(9)
    )
    page = client.get(reverse("reports:today")).content.decode()
    assert 'id="today-badge"' in page and ">9</span>" in page
    with django_assert_max_num_queries(4):  # session, user, counts, rows
        client.get(reverse("reports:today"))


def test_links_lead_to_where_the_work_is_done(work, salesperson, director):
    page = selectors.today_page(user=salesperson)
    url = {s.key: s.items[0].url for s in page.sections}
    mine = work["mine"]
    today_url = reverse("reports:today")
    assert url["answer"] == reverse("orders:detail", args=[mine["answer"]])
    assert url["notice"] == reverse("orders:shipment-detail", args=[mine["notice"]])
    assert url["followups"].startswith(reverse("customers:followup-log", args=[mine["followups"]]))
    assert url["followups"].endswith("next=" + today_url.replace("/", "%2F"))
    assert url["samples"].startswith(reverse("customers:mailing-feedback", args=[mine["samples"]]))
    assert url["approvals"] == reverse("catalog:approval-decide", args=[mine["approvals"]])
    # the director reads: links go to pages, not to forms
    directors = {s.key: s.items for s in selectors.today_page(user=director).sections}
    assert all("/followups/log/" not in i.url for i in directors["followups"])
    assert all("/decide/" not in i.url for i in directors["approvals"])


def test_leads_are_quiet_after_the_configured_days(salesperson, settings):
    work = set_of_work(salesperson, "静")
    settings.SALESDESK_QUIET_LEAD_DAYS = 60  # the lead moved 45 days ago
    page = selectors.today_page(user=salesperson)
    assert counts(page)["quiet"] == 0
    settings.SALESDESK_QUIET_LEAD_DAYS = 30
    assert ids(selectors.today_page(user=salesperson))["quiet"] == [work["quiet"]]


def test_a_recent_shipment_is_not_yet_missing_its_receipt(salesperson):
    customer = CustomerFactory(owner=salesperson)
    order = make_order(customer=customer)
    from .today_data import _shipment

    _shipment(order, "FH-NEW", ship_date=timezone.localdate() - dt.timedelta(days=2))
    old = _shipment(order, "FH-OLD", ship_date=timezone.localdate() - dt.timedelta(days=3))
    assert ids(selectors.today_page(user=salesperson))["receipt"] == [old.pk]


def test_counts_stop_past_the_cap_and_show_a_plus(
    monkeypatch, assistant, salesperson, client_for, api_for
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for n in range(6):
        customer = CustomerFactory(owner=salesperson)
        customer.next_followup_on = days(-n)
        customer.save(update_fields=["next_followup_on"])
    page = selectors.today_page(user=assistant)
    followups = next(s for s in page.sections if s.key == "followups")
    assert followups.count == 4 and followups.capped  # counted to cap + 1 only
    html = client_for(assistant).get(reverse("reports:today")).content.decode()
    assert 'data-count="4">3+</span>' in html
    section = next(
        s
        for s in api_for(assistant).get("/api/v1/today/").json()["sections"]
        if s["key"] == "followups"
    )
    assert (section["count"], section["capped"]) == (4, True)
    # The section's own page still lists every item.
    listing = client_for(assistant).get(reverse("reports:today-section", args=["followups"]))
    assert listing.context["page_obj"].paginator.count == 6
