"""Mailing pages: list with filters, create (picker limited to scope), feedback."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from salesdesk.customers.choices import MailingKind, Stage, Tier
from salesdesk.customers.models import Mailing
from tests.factories import CustomerFactory, LeadFactory, MailingFactory

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 4, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0, tzinfo=SH), tick=False):
        yield


def form_data(who, **overrides):
    data = {
        "customer": who.code,
        "kind": MailingKind.BOTH,
        "items": "彩箱样品 2 个 + 画册",
        "courier": "中通快递",
        "tracking_number": "ZT778899",
        "sent_on": "2026-04-14",
        "feedback_due_on": "2026-04-24",
    }
    data.update(overrides)
    return data


def test_mailing_list_filters_and_scope(client_for, salesperson, other_salesperson):
    MailingFactory(
        customer__owner=salesperson,
        customer__name="已回复纸业",
        feedback_received_on=TODAY,
        feedback="好",
    )
    MailingFactory(
        customer__owner=salesperson,
        customer__name="逾期纸业",
        feedback_due_on=TODAY - dt.timedelta(days=1),
    )
    MailingFactory(
        customer__owner=salesperson,
        customer__name="等待纸业",
        feedback_due_on=TODAY + dt.timedelta(days=1),
    )
    MailingFactory(customer__owner=other_salesperson, customer__name="别人纸业")
    client = client_for(salesperson)
    html = client.get(reverse("customers:mailings")).content.decode()
    assert (
        "已回复纸业" in html
        and "逾期纸业" in html
        and "等待纸业" in html
        and "别人纸业" not in html
    )
    html = client.get(reverse("customers:mailings"), {"awaiting": "on"}).content.decode()
    assert "已回复纸业" not in html and "逾期纸业" in html and "等待纸业" in html
    html = client.get(
        reverse("customers:mailings"), {"overdue": "on"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "逾期纸业" in html and "等待纸业" not in html and "<html" not in html


def test_mailing_list_query_count(client_for, assistant, django_assert_max_num_queries):
    for i in range(35):
        MailingFactory(customer__tier=Tier.KEY if i % 5 == 0 else Tier.ORDINARY)
    client = client_for(assistant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers:mailings"))
    assert response.content.decode().count("顺丰速运") == 35


def test_mailing_create_with_preset_customer_and_next(client_for, salesperson):
    customer = CustomerFactory(owner=salesperson)
    lead = LeadFactory(customer=customer, stage=Stage.CONTACTED)
    client = client_for(salesperson)
    back = reverse("customers:detail", args=[customer.pk])
    page = client.get(reverse("customers:mailing-create"), {"customer": customer.pk, "next": back})
    assert page.status_code == 200 and f'value="{customer.code}"' in page.content.decode()
    response = client.post(
        reverse("customers:mailing-create") + f"?customer={customer.pk}",
        {**form_data(customer), "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    mailing = Mailing.objects.get()
    assert (mailing.customer, mailing.courier, mailing.created_by) == (
        customer,
        "中通快递",
        salesperson,
    )
    lead.refresh_from_db()
    assert lead.stage == Stage.SAMPLES_SENT


def test_mailing_create_picker_is_limited_to_scope(client_for, salesperson, other_salesperson):
    theirs = CustomerFactory(owner=other_salesperson, name="别人的客户")
    mine = CustomerFactory(owner=salesperson)
    client = client_for(salesperson)
    page = client.get(reverse("customers:mailing-create")).content.decode()
    assert mine.code in page and theirs.code not in page
    response = client.post(reverse("customers:mailing-create"), form_data(theirs))
    assert response.status_code == 200
    assert (
        "No customer with this code exists." in response.content.decode()
        or "没有" in response.content.decode()
    )
    assert not Mailing.objects.exists()
    assert (
        client.get(reverse("customers:mailing-create"), {"customer": theirs.pk}).status_code == 404
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"feedback_due_on": "2026-04-13"}, "feedback_due_on"),
        ({"sent_on": "2026-04-16"}, "sent_on"),
        ({"sent_on": "not a date"}, "sent_on"),
        ({"courier": ""}, "courier"),
        ({"items": ""}, "items"),
        ({"kind": "crate"}, "kind"),
        ({"customer": ""}, "customer"),
    ],
)
def test_mailing_create_bad_input(client_for, salesperson, overrides, field):
    customer = CustomerFactory(owner=salesperson)
    response = client_for(salesperson).post(
        reverse("customers:mailing-create"), form_data(customer, **overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "invalid-feedback" in html
    # the message sits right under the named field
    assert "invalid-feedback" in html.split(f'name="{field}"', 1)[1][:1500]
    assert not Mailing.objects.exists()


def test_mailing_feedback_page(client_for, salesperson):
    mailing = MailingFactory(customer__owner=salesperson, sent_on=dt.date(2026, 4, 10))
    client = client_for(salesperson)
    url = reverse("customers:mailing-feedback", args=[mailing.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"received_on": "2026-04-09", "feedback": "收到"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(url, {"received_on": "2026-04-12", "feedback": ""})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.feedback_received_on is None
    response = client.post(url, {"received_on": "2026-04-12", "feedback": "客户确认抗压强度合格"})
    assert response.status_code == 302 and response["Location"] == reverse("customers:mailings")
    mailing.refresh_from_db()
    assert (mailing.feedback_received_on, mailing.feedback) == (
        dt.date(2026, 4, 12),
        "客户确认抗压强度合格",
    )


def test_mailing_feedback_next_back_to_the_customer(client_for, salesperson):
    mailing = MailingFactory(customer__owner=salesperson, sent_on=dt.date(2026, 4, 10))
    back = reverse("customers:detail", args=[mailing.customer_id])
    response = client_for(salesperson).post(
        reverse("customers:mailing-feedback", args=[mailing.pk]) + f"?next={back}",
        {"received_on": "2026-04-12", "feedback": "好"},
    )
    assert response["Location"] == back
