"""Forms for receivables, payments, allocations and the statement. They parse input; the rules
live in the services (finance.services.receivables / payments)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.roles import Role
from salesdesk.accounts.selectors import salesperson_choices
from salesdesk.core.forms import BootstrapMixin, ServiceErrorsMixin

from ..choices import PaymentMethod
from ..selectors.receivables import STATUS_CHOICES, customer_find
from ..services.receivables import parse_amount

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(value, field_label="amount"):
    errors: dict = {}
    amount = parse_amount(value, errors, field_label)
    if errors:
        raise ValidationError(errors[field_label])
    return amount


class MoneyField(forms.CharField):
    """Yuan with at most 2 decimals; accepts 1,280.50 and ¥1280.5."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return _money(str(value).lstrip("¥￥"))


class CustomerField(forms.CharField):
    """A customer typed as its code, a suggestion ("code name") or its full name, within scope."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)
        self.user = None
        self.widget.attrs.update({"autocomplete": "off", "list": "customer-options"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        customer = customer_find(user=self.user, text=text)
        if customer is None:
            raise ValidationError(
                _("No single customer matches “%(text)s”: type its code or pick a suggestion.")
                % {"text": text}
            )
        return customer


def _salesperson_choices():
    return [("", _("All"))] + [(str(u.pk), str(u)) for u in salesperson_choices()]


class ReceivableFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *STATUS_CHOICES], required=False
    )
    salesperson = forms.TypedChoiceField(
        label=_("Salesperson"), coerce=int, required=False, empty_value=None
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.role == Role.SALESPERSON:
            del self.fields["salesperson"]
        else:
            self.fields["salesperson"].choices = _salesperson_choices()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "salesperson": data.get("salesperson"),
            "as_of": data.get("as_of"),
            "customer": data.get("customer"),
        }


class PaymentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Received to"), required=False, widget=DATE_WIDGET)
    unallocated = forms.BooleanField(label=_("With credit left only"), required=False)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "unallocated_only": bool(data.get("unallocated")),
            "customer": data.get("customer"),
        }


class AllocationFieldsMixin(ServiceErrorsMixin):
    """One amount input per open receivable (`alloc_<id>`); service errors on "allocations.N.x"
    land on the input of the N-th line posted."""

    def add_allocation_fields(self, receivables) -> None:
        self.open_receivables = list(receivables)
        self._posted: list[int] = []
        for r in self.open_receivables:
            field = MoneyField(label=_("Allocate"), required=False)
            field.widget.attrs.update(
                {"class": "form-control form-control-sm text-end", "aria-label": str(r.pk)}
            )
            self.fields[f"alloc_{r.pk}"] = field

    def allocation_rows(self) -> list[dict]:
        return [{"receivable": r, "field": self[f"alloc_{r.pk}"]} for r in self.open_receivables]

    def allocations_data(self) -> list[dict]:
        out = []
        self._posted = []
        for r in self.open_receivables:
            amount = self.cleaned_data.get(f"alloc_{r.pk}")
            if amount:
                self._posted.append(r.pk)
                out.append({"receivable": r.pk, "amount": amount})
        return out

    def service_field(self, key: str) -> str | None:
        if key.startswith("allocations."):
            parts = key.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self._posted):
                name = f"alloc_{self._posted[int(parts[1])]}"
                return name if name in self.fields else None
            return None
        return super().service_field(key)


class PaymentForm(AllocationFieldsMixin, BootstrapMixin, forms.Form):
    """Fast entry of one bank slip; `manual` shows the customer's open receivables to allocate by hand."""

    customer = CustomerField(label=_("Customer"), help_text=_("Code, name or pinyin initials"))
    amount = MoneyField(label=_("Amount"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=60, required=False, help_text=_("Bank slip or bill number")
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)
    manual = forms.BooleanField(label=_("Allocate by hand"), required=False)
    # Present when the open receivables were on the page the person posted from.
    allocation_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, receivables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].user = user
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["customer"].widget.attrs["autofocus"] = True
        self.add_allocation_fields(receivables)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "amount": data["amount"],
            "received_on": data["received_on"],
            "method": data["method"],
            "reference": data.get("reference") or "",
            "notes": data.get("notes") or "",
            "allocations": self.allocations_data() if data.get("manual") else None,
        }


class AllocateForm(AllocationFieldsMixin, BootstrapMixin, forms.Form):
    """Use a payment's credit: oldest first (mode=auto) or the amounts entered (mode=manual)."""

    mode = forms.ChoiceField(
        choices=[("auto", "auto"), ("manual", "manual")], widget=forms.HiddenInput
    )

    def __init__(self, *args, receivables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_allocation_fields(receivables)

    def service_data(self) -> dict:
        if self.cleaned_data["mode"] == "auto":
            return {"allocations": None}
        return {"allocations": self.allocations_data()}


class InvoiceForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40)


class StatementForm(BootstrapMixin, forms.Form):
    customer = CustomerField(label=_("Customer"))
    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), widget=DATE_WIDGET)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].user = user
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period cannot be before its start."))
        elif start and end and end - start > dt.timedelta(days=3660):
            self.add_error("start", _("Choose a period of at most ten years."))
        return data
