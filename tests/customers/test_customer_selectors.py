"""Reads of customer files: scoping, search, filters, sorting, history, gaps, export rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone, translation

from salesdesk.customers.choices import (
    CustomerStatus,
    CustomerType,
    DecisionRole,
    Industry,
    Province,
    Source,
    Tier,
)
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors.customers import (
    SORTS,
    contact_get,
    contact_list,
    customer_contacts,
    customer_export_headers,
    customer_export_rows,
    customer_gaps,
    customer_get,
    customer_history,
    customer_list,
    with_gaps,
    with_live_contacts,
)
from salesdesk.customers.services.customers import (
    contact_archive,
    contact_create,
    contact_update,
    customer_create,
    customer_refresh_completeness,
    customer_update,
)
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_books(salesperson, other_salesperson):
    """sales1 and sales2 each own a file with a contact."""
    mine = CustomerFactory(name="杭州明发包装有限公司", short_name="明发", owner=salesperson)
    ContactFactory(customer=mine, name="王建国", mobile="13900000001", phone="0571-88880001")
    theirs = CustomerFactory(
        name="宁波华丰纸业有限公司", short_name="华丰", owner=other_salesperson
    )
    ContactFactory(customer=theirs, name="赵秀英", mobile="13900000002", phone="0574-87650002")
    return mine, theirs


# --- scope ------------------------------------------------------------------------------


def test_salesperson_lists_only_own_files(two_books, salesperson):
    mine, theirs = two_books
    assert list(customer_list(user=salesperson)) == [mine]


@pytest.mark.parametrize(
    "persona", ["assistant", "commercial", "director", "finance", "admin_user"]
)
def test_office_lists_every_file(request, two_books, persona):
    assert set(customer_list(user=request.getfixturevalue(persona))) == set(two_books)


def test_warehouse_lists_nothing(two_books, warehouse):
    assert not customer_list(user=warehouse).exists()


@pytest.mark.parametrize(
    "search",
    [
        "宁波华丰",
        "华丰",
        "ningbohuafeng",
        "nbhf",
        "赵秀英",
        "13900000002",
        "0574-87650002",
        "0574 8765 0002",
    ],
)
def test_salesperson_never_finds_another_salespersons_file(
    two_books, salesperson, other_salesperson, search
):
    assert not customer_list(user=salesperson, search=search).exists()
    assert customer_list(user=other_salesperson, search=search).count() == 1


def test_customer_get_is_404_out_of_scope(two_books, salesperson, warehouse, director):
    mine, theirs = two_books
    assert customer_get(user=salesperson, pk=mine.pk) == mine
    assert customer_get(user=director, pk=theirs.pk) == theirs
    with pytest.raises(Http404):
        customer_get(user=salesperson, pk=theirs.pk)
    with pytest.raises(Http404):
        customer_get(user=warehouse, pk=mine.pk)
    with pytest.raises(Http404):
        contact_get(user=salesperson, pk=theirs.contacts.get().pk)
    assert contact_get(user=salesperson, pk=mine.contacts.get().pk).customer == mine


def test_contact_list_is_scoped(two_books, salesperson, assistant):
    mine, theirs = two_books
    assert [c.customer for c in contact_list(user=salesperson)] == [mine]
    assert contact_list(user=assistant).count() == 2
    assert not contact_list(user=salesperson, customer=theirs.pk).exists()
    assert contact_list(user=assistant, search="赵秀英").get().customer == theirs


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "search",
    [
        "明发",
        "杭州明发包装有限公司",
        "hangzhoumingfa",
        "Hangzhou Mingfa",
        "hzmf",
        "HZMF",
        "王建国",
        "13900000001",
        "0571-88880001",
        "0571 8888 0001",
        "88880001",
    ],
)
def test_search_by_name_pinyin_initials_contact_and_phone(two_books, assistant, search):
    mine, _theirs = two_books
    assert list(customer_list(user=assistant, search=search)) == [mine]


def test_search_by_code_and_credit_code(two_books, assistant):
    mine, _theirs = two_books
    assert list(customer_list(user=assistant, search=mine.code)) == [mine]
    assert list(customer_list(user=assistant, search=mine.credit_code.lower())) == [mine]


def test_search_lists_a_file_once_however_many_contacts_match(salesperson):
    customer = CustomerFactory(owner=salesperson, name="甲公司")
    ContactFactory.create_batch(3, customer=customer, name="王经理")
    assert customer_list(user=salesperson, search="王经理").count() == 1


def test_search_ignores_archived_contacts(salesperson):
    customer = CustomerFactory(owner=salesperson, name="甲公司")
    ContactFactory(customer=customer, name="离职的人", archived_at=timezone.now())
    assert not customer_list(user=salesperson, search="离职的人").exists()


# --- filters and order ------------------------------------------------------------------


def test_filters(assistant, salesperson, other_salesperson):
    target = CustomerFactory(
        owner=salesperson,
        tier=Tier.KEY,
        status=CustomerStatus.DORMANT,
        province=Province.JIANGSU,
        industry=Industry.PHARMA,
        source=Source.REFERRAL,
        type=CustomerType.DISTRIBUTOR,
    )
    CustomerFactory(owner=other_salesperson)
    CustomerFactory(owner=salesperson)
    for key, value in [
        ("tier", Tier.KEY),
        ("status", CustomerStatus.DORMANT),
        ("province", Province.JIANGSU),
        ("industry", Industry.PHARMA),
        ("source", Source.REFERRAL),
        ("type", CustomerType.DISTRIBUTOR),
    ]:
        assert list(customer_list(user=assistant, **{key: value})) == [target], key
    assert customer_list(user=assistant, owner=salesperson).count() == 2
    assert customer_list(user=assistant, owner=other_salesperson.pk).count() == 1


def test_archived_filter(salesperson):
    live = CustomerFactory(owner=salesperson)
    gone = CustomerFactory(owner=salesperson, archived_at=timezone.now(), archived_by=salesperson)
    assert list(customer_list(user=salesperson)) == [live]
    assert list(customer_list(user=salesperson, archived=True)) == [gone]
    assert set(customer_list(user=salesperson, archived=None)) == {live, gone}


def test_default_order_puts_key_accounts_first(salesperson):
    a = CustomerFactory(owner=salesperson, name="A 普通")
    z_key = CustomerFactory(owner=salesperson, name="Z 大客户", tier=Tier.KEY)
    b = CustomerFactory(owner=salesperson, name="B 普通")
    assert list(customer_list(user=salesperson)) == [z_key, a, b]
    assert list(customer_list(user=salesperson, sort="name")) == [a, b, z_key]
    assert list(customer_list(user=salesperson, sort="-name")) == [z_key, b, a]
    assert list(customer_list(user=salesperson, sort="bogus")) == [z_key, a, b]


def test_every_sort_runs(salesperson):
    now = timezone.now()
    never = CustomerFactory(owner=salesperson, last_followup_at=None)
    old = CustomerFactory(owner=salesperson, last_followup_at=now - dt.timedelta(days=30))
    new = CustomerFactory(owner=salesperson, last_followup_at=now)
    assert list(customer_list(user=salesperson, sort="last_followup_at")) == [never, old, new]
    assert list(customer_list(user=salesperson, sort="-last_followup_at")) == [new, old, never]
    for key in SORTS:
        assert customer_list(user=salesperson, sort=key).count() == 3


def test_list_query_count_does_not_grow(salesperson, django_assert_max_num_queries):
    for i in range(35):
        customer = CustomerFactory(
            owner=salesperson, tier=Tier.KEY if i % 5 == 0 else Tier.ORDINARY
        )
        ContactFactory.create_batch(2, customer=customer)
    with django_assert_max_num_queries(2):
        rows = list(with_live_contacts(customer_list(user=salesperson)))
        assert len(rows) == 35
        assert all(len(r.live_contacts) == 2 and r.owner.username == "sales1" for r in rows)


# --- contacts and history ---------------------------------------------------------------


def test_customer_contacts_primary_first_and_archived_apart(salesperson):
    customer = CustomerFactory(owner=salesperson)
    b = ContactFactory(customer=customer, name="B")
    a = ContactFactory(customer=customer, name="A")
    p = ContactFactory(customer=customer, name="Z", is_primary=True)
    gone = ContactFactory(customer=customer, name="C", archived_at=timezone.now())
    assert list(customer_contacts(customer)) == [p, a, b]
    assert list(customer_contacts(customer, archived=True)) == [gone]


def test_history_shows_who_changed_what(salesperson, assistant, other_salesperson):
    with translation.override("en"):
        customer = customer_create(by=salesperson, data={"name": "甲公司", "city": "杭州"})
        contact = contact_create(
            customer=customer, by=salesperson, data={"name": "王经理", "mobile": "13812345678"}
        )
        customer_update(
            customer=customer, by=assistant, data={"city": "宁波", "owner": other_salesperson}
        )
        contact_update(contact=contact, by=assistant, data={"mobile": "13912345678"})
        contact_archive(contact=contact, by=assistant)
        entries = customer_history(customer)

    assert [(e.action, e.who, e.is_contact) for e in entries] == [
        ("Archived", assistant, True),
        ("Changed", assistant, True),
        ("Changed", assistant, False),
        ("Record created", salesperson, True),
        ("Record created", salesperson, False),
    ]
    changed = {c.field: (c.old, c.new) for c in entries[2].changes}
    assert changed == {
        "city": ("杭州", "宁波"),
        "owner": (str(salesperson), str(other_salesperson)),
    }
    assert [(c.field, c.old, c.new) for c in entries[1].changes] == [
        ("mobile", "13812345678", "13912345678")
    ]
    assert entries[1].subject == "王经理"


def test_history_limit_and_query_count(salesperson, django_assert_max_num_queries):
    customer = customer_create(by=salesperson, data={"name": "甲公司"})
    for i in range(12):
        customer_update(customer=customer, by=salesperson, data={"city": f"城{i}"})
    for i in range(5):
        contact_create(customer=customer, by=salesperson, data={"name": f"联系人{i}"})
    with django_assert_max_num_queries(3):
        entries = customer_history(customer, limit=10)
    assert len(entries) == 10
    oldest_customer_entry = [e for e in entries if not e.is_contact][-1]
    assert oldest_customer_entry.changes  # diffed against the row before it, not shown as "created"


# --- gaps -------------------------------------------------------------------------------


def test_gaps_lists_incomplete_files_key_accounts_first_then_lowest(salesperson, other_salesperson):
    low = CustomerFactory(owner=salesperson, name="低", completeness=20)
    high = CustomerFactory(owner=salesperson, name="高", completeness=80)
    key = CustomerFactory(owner=salesperson, name="大", completeness=90, tier=Tier.KEY)
    CustomerFactory(owner=salesperson, name="满", completeness=100)
    CustomerFactory(
        owner=salesperson,
        name="档",
        completeness=10,
        archived_at=timezone.now(),
        archived_by=salesperson,
    )
    CustomerFactory(owner=other_salesperson, completeness=5)
    assert list(customer_gaps(user=salesperson)) == [key, low, high]
    assert list(customer_gaps(user=salesperson, tier=Tier.ORDINARY)) == [low, high]


def test_gaps_name_the_missing_items(salesperson):
    customer = CustomerFactory(owner=salesperson, short_name="", invoice_title="")
    ContactFactory(customer=customer, mobile="", phone="", decision_role=DecisionRole.PURCHASER)
    customer_refresh_completeness(customer)
    [row] = with_gaps(customer_gaps(user=salesperson))
    keys = {gap.key for gap in row.gap_list}
    assert {"short_name", "invoice_title", "contact_phone", "decision_maker"} <= keys
    assert "contact" not in keys
    assert "city" not in keys


def test_gaps_query_count_does_not_grow(salesperson, django_assert_max_num_queries):
    for i in range(40):
        customer = CustomerFactory(owner=salesperson, completeness=i)
        ContactFactory.create_batch(2, customer=customer)
    with django_assert_max_num_queries(2):
        rows = with_gaps(customer_gaps(user=salesperson))
        assert len(rows) == 40
        assert all(r.gap_list and r.owner for r in rows)


def test_gaps_list_reads_every_column_the_checks_read(salesperson, django_assert_num_queries):
    """customer_gaps reads some columns only: every check of completeness.gaps finds its own among
    them (a missing one would be loaded row by row, a query each), with the gaps the whole rows
    give."""
    full = CustomerFactory(
        owner=salesperson,
        completeness=90,
        credit_limit=Decimal("50000.00"),
        invoice_title="杭州第一包装有限公司",
        invoice_tax_number="91330100MA2B3C4D5E",
        invoice_address="余杭区文一西路 1 号",
        invoice_phone="0571-88886666",
        invoice_bank="工商银行杭州分行",
        invoice_account="1202020209000012345",
    )
    # An empty mobile makes the phone check read the phone; no decision maker, every role read.
    ContactFactory(customer=full, mobile="", phone="0571-88881234")
    bare = CustomerFactory(owner=salesperson, completeness=10, short_name="", city="")
    whole_rows = with_live_contacts(Customer.objects.filter(pk__in=[full.pk, bare.pk]))
    whole = {c.pk: [g.key for g in c.gap_list] for c in with_gaps(whole_rows)}
    rows = list(customer_gaps(user=salesperson))
    with django_assert_num_queries(0):
        listed = {c.pk: [g.key for g in c.gap_list] for c in with_gaps(rows)}
        owners = [str(c.owner) for c in rows]
    assert listed == whole
    assert listed[full.pk] == ["decision_maker"]
    assert {"short_name", "city", "contact"} <= set(listed[bare.pk])
    assert owners == [str(salesperson)] * 2


# --- export -----------------------------------------------------------------------------


def test_export_rows_follow_the_queryset(salesperson, django_assert_max_num_queries):
    for i in range(31):
        customer = CustomerFactory(owner=salesperson, name=f"公司{i:02d}")
        ContactFactory(customer=customer, name=f"联系人{i:02d}", is_primary=True)
        ContactFactory(customer=customer, name="副手")
    with translation.override("zh-hans"):
        headers = customer_export_headers()
    assert headers[:2] == ["客户编码", "客户全称"]
    with django_assert_max_num_queries(2):
        rows = list(customer_export_rows(customer_list(user=salesperson, sort="name")))
    assert len(rows) == 31
    assert len(rows[0]) == len(headers)
    assert rows[0][1] == "公司00"
    assert rows[0][headers.index("主要联系人")] == "联系人00"
