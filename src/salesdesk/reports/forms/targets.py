"""Forms of the targets page (R-8.4): the year (and report date) asked about, and the grid of
targets a target editor fills in."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin, ServiceErrorsMixin

from ..selectors.targets import MAX_YEAR, MIN_YEAR, MONTHS, TargetGrid
from ..services.targets import TargetEntry


class TargetYearForm(BootstrapMixin, forms.Form):
    """The year of the targets (default this year) and the day progress is measured on
    (default today). Always bound, so the page shows what it reports on."""

    year = forms.IntegerField(
        label=_("Year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, **kwargs)

    def params(self) -> dict:
        return {
            "year": self.cleaned_data["year"],
            "as_of": self.cleaned_data.get("as_of") or timezone.localdate(),
        }


def field_name(row_key: str, month: int | None) -> str:
    """The grid field of a row's annual target (`dept_year`) or month (`u12_m3`)."""
    return f"{row_key}_year" if month is None else f"{row_key}_m{month}"


class TargetGridForm(ServiceErrorsMixin, forms.Form):
    """Every target of the year's grid as text: the service parses and checks them all, so the
    page, the API and the import give the same messages. Blank clears a target."""

    def __init__(self, *args, grid: TargetGrid, **kwargs):
        self.grid = grid
        initial = {}
        for row in grid.rows:
            for month, value in [(None, row.annual), *zip(MONTHS, row.months, strict=True)]:
                if value is not None:
                    initial[field_name(row.key, month)] = f"{value:.2f}"
        super().__init__(*args, initial=initial, **kwargs)
        for row in grid.rows:
            for month in (None, *MONTHS):
                label = (
                    _("%(name)s, annual") % {"name": row.name}
                    if month is None
                    else _("%(name)s, month %(month)d") % {"name": row.name, "month": month}
                )
                self.fields[field_name(row.key, month)] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=30,
                    widget=forms.TextInput(
                        attrs={
                            "class": "form-control form-control-sm text-end",
                            "inputmode": "decimal",
                            "aria-label": label,
                        }
                    ),
                )

    def entries(self) -> list[TargetEntry]:
        """The grid's cells as the service's entries, each reporting errors on its own field."""
        return [
            TargetEntry(
                key=field_name(row.key, month),
                salesperson=row.salesperson,
                month=month,
                amount=self.cleaned_data.get(field_name(row.key, month)) or None,
            )
            for row in self.grid.rows
            for month in (None, *MONTHS)
        ]

    def cells(self):
        """The grid for the template: (row, [bound fields: annual, January … December])."""
        return [
            (row, [self[field_name(row.key, month)] for month in (None, *MONTHS)])
            for row in self.grid.rows
        ]
