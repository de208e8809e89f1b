"""Helpers of the list pages and forms every module's views share."""

from __future__ import annotations

from django.shortcuts import render

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
