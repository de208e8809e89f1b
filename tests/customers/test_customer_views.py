"""Customer file pages: permission matrix, scoping, htmx fragment, forms with bad input, export, gaps."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Tier
from salesdesk.customers.models import Contact, Customer
from salesdesk.customers.services.customers import customer_update
from tests.factories import ContactFactory, CustomerFactory, make_credit_code
from tests.helpers import as_persona, assert_goes_to_login

pytestmark = pytest.mark.django_db

READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
EDITORS = ["assistant", "commercial", "salesperson", "admin_user"]
NON_EDITORS = ["director", "finance", "warehouse"]


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


def _urls(customer):
    contact = customer.contacts.first()
    return {
        "list": ("GET", reverse("customers:list")),
        "export": ("GET", reverse("customers:export")),
        "gaps": ("GET", reverse("customers:gaps")),
        "detail": ("GET", reverse("customers:detail", args=[customer.pk])),
        "create": ("GET", reverse("customers:create")),
        "edit": ("GET", reverse("customers:edit", args=[customer.pk])),
        "archive": ("POST", reverse("customers:archive", args=[customer.pk])),
        "restore": ("POST", reverse("customers:restore", args=[customer.pk])),
        "contact-create": ("GET", reverse("customers:contact-create", args=[customer.pk])),
        "contact-edit": ("GET", reverse("customers:contact-edit", args=[contact.pk])),
        "contact-archive": ("POST", reverse("customers:contact-archive", args=[contact.pk])),
    }


READ_VIEWS = ["list", "export", "gaps", "detail"]
WRITE_VIEWS = [
    "create",
    "edit",
    "archive",
    "restore",
    "contact-create",
    "contact-edit",
    "contact-archive",
]


# --- permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_anonymous_goes_to_login(client, mine, name):
    method, url = _urls(mine)[name]
    assert_goes_to_login(client.generic(method, url))


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_warehouse_is_refused_everywhere(client_for, warehouse, mine, name):
    method, url = _urls(mine)[name]
    assert client_for(warehouse).generic(method, url).status_code == 403


@pytest.mark.parametrize("persona", ["director", "finance"])
@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_readers_without_write_right_get_403_on_writes(request, client_for, mine, persona, name):
    method, url = _urls(mine)[name]
    assert as_persona(request, client_for, persona).generic(method, url).status_code == 403
    assert Customer.objects.get(pk=mine.pk).archived_at is None


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("name", ["list", "gaps", "detail", "export"])
def test_readers_open_read_pages(request, client_for, mine, persona, name):
    _method, url = _urls(mine)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize("persona", EDITORS)
@pytest.mark.parametrize("name", ["create", "edit", "contact-create", "contact-edit"])
def test_editors_open_forms(request, client_for, mine, persona, name):
    _method, url = _urls(mine)[name]
    assert as_persona(request, client_for, persona).get(url).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["detail", "edit", "archive", "restore", "contact-create", "contact-edit", "contact-archive"],
)
def test_another_salespersons_file_is_404(client_for, salesperson, theirs, name):
    method, url = _urls(theirs)[name]
    assert client_for(salesperson).generic(method, url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None
    assert theirs.contacts.filter(archived_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("list", "POST"),
        ("export", "POST"),
        ("gaps", "POST"),
        ("detail", "POST"),
        ("create", "PUT"),
        ("edit", "DELETE"),
        ("archive", "GET"),
        ("restore", "GET"),
        ("contact-create", "PUT"),
        ("contact-edit", "DELETE"),
        ("contact-archive", "GET"),
    ],
)
def test_wrong_method_is_405(client_for, salesperson, mine, name, method):
    _method, url = _urls(mine)[name]
    assert client_for(salesperson).generic(method, url).status_code == 405


# --- list -------------------------------------------------------------------------------


def test_list_shows_own_files_only_with_badge_completeness_and_owner(
    client_for, salesperson, mine, theirs
):
    customer_update(customer=mine, by=salesperson, data={"tier": Tier.KEY})
    html = client_for(salesperson).get(reverse("customers:list")).content.decode()
    assert mine.name in html
    assert theirs.name not in html
    assert 'class="key-account"' in html
    assert "badge-key" in html
    assert f"{Customer.objects.get(pk=mine.pk).completeness}%" in html
    assert "李业务" in html


@pytest.mark.parametrize("search", ["华丰", "ningbohuafeng", "nbhf", "赵秀英", "13900000002"])
def test_list_search_never_shows_another_salespersons_file(
    client_for, salesperson, assistant, mine, theirs, search
):
    html = (
        client_for(salesperson).get(reverse("customers:list"), {"search": search}).content.decode()
    )
    assert theirs.name not in html
    html = client_for(assistant).get(reverse("customers:list"), {"search": search}).content.decode()
    assert theirs.name in html
    assert mine.name not in html


def test_list_htmx_returns_the_table_fragment(client_for, salesperson, mine):
    response = client_for(salesperson).get(
        reverse("customers:list"),
        {"search": "明发"},
        headers={"HX-Request": "true", "HX-Target": "customer-table"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="customer-table"' in html
    assert mine.name in html
    assert "search=%E6%98%8E%E5%8F%91" in html  # export link carries the search


def test_list_paginates_sorts_and_keeps_the_query(client_for, assistant, settings, salesperson):
    settings.SALESDESK_PAGE_SIZE = 10
    for i in range(25):
        CustomerFactory(owner=salesperson, name=f"公司{i:02d}")
    response = client_for(assistant).get(reverse("customers:list"), {"sort": "-name", "page": 3})
    page = response.context["page_obj"]
    assert page.number == 3
    assert [c.name for c in page.object_list] == ["公司04", "公司03", "公司02", "公司01", "公司00"]
    assert "sort=-name" in response.content.decode()


def test_list_bad_filter_values_are_ignored(client_for, salesperson, mine):
    response = client_for(salesperson).get(
        reverse("customers:list"), {"tier": "gold", "sort": "drop table"}
    )
    assert response.status_code == 200
    assert mine.name in response.content.decode()


def test_list_query_count_is_bounded(
    client_for, assistant, salesperson, django_assert_max_num_queries
):
    for _ in range(35):
        ContactFactory.create_batch(2, customer=CustomerFactory(owner=salesperson))
    client = client_for(assistant)
    with django_assert_max_num_queries(7) as captured:
        response = client.get(reverse("customers:list"))
    assert len(response.context["page_obj"].object_list) == 35
    # Only what the rows show is read: not the file's notes and addresses, nor contacts' notes.
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"customers_customer"."notes"' not in sql
    assert '"customers_customer"."address"' not in sql
    assert '"customers_contact"."email"' not in sql
    assert sql.count('"accounts_user"."password"') == 1  # the signed-in person's own row


# --- export -----------------------------------------------------------------------------


def _sheet(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def test_export_is_the_list_all_pages_scoped(
    client_for, salesperson, theirs, settings, django_assert_max_num_queries
):
    settings.SALESDESK_PAGE_SIZE = 10
    for i in range(30):
        ContactFactory(
            customer=CustomerFactory(owner=salesperson, name=f"杭州公司{i:02d}"), is_primary=True
        )
    CustomerFactory(owner=salesperson, name="宁波别的公司")
    client = client_for(salesperson)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("customers:export"), {"search": "杭州公司", "sort": "name"})
    rows = _sheet(response)
    assert rows[0][:3] == ["客户编码", "客户全称", "简称"]
    assert "主要联系人" in rows[0]
    names = [row[1] for row in rows[1:]]
    assert names == [f"杭州公司{i:02d}" for i in range(30)]
    assert theirs.name not in str(rows)

    everything = _sheet(client.get(reverse("customers:export")))
    assert len(everything) == 32
    assert theirs.name not in str(everything)


def test_export_for_the_office_includes_every_file(client_for, director, mine, theirs):
    names = {row[1] for row in _sheet(client_for(director).get(reverse("customers:export")))[1:]}
    assert names == {mine.name, theirs.name}


# --- detail -----------------------------------------------------------------------------


def test_detail_shows_file_contacts_gaps_and_history(client_for, salesperson, assistant, mine):
    customer_update(customer=mine, by=assistant, data={"city": "宁波市"})
    response = client_for(salesperson).get(reverse("customers:detail", args=[mine.pk]))
    html = response.content.decode()
    assert mine.name in html
    assert "王建国" in html
    assert 'id="customer-history"' in html
    assert "王助理" in html  # who changed it
    assert "宁波市" in html
    assert response.context["gap_list"] is not None


def test_detail_of_archived_file_offers_restore(client_for, salesperson, mine):
    client = client_for(salesperson)
    client.post(reverse("customers:archive", args=[mine.pk]))
    html = client.get(reverse("customers:detail", args=[mine.pk])).content.decode()
    assert reverse("customers:restore", args=[mine.pk]) in html
    assert reverse("customers:edit", args=[mine.pk]) not in html


def test_detail_for_director_has_no_write_buttons(client_for, director, mine):
    html = client_for(director).get(reverse("customers:detail", args=[mine.pk])).content.decode()
    assert reverse("customers:edit", args=[mine.pk]) not in html
    assert reverse("customers:archive", args=[mine.pk]) not in html


# --- create -----------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "code": "",
        "name": "温州新客户鞋业有限公司",
        "short_name": "新客户",
        "credit_code": "",
        "type": "end",
        "tier": "ordinary",
        "status": "prospect",
        "source": "exhibition",
        "industry": "",
        "province": "浙江",
        "city": "温州",
        "address": "",
        "payment_terms_days": "",
        "credit_limit": "",
        "invoice_title": "",
        "invoice_tax_number": "",
        "invoice_address": "",
        "invoice_phone": "",
        "invoice_bank": "",
        "invoice_account": "",
        "notes": "",
        "contact_name": "",
        "contact_title": "",
        "contact_mobile": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def test_create_with_first_contact(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("customers:create"), _form(contact_name="陈经理", contact_mobile="138 0000 1111")
    )
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == salesperson
    assert customer.code == "C000001"
    assert customer.contacts.get().mobile == "13800001111"


def test_salesperson_form_has_no_owner_field_assistant_form_has(client_for, salesperson, assistant):
    assert (
        "owner"
        not in client_for(salesperson).get(reverse("customers:create")).context["form"].fields
    )
    assert "owner" in client_for(assistant).get(reverse("customers:create")).context["form"].fields


def test_assistant_assigns_owner_on_create(client_for, assistant, salesperson):
    client_for(assistant).post(reverse("customers:create"), _form(owner=salesperson.pk))
    assert Customer.objects.get().owner == salesperson


def test_salesperson_posting_an_owner_still_owns_it(client_for, salesperson, other_salesperson):
    client_for(salesperson).post(reverse("customers:create"), _form(owner=other_salesperson.pk))
    assert Customer.objects.get().owner == salesperson


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"credit_code": "91330100000000000X"}, "credit_code"),
        ({"credit_limit": "-5"}, "credit_limit"),
        ({"invoice_phone": "123"}, "invoice_phone"),
        ({"tier": "gold"}, "tier"),
        ({"contact_name": "陈经理", "contact_mobile": "12345"}, "contact_mobile"),
        ({"contact_mobile": "13800001111"}, "contact_name"),
        ({"contact_name": "陈经理", "contact_email": "chen@"}, "contact_email"),
        ({"contact_name": "陈经理", "contact_phone": "999"}, "contact_phone"),
    ],
)
def test_create_bad_input_names_the_field_and_saves_nothing(
    client_for, salesperson, overrides, field
):
    response = client_for(salesperson).post(reverse("customers:create"), _form(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert form.errors[field][0] in response.content.decode().replace("&quot;", '"').replace(
        "&#x27;", "'"
    )
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0


def test_create_code_taken(client_for, salesperson, mine):
    response = client_for(salesperson).post(reverse("customers:create"), _form(code=mine.code))
    assert "code" in response.context["form"].errors
    assert Customer.objects.count() == 1


def test_duplicate_warning_then_save_anyway(client_for, salesperson, mine):
    client = client_for(salesperson)
    response = client.post(reverse("customers:create"), _form(name="杭州明发 包装有限公司"))
    html = response.content.decode()
    assert 'id="duplicate-warning"' in html
    assert 'name="confirm_duplicate"' in html
    assert mine.code in str(response.context["form"].errors["name"])
    assert Customer.objects.count() == 1
    response = client.post(
        reverse("customers:create"), _form(name="杭州明发 包装有限公司", confirm_duplicate="on")
    )
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_duplicate_of_another_salespersons_file_is_not_named(client_for, salesperson, theirs):
    response = client_for(salesperson).post(
        reverse("customers:create"), _form(name=theirs.name, credit_code=make_credit_code(999))
    )
    html = response.content.decode()
    assert 'id="duplicate-warning"' in html
    assert theirs.code not in html
    assert Customer.objects.count() == 1


# --- edit, archive, restore -------------------------------------------------------------


def _edit_form(customer, **overrides):
    data = _form(
        code=customer.code,
        name=customer.name,
        short_name=customer.short_name,
        credit_code=customer.credit_code,
        type=customer.type,
        tier=customer.tier,
        status=customer.status,
        source=customer.source,
        industry=customer.industry,
        province=customer.province,
        city=customer.city,
        address=customer.address,
        payment_terms_days=customer.payment_terms_days or "",
    )
    data.update(overrides)
    return data


def test_edit_saves_and_keeps_history(client_for, salesperson, mine):
    response = client_for(salesperson).post(
        reverse("customers:edit", args=[mine.pk]), _edit_form(mine, city="嘉兴")
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.city == "嘉兴"
    assert mine.history.first().history_user == salesperson


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"invoice_phone": "abc"}, "invoice_phone"),
        ({"credit_limit": "-1"}, "credit_limit"),
    ],
)
def test_edit_bad_input_saves_nothing(client_for, salesperson, mine, overrides, field):
    before = mine.history.count()
    response = client_for(salesperson).post(
        reverse("customers:edit", args=[mine.pk]), _edit_form(mine, city="嘉兴", **overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    mine.refresh_from_db()
    assert mine.city == "杭州"
    assert mine.history.count() == before


def test_edit_archived_file_is_refused(client_for, salesperson, mine):
    client = client_for(salesperson)
    client.post(reverse("customers:archive", args=[mine.pk]))
    response = client.post(reverse("customers:edit", args=[mine.pk]), _edit_form(mine, city="嘉兴"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    mine.refresh_from_db()
    assert mine.city == "杭州"


def test_archive_and_restore(client_for, salesperson, mine):
    client = client_for(salesperson)
    response = client.post(reverse("customers:archive", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.archived_by == salesperson
    assert mine not in client.get(reverse("customers:list")).context["page_obj"].object_list
    assert (
        mine
        in client.get(reverse("customers:list"), {"archived": "1"}).context["page_obj"].object_list
    )
    response = client.post(reverse("customers:archive", args=[mine.pk]), follow=True)
    assert "already archived" in response.content.decode() or "已归档" in response.content.decode()
    client.post(reverse("customers:restore", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.archived_at is None


# --- contacts ---------------------------------------------------------------------------


def test_contact_create_and_edit(client_for, salesperson, mine):
    client = client_for(salesperson)
    response = client.post(
        reverse("customers:contact-create", args=[mine.pk]),
        {"name": "刘会计", "title": "财务", "phone": "0571 8765 4321", "decision_role": "finance"},
    )
    assert response.status_code == 302
    contact = mine.contacts.get(name="刘会计")
    assert contact.phone == "0571-87654321"
    response = client.post(
        reverse("customers:contact-edit", args=[contact.pk]),
        {"name": "刘会计", "title": "财务经理"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "财务经理"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "刘", "mobile": "123"}, "mobile"),
        ({"name": "刘", "email": "a@"}, "email"),
        ({"name": "刘", "qq": "qq123"}, "qq"),
        ({"name": "刘", "birthday": "1990-13-40"}, "birthday"),
    ],
)
def test_contact_create_bad_input(client_for, salesperson, mine, data, field):
    response = client_for(salesperson).post(
        reverse("customers:contact-create", args=[mine.pk]), data
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert mine.contacts.count() == 1


def test_contact_edit_bad_input(client_for, salesperson, mine):
    contact = mine.contacts.get()
    response = client_for(salesperson).post(
        reverse("customers:contact-edit", args=[contact.pk]),
        {"name": "王建国", "mobile": "0571-88886666"},
    )
    assert "mobile" in response.context["form"].errors
    contact.refresh_from_db()
    assert contact.mobile == "13900000001"


def test_contact_archive(client_for, salesperson, mine):
    contact = mine.contacts.get()
    response = client_for(salesperson).post(reverse("customers:contact-archive", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.archived_at is not None


# --- gaps -------------------------------------------------------------------------------


def test_gaps_page_lists_own_incomplete_files(client_for, salesperson, mine, theirs):
    Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).update(completeness=40)
    html = client_for(salesperson).get(reverse("customers:gaps")).content.decode()
    assert mine.name in html
    assert theirs.name not in html
    # What each file misses, in the reader's language, joined as a Chinese list.
    (row,) = client_for(salesperson).get(reverse("customers:gaps")).context["page_obj"].object_list
    labels = [str(gap.label) for gap in row.gap_list]
    assert len(labels) > 1 and "、".join(labels) in html


def test_gaps_page_query_count(client_for, assistant, salesperson, django_assert_max_num_queries):
    for i in range(35):
        ContactFactory.create_batch(2, customer=CustomerFactory(owner=salesperson, completeness=i))
    client = client_for(assistant)
    with django_assert_max_num_queries(7) as captured:
        response = client.get(reverse("customers:gaps"))
    rows = response.context["page_obj"].object_list
    assert len(rows) == 35
    assert all(row.gap_list for row in rows)
    # Only what the rows show and their gaps are computed from is read: not the file's notes
    # and pinyin, the contacts' emails and chat handles, nor the owners' passwords.
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"customers_customer"."notes"' not in sql
    assert '"customers_customer"."name_pinyin"' not in sql
    assert '"customers_contact"."email"' not in sql
    assert '"customers_contact"."wechat"' not in sql
    assert sql.count('"accounts_user"."password"') == 1


def test_detail_query_count_is_bounded(
    client_for, assistant, salesperson, django_assert_max_num_queries
):
    """Performance fix 13: live and archived contacts come from one query; ≤ 10 queries in all
    for a file with many contacts, follow-ups, a lead and mailings."""
    from django.utils import timezone

    from tests.factories import FollowUpFactory, LeadFactory, MailingFactory

    customer = CustomerFactory(owner=salesperson, name="大文件公司")
    live = ContactFactory.create_batch(6, customer=customer)
    gone = ContactFactory.create_batch(3, customer=customer, archived_at=timezone.now())
    FollowUpFactory.create_batch(25, customer=customer)
    LeadFactory(customer=customer)
    MailingFactory.create_batch(3, customer=customer)
    client = client_for(assistant)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert {c.pk for c in response.context["contacts"]} == {c.pk for c in live}
    assert {c.pk for c in response.context["archived_contacts"]} == {c.pk for c in gone}
    body = response.content.decode()
    assert all(c.name in body for c in live + gone)
    choices = [
        value
        for value, _label in response.context["activity"]["followup_form"].fields["contact"].choices
    ]
    assert {str(v) for v in choices if v} == {str(c.pk) for c in live}  # live contacts only
