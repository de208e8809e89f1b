"""Forms for leads, mailings and the pipeline reports (R-2). Forms parse input; the
business rules live in the services, whose errors land on the named fields here."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salesperson_choices
from salesdesk.core.forms import BootstrapMixin

from ..choices import OPEN_STAGES, LostReason, MailingKind, Stage
from ..models import Customer

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The longest period a report accepts: keeps one request from reading years of rows by mistake.
MAX_PERIOD_DAYS = 3 * 366


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (else on the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
        widget = form.fields[target].widget if target else None
        if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class PreparedForm(forms.Form):
    """A form whose fields are adjusted (querysets, choices) before anything validates.

    BootstrapMixin reads the errors in its __init__ to mark invalid fields, so a queryset set
    after super().__init__() would come too late: the errors would already be cached.
    Subclasses store what they need on self, then adjust fields in prepare_fields().
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare_fields()

    def prepare_fields(self) -> None:
        pass


class LeadStartForm(BootstrapMixin, forms.Form):
    expected_value = forms.DecimalField(
        label=_("Expected annual value (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeadMoveForm(BootstrapMixin, PreparedForm):
    stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    lost_reason = forms.ChoiceField(
        label=_("Lost reason"), choices=[("", "—"), *LostReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, lead=None, **kwargs):
        self.lead = lead
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        lead = self.lead
        if lead is not None and not self.is_bound:
            # Offer the next stage first: that is the usual move.
            order = [*OPEN_STAGES, Stage.WON, Stage.LOST]
            here = order.index(lead.stage) if lead.stage in order else 0
            following = [s for s in order[here + 1 :] if s != lead.stage]
            self.fields["stage"].initial = following[0] if following else None
        if lead is not None:
            self.fields["stage"].choices = [
                (v, label) for v, label in Stage.choices if v != lead.stage
            ]


class CustomerCodeField(forms.ModelChoiceField):
    """Pick a customer by code (a select with 100k options would not load on a phone)."""

    default_error_messages = {
        "invalid_choice": _("No customer with this code exists."),
    }


class MailingForm(BootstrapMixin, PreparedForm):
    customer = CustomerCodeField(
        label=_("Customer code"),
        queryset=Customer.objects.none(),
        to_field_name="code",
        widget=forms.TextInput(attrs={"list": "customer-codes", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("What was sent"), choices=MailingKind.choices)
    items = forms.CharField(label=_("Items"), max_length=200)
    courier = forms.CharField(label=_("Courier"), max_length=50)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50, required=False)
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE_WIDGET)
    feedback_due_on = forms.DateField(
        label=_("Feedback expected by"), required=False, widget=DATE_WIDGET
    )

    def __init__(self, *args, customers=None, **kwargs):
        self.customers = customers if customers is not None else Customer.objects.none()
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        self.fields["customer"].queryset = self.customers
        if not self.is_bound:
            self.fields["sent_on"].initial = timezone.localdate()
            self.fields["feedback_due_on"].initial = timezone.localdate() + dt.timedelta(days=7)


class MailingFeedbackForm(BootstrapMixin, forms.Form):
    received_on = forms.DateField(label=_("Feedback received on"), widget=DATE_WIDGET)
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["received_on"].initial = timezone.localdate()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


class PeriodForm(BootstrapMixin, forms.Form):
    """From/to dates of a report; both default to this month."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def __init__(self, data=None, **kwargs):
        # Always bound, so the page shows the period it reports on.
        today = timezone.localdate()
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("start"):
            data["start"] = month_start(today).isoformat()
        if not data.get("end"):
            data["end"] = today.isoformat()
        super().__init__(data, **kwargs)

    def period(self) -> dict:
        return {"start": self.cleaned_data["start"], "end": self.cleaned_data["end"]}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start = data.get("start") or month_start(today)
        end = data.get("end") or today
        if "start" in self.errors or "end" in self.errors:
            return data
        if end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", _("Choose a period of at most three years."))
        data["start"], data["end"] = start, end
        return data


class AsOfForm(BootstrapMixin, forms.Form):
    as_of = forms.DateField(label=_("Up to"), required=False, widget=DATE_WIDGET)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("as_of"):
            data["as_of"] = timezone.localdate().isoformat()
        super().__init__(data, **kwargs)

    def clean_as_of(self):
        return self.cleaned_data.get("as_of") or timezone.localdate()


class OwnerFilterForm(BootstrapMixin, PreparedForm):
    """Search and, for people who see every customer, an owner filter."""

    q = forms.CharField(label=_("Search"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        if roles.sees_all_customers(self.user):
            self.fields["owner"].queryset = salesperson_choices()
        else:
            del self.fields["owner"]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"search": data.get("q") or "", "owner": data.get("owner")}


class MailingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    awaiting = forms.BooleanField(label=_("Awaiting feedback"), required=False)
    overdue = forms.BooleanField(label=_("Feedback overdue"), required=False)
