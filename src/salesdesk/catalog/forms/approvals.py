"""Forms for sample approvals (R-3.4). They parse input; catalog.services.approvals decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin, ServiceErrorsMixin
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import ApprovalStatus
from ..models import Product

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class ApprovalCreateForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """A sample sent to a customer for the product's current revision."""

    customer = CustomerChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    sample_sent_on = forms.DateField(label=_("Sample sent on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        customers = scope_by_customer(Customer.objects.filter(archived_at__isnull=True), user)
        self.fields["customer"].queryset = customers.order_by("tier", "name", "id")
        self.fields["product"].queryset = Product.objects.filter(archived_at__isnull=True).order_by(
            "code"
        )
        self.fields["sample_sent_on"].initial = timezone.localdate()


class ApprovalDecideForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """The customer's answer: approved, or rejected with an improvement request."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approved")), (REJECT, _("Rejected"))],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET)
    customer_feedback = forms.CharField(
        label=_("Customer feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    improvement_request = forms.CharField(
        label=_("Improvement request"),
        required=False,
        help_text=_("Required when the customer rejects the sample."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        # Bootstrap's radio classes, not form-select.
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def decision_data(self) -> dict:
        data = self.cleaned_data
        return {
            "approved": data["decision"] == self.APPROVE,
            "decided_on": data["decided_on"],
            "customer_feedback": data["customer_feedback"],
            "improvement_request": data["improvement_request"],
        }


class ApprovalFilterForm(BootstrapMixin, forms.Form):
    """Filters of the approvals list (GET). Invalid values are ignored."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ApprovalStatus.choices]
    )
    search = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(
            attrs={"placeholder": _("Customer or product"), "autocomplete": "off"}
        ),
    )
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    product = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_valid()

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
