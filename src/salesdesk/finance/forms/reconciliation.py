"""Forms of the reconciliation wizard: the ledger upload, the column mapping step, and the
resolve/correct actions on a difference. They parse input; the rules live in the services."""

from __future__ import annotations

import string

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from salesdesk.core.excel import XLSX_CONTENT_TYPE
from salesdesk.core.forms import BootstrapMixin
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from .. import ledger
from ..choices import DifferenceKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATUS_CHOICES = (("open", _("Open")), ("closed", _("Resolved or corrected")), ("all", _("All")))


class ServiceErrorsMixin:
    """Put a service's ValidationError on the fields it names (unknown names: on top)."""

    def add_service_errors(self, exc: ValidationError) -> None:
        error_dict = (
            exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        )
        for key, errors in error_dict.items():
            self.add_error(key if key in self.fields else None, errors)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


class LedgerUploadForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Finance's ledger (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )


class MappingForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """One select per SalesDesk field listing the sheet's columns; the period may be narrowed."""

    period_start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, headers=(), mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in this sheet —"))] + [
            (str(i), f"{column_letter(i)} · {h or '—'}") for i, h in enumerate(headers)
        ]
        mapping = mapping or {}
        for key in ledger.FIELDS:
            field = forms.ChoiceField(
                label=ledger.FIELD_LABELS[key], choices=columns, required=False
            )
            field.initial = str(mapping[key]) if key in mapping else ""
            field.widget.attrs["class"] = "form-select form-select-sm"
            self.fields[f"map_{key}"] = field

    def mapping_fields(self):
        return [self[f"map_{key}"] for key in ledger.FIELDS]

    def mapping(self) -> dict[str, int]:
        return {
            key: int(self.cleaned_data[f"map_{key}"])
            for key in ledger.FIELDS
            if self.cleaned_data.get(f"map_{key}")
        }


class DifferenceFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *DifferenceKind.choices], required=False
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"status": data.get("status") or "open", "kind": data.get("kind") or ""}


class DifferenceActionForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    customer = forms.CharField(
        label=_("Customer code"),
        max_length=20,
        required=False,
        help_text=_("Only when finance's customer is not found in SalesDesk."),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_customer(self):
        code = (self.cleaned_data.get("customer") or "").strip()
        if not code:
            return None
        customer = (
            scope_by_customer(Customer.objects.all(), self.user).filter(code__iexact=code).first()
        )
        if customer is None:
            raise ValidationError(_("No customer with this code exists."))
        return customer
