"""Sample approval (R-3.4): services and the shipment gate unapproved_products."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.catalog.models import Approval
from salesdesk.catalog.selectors.approvals import approval_list, unapproved_products
from salesdesk.catalog.services.approvals import approval_decide, approval_request
from salesdesk.catalog.services.products import product_update
from salesdesk.customers.choices import Tier
from tests.factories import CustomerFactory

from .factories import ApprovalFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson)


@pytest.fixture
def new_product():
    return ProductFactory(is_new=True, needs_approval=True)


# --- approval_request -----------------------------------------------------------------------


def test_request_is_for_the_current_revision(salesperson, customer, new_product):
    new_product.revision = 3
    new_product.save()
    approval = approval_request(
        customer=customer, product=new_product, by=salesperson, sample_sent_on=TODAY
    )
    assert (approval.revision, approval.status, approval.created_by) == (
        3,
        ApprovalStatus.PENDING,
        salesperson,
    )
    assert approval.history.get().history_user == salesperson


def test_a_duplicate_pending_request_is_refused(salesperson, customer, new_product):
    approval_request(customer=customer, product=new_product, by=salesperson)
    with pytest.raises(ValidationError) as exc:
        approval_request(customer=customer, product=new_product, by=salesperson)
    assert "product" in exc.value.message_dict
    assert Approval.objects.count() == 1


def test_a_new_revision_may_be_requested_again(assistant, salesperson, customer, new_product):
    approval_request(customer=customer, product=new_product, by=salesperson)
    product_update(product=new_product, by=assistant, data={"length_mm": 500})
    second = approval_request(customer=customer, product=new_product, by=salesperson)
    assert second.revision == 2 and Approval.objects.count() == 2


def test_an_already_approved_revision_is_refused(salesperson, customer, new_product):
    ApprovalFactory(
        customer=customer, product=new_product, status=ApprovalStatus.APPROVED, decided_on=TODAY
    )
    with pytest.raises(ValidationError) as exc:
        approval_request(customer=customer, product=new_product, by=salesperson)
    assert "product" in exc.value.message_dict


def test_a_rejected_sample_may_be_sent_again(salesperson, customer, new_product):
    ApprovalFactory(
        customer=customer,
        product=new_product,
        status=ApprovalStatus.REJECTED,
        decided_on=TODAY,
        improvement_request="加厚",
    )
    assert (
        approval_request(customer=customer, product=new_product, by=salesperson).status
        == ApprovalStatus.PENDING
    )


def test_customer_must_be_in_scope(salesperson, other_salesperson, new_product):
    theirs = CustomerFactory(owner=other_salesperson)
    with pytest.raises(ValidationError) as exc:
        approval_request(customer=theirs, product=new_product, by=salesperson)
    assert "customer" in exc.value.message_dict
    assert not Approval.objects.exists()


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_roles_that_do_not_edit_customers_are_refused(request, persona, customer, new_product):
    with pytest.raises(PermissionDenied):
        approval_request(
            customer=customer, product=new_product, by=request.getfixturevalue(persona)
        )


def test_archived_product_and_future_date_are_refused(assistant, customer, new_product):
    new_product.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    new_product.save()
    with pytest.raises(ValidationError) as exc:
        approval_request(
            customer=customer,
            product=new_product,
            by=assistant,
            sample_sent_on=TODAY + dt.timedelta(days=1),
        )
    assert {"product", "sample_sent_on"} <= set(exc.value.message_dict)
    assert not Approval.objects.exists()


# --- approval_decide -------------------------------------------------------------------------


def test_approve(salesperson, customer, new_product):
    approval = ApprovalFactory(
        customer=customer, product=new_product, sample_sent_on=TODAY - dt.timedelta(days=5)
    )
    approval = approval_decide(
        approval=approval, by=salesperson, approved=True, decided_on=TODAY, customer_feedback="很好"
    )
    approval.refresh_from_db()
    assert (approval.status, approval.decided_on, approval.decided_by) == (
        ApprovalStatus.APPROVED,
        TODAY,
        salesperson,
    )
    assert approval.customer_feedback == "很好"


def test_rejection_needs_an_improvement_request(salesperson, customer, new_product):
    approval = ApprovalFactory(customer=customer, product=new_product)
    with pytest.raises(ValidationError) as exc:
        approval_decide(
            approval=approval,
            by=salesperson,
            approved=False,
            decided_on=TODAY,
            improvement_request="  ",
        )
    assert "improvement_request" in exc.value.message_dict
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    approval_decide(
        approval=approval,
        by=salesperson,
        approved=False,
        decided_on=TODAY,
        improvement_request="箱体加厚到七层",
    )
    approval.refresh_from_db()
    assert (
        approval.status == ApprovalStatus.REJECTED
        and approval.improvement_request == "箱体加厚到七层"
    )


def test_decision_not_before_the_sample_was_sent(salesperson, customer, new_product):
    approval = ApprovalFactory(customer=customer, product=new_product, sample_sent_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        approval_decide(
            approval=approval,
            by=salesperson,
            approved=True,
            decided_on=TODAY - dt.timedelta(days=1),
        )
    assert "decided_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        approval_decide(
            approval=approval,
            by=salesperson,
            approved=True,
            decided_on=TODAY + dt.timedelta(days=1),
        )
    assert "decided_on" in exc.value.message_dict
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_a_decided_approval_cannot_be_decided_again(salesperson, customer, new_product):
    approval = ApprovalFactory(customer=customer, product=new_product)
    approval_decide(approval=approval, by=salesperson, approved=True, decided_on=TODAY)
    with pytest.raises(ValidationError):
        approval_decide(
            approval=approval,
            by=salesperson,
            approved=False,
            decided_on=TODAY,
            improvement_request="x",
        )
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_another_salespersons_approval_cannot_be_decided(other_salesperson, customer, new_product):
    approval = ApprovalFactory(customer=customer, product=new_product)
    with pytest.raises(PermissionDenied):
        approval_decide(approval=approval, by=other_salesperson, approved=True, decided_on=TODAY)


# --- unapproved_products (the shipment gate) ----------------------------------------------------


def test_unapproved_products_in_one_query(django_assert_num_queries, customer):
    plain = ProductFactory(needs_approval=False)
    approved = ProductFactory(needs_approval=True)
    ApprovalFactory(
        customer=customer, product=approved, status=ApprovalStatus.APPROVED, decided_on=TODAY
    )
    pending = ProductFactory(needs_approval=True)
    ApprovalFactory(customer=customer, product=pending)
    rejected = ProductFactory(needs_approval=True)
    ApprovalFactory(
        customer=customer,
        product=rejected,
        status=ApprovalStatus.REJECTED,
        decided_on=TODAY,
        improvement_request="x",
    )
    other_customer = ProductFactory(needs_approval=True)
    ApprovalFactory(product=other_customer, status=ApprovalStatus.APPROVED, decided_on=TODAY)
    never = ProductFactory(needs_approval=True)
    many = [ProductFactory(needs_approval=True) for _ in range(10)]
    products = [never, plain, approved, pending, rejected, other_customer, *many, never]
    with django_assert_num_queries(1):
        found = unapproved_products(customer=customer, products=products)
    assert found == [never, pending, rejected, other_customer, *many]


def test_an_approval_of_an_old_revision_does_not_count(assistant, customer):
    product = ProductFactory(is_new=True, needs_approval=True)
    ApprovalFactory(
        customer=customer, product=product, status=ApprovalStatus.APPROVED, decided_on=TODAY
    )
    assert unapproved_products(customer=customer, products=[product]) == []
    product_update(product=product, by=assistant, data={"material": "K=K"})
    assert unapproved_products(customer=customer, products=[product]) == [product]
    ApprovalFactory(
        customer=customer, product=product, status=ApprovalStatus.APPROVED, decided_on=TODAY
    )
    assert unapproved_products(customer=customer, products=[product.pk]) == []


def test_no_products_no_query(django_assert_num_queries, customer):
    with django_assert_num_queries(0):
        assert unapproved_products(customer=customer, products=[]) == []


# --- approval_list ---------------------------------------------------------------------------


def test_list_is_scoped_key_accounts_and_pending_first(
    salesperson, other_salesperson, django_assert_max_num_queries
):
    ordinary = CustomerFactory(owner=salesperson, tier=Tier.ORDINARY)
    key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
    decided = ApprovalFactory(customer=ordinary, status=ApprovalStatus.APPROVED, decided_on=TODAY)
    pending = ApprovalFactory(customer=ordinary)
    key_decided = ApprovalFactory(customer=key, status=ApprovalStatus.APPROVED, decided_on=TODAY)
    ApprovalFactory(customer=CustomerFactory(owner=other_salesperson))
    for _ in range(30):
        ApprovalFactory(customer=ordinary, status=ApprovalStatus.APPROVED, decided_on=TODAY)
    with django_assert_max_num_queries(1):
        rows = list(approval_list(user=salesperson))
        for row in rows:
            str(row.customer.owner), row.product.code
    assert len(rows) == 33
    assert rows[0] == key_decided and rows[1] == pending
    assert decided in rows
    assert [a.pk for a in approval_list(user=salesperson, status=ApprovalStatus.PENDING)] == [
        pending.pk
    ]
    assert list(approval_list(user=salesperson, product=pending.product)) == [pending]
