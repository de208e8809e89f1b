"""Forms for customer files and contacts. They parse input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salesperson_choices, salesperson_list
from salesdesk.core import forms as core_forms
from salesdesk.core.forms import (
    BootstrapMixin,
    SectionsMixin,
    archived_field,
    archived_filter,
    sort_field,
)

from ..choices import CustomerStatus, CustomerType, Industry, Province, Source, Tier
from ..fields import FIRST_CONTACT_FIELDS
from ..models import Contact, Customer
from ..selectors.customers import SORTS
from ..services.customers import CONTACT_FIELDS, CUSTOMER_FIELDS, DUPLICATE


class ServiceErrorsMixin(core_forms.ServiceErrorsMixin):
    """Service errors on the fields; a likely-duplicate warning offers "save anyway"."""

    duplicate_warning = False

    def add_service_errors(self, exc: ValidationError) -> None:
        for errors in core_forms.service_error_dict(exc).values():
            if any(getattr(e, "code", None) == DUPLICATE for e in errors):
                self.duplicate_warning = True
        super().add_service_errors(exc)


_CustomerFields = type(
    "_CustomerFields",
    (forms.Form,),
    forms.fields_for_model(
        Customer,
        fields=CUSTOMER_FIELDS,
        widgets={"notes": forms.Textarea(attrs={"rows": 3})},
    ),
)
_FirstContactFields = type(
    "_FirstContactFields",
    (forms.Form,),
    {
        f"contact_{name}": field
        for name, field in forms.fields_for_model(Contact, fields=FIRST_CONTACT_FIELDS).items()
    },
)


class CustomerForm(SectionsMixin, ServiceErrorsMixin, BootstrapMixin, _CustomerFields):
    """The customer file. Salespeople do not see the owner: they own what they enter."""

    confirm_duplicate = forms.BooleanField(
        required=False, label=_("Save anyway: this is a different company")
    )

    WIDE = ("notes", "address")
    SECTIONS = (
        (
            _("Company"),
            (
                "code",
                "name",
                "short_name",
                "credit_code",
                "type",
                "tier",
                "status",
                "source",
                "industry",
                "owner",
            ),
        ),
        (_("Address"), ("province", "city", "address")),
        (
            _("Terms and invoicing"),
            (
                "payment_terms_days",
                "credit_limit",
                "invoice_title",
                "invoice_tax_number",
                "invoice_address",
                "invoice_phone",
                "invoice_bank",
                "invoice_account",
            ),
        ),
        (_("Notes"), ("notes",)),
    )

    def __init__(self, *args, user, customer: Customer | None = None, **kwargs):
        if customer is not None:
            kwargs.setdefault("initial", forms.model_to_dict(customer, fields=CUSTOMER_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave blank to get the next free code.")
        if roles.assigns_owners(user):
            current = customer.owner_id if customer else None
            self.fields["owner"].queryset = (
                (salesperson_list() | User.objects.filter(pk=current))
                .distinct()
                .order_by("username")
            )
        else:
            del self.fields["owner"]

    def customer_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS if name in self.fields}


class CustomerCreateForm(CustomerForm, _FirstContactFields):
    """A new file with an optional first contact."""

    field_map = {f"contacts.0.{name}": f"contact_{name}" for name in FIRST_CONTACT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIRST_CONTACT_FIELDS:
            self.fields[f"contact_{name}"].required = False

    def contact_fields(self):
        return [self[f"contact_{name}"] for name in FIRST_CONTACT_FIELDS]

    def contacts_data(self) -> list[dict]:
        return [{name: self.cleaned_data[f"contact_{name}"] for name in FIRST_CONTACT_FIELDS}]


class ContactForm(ServiceErrorsMixin, BootstrapMixin, forms.ModelForm):
    """A person at the customer. Only parses: contacts.services.contact_* checks and saves."""

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def _post_clean(self):
        # The service normalizes numbers and validates the whole record; nothing is written here.
        pass

    def contact_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


def _choices(choices) -> list:
    return [("", _("All")), *choices]


class CustomerFilterForm(BootstrapMixin, forms.Form):
    """The list's search box and filters (GET). Invalid values are ignored, not errors."""

    search = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.SearchInput(
            attrs={"placeholder": _("Name, pinyin, code, contact or phone"), "autocomplete": "off"}
        ),
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("All")
    )
    tier = forms.ChoiceField(choices=_choices(Tier.choices), required=False, label=_("Tier"))
    status = forms.ChoiceField(
        choices=_choices(CustomerStatus.choices), required=False, label=_("Status")
    )
    province = forms.ChoiceField(
        choices=_choices(Province.choices), required=False, label=_("Province")
    )
    industry = forms.ChoiceField(
        choices=_choices(Industry.choices), required=False, label=_("Industry")
    )
    source = forms.ChoiceField(choices=_choices(Source.choices), required=False, label=_("Source"))
    type = forms.ChoiceField(
        choices=_choices(CustomerType.choices), required=False, label=_("Type")
    )
    archived = archived_field(live=_("Live files"), archived=_("Archived files"))
    sort = sort_field(SORTS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if roles.sees_all_customers(user):
            self.fields["owner"].queryset = salesperson_choices()
        else:
            del self.fields["owner"]
        self.is_valid()

    def filters(self) -> dict:
        """Keyword arguments for customers.selectors.customers.customer_list (valid values only)."""
        data = {
            k: v for k, v in self.cleaned_data.items() if k != "archived" and v not in (None, "")
        }
        data["archived"] = archived_filter(self.cleaned_data.get("archived"))
        return data


class GapsFilterForm(BootstrapMixin, forms.Form):
    """Filters of the gaps worklist."""

    search = forms.CharField(required=False, label=_("Search"), widget=forms.SearchInput)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("All")
    )
    tier = forms.ChoiceField(choices=_choices(Tier.choices), required=False, label=_("Tier"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if roles.sees_all_customers(user):
            self.fields["owner"].queryset = salesperson_choices()
        else:
            del self.fields["owner"]
        self.is_valid()

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
