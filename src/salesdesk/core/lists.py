"""Helpers of the list pages and forms every module's views share."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.translation import get_language, gettext

from .excel import Sheet, xlsx_response


def posted(request):
    """The POST data of a form view, None on GET: the form then starts unbound."""
    return request.POST if request.method == "POST" else None


def render_list(request, context: dict, *, page: str, table: str):
    """One view serves the full list page and the table fragment that htmx swaps in
    (an htmx request aimed at context["table_id"])."""
    if request.htmx and request.htmx.target == context["table_id"]:
        return render(request, table, context)
    return render(request, page, context)


def export_response(*, title, filename, headers, rows):
    """A list exported as an Excel workbook of one sheet."""
    return xlsx_response(filename, [Sheet(title=title, headers=headers, rows=rows)])


_CHOICE_LABELS: dict = {}


def choice_labels(model, name: str) -> dict:
    """{stored value: label} of a choice field in the active language, built once per language."""
    key = (model, name, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        field = model._meta.get_field(name)
        labels = _CHOICE_LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    return labels


def with_choice_labels(rows) -> list:
    """The rows of a list page, each with `<field>_label` for every choice field of its model:
    what `get_<field>_display` returns, with the choices mapped once per language.

    get_FOO_display rebuilds and translates the whole choice list on every call: the ~150
    calls of a 50-row customer page were a third of its time (docs/performance.md). Templates
    use `{% for c in page_obj.object_list|choice_labels %}` … `{{ c.status_label }}`.
    """
    rows = list(rows)
    if not rows:
        return rows
    model = type(rows[0])
    deferred = rows[0].get_deferred_fields()  # never load a field per row
    fields = [
        (f.attname, f"{f.name}_label", choice_labels(model, f.name))
        for f in model._meta.concrete_fields
        if f.choices and f.attname not in deferred
    ]
    for row in rows:
        for attname, label_name, labels in fields:
            value = getattr(row, attname)
            setattr(row, label_name, force_str(labels.get(value, value)))
    return rows


# --- Cheap rendering of list pages (docs/performance.md, "List page rendering") ---------------

_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select_html(widget: dict) -> str | None:
    """django/forms/widgets/select.html and select_option.html, in Python: the same bytes
    (tests/core/test_list_rendering.py compares them), without ~3 template renders per option.
    None when an option has its own template (then Django's templates render it)."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            out.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{conditional_escape(localize(option['label']))}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "search", "date", "number", "email", "tel", "hidden", "checkbox")
}


def _input_html(widget: dict) -> str:
    """django/forms/widgets/input.html (and the input types that only include it), in Python."""
    value = widget["value"]
    value = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs_html(widget["attrs"])}>'
    )


class ListFormRenderer:
    """A form renderer for the filter forms above the lists: select and input widgets are
    written in Python (Django renders every <option> through two templates: ~170 template
    renders and 6 ms for the customer list's filters); anything else goes to the form's own
    renderer. The same markup as Django's templates (whose output the renderer strips)."""

    def __init__(self, fallback):
        self.fallback = fallback

    def render(self, template_name, context, request=None):
        if template_name == _SELECT:
            html = _select_html(context["widget"])
            if html is not None:
                return html
        elif template_name in _INPUTS:
            return _input_html(context["widget"])
        return self.fallback.render(template_name, context, request=request)

    def __getattr__(self, name):
        return getattr(self.fallback, name)


def render_field(bound_field) -> str:
    """`{{ field }}` of a filter form, selects rendered by ListFormRenderer."""
    form = bound_field.form
    renderer = form.renderer
    if isinstance(renderer, ListFormRenderer):
        return str(bound_field)
    form.renderer = ListFormRenderer(renderer)
    try:
        return str(bound_field)
    finally:
        form.renderer = renderer


_URL_SENTINEL = 987654321987654321
_URL_PARTS: dict = {}


def pk_url(pk, name: str) -> str:
    """`{% url name pk %}` for one row of a list: the pattern reversed once per URL name and
    script prefix, then the row's key put in (a reverse per row was ~2.5 ms of a 50-row page)."""
    key = (name, get_script_prefix(), get_urlconf())
    parts = _URL_PARTS.get(key)
    if parts is None:
        url = reverse(name, args=[_URL_SENTINEL])
        prefix, sentinel, suffix = url.partition(str(_URL_SENTINEL))
        if not sentinel or str(_URL_SENTINEL) in suffix:
            parts = None  # not a plain integer path: reverse every time
        else:
            parts = (conditional_escape(prefix), conditional_escape(suffix))
        _URL_PARTS[key] = parts or False
    if not parts:
        return conditional_escape(reverse(name, args=[pk]))
    return f"{parts[0]}{int(pk)}{parts[1]}"


def ymd(value) -> str:
    """`value|date:"Y-m-d"` (aware datetimes in the current time zone), without Django's
    DateFormat machinery: "" for None, like the filter."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if settings.USE_TZ and timezone.is_aware(value):
            value = timezone.localtime(value)
    elif not isinstance(value, datetime.date):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def ymd_hm(value) -> str:
    """`value|date:"Y-m-d H:i"` (aware datetimes in the current time zone): "" for None."""
    if not isinstance(value, datetime.datetime):
        return ymd(value)
    if settings.USE_TZ and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


def key_badge() -> str:
    """The key-account badge of a row, with its leading space, in the active language."""
    return f' <span class="badge badge-key">{cell(gettext("Key account"))}</span>'


def cell(value) -> str:
    """`{{ value }}` in Python: localized, escaped unless already safe (None gives "None", as a
    template does); for the row renderers of the busiest lists."""
    if isinstance(value, str):
        return conditional_escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize gives an int without grouping, without its lookups
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_aware(value):
        value = timezone.localtime(value)
    return conditional_escape(localize(value))
