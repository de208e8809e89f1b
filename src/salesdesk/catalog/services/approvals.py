"""Writes of new-product sample approval (新品送样确认, R-3.4).

A sample of a product's current revision goes to a customer; the customer approves it, or
rejects it with an improvement request. Shipping checks the approvals through
catalog.selectors.approvals.unapproved_products.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.customers.models import Customer

from ..choices import ApprovalStatus
from ..models import Approval, Product


def _require_writer(by, customer: Customer) -> None:
    """Salespeople record approvals of their own customers; the office of any customer."""
    if not roles.edits_customers(by):
        raise PermissionDenied(_("Your role cannot record sample approvals."))
    if not roles.sees_all_customers(by) and customer.owner_id != by.pk:
        raise PermissionDenied(_("This customer belongs to another salesperson."))


def _record(approval: Approval, by, reason: str) -> None:
    approval._history_user = by
    approval._change_reason = reason


@transaction.atomic
def approval_request(
    *, customer: Customer, product: Product, by, sample_sent_on: dt.date | None = None
) -> Approval:
    """A sample of the product's current revision goes to the customer: one open request per customer, product and revision."""
    if not roles.edits_customers(by):
        raise PermissionDenied(_("Your role cannot record sample approvals."))
    errors: dict = {}
    if not roles.sees_all_customers(by) and customer.owner_id != by.pk:
        # Not "belongs to someone else": do not reveal another salesperson's customer.
        errors["customer"] = [_("Choose one of your own customers.")]
    elif customer.archived_at is not None:
        errors["customer"] = [_("This customer file is archived.")]
    # Lock the product row so two requests at once cannot both pass the duplicate check.
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.archived_at is not None:
        errors["product"] = [_("This product is archived.")]
    if sample_sent_on is not None and sample_sent_on > timezone.localdate():
        errors["sample_sent_on"] = [_("The sample cannot have been sent in the future.")]
    if not errors:
        same = Approval.objects.filter(
            customer=customer, product=product, revision=product.revision
        )
        status = (
            same.filter(status__in=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED])
            .values_list("status", flat=True)
            .first()
        )
        if status == ApprovalStatus.PENDING:
            errors["product"] = [
                _(
                    "A sample of %(product)s revision %(revision)d is already awaiting this customer's decision."
                )
                % {"product": product.code, "revision": product.revision}
            ]
        elif status == ApprovalStatus.APPROVED:
            errors["product"] = [
                _("This customer has already approved %(product)s revision %(revision)d.")
                % {"product": product.code, "revision": product.revision}
            ]
    if errors:
        raise ValidationError(errors)
    approval = Approval(
        customer=customer,
        product=product,
        revision=product.revision,
        sample_sent_on=sample_sent_on,
        created_by=by,
    )
    _record(approval, by, "request")
    approval.save()
    return approval


@transaction.atomic
def approval_decide(
    *,
    approval: Approval,
    by,
    approved: bool,
    decided_on: dt.date,
    customer_feedback: str = "",
    improvement_request: str = "",
) -> Approval:
    """Record the customer's decision once: a rejection needs an improvement request; the date is not before the sample went out."""
    approval = (
        Approval.objects.select_for_update()
        .select_related("customer", "product")
        .get(pk=approval.pk)
    )
    _require_writer(by, approval.customer)
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This approval was already decided on %(date)s.")
                    % {"date": approval.decided_on}
                ]
            }
        )
    customer_feedback = (customer_feedback or "").strip()
    improvement_request = (improvement_request or "").strip()
    errors: dict = {}
    if decided_on is None:
        errors["decided_on"] = [_("Enter the date of the customer's decision.")]
    elif approval.sample_sent_on and decided_on < approval.sample_sent_on:
        errors["decided_on"] = [
            _("The decision cannot come before the sample was sent (%(date)s).")
            % {"date": approval.sample_sent_on}
        ]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [_("The decision date cannot be in the future.")]
    if not approved and not improvement_request:
        errors["improvement_request"] = [_("A rejection needs the customer's improvement request.")]
    if errors:
        raise ValidationError(errors)
    approval.status = ApprovalStatus.APPROVED if approved else ApprovalStatus.REJECTED
    approval.decided_on = decided_on
    approval.decided_by = by
    approval.customer_feedback = customer_feedback
    approval.improvement_request = improvement_request
    _record(approval, by, "decide")
    approval.save()
    return approval
