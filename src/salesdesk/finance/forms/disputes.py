"""Forms of the headquarters disputes register: filters, open a dispute, change its status, attach."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.models import User
from salesdesk.accounts.roles import READS_CUSTOMERS
from salesdesk.core.forms import BootstrapMixin
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import DisputeKind, DisputeStatus
from .reconciliation import ServiceErrorsMixin

STATUS_FILTER_CHOICES = (
    ("active", _("Not closed")),
    ("closed", _("Closed")),
    ("all", _("All")),
    *DisputeStatus.choices,
)


def owner_choices():
    return User.objects.filter(is_active=True, role__in=READS_CUSTOMERS).order_by("username")


class DisputeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *DisputeKind.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "active",
            "kind": data.get("kind") or "",
            "owner": data.get("owner"),
        }


class DisputeForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    customer = forms.CharField(
        label=_("Customer code or full name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    title = forms.CharField(label=_("What is disputed"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    period = forms.CharField(
        label=_("Period concerned"),
        max_length=50,
        required=False,
        help_text=_("e.g. 2023 or 2022-07 to 2023-06"),
    )
    owner = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        if user is not None and not self.is_bound:
            self.fields["owner"].initial = user.pk

    def clean_customer(self):
        text = self.cleaned_data["customer"].strip()
        scoped = scope_by_customer(Customer.objects.all(), self.user)
        matches = list(scoped.filter(Q(code__iexact=text) | Q(name=text) | Q(short_name=text))[:2])
        exact = [c for c in matches if c.code.lower() == text.lower()]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        raise ValidationError(_("No customer has this code or name."))


class DisputeUpdateForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DisputeStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to close (the resolution) and to reopen."),
    )

    def __init__(self, *args, dispute=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dispute is not None and not self.is_bound:
            self.fields["status"].initial = dispute.status


class DisputeDocumentForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Document"), help_text=_("Any file, at most 10 MB."))
