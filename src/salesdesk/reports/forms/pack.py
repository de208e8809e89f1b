"""The month of the monthly pack (月报)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin

from ..selectors.pack import parse_month


class PackForm(BootstrapMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
        help_text=_("Year and month, e.g. 2026-10."),
    )

    def clean_month(self):
        today = timezone.localdate()
        text = self.cleaned_data.get("month") or ""
        if not text:
            return today.replace(day=1)
        month = parse_month(text)
        if month is None:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-10."))
        if month > today:
            raise ValidationError(_("This month has not begun yet."))
        return month
