"""Parameters of the money reports (aging, chase list, collection rate). Always bound, so the
page shows the date or period it reports on; the API reads its query string through them too."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The longest period a report accepts: keeps one request from reading decades of rows by mistake.
MAX_PERIOD_DAYS = 3 * 366


def last_twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the month eleven months back, and today: this month and the 11 before."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), today


def _with_defaults(data, defaults: dict) -> QueryDict:
    data = data.copy() if data is not None else QueryDict(mutable=True)
    for key, value in defaults.items():
        if not data.get(key):
            data[key] = value
    return data


class AsOfForm(BootstrapMixin, forms.Form):
    """A report date; today when left empty."""

    as_of = forms.DateField(label=_("As of"), widget=DATE_WIDGET)

    def __init__(self, data=None, **kwargs):
        super().__init__(
            _with_defaults(data, {"as_of": timezone.localdate().isoformat()}), **kwargs
        )


class AgingForm(AsOfForm):
    by = forms.ChoiceField(
        label=_("Group by"),
        choices=[("customer", _("Customer")), ("salesperson", _("Salesperson"))],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(_with_defaults(data, {"by": "customer"}), **kwargs)


class CollectionRateForm(BootstrapMixin, forms.Form):
    """Period (`from`/`to`, default the last 12 months) and grouping of the collection rate."""

    vars()["from"] = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    to = forms.DateField(label=_("To"), widget=DATE_WIDGET)
    by = forms.ChoiceField(
        label=_("Group by"),
        choices=[
            ("month", _("Month")),
            ("customer", _("Customer")),
            ("salesperson", _("Salesperson")),
        ],
    )

    def __init__(self, data=None, **kwargs):
        start, end = last_twelve_months(timezone.localdate())
        defaults = {"from": start.isoformat(), "to": end.isoformat(), "by": "month"}
        super().__init__(_with_defaults(data, defaults), **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end:
            if end < start:
                self.add_error("to", _("The end of the period cannot be before its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("to", _("Choose a period of at most three years."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        return {"start": data["from"], "end": data["to"], "by": data["by"]}
