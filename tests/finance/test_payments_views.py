"""Payment pages: fast entry (plain post and htmx), allocation by hand, detail and allocation of
credit, list with totals; permission matrix, scoping, bad input, query counts."""

import pytest
from django.urls import reverse

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Allocation, Payment, Receivable
from salesdesk.finance.services.payments import payment_record
from tests.factories import CustomerFactory

from . import test_receivables_helpers as helpers
from .test_receivables_helpers import D, days_ago, make_receivable, today

pytestmark = pytest.mark.django_db

mine, theirs = helpers.mine, helpers.theirs  # fixtures

READERS = ["assistant", "commercial", "salesperson", "director", "finance", "admin_user"]
RECORDERS = ["assistant", "finance", "admin_user"]
NOT_RECORDERS = ["commercial", "salesperson", "director", "warehouse"]


def pay(by, customer, amount, **kwargs):
    kwargs.setdefault("received_on", today())
    kwargs.setdefault("method", "bank")
    return payment_record(by=by, customer=customer, amount=amount, **kwargs)


@pytest.fixture
def open_two(mine):
    old = make_receivable(mine, "100.00", issued_on=days_ago(90), invoice_number="FP-OLD")
    new = make_receivable(mine, "200.00", issued_on=days_ago(10), invoice_number="FP-NEW")
    return old, new


def slip(who, amount="150.00", **extra):
    data = {
        "customer": who.code,
        "amount": amount,
        "received_on": str(today()),
        "method": "bank",
        "reference": "BK-1",
    }
    data.update(extra)
    return data


def state():
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        list(Receivable.objects.order_by("pk").values_list("allocated_amount", flat=True)),
    )


# --- permission matrix ----------------------------------------------------------------------


def test_anonymous_goes_to_login(client, finance, mine):
    payment = pay(finance, mine, "1.00")
    for method, url in [
        ("GET", reverse("finance:payments")),
        ("GET", reverse("finance:payment-create")),
        ("POST", reverse("finance:payment-create")),
        ("GET", reverse("finance:payment-detail", args=[payment.pk])),
        ("POST", reverse("finance:payment-allocate", args=[payment.pk])),
        ("GET", reverse("finance:customer-search")),
    ]:
        response = client.generic(method, url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", READERS)
def test_readers_open_list_and_detail(request, client_for, finance, mine, persona):
    payment = pay(finance, mine, "1.00")
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("finance:payments")).status_code == 200
    assert client.get(reverse("finance:payment-detail", args=[payment.pk])).status_code == 200


@pytest.mark.parametrize("persona", RECORDERS)
def test_recorders_open_the_entry_form(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("finance:payment-create"))
    assert response.status_code == 200
    assert response.context["form"]["received_on"].value() == today()


@pytest.mark.parametrize("persona", NOT_RECORDERS)
def test_others_cannot_record_or_allocate(request, client_for, finance, mine, open_two, persona):
    credit = pay(finance, CustomerFactory(owner=mine.owner), "5.00")
    before = state()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("finance:payment-create")).status_code == 403
    assert client.post(reverse("finance:payment-create"), slip(mine)).status_code == 403
    assert (
        client.post(
            reverse("finance:payment-allocate", args=[credit.pk]), {"mode": "auto"}
        ).status_code
        == 403
    )
    assert state() == before


def test_warehouse_reads_no_payments(client_for, warehouse, finance, mine):
    payment = pay(finance, mine, "1.00")
    client = client_for(warehouse)
    assert client.get(reverse("finance:payments")).status_code == 403
    assert client.get(reverse("finance:payment-detail", args=[payment.pk])).status_code == 403
    assert client.get(reverse("finance:customer-search"), {"q": "杭州"}).status_code == 403


