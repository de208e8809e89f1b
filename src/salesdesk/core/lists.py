"""Helpers of the list pages and forms every module's views share."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.encoding import force_str
from django.utils.translation import get_language

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
