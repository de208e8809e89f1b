"""Forms for orders: filters, fast order entry with its lines, and the actions on the order page.

They parse input (a customer or product typed by code or name is resolved here, in one query
per kind, within the person's scope); the rules live in the services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salesperson_choices, salesperson_list
from salesdesk.catalog.models import Product
from salesdesk.core import forms as core_forms
from salesdesk.core.forms import BootstrapMixin
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.choices import CustomerType, Industry, Province
from salesdesk.customers.models import Customer

from ..choices import OrderChannel, OrderState, ProductionStatus
from ..models import Order
from ..selectors.orders import PROMISE_DUE_CHOICES

ACCEPTED_CHOICES = (("", _("Not asked yet")), ("yes", _("Accepted")), ("no", _("Not accepted")))


def _accepted(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class MarkInvalidMixin:
    """Errors added after validation (line lookups, service messages) mark their field too."""

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if isinstance(field, str) else list(getattr(error, "error_dict", {}) or [])
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ServiceErrorsMixin(MarkInvalidMixin, core_forms.ServiceErrorsMixin):
    """Service errors on the fields they name, and those fields marked invalid."""


# --- list filters -------------------------------------------------------------------------


class OrderFilterForm(BootstrapMixin, forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Order, contract, customer name or pinyin"), "type": "search"}
        ),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *OrderState.choices]
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("All salespeople"),
    )
    promise_due = forms.ChoiceField(
        label=_("Promise"), required=False, choices=[("", _("Any promise")), *PROMISE_DUE_CHOICES]
    )
    at_risk = forms.BooleanField(label=_("At risk only"), required=False)
    key_first = forms.BooleanField(label=_("Key accounts first"), required=False)
    date_from = forms.DateField(
        label=_("Ordered from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Ordered to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # The drill-down from a sales report to the orders behind a bar (shown as a note above
    # the list, see `drill_down`).
    booked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    province = forms.ChoiceField(required=False, choices=Province.choices, widget=forms.HiddenInput)
    industry = forms.ChoiceField(required=False, choices=Industry.choices, widget=forms.HiddenInput)
    customer_type = forms.ChoiceField(
        required=False, choices=CustomerType.choices, widget=forms.HiddenInput
    )
    product = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_products = forms.BooleanField(required=False, widget=forms.HiddenInput)

    DRILL_FIELDS = ("booked", "province", "industry", "customer_type", "product", "new_products")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if roles.role_of(user) in roles.OWNS_CUSTOMERS:
            del self.fields["salesperson"]
        else:
            self.fields["salesperson"].queryset = salesperson_choices()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        out = {
            key: data.get(key)
            for key in (
                "search",
                "state",
                "customer",
                "promise_due",
                "at_risk",
                "key_first",
                "date_from",
                "date_to",
                *self.DRILL_FIELDS,
            )
        }
        if "salesperson" in self.fields:
            out["salesperson"] = data.get("salesperson")
        return {key: value for key, value in out.items() if value not in (None, "", False)}

    def drill_down(self) -> list[str]:
        """The report filters in force, in words, for the note above the list."""
        if not self.is_valid():
            return []
        data, notes = self.cleaned_data, []
        if data.get("booked"):
            notes.append(str(_("Booked orders (confirmed, not cancelled)")))
        for name, choices in (
            ("province", Province),
            ("industry", Industry),
            ("customer_type", CustomerType),
        ):
            if data.get(name):
                notes.append(str(choices(data[name]).label))
        if data.get("product"):
            product = Product.objects.filter(pk=data["product"]).first()
            notes.append(f"{product.code} {product.name}" if product else str(data["product"]))
        elif data.get("new_products"):
            notes.append(str(_("New products")))
        return notes


class ContractFilterForm(BootstrapMixin, forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Order, contract or customer"), "type": "search"}
        ),
    )
    behind = forms.BooleanField(label=_("Behind schedule only"), required=False)
    # Open orders unless asked: ten years of shipped and closed ones would bury the work.
    closed = forms.BooleanField(label=_("Include shipped and closed orders"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        values = {key: value for key, value in self.cleaned_data.items() if value}
        values["include_closed"] = values.pop("closed", False)
        return values


# --- order entry --------------------------------------------------------------------------


class OrderHeaderForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """The order header. The customer is typed by code or name; the page's suggestions fill its id."""

    customer_text = forms.CharField(
        label=_("Customer"),
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "list": "customer-options",
                "placeholder": _("Code or name"),
            }
        ),
    )
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=OrderChannel.choices, initial=OrderChannel.PHONE
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("The customer's salesperson"),
    )
    order_date = forms.DateField(
        label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    requested_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    contract_number = forms.CharField(label=_("Contract number"), max_length=50, required=False)
    contract_terms = forms.CharField(
        label=_("Contract terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_map = {"customer": "customer_text"}

    def __init__(self, *args, user, order: Order | None = None, **kwargs):
        self.user = user
        if order is not None:
            kwargs.setdefault(
                "initial",
                {
                    "customer_text": f"{order.customer.code} {order.customer.name}",
                    "customer_id": order.customer_id,
                    "channel": order.channel,
                    "salesperson": order.salesperson_id,
                    "order_date": order.order_date,
                    "requested_date": order.requested_date,
                    "contract_number": order.contract_number,
                    "contract_terms": order.contract_terms,
                    "notes": order.notes,
                },
            )
        else:
            kwargs.setdefault("initial", {"order_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if roles.role_of(user) in roles.OWNS_CUSTOMERS:
            del self.fields["salesperson"]
            self.fields["channel"].initial = OrderChannel.SALESPERSON
        else:
            self.fields["salesperson"].queryset = salesperson_list()

    def clean(self):
        data = super().clean()
        text = (data.get("customer_text") or "").strip()
        if not text:
            return data
        scoped = scope_by_customer(Customer.objects.all(), self.user).filter(
            archived_at__isnull=True
        )
        customer = None
        if data.get("customer_id"):
            customer = scoped.filter(pk=data["customer_id"]).first()
        if customer is None:
            code = text.split()[0]
            matches = list(
                scoped.filter(Q(code__iexact=code) | Q(name=text) | Q(short_name=text))[:2]
            )
            exact = [c for c in matches if c.code.lower() == code.lower()]
            if exact:
                customer = exact[0]
            elif len(matches) == 1:
                customer = matches[0]
        if customer is None:
            self.add_error("customer_text", _("No customer of yours has this code or name."))
        data["customer"] = customer
        return data

    def header_data(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": data.get("customer"),
            "salesperson": data.get("salesperson"),
            "channel": data["channel"],
            "order_date": data["order_date"],
            "requested_date": data.get("requested_date"),
            "contract_number": data.get("contract_number", ""),
            "contract_terms": data.get("contract_terms", ""),
            "notes": data.get("notes", ""),
        }


class OrderLineForm(MarkInvalidMixin, BootstrapMixin, forms.Form):
    """One line: the product typed by code (the suggestions fill its id), quantity, unit price."""

    product_text = forms.CharField(
        label=_("Product"),
        max_length=130,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("Code or name"),
                "data-role": "product",
                "list": "product-options",
            }
        ),
    )
    product_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"data-role": "product-id"})
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        widget=forms.NumberInput(
            attrs={"min": 1, "step": 1, "inputmode": "numeric", "data-role": "quantity"}
        ),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        help_text=_("Blank: the list price"),
        widget=forms.NumberInput(
            attrs={"min": 0, "step": "0.0001", "inputmode": "decimal", "data-role": "price"}
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BaseLineFormSet(forms.BaseFormSet):
    """The lines of an order. Products named by code or name are resolved in one query."""

    def initial_form_count(self):
        # Every row is optional: a blank row is skipped, a cleared row removes the line.
        return 0

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        ids = {f.cleaned_data.get("product_id") for f in filled if f.cleaned_data.get("product_id")}
        texts = {(f.cleaned_data.get("product_text") or "").strip() for f in filled}
        codes = {t.split()[0] for t in texts if t}
        condition = Q(pk__in=ids) | Q(name__in=texts)
        for code in codes:
            condition |= Q(code__iexact=code)
        found = list(Product.objects.filter(condition))
        by_id = {p.pk: p for p in found}
        by_code = {p.code.lower(): p for p in found}
        by_name: dict[str, list[Product]] = {}
        for p in found:
            by_name.setdefault(p.name, []).append(p)
        for form in filled:
            text = (form.cleaned_data.get("product_text") or "").strip()
            product = by_id.get(form.cleaned_data.get("product_id") or 0)
            if (
                product is not None
                and not text.lower().startswith(product.code.lower())
                and text != product.name
            ):
                product = None  # the text was changed after a suggestion was taken
            if product is None and text:
                product = by_code.get(text.split()[0].lower())
            if product is None and len(by_name.get(text, [])) == 1:
                product = by_name[text][0]
            if product is None:
                form.add_error("product_text", _("No product has this code or name."))
            form.cleaned_data["product"] = product

    def lines_data(self) -> list[dict]:
        return [
            {
                "product": f.cleaned_data["product"],
                "quantity": f.cleaned_data["quantity"],
                "unit_price": f.cleaned_data.get("unit_price"),
                "note": f.cleaned_data.get("note", ""),
            }
            for f in self.forms
            if f.has_changed() and f.cleaned_data
        ]

    def filled_forms(self) -> list:
        return [f for f in self.forms if f.has_changed()]

    def add_service_errors(self, exc: ValidationError, header: forms.Form) -> None:
        """Errors named "lines.<i>.<field>" go to the i-th filled line; the rest to the header."""
        filled = self.filled_forms()
        names = {"product": "product_text"}
        rest = {}
        for key, errors in exc.error_dict.items():
            parts = key.split(".")
            if (
                parts[0] == "lines"
                and len(parts) == 3
                and parts[1].isdigit()
                and int(parts[1]) < len(filled)
            ):
                form = filled[int(parts[1])]
                field = names.get(parts[2], parts[2])
                form.add_error(field if field in form.fields else None, errors)
            elif key == "lines":
                self._non_form_errors = self.error_class(
                    [e for err in errors for e in err.messages]
                )
            else:
                rest[key] = errors
        if rest:
            header.add_service_errors(ValidationError(rest))


LineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseLineFormSet, extra=3, max_num=200, validate_max=True
)


def line_formset(data=None, *, order: Order | None = None, lines=None) -> BaseLineFormSet:
    """The lines formset; editing a draft starts from its lines."""
    initial = None
    if order is not None and data is None:
        initial = [
            {
                "product_text": f"{line.product.code} {line.product.name}",
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "note": line.note,
            }
            for line in lines
        ]
    formset = LineFormSet(data, initial=initial, prefix="lines")
    if initial:
        formset.extra = len(initial) + 1
    return formset


# --- actions on the order page --------------------------------------------------------------


class ConfirmForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    promised_date = forms.DateField(
        label=_("Promised delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    customer_accepted = forms.ChoiceField(
        label=_("Customer accepted"), required=False, choices=ACCEPTED_CHOICES
    )

    def service_data(self) -> dict:
        return {
            "promised_date": self.cleaned_data.get("promised_date"),
            "customer_accepted": _accepted(self.cleaned_data.get("customer_accepted", "")),
        }


class PromiseChangeForm(ConfirmForm):
    promised_date = forms.DateField(
        label=_("New promised date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def service_data(self) -> dict:
        return {**super().service_data(), "reason": self.cleaned_data.get("reason", "")}


class ProductionForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Production status"), choices=ProductionStatus.choices)
    note = forms.CharField(label=_("Note or reason for delay"), required=False, max_length=200)

    def service_data(self) -> dict:
        return {"status": self.cleaned_data["status"], "note": self.cleaned_data["note"]}


class ReasonForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def service_data(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}
