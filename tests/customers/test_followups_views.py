"""Follow-up pages: the due list, logging, return visits and the customer page's activity
fragment (_customer_activity.html)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from salesdesk.customers.choices import Channel, FollowUpKind, Stage, Tier
from salesdesk.customers.models import FollowUp
from salesdesk.customers.selectors.activity import customer_activity
from salesdesk.customers.services.followups import followup_log
from salesdesk.customers.services.leads import lead_move, lead_start
from tests.factories import ContactFactory, CustomerFactory, FollowUpFactory, MailingFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=SH)
TODAY = NOW.date()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson, name="宁波甬江电器")


def test_due_list_key_first_scoped_with_quick_log_link(client_for, salesperson, other_salesperson):
    ordinary = CustomerFactory(
        owner=salesperson, name="普通食品厂", next_followup_on=TODAY - dt.timedelta(days=2)
    )
    CustomerFactory(owner=salesperson, name="大客户电器", tier=Tier.KEY, next_followup_on=TODAY)
    CustomerFactory(
        owner=salesperson, name="明天的客户", next_followup_on=TODAY + dt.timedelta(days=1)
    )
    CustomerFactory(owner=other_salesperson, name="别人的客户", next_followup_on=TODAY)
    html = client_for(salesperson).get(reverse("customers:followups-due")).content.decode()
    assert html.index("大客户电器") < html.index("普通食品厂")
    assert "明天的客户" not in html and "别人的客户" not in html
    assert reverse("customers:followup-log", args=[ordinary.pk]) in html
    html = (
        client_for(salesperson)
        .get(
            reverse("customers:followups-due"),
            {"until": (TODAY + dt.timedelta(days=1)).isoformat()},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "明天的客户" in html and "<html" not in html


def test_due_list_query_count(client_for, assistant, django_assert_max_num_queries):
    for i in range(35):
        customer = CustomerFactory(
            last_followup_at=NOW,
            next_followup_on=TODAY - dt.timedelta(days=i % 4),
            tier=Tier.KEY if i % 6 == 0 else Tier.ORDINARY,
        )
        FollowUpFactory(customer=customer, summary=f"第{i}次沟通")
    client = client_for(assistant)
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("customers:followups-due"))
    assert response.content.decode().count("次沟通") == 35
    # Only what the rows show is read: not the file's notes and addresses, nor the owners'
    # passwords (the signed-in person's own row reads one).
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"customers_customer"."notes"' not in sql
    assert '"customers_customer"."address"' not in sql
    assert sql.count('"accounts_user"."password"') == 1


def test_log_page_and_plain_post_back_to_next(client_for, salesperson, customer):
    contact = ContactFactory(customer=customer, name="王经理")
    client = client_for(salesperson)
    url = reverse("customers:followup-log", args=[customer.pk])
    assert "王经理" in client.get(url).content.decode()
    back = reverse("customers:followups-due")
    response = client.post(
        url,
        {
            "channel": Channel.QQ,
            "kind": FollowUpKind.FOLLOW_UP,
            "contact": contact.pk,
            "summary": "QQ 上确认了新箱型尺寸",
            "next_date": "2026-05-25",
            "next_kind": FollowUpKind.RETURN_VISIT,
            "next_action": "上门回访",
            "next": back,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    followup = FollowUp.objects.get()
    assert (followup.contact, followup.created_by, followup.occurred_at) == (
        contact,
        salesperson,
        NOW,
    )
    customer.refresh_from_db()
    assert (customer.next_followup_on, customer.next_followup_kind) == (
        dt.date(2026, 5, 25),
        FollowUpKind.RETURN_VISIT,
    )


def test_log_default_goes_back_to_the_customer_page(client_for, salesperson, customer):
    response = client_for(salesperson).post(
        reverse("customers:followup-log", args=[customer.pk]),
        {
            "channel": Channel.CALL,
            "kind": FollowUpKind.FOLLOW_UP,
            "summary": "电话",
            "next_kind": FollowUpKind.FOLLOW_UP,
            "next": "//evil.example/x",
        },
    )
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"channel": "telegram"}, "channel"),
        ({"next_date": "2026-05-19"}, "next_date"),
        ({"occurred_at": "2026-05-20T12:00"}, "occurred_at"),
        ({"next_date": "", "next_action": "寄样"}, "next_date"),
        ({"contact": "other"}, "contact"),
    ],
)
def test_log_bad_input(client_for, salesperson, customer, overrides, field):
    if overrides.get("contact") == "other":
        overrides = {"contact": ContactFactory().pk}  # someone else's contact
    data = {
        "channel": Channel.CALL,
        "kind": FollowUpKind.FOLLOW_UP,
        "summary": "电话",
        "next_kind": FollowUpKind.FOLLOW_UP,
    }
    data.update(overrides)
    response = client_for(salesperson).post(
        reverse("customers:followup-log", args=[customer.pk]), data
    )
    assert response.status_code == 200
    html = response.content.decode()
    tail = html.split(f'name="{field}"', 1)[1]
    assert "invalid-feedback" in tail[:2000]
    assert not FollowUp.objects.exists()
    customer.refresh_from_db()
    assert customer.last_followup_at is None


def test_log_from_customer_page_htmx_answers_with_the_fragment(client_for, salesperson, customer):
    response = client_for(salesperson).post(
        reverse("customers:followup-log", args=[customer.pk]),
        {
            "channel": Channel.WECHAT,
            "kind": FollowUpKind.FOLLOW_UP,
            "summary": "微信发了报价",
            "next_kind": FollowUpKind.FOLLOW_UP,
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-activity",
    )
    html = response.content.decode()
    assert (
        response.status_code == 200 and 'id="customer-activity"' in html and "微信发了报价" in html
    )
    response = client_for(salesperson).post(
        reverse("customers:followup-log", args=[customer.pk]),
        {"channel": Channel.WECHAT, "summary": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-activity",
    )
    html = response.content.decode()
    assert (
        'id="customer-activity"' in html
        and "invalid-feedback" in html
        and "<details" in html
        and " open>" in html
    )
    assert FollowUp.objects.count() == 1


def test_return_visit_post(client_for, salesperson, customer):
    client = client_for(salesperson)
    url = reverse("customers:return-visit", args=[customer.pk])
    response = client.post(url, {"on": "2026-05-19", "note": "看新产线"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    customer.refresh_from_db()
    assert customer.next_followup_on is None
    response = client.post(url, {"on": "", "note": ""})
    assert response.status_code == 200 and 'name="on"' in response.content.decode()
    response = client.post(url, {"on": "2026-06-01", "note": "看新产线"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "customers:detail", args=[customer.pk]
    )
    customer.refresh_from_db()
    assert (
        customer.next_followup_on,
        customer.next_followup_kind,
        customer.next_followup_note,
    ) == (
        dt.date(2026, 6, 1),
        FollowUpKind.RETURN_VISIT,
        "看新产线",
    )


def test_return_visit_htmx_from_customer_page(client_for, salesperson, customer):
    response = client_for(salesperson).post(
        reverse("customers:return-visit", args=[customer.pk]),
        {"on": "2026-06-01", "note": "上门"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-activity",
    )
    html = response.content.decode()
    assert 'id="customer-activity"' in html and "2026-06-01" in html


# the fragment the customer page includes


def render_fragment(customer, user):
    request = RequestFactory().get("/")
    request.user = user
    context = customer_activity(customer=customer, user=user)
    return render_to_string("customers/_customer_activity.html", context, request=request)


def test_activity_fragment_shows_followups_lead_and_mailings(salesperson, customer):
    for i in range(12):
        followup_log(
            customer=customer,
            by=salesperson,
            channel=Channel.CALL,
            summary=f"第{i:02d}次电话",
            occurred_at=NOW - dt.timedelta(days=12 - i),
        )
    followup_log(
        customer=customer,
        by=salesperson,
        channel=Channel.VISIT,
        summary="最新一次拜访",
        next_date=TODAY + dt.timedelta(days=3),
        next_action="报价",
    )
    lead = lead_start(customer=customer, by=salesperson)
    lead_move(lead=lead, by=salesperson, stage=Stage.CONTACTED, note="联系上了采购")
    MailingFactory(customer=customer, items="画册两本")
    html = render_fragment(customer, salesperson)
    assert html.index("最新一次拜访") < html.index("第11次电话")
    assert "第00次电话" not in html  # limited to the latest ten
    assert "联系上了采购" in html and "画册两本" in html
    assert reverse("customers:followup-log", args=[customer.pk]) in html
    assert reverse("customers:return-visit", args=[customer.pk]) in html
    assert reverse("customers:lead-move", args=[lead.pk]) in html
    assert reverse("customers:lead-start", args=[customer.pk]) not in html  # one is open
    assert (TODAY + dt.timedelta(days=3)).isoformat() in html


def test_activity_fragment_offers_to_start_a_lead(salesperson, customer):
    html = render_fragment(customer, salesperson)
    assert reverse("customers:lead-start", args=[customer.pk]) in html


def test_activity_fragment_read_only_for_the_director(director, customer):
    html = render_fragment(customer, director)
    assert "<form" not in html


def test_activity_query_count_is_fixed(salesperson, customer, django_assert_max_num_queries):
    for i in range(30):
        FollowUpFactory(
            customer=customer, contact=ContactFactory(customer=customer), summary=f"沟通{i}"
        )
        MailingFactory(customer=customer)
    with django_assert_max_num_queries(8):
        render_fragment(customer, salesperson)


def test_customer_page_includes_the_activity_fragment(client_for, salesperson, customer):
    followup_log(customer=customer, by=salesperson, channel=Channel.CALL, summary="客户页上的跟进")
    html = (
        client_for(salesperson)
        .get(reverse("customers:detail", args=[customer.pk]))
        .content.decode()
    )
    assert 'id="customer-activity"' in html and "客户页上的跟进" in html
    assert reverse("customers:lead-start", args=[customer.pk]) in html
