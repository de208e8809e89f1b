"""Filters of the sales reports: the period, the range, the person and the breakdown."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salesperson_list
from salesdesk.core.forms import BootstrapMixin

from ..selectors.sales import DIMENSIONS, PERIODS, add_months, next_period, period_start

# How far back each period looks when no range is given: a year of weeks would be unreadable.
DEFAULT_SPAN = {"week": 12, "month": 12, "quarter": 8, "year": 5}
RANKING_PERIODS = {"month": _("This month"), "quarter": _("This quarter"), "year": _("This year")}
MAX_PERIODS = 520  # ten years of weeks


def default_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_SPAN periods up to the one holding today."""
    last = period_start(today, period)
    first = last
    for _i in range(DEFAULT_SPAN[period] - 1):
        first = period_start(first - dt.timedelta(days=1), period)
    return first, next_period(last, period) - dt.timedelta(days=1)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonMixin:
    """A salesperson choice for roles that see the team's figures (a salesperson sees own)."""

    def _person_field(self, user) -> None:
        if roles.sees_team_figures(user):
            self.fields["salesperson"].queryset = salesperson_list()
        else:
            del self.fields["salesperson"]


class SalesReportForm(PersonMixin, BootstrapMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=list(PERIODS.items()), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Whole department"),
    )
    by = forms.ChoiceField(
        label=_("Breakdown by"), choices=list(DIMENSIONS.items()), required=False
    )
    new_products = forms.BooleanField(label=_("New products only"), required=False)

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None:  # show the defaults in the form when none were asked for
            data = data.copy()
            for name, default in (("period", "month"), ("by", "customer")):
                if not data.get(name):
                    data[name] = default
        super().__init__(data, *args, **kwargs)
        self._person_field(user)

    def clean(self):
        data = super().clean()
        period = data.get("period") or "month"
        data["period"] = period
        data["by"] = data.get("by") or "customer"
        today = timezone.localdate()
        start, end = default_range(period, today)
        if data.get("date_from") or data.get("date_to"):
            start = data.get("date_from") or start
            end = data.get("date_to") or end
        if start > end:
            raise ValidationError({"date_to": _("The end date is before the start date.")})
        count = 0
        current = period_start(start, period)
        while current <= end and count <= MAX_PERIODS:
            current, count = next_period(current, period), count + 1
        if count > MAX_PERIODS:
            raise ValidationError(
                {"date_from": _("Choose a shorter range: at most 520 periods at a time.")}
            )
        data["start"], data["end"] = start, end
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "period": data["period"],
            "start": data["start"],
            "end": data["end"],
            "salesperson": data.get("salesperson"),
            "by": data["by"],
            "new_products": bool(data.get("new_products")),
        }


class RankingForm(BootstrapMixin, forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), choices=list(RANKING_PERIODS.items()), required=False
    )
    as_of = forms.DateField(label=_("Containing the day"), required=False, widget=_date_input())

    def clean(self):
        data = super().clean()
        period = data.get("period") or "month"
        day = data.get("as_of") or timezone.localdate()
        start = period_start(day, period)
        data["period"], data["as_of"] = period, day
        data["start"] = start
        data["end"] = next_period(start, period) - dt.timedelta(days=1)
        return data


class NewProductForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start = data.get("date_from") or add_months(today.replace(day=1), -11)
        end = data.get("date_to") or today
        if start > end:
            raise ValidationError({"date_to": _("The end date is before the start date.")})
        data["start"], data["end"] = start, end
        return data
