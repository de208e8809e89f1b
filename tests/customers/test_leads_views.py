"""Pipeline pages: permission matrix over every page of the pipeline, mailings and follow-ups,
and the lead board, lead start and lead move pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from salesdesk.customers.choices import CustomerStatus, LostReason, Stage, Tier
from salesdesk.customers.models import Lead, LeadStageChange
from tests.factories import CustomerFactory, LeadFactory, MailingFactory
from tests.helpers import as_persona

pytestmark = pytest.mark.django_db

READ_PAGES = ["leads", "mailings", "followups-due", "new-customers", "win-loss", "review"]
READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
EDITORS = ["assistant", "commercial", "salesperson", "admin_user"]


@pytest.fixture
def world(salesperson):
    """One customer of sales1 with an open lead and a mailing: the objects the URLs point at."""
    customer = CustomerFactory(owner=salesperson, status=CustomerStatus.LEAD)
    lead = LeadFactory(customer=customer)
    mailing = MailingFactory(customer=customer)
    return {"customer": customer, "lead": lead, "mailing": mailing}


def write_urls(world):
    c, lead, m = world["customer"].pk, world["lead"].pk, world["mailing"].pk
    return [
        ("post", reverse("customers:lead-start", args=[c])),
        ("post", reverse("customers:lead-move", args=[lead])),
        ("get", reverse("customers:mailing-create") + f"?customer={c}"),
        ("post", reverse("customers:mailing-create")),
        ("get", reverse("customers:mailing-feedback", args=[m])),
        ("post", reverse("customers:mailing-feedback", args=[m])),
        ("get", reverse("customers:followup-log", args=[c])),
        ("post", reverse("customers:followup-log", args=[c])),
        ("post", reverse("customers:return-visit", args=[c])),
    ]


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_need_sign_in(client, name):
    response = client.get(reverse(f"customers:{name}"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize("persona", READERS)
def test_read_pages_open_for_readers(request, client_for, name, persona):
    assert (
        as_persona(request, client_for, persona).get(reverse(f"customers:{name}")).status_code
        == 200
    )


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_forbidden_to_warehouse(client_for, warehouse, name):
    assert client_for(warehouse).get(reverse(f"customers:{name}")).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_refuse_other_methods(client_for, salesperson, name):
    client = client_for(salesperson)
    assert client.post(reverse(f"customers:{name}")).status_code == 405
    assert client.delete(reverse(f"customers:{name}")).status_code == 405


def test_lead_detail_matrix(client, client_for, world, warehouse, other_salesperson, director):
    url = reverse("customers:lead-detail", args=[world["lead"].pk])
    assert client.get(url).status_code == 302
    assert client_for(warehouse).get(url).status_code == 403
    assert client_for(other_salesperson).get(url).status_code == 404
    assert client_for(director).get(url).status_code == 200
    assert client_for(director).post(url).status_code == 405


def test_write_pages_need_sign_in(client, world):
    for method, url in write_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_write_pages_forbidden_to_non_editors(request, client_for, world, persona):
    client = as_persona(request, client_for, persona)
    for method, url in write_urls(world):
        assert getattr(client, method)(url).status_code == 403, url


def test_write_pages_hide_other_salespeoples_rows(client_for, world, other_salesperson):
    client = client_for(other_salesperson)
    for method, url in write_urls(world):
        if url.endswith(reverse("customers:mailing-create")):
            continue  # the bare create page has no row in its URL
        assert getattr(client, method)(url).status_code == 404, url
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("persona", EDITORS)
def test_write_pages_open_for_editors(request, client_for, world, persona):
    client = as_persona(request, client_for, persona)
    for method, url in write_urls(world):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_write_pages_refuse_other_methods(client_for, world, salesperson):
    client = client_for(salesperson)
    c, lead = world["customer"].pk, world["lead"].pk
    assert client.get(reverse("customers:lead-start", args=[c])).status_code == 405
    assert client.get(reverse("customers:lead-move", args=[lead])).status_code == 405
    assert client.get(reverse("customers:return-visit", args=[c])).status_code == 405
    for _method, url in write_urls(world):
        assert client.put(url).status_code == 405, url


# the board


def test_board_shows_columns_cards_and_key_accounts_first(
    client_for, salesperson, other_salesperson
):
    LeadFactory(customer__owner=salesperson, customer__name="普通纸品厂", stage=Stage.QUOTING)
    LeadFactory(
        customer__owner=salesperson,
        customer__name="重点电器集团",
        customer__tier=Tier.KEY,
        stage=Stage.QUOTING,
    )
    LeadFactory(customer__owner=other_salesperson, customer__name="别人的客户")
    three_days = timezone.now() - dt.timedelta(days=3, hours=1)
    Lead.objects.filter(customer__name="普通纸品厂").update(stage_changed_at=three_days)
    html = client_for(salesperson).get(reverse("customers:leads")).content.decode()
    assert '<span title="在本阶段的天数">3 天</span>' in html and str(salesperson) in html
    assert "重点电器集团" in html and "普通纸品厂" in html
    assert html.index("重点电器集团") < html.index("普通纸品厂")
    assert "别人的客户" not in html
    assert "大客户" in html and "key-account" in html
    assert "报价" in html  # the stage column in Chinese


def test_board_owner_filter_for_people_who_see_all(
    client_for, assistant, salesperson, other_salesperson
):
    LeadFactory(customer__owner=salesperson, customer__name="甲包装")
    LeadFactory(customer__owner=other_salesperson, customer__name="乙包装")
    client = client_for(assistant)
    html = client.get(reverse("customers:leads"), {"owner": other_salesperson.pk}).content.decode()
    assert "乙包装" in html and "甲包装" not in html
    fragment = client.get(
        reverse("customers:leads"), {"q": "甲"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="pipeline-board"' in fragment and "<html" not in fragment and "甲包装" in fragment


def test_board_has_no_owner_filter_for_a_salesperson(client_for, salesperson):
    html = client_for(salesperson).get(reverse("customers:leads")).content.decode()
    assert 'name="owner"' not in html


def test_board_query_count_does_not_grow(client_for, assistant, django_assert_max_num_queries):
    for i in range(35):
        LeadFactory(stage=[Stage.FOUND, Stage.CONTACTED, Stage.QUOTING][i % 3])
    client = client_for(assistant)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("customers:leads"))
    assert response.content.decode().count("customers/leads/") >= 35


# lead start / detail / move


def test_lead_start_from_customer_page_redirects_back(client_for, salesperson):
    customer = CustomerFactory(owner=salesperson, status=CustomerStatus.PROSPECT)
    back = reverse("customers:detail", args=[customer.pk])
    response = client_for(salesperson).post(
        reverse("customers:lead-start", args=[customer.pk]),
        {"expected_value": "50000", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    lead = Lead.objects.get(customer=customer)
    assert lead.stage == Stage.FOUND and lead.created_by == salesperson


def test_lead_start_ignores_an_unsafe_next(client_for, salesperson):
    customer = CustomerFactory(owner=salesperson)
    response = client_for(salesperson).post(
        reverse("customers:lead-start", args=[customer.pk]), {"next": "https://evil.example/"}
    )
    lead = Lead.objects.get(customer=customer)
    assert response["Location"] == reverse("customers:lead-detail", args=[lead.pk])


def test_lead_start_bad_input_names_the_problem_and_saves_nothing(client_for, salesperson, world):
    client = client_for(salesperson)
    response = client.post(reverse("customers:lead-start", args=[world["customer"].pk]), {})
    assert response.status_code == 200
    assert "已有" in response.content.decode() or "open lead" in response.content.decode()
    assert Lead.objects.count() == 1
    other = CustomerFactory(owner=salesperson)
    response = client.post(
        reverse("customers:lead-start", args=[other.pk]), {"expected_value": "-5"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert 'name="expected_value"' in response.content.decode()
    assert not Lead.objects.filter(customer=other).exists()


def test_lead_detail_shows_history(client_for, salesperson):
    customer = CustomerFactory(owner=salesperson)
    from salesdesk.customers.services.leads import lead_move, lead_start

    lead = lead_start(customer=customer, by=salesperson)
    lead_move(lead=lead, by=salesperson, stage=Stage.CONTACTED, note="第一次电话")
    html = (
        client_for(salesperson)
        .get(reverse("customers:lead-detail", args=[lead.pk]))
        .content.decode()
    )
    assert "第一次电话" in html and customer.name in html


def test_lead_move_plain_post_redirects(client_for, salesperson, world):
    lead = world["lead"]
    response = client_for(salesperson).post(
        reverse("customers:lead-move", args=[lead.pk]), {"stage": Stage.CONTACTED, "note": "电话"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:lead-detail", args=[lead.pk])
    lead.refresh_from_db()
    assert lead.stage == Stage.CONTACTED
    assert LeadStageChange.objects.get(lead=lead).note == "电话"


def test_lead_move_htmx_answers_with_the_panel(client_for, salesperson, world):
    lead = world["lead"]
    response = client_for(salesperson).post(
        reverse("customers:lead-move", args=[lead.pk]),
        {"stage": Stage.LOST, "lost_reason": LostReason.PRICE, "note": "价格高"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-panel",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="lead-panel"' in html and "<html" not in html
    assert "价格高" in html
    lead.refresh_from_db()
    world["customer"].refresh_from_db()
    assert lead.stage == Stage.LOST and world["customer"].status == CustomerStatus.LOST


def test_lead_move_from_customer_page_answers_with_activity(client_for, salesperson, world):
    lead = world["lead"]
    response = client_for(salesperson).post(
        reverse("customers:lead-move", args=[lead.pk]),
        {"stage": Stage.WON},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-activity",
    )
    assert 'id="customer-activity"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == Stage.WON


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stage": Stage.LOST}, "lost_reason"),
        ({"stage": "nowhere"}, "stage"),
        ({"stage": Stage.FOUND}, "stage"),  # the stage it is in: not offered
        ({"stage": Stage.QUOTING, "note": "长" * 201}, "note"),
        ({"stage": Stage.QUOTING, "lost_reason": LostReason.PRICE}, "lost_reason"),
    ],
)
def test_lead_move_bad_input(client_for, salesperson, world, data, field):
    lead = world["lead"]
    response = client_for(salesperson).post(reverse("customers:lead-move", args=[lead.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="{field}"' in html
    assert "invalid-feedback" in html
    lead.refresh_from_db()
    assert lead.stage == Stage.FOUND and not lead.stage_changes.exists()


def test_lead_move_bad_input_from_customer_page_keeps_the_form(client_for, salesperson, world):
    response = client_for(salesperson).post(
        reverse("customers:lead-move", args=[world["lead"].pk]),
        {"stage": Stage.LOST},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-activity",
    )
    html = response.content.decode()
    assert 'id="customer-activity"' in html and "invalid-feedback" in html