def test_wrong_methods(client_for, finance, mine):
    payment = pay(finance, mine, "1.00")
    client = client_for(finance)
    assert client.post(reverse("finance:payments")).status_code == 405
    assert client.put(reverse("finance:payment-create")).status_code == 405
    assert client.post(reverse("finance:payment-detail", args=[payment.pk])).status_code == 405
    assert client.get(reverse("finance:payment-allocate", args=[payment.pk])).status_code == 405
    assert client.post(reverse("finance:customer-search")).status_code == 405


# --- scoping --------------------------------------------------------------------------------


def test_salesperson_sees_only_own_customers_payments(
    client_for, finance, salesperson, mine, theirs
):
    own = pay(finance, mine, "11.00", reference="REF-MINE")
    other = pay(finance, theirs, "22.00", reference="REF-THEIRS")
    client = client_for(salesperson)
    page = client.get(reverse("finance:payments"))
    assert [p.pk for p in page.context["page_obj"].object_list] == [own.pk]
    assert "REF-THEIRS" not in page.content.decode()
    # Every payment unfiltered: the count (the page's) and the credit left, within scope.
    assert page.context["page_obj"].paginator.count == 1
    assert (page.context["totals"].count, page.context["totals"].open) == (None, D("11.00"))
    assert page.context["totals"].amount is None
    page = client.get(reverse("finance:payments"), {"q": "REF"})
    assert page.context["totals"].amount == D("11.00")
    assert client.get(reverse("finance:payment-detail", args=[other.pk])).status_code == 404
    options = client.get(reverse("finance:customer-search"), {"q": "宁波"}).content.decode()
    assert theirs.code not in options
    assert (
        mine.code in client.get(reverse("finance:customer-search"), {"q": "明发"}).content.decode()
    )


# --- fast entry -----------------------------------------------------------------------------


def test_enter_saves_oldest_first_and_the_form_comes_back_empty_with_the_last_payment(
    client_for, finance, mine, open_two
):
    old, new = open_two
    client = client_for(finance)
    response = client.post(
        reverse("finance:payment-create"), slip(mine, "150.00", method="acceptance")
    )
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:payment-create") + f"?last={payment.pk}"
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "¥150.00" in body and "FP-OLD" in body and "FP-NEW" in body
    form = page.context["form"]
    assert (
        not form.is_bound
        and form["customer"].value() in (None, "")
        and form["amount"].value() in (None, "")
    )
    assert (
        form["method"].value() == "acceptance"
    )  # the next slip of the pile is likely the same kind
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.is_open and new.allocated_amount == D("50.00")
    assert payment.created_by == finance and payment.reference == "BK-1"


