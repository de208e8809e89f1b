"""List pages count up to SALESDESK_LIST_COUNT_CAP ("10,000+", core.pagination): at most cap + 1
rows are read, a deep page stays reachable, `?count=all` and known counts are exact."""

import pytest
from django.db import connection
from django.db.models import Count
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from salesdesk.core.pagination import capped_count, paginate
from salesdesk.customers.models import Customer
from salesdesk.finance.services.payments import payment_record
from tests.factories import ContactFactory, CustomerFactory
from tests.finance.test_receivables_helpers import make_receivable
from tests.reports.today_data import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(settings):
    """Cap 5, pages of 2: page 1 counts 6 rows at most ("5+")."""
    settings.SALESDESK_LIST_COUNT_CAP = 5
    settings.SALESDESK_PAGE_SIZE = 2


@pytest.fixture
def twelve(salesperson):
    return [CustomerFactory(owner=salesperson, name=f"公司{i:02d}") for i in range(12)]


def customers():
    return Customer.objects.order_by("name", "id")


def get(**params):
    return RequestFactory().get("/", params)


# --- capped_count ---------------------------------------------------------------------------


def test_capped_count_reads_at_most_cap_plus_one_rows_unsorted(small_cap, twelve):
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(customers(), reach=2) == (6, True)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "LIMIT 6" in sql and "ORDER BY" not in sql
    assert capped_count(customers(), reach=8) == (9, True)  # the reach, past the cap
    assert capped_count(customers(), reach=12) == (12, False)
    assert capped_count(customers().filter(name__lt="公司04"), reach=2) == (4, False)


def test_capped_count_of_a_grouped_list_counts_its_rows(small_cap, twelve):
    for customer in twelve[:3]:
        ContactFactory.create_batch(2, customer=customer)
    grouped = customers().annotate(n=Count("contacts"))
    assert capped_count(grouped, reach=2) == (6, True)
    assert capped_count(grouped.filter(n=2), reach=2) == (3, False)


def test_cap_zero_counts_exactly(settings, twelve):
    settings.SALESDESK_LIST_COUNT_CAP = 0
    assert capped_count(customers(), reach=2) == (12, False)
    page = paginate(get(), customers(), 2)
    assert (page.paginator.count, page.count_capped) == (12, False)


# --- paginate -------------------------------------------------------------------------------


def test_first_page_is_capped(small_cap, twelve):
    page = paginate(get(), customers())
    assert (page.number, page.paginator.count) == (1, 6)
    assert (page.count_capped, page.count_floor) == (True, 5)
    assert [c.name for c in page.object_list] == ["公司00", "公司01"]
    assert page.has_next()


def test_a_deep_page_past_the_cap_is_reached_not_clamped(small_cap, twelve):
    page = paginate(get(page=5), customers())
    assert page.number == 5
    assert [c.name for c in page.object_list] == ["公司08", "公司09"]
    assert page.count_capped and page.count_floor == 10 and page.has_next()
    last = paginate(get(page=6), customers())  # the count reaches the end: exact
    assert (last.number, last.paginator.count, last.count_capped) == (6, 12, False)
    assert not last.has_next()


def test_a_page_past_the_end_gives_the_last_page_and_bad_numbers_the_first(small_cap, twelve):
    page = paginate(get(page=50), customers())
    assert (page.number, page.paginator.count, page.count_capped) == (6, 12, False)
    for bad in ("x", "0", "-3", "1.5"):
        page = paginate(get(page=bad), customers())
        assert page.number == 1, bad


def test_exact_counts(small_cap, twelve):
    # asked for, known by the caller, a page that needs the exact figure, not a queryset
    for page in (
        paginate(get(count="all"), customers()),
        paginate(get(), customers(), count=12),
        paginate(get(), customers(), capped=False),
        paginate(get(), list(customers())),
    ):
        assert (page.paginator.count, page.count_capped, page.count_floor) == (12, False, None)


def test_below_the_cap_the_count_is_exact(small_cap, twelve):
    page = paginate(get(), customers().filter(name__lt="公司04"))
    assert (page.paginator.count, page.count_capped) == (4, False)


def test_the_capped_count_is_written_with_thousands_and_links_to_the_exact_count():
    class Page:
        count_floor = 10_000

    request = get(page=3, q="纸")
    with translation.override("en"):
        html = render_to_string("core/_count_capped.html", {"page_obj": Page(), "request": request})
    assert "10,000+ records" in html
    assert 'href="?page=3&amp;q=%E7%BA%B8&amp;count=all"' in html and "Count all" in html
    with translation.override("zh-hans"):
        html = render_to_string("core/_count_capped.html", {"page_obj": Page(), "request": request})
    assert "超过 10,000 条" in html and "精确计数" in html


# --- pages ----------------------------------------------------------------------------------


def test_customer_list_shows_the_capped_count(client_for, assistant, small_cap, twelve):
    client = client_for(assistant)
    body = client.get(reverse("customers:list")).content.decode()
    assert "超过 5 条" in body and "共 12 个客户" not in body
    assert "?count=all" in body and "精确计数" in body
    assert "末页" not in body and ">1 / " not in body  # no last page, no number of pages
    body = client.get(reverse("customers:list"), {"page": 5}).content.decode()
    assert "超过 10 条" in body and ">5</span>" in body
    response = client.get(reverse("customers:list"), {"count": "all"})
    body = response.content.decode()
    assert "共 12 个客户" in body and "共 12 条" in body and "超过" not in body
    assert "末页" in body and ">1 / 6<" in body
    assert "page=2" in body and "count=all" in body  # paging on keeps the exact count


def test_receivables_whole_ledger_is_capped_a_filtered_list_exact(
    client_for, finance, small_cap, twelve
):
    for i, customer in enumerate(twelve):
        make_receivable(customer, f"{i + 1}.00")
    client = client_for(finance)
    response = client.get(reverse("finance:receivables"))
    page, body = response.context["page_obj"], response.content.decode()
    assert page.count_capped and response.context["totals"].count is None
    assert "超过 5 条" in body and "精确计数" in body and "笔应收款合计" not in body
    assert 'data-total="open">¥78.00' in body  # what is open: every row, not the capped count
    body = client.get(reverse("finance:receivables"), {"count": "all"}).content.decode()
    assert "12 笔应收款</span>" in body and "12 笔应收款合计" in body
    # Filtered: the count comes from the totals' own aggregate, exact.
    response = client.get(reverse("finance:receivables"), {"status": "open"})
    page = response.context["page_obj"]
    assert (page.paginator.count, page.count_capped) == (12, False)
    assert response.context["totals"].count == 12


def test_payments_whole_history_is_capped(client_for, finance, small_cap, twelve):
    for customer in twelve:
        payment_record(by=finance, customer=customer, amount="1.00", received_on=days(0))
    body = client_for(finance).get(reverse("finance:payments")).content.decode()
    assert "超过 5 条" in body and "精确计数" in body


def test_today_section_keeps_its_exact_count(client_for, assistant, small_cap, salesperson):
    for _ in range(8):
        CustomerFactory(owner=salesperson, next_followup_on=days(-1))
    response = client_for(assistant).get(reverse("reports:today-section", args=["followups"]))
    page = response.context["page_obj"]
    assert (page.paginator.count, page.count_capped) == (8, False)
    assert '<span class="badge text-bg-primary">8</span>' in response.content.decode()
