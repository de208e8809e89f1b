"""JSON API for customers and contacts: permissions, scoping, writes through services, errors."""

import pytest

from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory, make_credit_code

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
CONTACTS = "/api/v1/contacts/"


@pytest.fixture
def mine(salesperson):
    customer = CustomerFactory(name="杭州明发包装有限公司", owner=salesperson)
    ContactFactory(customer=customer, name="王建国", mobile="13900000001", is_primary=True)
    return customer


@pytest.fixture
def theirs(other_salesperson):
    customer = CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)
    ContactFactory(customer=customer, name="赵秀英", mobile="13900000002")
    return customer


def fields_of(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CUSTOMERS, CONTACTS])
def test_anonymous_is_refused(api_for, url):
    assert api_for().get(url).status_code in (401, 403)
    assert api_for().post(url, {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("persona", ["warehouse"])
def test_warehouse_reads_nothing(request, api_for, mine, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(CUSTOMERS).status_code == 403
    assert api.get(f"{CUSTOMERS}{mine.pk}/").status_code == 403
    assert api.get(CONTACTS).status_code == 403


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_roles_without_write_right_get_403_on_writes(request, api_for, mine, persona):
    api = api_for(request.getfixturevalue(persona))
    contact = mine.contacts.get()
    assert api.post(CUSTOMERS, {"name": "新公司"}, format="json").status_code == 403
    assert api.patch(f"{CUSTOMERS}{mine.pk}/", {"city": "宁波"}, format="json").status_code == 403
    assert api.post(f"{CUSTOMERS}{mine.pk}/archive/").status_code == 403
    assert api.post(CONTACTS, {"customer": mine.pk, "name": "刘"}, format="json").status_code == 403
    assert api.patch(f"{CONTACTS}{contact.pk}/", {"title": "x"}, format="json").status_code == 403
    assert api.post(f"{CONTACTS}{contact.pk}/archive/").status_code == 403
    assert Customer.objects.count() == 1 and Contact.objects.count() == 1
    mine.refresh_from_db()
    assert mine.archived_at is None and mine.city == "杭州"


@pytest.mark.parametrize(
    "persona", ["director", "finance", "assistant", "commercial", "admin_user"]
)
def test_office_reads_everything(request, api_for, mine, theirs, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(CUSTOMERS).json()["count"] == 2
    assert api.get(f"{CUSTOMERS}{theirs.pk}/").status_code == 200
    assert api.get(CONTACTS).json()["count"] == 2


def test_delete_is_not_allowed(api_for, salesperson, mine):
    api = api_for(salesperson)
    assert api.delete(f"{CUSTOMERS}{mine.pk}/").status_code == 405
    assert api.delete(f"{CONTACTS}{mine.contacts.get().pk}/").status_code == 405
    assert Customer.objects.filter(pk=mine.pk).exists()


def test_archive_needs_post(api_for, salesperson, mine):
    assert api_for(salesperson).get(f"{CUSTOMERS}{mine.pk}/archive/").status_code == 405


# --- scoping ----------------------------------------------------------------------------


def test_salesperson_lists_own_only(api_for, salesperson, mine, theirs):
    data = api_for(salesperson).get(CUSTOMERS).json()
    assert data["count"] == 1
    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert set(data) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("search", ["华丰", "ningbohuafeng", "nbhf", "赵秀英", "13900000002"])
def test_salesperson_search_never_finds_anothers_file(
    api_for, salesperson, other_salesperson, mine, theirs, search
):
    assert api_for(salesperson).get(CUSTOMERS, {"search": search}).json()["count"] == 0
    assert api_for(other_salesperson).get(CUSTOMERS, {"search": search}).json()["count"] == 1


def test_another_salespersons_ids_are_404(api_for, salesperson, theirs):
    api = api_for(salesperson)
    contact = theirs.contacts.get()
    assert api.get(f"{CUSTOMERS}{theirs.pk}/").status_code == 404
    assert api.patch(f"{CUSTOMERS}{theirs.pk}/", {"city": "x"}, format="json").status_code == 404
    assert api.put(f"{CUSTOMERS}{theirs.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.post(f"{CUSTOMERS}{theirs.pk}/archive/").status_code == 404
    assert api.post(f"{CUSTOMERS}{theirs.pk}/restore/").status_code == 404
    assert api.get(f"{CONTACTS}{contact.pk}/").status_code == 404
    assert api.patch(f"{CONTACTS}{contact.pk}/", {"title": "x"}, format="json").status_code == 404
    assert api.post(f"{CONTACTS}{contact.pk}/archive/").status_code == 404
    assert api.get(CONTACTS, {"customer": theirs.pk}).json()["count"] == 0
    response = api.post(CONTACTS, {"customer": theirs.pk, "name": "混入"}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"customer"}
    theirs.refresh_from_db()
    assert theirs.city == "杭州" and theirs.archived_at is None
    assert theirs.contacts.count() == 1


# --- customers: reads -------------------------------------------------------------------


def test_customer_shape(api_for, salesperson, mine):
    row = api_for(salesperson).get(f"{CUSTOMERS}{mine.pk}/").json()
    assert row["owner"] == salesperson.pk
    assert row["owner_name"] == "李业务"
    assert isinstance(row["completeness"], int)
    assert {"key", "label"} <= set(row["gaps"][0])
    assert "confirm_duplicate" not in row


def test_filters_and_sort(api_for, assistant, salesperson, other_salesperson):
    key = CustomerFactory(owner=salesperson, name="Z 大客户", tier=Tier.KEY)
    a = CustomerFactory(owner=other_salesperson, name="A 普通")
    api = api_for(assistant)
    assert [r["id"] for r in api.get(CUSTOMERS).json()["results"]] == [key.pk, a.pk]
    assert [r["id"] for r in api.get(CUSTOMERS, {"sort": "name"}).json()["results"]] == [
        a.pk,
        key.pk,
    ]
    assert [r["id"] for r in api.get(CUSTOMERS, {"tier": "key"}).json()["results"]] == [key.pk]
    assert [
        r["id"] for r in api.get(CUSTOMERS, {"owner": other_salesperson.pk}).json()["results"]
    ] == [a.pk]


def test_bad_filter_is_400_naming_it(api_for, assistant):
    response = api_for(assistant).get(CUSTOMERS, {"tier": "gold"})
    assert response.status_code == 400
    assert fields_of(response) == {"tier"}


def test_list_query_count_is_bounded(
    api_for, assistant, salesperson, django_assert_max_num_queries
):
    for _ in range(35):
        ContactFactory.create_batch(2, customer=CustomerFactory(owner=salesperson))
    api = api_for(assistant)
    with django_assert_max_num_queries(4):
        data = api.get(CUSTOMERS, {"page_size": 100}).json()
    assert len(data["results"]) == 35
    with django_assert_max_num_queries(4):
        data = api.get(CONTACTS, {"page_size": 100}).json()
    assert len(data["results"]) == 70


# --- customers: writes ------------------------------------------------------------------


def test_create_by_salesperson(api_for, salesperson, other_salesperson):
    response = api_for(salesperson).post(
        CUSTOMERS,
        {"name": "温州新客户鞋业有限公司", "credit_code": make_credit_code(5).lower()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "C000001"
    assert body["owner"] == salesperson.pk
    assert body["credit_code"] == make_credit_code(5)
    customer = Customer.objects.get()
    assert customer.history.get().history_user == salesperson


def test_salesperson_cannot_give_away(api_for, salesperson, other_salesperson, mine):
    api = api_for(salesperson)
    response = api.post(CUSTOMERS, {"name": "新公司", "owner": other_salesperson.pk}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"owner"}
    response = api.patch(f"{CUSTOMERS}{mine.pk}/", {"owner": other_salesperson.pk}, format="json")
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.owner == salesperson
    assert Customer.objects.count() == 1


def test_assistant_assigns_owner(
    api_for, assistant, salesperson, other_salesperson, director, mine
):
    api = api_for(assistant)
    response = api.patch(f"{CUSTOMERS}{mine.pk}/", {"owner": other_salesperson.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["owner_name"] == "张业务"
    response = api.patch(f"{CUSTOMERS}{mine.pk}/", {"owner": director.pk}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"owner"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "甲", "credit_code": "123"}, "credit_code"),
        ({"name": "甲", "credit_limit": "-1"}, "credit_limit"),
        ({"name": "甲", "invoice_phone": "555"}, "invoice_phone"),
        ({"name": "甲", "tier": "gold"}, "tier"),
        ({"name": "甲", "payment_terms_days": -3}, "payment_terms_days"),
        ({"name": "甲", "owner": 999999}, "owner"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(api_for, assistant, body, field):
    response = api_for(assistant).post(CUSTOMERS, body, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)
    assert Customer.objects.count() == 0


def test_code_taken_is_400(api_for, assistant, mine):
    response = api_for(assistant).post(
        CUSTOMERS, {"name": "新公司", "code": mine.code}, format="json"
    )
    assert response.status_code == 400
    assert fields_of(response) == {"code"}


def test_duplicate_is_400_unless_confirmed(api_for, salesperson, mine):
    api = api_for(salesperson)
    response = api.post(CUSTOMERS, {"name": "杭州明发 包装有限公司"}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"name"}
    assert mine.code in response.json()["errors"][0]["message"]
    response = api.post(
        CUSTOMERS, {"name": mine.name, "credit_code": mine.credit_code}, format="json"
    )
    assert fields_of(response) == {"name", "credit_code"}
    response = api.post(CUSTOMERS, {"name": mine.name, "confirm_duplicate": True}, format="json")
    assert response.status_code == 201
    assert Customer.objects.count() == 2


def test_duplicate_of_another_salespersons_file_is_not_named(api_for, salesperson, theirs):
    response = api_for(salesperson).post(CUSTOMERS, {"name": theirs.name}, format="json")
    assert response.status_code == 400
    assert theirs.code not in str(response.json())
    assert theirs.name not in response.json()["errors"][0]["message"]


def test_update_full_and_partial(api_for, salesperson, mine):
    api = api_for(salesperson)
    response = api.patch(
        f"{CUSTOMERS}{mine.pk}/", {"city": "嘉兴", "credit_limit": "80000.00"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["credit_limit"] == "80000.00"
    mine.refresh_from_db()
    assert mine.city == "嘉兴"
    assert mine.name == "杭州明发包装有限公司"
    response = api.put(
        f"{CUSTOMERS}{mine.pk}/", {"name": "杭州明发包装集团", "city": "湖州"}, format="json"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.name, mine.city, mine.name_initials) == ("杭州明发包装集团", "湖州", "hzmfbzjt")


def test_update_bad_input_saves_nothing(api_for, salesperson, mine):
    response = api_for(salesperson).patch(
        f"{CUSTOMERS}{mine.pk}/", {"city": "嘉兴", "invoice_phone": "1"}, format="json"
    )
    assert response.status_code == 400
    assert fields_of(response) == {"invoice_phone"}
    mine.refresh_from_db()
    assert mine.city == "杭州"


def test_archive_and_restore(api_for, salesperson, mine):
    api = api_for(salesperson)
    response = api.post(f"{CUSTOMERS}{mine.pk}/archive/")
    assert response.status_code == 200
    assert response.json()["archived_at"]
    assert api.get(CUSTOMERS).json()["count"] == 0
    assert api.get(CUSTOMERS, {"archived": "true"}).json()["count"] == 1
    assert api.get(f"{CUSTOMERS}{mine.pk}/").status_code == 200
    assert api.post(f"{CUSTOMERS}{mine.pk}/archive/").status_code == 400
    assert api.patch(f"{CUSTOMERS}{mine.pk}/", {"city": "x"}, format="json").status_code == 400
    response = api.post(f"{CUSTOMERS}{mine.pk}/restore/")
    assert response.status_code == 200
    assert response.json()["archived_at"] is None


# --- contacts ---------------------------------------------------------------------------


def test_contact_list_by_customer(api_for, assistant, mine, theirs):
    data = api_for(assistant).get(CONTACTS, {"customer": mine.pk}).json()
    assert [row["name"] for row in data["results"]] == ["王建国"]
    response = api_for(assistant).get(CONTACTS, {"customer": "abc"})
    assert response.status_code == 400
    assert fields_of(response) == {"customer"}


def test_contact_create_update_archive(api_for, salesperson, mine):
    api = api_for(salesperson)
    response = api.post(
        CONTACTS, {"customer": mine.pk, "name": "刘会计", "phone": "0571 8765 4321"}, format="json"
    )
    assert response.status_code == 201, response.json()
    contact_id = response.json()["id"]
    assert response.json()["phone"] == "0571-87654321"
    response = api.patch(
        f"{CONTACTS}{contact_id}/", {"title": "财务经理", "customer": 12345}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "财务经理"
    assert response.json()["customer"] == mine.pk
    response = api.post(f"{CONTACTS}{contact_id}/archive/")
    assert response.status_code == 200
    assert response.json()["archived_at"]
    assert Contact.objects.get(pk=contact_id).history.first().history_user == salesperson


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "刘", "mobile": "123"}, "mobile"),
        ({"name": "刘", "phone": "abc"}, "phone"),
        ({"name": "刘", "email": "a@"}, "email"),
        ({"name": "刘", "qq": "x1"}, "qq"),
        ({"name": "刘", "decision_role": "boss"}, "decision_role"),
        ({"name": "刘", "birthday": "1990-02-31"}, "birthday"),
    ],
)
def test_contact_bad_input_is_400_naming_the_field(api_for, salesperson, mine, body, field):
    response = api_for(salesperson).post(CONTACTS, {"customer": mine.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)
    assert mine.contacts.count() == 1


def test_contact_update_bad_input(api_for, salesperson, mine):
    contact = mine.contacts.get()
    response = api_for(salesperson).patch(
        f"{CONTACTS}{contact.pk}/", {"mobile": "0571-88886666"}, format="json"
    )
    assert response.status_code == 400
    assert fields_of(response) == {"mobile"}
    contact.refresh_from_db()
    assert contact.mobile == "13900000001"