def test_htmx_entry_swaps_the_entry_block(client_for, finance, mine, open_two):
    response = client_for(finance).post(
        reverse("finance:payment-create"), slip(mine, "1,000"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="payment-entry"' in body and "<html" not in body
    assert 'data-role="last-payment"' in body and "¥1,000.00" in body
    assert "¥700.00" in body  # kept as credit
    assert Payment.objects.get().unallocated_amount == D("700.00")


def test_customer_by_suggestion_text_or_full_name(client_for, finance, mine):
    client = client_for(finance)
    client.post(reverse("finance:payment-create"), slip(mine, customer=f"{mine.code} {mine.name}"))
    client.post(reverse("finance:payment-create"), slip(mine, customer=mine.name))
    assert Payment.objects.filter(customer=mine).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": ""}, "customer"),
        ({"customer": "NO-SUCH-CUSTOMER"}, "customer"),
        ({"amount": ""}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "一百"}, "amount"),
        ({"received_on": ""}, "received_on"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"method": "gold"}, "method"),
        ({"reference": "R" * 61}, "reference"),
    ],
)
def test_bad_input_re_renders_with_the_fields_message_and_saves_nothing(
    client_for, finance, mine, open_two, changes, field
):
    before = state()
    response = client_for(finance).post(reverse("finance:payment-create"), slip(mine, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert state() == before


def test_a_salesperson_customer_of_another_is_not_found_for_the_office_but_found_for_finance(
    client_for, finance, theirs
):
    response = client_for(finance).post(reverse("finance:payment-create"), slip(theirs))
    assert response.status_code == 302  # finance records any customer's money


def test_manual_toggle_shows_open_receivables_and_allocates_exactly_those(
    client_for, finance, mine, open_two
):
    old, new = open_two
    client = client_for(finance)
    fragment = client.get(
        reverse("finance:payment-create"),
        {"customer": mine.code, "manual": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="open-receivables",
    )
    body = fragment.content.decode()
    assert 'id="open-receivables"' in body and "<html" not in body
    assert f'name="alloc_{old.pk}"' in body and f'name="alloc_{new.pk}"' in body
    assert body.index("FP-OLD") < body.index("FP-NEW")
    response = client.post(
        reverse("finance:payment-create"),
        slip(
            mine,
            "300.00",
            manual="on",
            allocation_shown="1",
            **{f"alloc_{new.pk}": "200.00", f"alloc_{old.pk}": ""},
        ),
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.allocated_amount == 0 and not new.is_open
    assert Payment.objects.get().unallocated_amount == D("100.00")


def test_manual_without_the_list_on_the_page_shows_it_and_saves_nothing(
    client_for, finance, mine, open_two
):
    response = client_for(finance).post(reverse("finance:payment-create"), slip(mine, manual="on"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert f'name="alloc_{open_two[0].pk}"' in response.content.decode()
    assert Payment.objects.count() == 0


def test_manual_over_allocation_lands_on_the_line_and_saves_nothing(
    client_for, finance, mine, open_two
):
    old, new = open_two
    before = state()
    response = client_for(finance).post(
        reverse("finance:payment-create"),
        slip(
            mine,
            "150.00",
            manual="on",
            allocation_shown="1",
            **{f"alloc_{old.pk}": "100", f"alloc_{new.pk}": "60"},
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [f"alloc_{new.pk}"]
    assert "¥160.00" in errors[f"alloc_{new.pk}"][0]
    assert state() == before
    response = client_for(finance).post(
        reverse("finance:payment-create"),
        slip(mine, "500.00", manual="on", allocation_shown="1", **{f"alloc_{old.pk}": "100.01"}),
    )
    assert response.context["form"].errors[f"alloc_{old.pk}"]
    assert state() == before


def test_customer_suggestions(client_for, finance, mine):
    body = (
        client_for(finance)
        .get(reverse("finance:customer-search"), {"customer": "明发"})
        .content.decode()
    )
    assert f'value="{mine.code} {mine.name}"' in body
    assert (
        client_for(finance).get(reverse("finance:customer-search")).content.decode().strip() == ""
    )


# --- detail and allocating credit -----------------------------------------------------------


def test_detail_shows_allocations_and_allocates_credit_oldest_first(client_for, finance, mine):
    payment = pay(finance, mine, "250.00")  # nothing open yet: all credit
    old = make_receivable(mine, "100.00", issued_on=days_ago(90), invoice_number="FP-OLD")
    new = make_receivable(mine, "200.00", issued_on=days_ago(10), invoice_number="FP-NEW")
    client = client_for(finance)
    page = client.get(reverse("finance:payment-detail", args=[payment.pk]))
    assert page.context["can_allocate"] and "FP-OLD" in page.content.decode()
    response = client.post(reverse("finance:payment-allocate", args=[payment.pk]), {"mode": "auto"})
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.is_open and new.allocated_amount == D("150.00")
    body = client.get(reverse("finance:payment-detail", args=[payment.pk])).content.decode()
    assert "FP-OLD" in body and "¥150.00" in body


def test_allocate_by_hand_and_bad_input(client_for, finance, mine):
    payment = pay(finance, mine, "50.00")
    r = make_receivable(mine, "100.00", invoice_number="FP-1")
    client = client_for(finance)
    url = reverse("finance:payment-allocate", args=[payment.pk])
    for data, field in [
        ({"mode": "manual", f"alloc_{r.pk}": "50.01"}, f"alloc_{r.pk}"),
        ({"mode": "manual", f"alloc_{r.pk}": "abc"}, f"alloc_{r.pk}"),
        ({"mode": "manual"}, "__all__"),
        ({"mode": "sideways"}, "mode"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["allocate_form"].errors, data
    assert Allocation.objects.count() == 0
    response = client.post(url, {"mode": "manual", f"alloc_{r.pk}": "20"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.unallocated_amount == D("30.00")


def test_allocate_when_nothing_left_shows_the_message(client_for, finance, mine):
    make_receivable(mine, "10.00")
    payment = pay(finance, mine, "10.00")
    response = client_for(finance).post(
        reverse("finance:payment-allocate", args=[payment.pk]), {"mode": "auto"}
    )
    assert response.status_code == 200
    assert response.context["allocate_form"].non_field_errors()


# --- list -----------------------------------------------------------------------------------


def test_list_filters_and_key_accounts_first(client_for, finance, mine, salesperson):
    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    a = pay(finance, mine, "10.00", received_on=days_ago(3))
    b = pay(finance, key, "20.00", received_on=days_ago(5))
    make_receivable(mine, "4.00")
    c = pay(finance, mine, "5.00", received_on=days_ago(1))  # 1.00 credit left
    client = client_for(finance)
    page = client.get(reverse("finance:payments"))  # the whole history: newest first, not by tier
    assert [p.pk for p in page.context["page_obj"].object_list] == [c.pk, a.pk, b.pk]
    body = page.content.decode()
    assert "badge-key" in body
    # A row: date linked, customer and code, method, amounts, the credit left highlighted.
    link = body.index(f'href="{reverse("finance:payment-detail", args=[c.pk])}"')
    row = body[body.rindex("<tr", 0, link) :].split("</tr>")[0]
    assert f">{c.received_on:%Y-%m-%d}</a>" in row and mine.name in row and mine.code in row
    assert c.get_method_display() in row and "¥5.00" in row and "¥4.00" in row
    assert '<span class="text-warning-emphasis fw-semibold">¥1.00</span>' in row
    page = client.get(reverse("finance:payments"), {"unallocated": "on"})  # the worklist: key first
    assert [p.pk for p in page.context["page_obj"].object_list] == [b.pk, c.pk, a.pk]
    page = client.get(
        reverse("finance:payments"), {"date_from": str(days_ago(4)), "date_to": str(days_ago(2))}
    )
    assert [p.pk for p in page.context["page_obj"].object_list] == [a.pk]
    assert page.context["totals"].amount == D("10.00")


def test_list_query_count_is_bounded(
    client_for, finance, salesperson, django_assert_max_num_queries
):
    customers = [CustomerFactory(owner=salesperson) for _ in range(6)]
    for i in range(36):
        pay(finance, customers[i % 6], f"{i + 1}.01")
    client = client_for(finance)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("finance:payments"))
    assert len(page.context["page_obj"].object_list) == 36
    client_for(salesperson)  # the same test client, signed in again outside the count
    with django_assert_max_num_queries(8) as captured:
        page = client.get(reverse("finance:payments"))
    assert len(page.context["page_obj"].object_list) == 36
    # Only what the rows show is read: not the notes of the payment or its customer, nor the
    # salesperson and who entered it (the signed-in person's own row reads a password).
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"finance_payment"."notes"' not in sql
    assert '"customers_customer"."notes"' not in sql
    assert sql.count('"accounts_user"."password"') == 1


def test_detail_query_count_is_bounded(client_for, finance, mine, django_assert_max_num_queries):
    for i in range(30):
        make_receivable(mine, "1.00", issued_on=days_ago(90 - i))
    payment = pay(finance, mine, "45.00")
    assert payment.allocations.count() == 30
    client = client_for(finance)
    with django_assert_max_num_queries(7):
        client.get(reverse("finance:payment-detail", args=[payment.pk]))
