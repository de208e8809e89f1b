"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .excel import XLSX_CONTENT_TYPE


class BootstrapMixin:
    """Give every widget Bootstrap's classes and mark invalid fields, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        # Marked after validation, not in __init__, so forms may still change fields there.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def service_error_dict(exc: ValidationError) -> dict:
    """A service's ValidationError as {field: errors}; errors without a field go on top."""
    return exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}


class ServiceErrorsMixin:
    """Put a service's ValidationError on the form fields it names (unknown fields: on top)."""

    field_map: dict[str, str] = {}

    def service_field(self, key: str) -> str | None:
        name = self.field_map.get(key, key)
        return name if name in self.fields else None

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, errors in service_error_dict(exc).items():
            self.add_error(self.service_field(key), errors)


class ExcelImportForm(BootstrapMixin, forms.Form):
    """The upload step of every Excel import."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )


# The "archive" filter of the lists: live rows, archived rows, or both (None).
ARCHIVED_FILTER = {"": False, "1": True, "all": None}


def archived_field(*, live, archived) -> forms.ChoiceField:
    """The lists' archive filter; `live` and `archived` name the rows ("Live products")."""
    return forms.ChoiceField(
        choices=[("", live), ("1", archived), ("all", _("Live and archived"))],
        required=False,
        label=_("Archive"),
    )


def archived_filter(value) -> bool | None:
    """The selectors' `archived` argument for the filter's value (unknown values: live rows)."""
    return ARCHIVED_FILTER.get(value or "", False)


def sort_field(sorts: dict) -> forms.ChoiceField:
    """The lists' hidden sort key; `sorts` maps each key to (label, ordering)."""
    return forms.ChoiceField(
        choices=[("", "")] + [(key, label) for key, (label, _o) in sorts.items()],
        required=False,
        widget=forms.HiddenInput,
    )


class SectionsMixin:
    """A form shown in titled sections (core/_form_sections.html): SECTIONS lists (title, field
    names); fields the person may not set are left out. Fields in WIDE take the whole row."""

    SECTIONS: tuple = ()
    WIDE: tuple[str, ...] = ("notes",)

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.SECTIONS
        ]
