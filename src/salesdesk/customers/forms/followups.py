"""Forms for follow-ups and return visits (R-3.1)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin

from ..choices import Channel, FollowUpKind
from ..models import Contact
from .pipeline import DATE_WIDGET, OwnerFilterForm, PreparedForm


class FollowUpForm(BootstrapMixin, PreparedForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=FollowUpKind.choices, initial=FollowUpKind.FOLLOW_UP
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    summary = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)
    next_date = forms.DateField(label=_("Next follow-up on"), required=False, widget=DATE_WIDGET)
    next_kind = forms.ChoiceField(
        label=_("Next is a"), choices=FollowUpKind.choices, initial=FollowUpKind.FOLLOW_UP
    )
    next_action = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def __init__(self, *args, customer=None, **kwargs):
        self.customer = customer
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        if self.customer is not None:
            self.fields["contact"].queryset = self.customer.contacts.filter(
                archived_at__isnull=True
            )
        # A contact of another customer reads as "no such choice": say which field.
        self.fields["contact"].error_messages["invalid_choice"] = _(
            "Choose one of this customer's contacts."
        )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["occurred_at"] = data.get("occurred_at") or timezone.now()
        return data


class ReturnVisitForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("Return visit on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class DueFilterForm(OwnerFilterForm):
    until = forms.DateField(label=_("Due by"), required=False, widget=DATE_WIDGET)

    def filters(self) -> dict:
        data = super().filters()
        data["until"] = (
            self.cleaned_data.get("until") if self.is_valid() else None
        ) or timezone.localdate()
        return data
