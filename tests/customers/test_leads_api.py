"""API for leads, mailings and follow-ups: permission matrix, scoping, writes through the
services, bad input naming fields, list query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.customers.choices import CustomerStatus, LostReason, Stage, Tier
from salesdesk.customers.models import FollowUp, Lead, Mailing
from tests.factories import CustomerFactory, FollowUpFactory, LeadFactory, MailingFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/leads/", "/api/v1/mailings/", "/api/v1/followups/"]


def error_fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize("url", LISTS)
def test_lists_need_authentication(api_for, url):
    assert api_for().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", LISTS)
def test_lists_forbidden_to_warehouse(api_for, warehouse, url):
    assert api_for(warehouse).get(url).status_code == 403


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("persona", ["director", "finance"])
def test_readers_who_do_not_edit_cannot_write(request, api_for, url, persona, salesperson):
    customer = CustomerFactory(owner=salesperson)
    response = api_for(request.getfixturevalue(persona)).post(
        url, {"customer": customer.pk}, format="json"
    )
    assert response.status_code == 403
    assert (
        not Lead.objects.exists() and not Mailing.objects.exists() and not FollowUp.objects.exists()
    )


@pytest.mark.parametrize("url", LISTS)
def test_lists_are_scoped(api_for, url, salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, name="我的客户")
    theirs = CustomerFactory(owner=other_salesperson, name="别人的客户")
    for customer in (mine, theirs):
        LeadFactory(customer=customer)
        MailingFactory(customer=customer)
        FollowUpFactory(customer=customer)
    data = api_for(salesperson).get(url).json()
    assert data["count"] == 1 and [r["customer_name"] for r in data["results"]] == ["我的客户"]
    assert {"count", "next", "previous", "results"} <= set(data)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count(api_for, assistant, url, django_assert_max_num_queries):
    for i in range(35):
        customer = CustomerFactory(tier=Tier.KEY if i % 5 == 0 else Tier.ORDINARY)
        LeadFactory(customer=customer)
        MailingFactory(customer=customer)
        FollowUpFactory(customer=customer)
    api = api_for(assistant)
    with django_assert_max_num_queries(4):
        response = api.get(url, {"page_size": 50})
    assert len(response.json()["results"]) == 35


def test_other_salespeoples_rows_are_404(api_for, salesperson, other_salesperson):
    lead = LeadFactory(customer__owner=other_salesperson)
    mailing = MailingFactory(customer__owner=other_salesperson)
    followup = FollowUpFactory(customer__owner=other_salesperson)
    api = api_for(salesperson)
    assert api.get(f"/api/v1/leads/{lead.pk}/").status_code == 404
    assert api.get(f"/api/v1/mailings/{mailing.pk}/").status_code == 404
    assert api.get(f"/api/v1/followups/{followup.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/leads/{lead.pk}/move/", {"stage": Stage.WON}, format="json").status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/mailings/{mailing.pk}/feedback/",
            {"received_on": "2026-01-01", "feedback": "x"},
            format="json",
        ).status_code
        == 404
    )
    lead.refresh_from_db()
    assert lead.stage == Stage.FOUND


# leads


def test_lead_list_search_and_stage_filter(api_for, salesperson):
    LeadFactory(
        customer__owner=salesperson,
        customer__name="温州瓯江鞋业",
        customer__name_pinyin="wenzhououjiangxieye",
        customer__name_initials="wzojxy",
    )
    LeadFactory(customer__owner=salesperson, stage=Stage.QUOTING)
    api = api_for(salesperson)
    assert [
        r["customer_name"]
        for r in api.get("/api/v1/leads/", {"search": "wenzhou"}).json()["results"]
    ] == ["温州瓯江鞋业"]
    assert api.get("/api/v1/leads/", {"search": "瓯江"}).json()["count"] == 1
    assert api.get("/api/v1/leads/", {"stage": Stage.QUOTING}).json()["count"] == 1
    response = api.get("/api/v1/leads/", {"stage": "shipped"})
    assert response.status_code == 400 and error_fields(response) == {"stage"}


def test_lead_create_and_move(api_for, salesperson):
    customer = CustomerFactory(owner=salesperson, status=CustomerStatus.PROSPECT)
    api = api_for(salesperson)
    response = api.post(
        "/api/v1/leads/", {"customer": customer.pk, "expected_value": "88000.00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["stage"] == Stage.FOUND
        and body["expected_value"] == "88000.00"
        and body["owner"] == salesperson.pk
    )
    again = api.post("/api/v1/leads/", {"customer": customer.pk}, format="json")
    assert again.status_code == 400 and error_fields(again) == {"customer"}
    lead_id = body["id"]
    response = api.post(f"/api/v1/leads/{lead_id}/move/", {"stage": Stage.LOST}, format="json")
    assert response.status_code == 400 and error_fields(response) == {"lost_reason"}
    response = api.post(
        f"/api/v1/leads/{lead_id}/move/",
        {"stage": Stage.LOST, "lost_reason": LostReason.CREDIT, "note": "账期要 120 天"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == Stage.LOST
    assert response.json()["closed_at"] is not None
    response = api.post(f"/api/v1/leads/{lead_id}/move/", {"stage": Stage.QUOTING}, format="json")
    assert response.status_code == 400 and error_fields(response) == {"stage"}
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LOST


def test_lead_create_with_out_of_scope_customer_says_it_does_not_exist(
    api_for, salesperson, other_salesperson
):
    theirs = CustomerFactory(owner=other_salesperson)
    response = api_for(salesperson).post("/api/v1/leads/", {"customer": theirs.pk}, format="json")
    assert response.status_code == 400 and error_fields(response) == {"customer"}
    missing = api_for(salesperson).post("/api/v1/leads/", {"customer": 999999}, format="json")
    # the same answer as for a customer that does not exist at all: nothing revealed
    assert response.json()["errors"][0]["message"].replace(str(theirs.pk), "N") == missing.json()[
        "errors"
    ][0]["message"].replace("999999", "N")
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"expected_value": "-3"}, "expected_value"),
    ],
)
def test_lead_create_bad_input(api_for, salesperson, body, field):
    customer = CustomerFactory(owner=salesperson)
    response = api_for(salesperson).post(
        "/api/v1/leads/",
        {"customer": customer.pk, **body} if field != "customer" else body,
        format="json",
    )
    assert response.status_code == 400 and field in error_fields(response)
    assert not Lead.objects.exists()


# mailings


def test_mailing_create_moves_lead_and_feedback(api_for, salesperson):
    lead = LeadFactory(customer__owner=salesperson)
    api = api_for(salesperson)
    today = timezone.localdate()
    body = {
        "customer": lead.customer_id,
        "kind": "sample",
        "items": "彩盒样品",
        "courier": "EMS",
        "tracking_number": "E1",
        "sent_on": str(today),
    }
    response = api.post("/api/v1/mailings/", body, format="json")
    assert response.status_code == 201, response.json()
    lead.refresh_from_db()
    assert lead.stage == Stage.SAMPLES_SENT and response.json()["lead"] == lead.pk
    mailing_id = response.json()["id"]
    response = api.post(
        f"/api/v1/mailings/{mailing_id}/feedback/",
        {"received_on": str(today - dt.timedelta(days=1)), "feedback": "好"},
        format="json",
    )
    assert response.status_code == 400 and error_fields(response) == {"received_on"}
    response = api.post(
        f"/api/v1/mailings/{mailing_id}/feedback/",
        {"received_on": str(today), "feedback": "尺寸合适"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["feedback"] == "尺寸合适"
    assert api.get("/api/v1/mailings/", {"awaiting": "true"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"feedback_due_on": "2000-01-01"}, "feedback_due_on"),
        ({"courier": ""}, "courier"),
        ({"kind": "box"}, "kind"),
        ({"sent_on": "later"}, "sent_on"),
        ({"lead": 999999}, "lead"),
    ],
)
def test_mailing_create_bad_input(api_for, salesperson, body, field):
    customer = CustomerFactory(owner=salesperson)
    data = {
        "customer": customer.pk,
        "kind": "brochure",
        "items": "画册",
        "courier": "EMS",
        "sent_on": str(timezone.localdate()),
        **body,
    }
    response = api_for(salesperson).post("/api/v1/mailings/", data, format="json")
    assert response.status_code == 400 and error_fields(response) == {field}
    assert not Mailing.objects.exists()


def test_mailing_create_out_of_scope_customer(api_for, salesperson, other_salesperson):
    theirs = CustomerFactory(owner=other_salesperson)
    data = {
        "customer": theirs.pk,
        "kind": "brochure",
        "items": "画册",
        "courier": "EMS",
        "sent_on": str(timezone.localdate()),
    }
    response = api_for(salesperson).post("/api/v1/mailings/", data, format="json")
    assert response.status_code == 400 and error_fields(response) == {"customer"}


def test_mailing_overdue_filter(api_for, salesperson):
    today = timezone.localdate()
    MailingFactory(
        customer__owner=salesperson,
        sent_on=today - dt.timedelta(days=10),
        feedback_due_on=today - dt.timedelta(days=1),
    )
    MailingFactory(customer__owner=salesperson)
    assert api_for(salesperson).get("/api/v1/mailings/", {"overdue": "1"}).json()["count"] == 1


# follow-ups


def test_followup_create_updates_next_step_and_list_filter(api_for, salesperson):
    customer = CustomerFactory(owner=salesperson)
    other = CustomerFactory(owner=salesperson)
    FollowUpFactory(customer=other)
    api = api_for(salesperson)
    next_date = timezone.localdate() + dt.timedelta(days=5)
    response = api.post(
        "/api/v1/followups/",
        {
            "customer": customer.pk,
            "channel": "wechat",
            "summary": "确认交期",
            "next_date": str(next_date),
            "next_kind": "return_visit",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    customer.refresh_from_db()
    assert customer.next_followup_on == next_date and customer.next_followup_kind == "return_visit"
    assert api.get("/api/v1/followups/", {"customer": customer.pk}).json()["count"] == 1
    response = api.get("/api/v1/followups/", {"customer": "x"})
    assert response.status_code == 400 and error_fields(response) == {"customer"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"channel": "fax"}, "channel"),
        ({"next_date": "2000-01-01"}, "next_date"),
        ({"contact": 999999}, "contact"),
        ({"customer": 999999}, "customer"),
    ],
)
def test_followup_create_bad_input(api_for, salesperson, body, field):
    customer = CustomerFactory(owner=salesperson)
    data = {"customer": customer.pk, "channel": "call", "summary": "电话", **body}
    response = api_for(salesperson).post("/api/v1/followups/", data, format="json")
    assert response.status_code == 400 and error_fields(response) == {field}
    assert not FollowUp.objects.exists()


def test_followup_contact_of_another_customer(api_for, salesperson):
    from tests.factories import ContactFactory

    customer = CustomerFactory(owner=salesperson)
    elsewhere = ContactFactory(customer=CustomerFactory(owner=salesperson))
    response = api_for(salesperson).post(
        "/api/v1/followups/",
        {"customer": customer.pk, "channel": "call", "summary": "电话", "contact": elsewhere.pk},
        format="json",
    )
    assert response.status_code == 400 and error_fields(response) == {"contact"}
    assert not FollowUp.objects.exists()


def test_methods_not_offered(api_for, salesperson):
    lead = LeadFactory(customer__owner=salesperson)
    api = api_for(salesperson)
    assert api.delete(f"/api/v1/leads/{lead.pk}/").status_code == 405
    assert api.put(f"/api/v1/leads/{lead.pk}/", {}, format="json").status_code == 405
    assert api.get(f"/api/v1/leads/{lead.pk}/move/").status_code == 405
