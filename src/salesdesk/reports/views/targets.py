"""Targets pages (R-8.4): the year's targets and progress, the grid target editors save, the
Excel export, and the Excel import (upload → preview → confirm; the template)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.accounts.selectors import salesperson_list
from salesdesk.core.excel import Sheet, xlsx_response
from salesdesk.core.import_views import ImportPages, ImportUrls
from salesdesk.core.lists import posted
from salesdesk.core.permissions import role_required

from .. import imports as target_imports
from ..forms.targets import TargetGridForm, TargetYearForm
from ..selectors.targets import MONTHS, target_changes, target_grid, target_progress
from ..services import targets as services


@require_http_methods(["GET", "POST"])
@role_required(roles.reads_reports)
def targets(request):
    """The year's progress and targets; a target editor saves the grid (all or nothing)."""
    params = TargetYearForm(request.GET)
    if not params.is_valid():
        return render(request, "reports/targets.html", {"params": params}, status=400)
    year, as_of = params.params()["year"], params.params()["as_of"]
    can_edit = roles.edits_targets(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    grid = target_grid(request.user, year)
    form = TargetGridForm(posted(request), grid=grid) if can_edit else None
    if form is not None and form.is_bound and _save(request, form, year):
        return redirect(f"{reverse('reports:targets')}?year={year}")
    context = {
        "params": params,
        "grid": grid,
        "form": form,
        "progress": target_progress(request.user, year, as_of),
        "changes": target_changes(request.user, year),
        "month_labels": month_labels(),
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "reports/targets.html", context, status=status)


def _save(request, form: TargetGridForm, year: int) -> bool:
    if not form.is_valid():
        return False
    try:
        changes = services.targets_set(by=request.user, year=year, entries=form.entries())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(
        request,
        _("Targets saved: %(created)d added, %(updated)d changed, %(cleared)d cleared.")
        % {"created": changes.created, "updated": changes.updated, "cleared": changes.cleared},
    )
    return True


@require_GET
@role_required(roles.reads_reports)
def targets_export(request):
    """The year's targets and progress as .xlsx, scoped as the page."""
    params = TargetYearForm(request.GET)
    if not params.is_valid():
        return render(request, "reports/targets.html", {"params": params}, status=400)
    year, as_of = params.params()["year"], params.params()["as_of"]
    grid = target_grid(request.user, year)
    progress = target_progress(request.user, year, as_of)
    return xlsx_response(
        _("sales-targets-%(year)d") % {"year": year}, target_sheets(grid, progress)
    )


def month_labels() -> list[str]:
    """January … December, short, in the page's language (Django's own names)."""
    return [str(capfirst(MONTHS_3[m])) for m in MONTHS]


def target_sheets(grid, progress) -> list[Sheet]:
    """The export: the targets one per row (the import's layout, so the file can be edited and
    imported again), the grid as on the page, and the progress."""
    months = month_labels()
    rows, table = [], []
    for row in grid.rows:
        username = row.salesperson.username if row.salesperson else ""
        for month, value in [(None, row.annual), *zip(MONTHS, row.months, strict=True)]:
            if value is not None:
                rows.append([grid.year, month or "", username, value, row.name])
        table.append([row.name, row.annual, *row.months, row.month_sum, row.difference])
    if grid.people_total is not None:
        total = grid.people_total
        table.append(
            [_("Salespeople together"), total.annual, *total.months, total.month_sum, None]
        )
    progress_rows = [
        [
            r.name,
            r.target_year,
            r.booked_year,
            r.share,
            r.target_month,
            r.booked_month,
            r.month_share,
            r.remaining,
            r.needed_per_month,
            r.needed_per_working_day,
        ]
        for r in progress.rows
    ]
    return [
        Sheet(
            _("Sales targets"),
            [_("Year"), _("Month"), _("Salesperson"), _("Target (yuan)"), _("Salesperson name")],
            rows,
            [8, 8, 16, 18, 16],
        ),
        Sheet(
            _("Targets by month"),
            [_("Salesperson"), _("Annual"), *months, _("Months together"), _("Difference")],
            table,
            [16, 16, *[14] * 12, 16, 14],
        ),
        Sheet(
            _("Progress"),
            [
                _("Salesperson"),
                _("Annual target"),
                _("Booked this year"),
                _("Reached (%)"),
                _("Target of month %(month)d") % {"month": progress.month},
                _("Booked in month %(month)d") % {"month": progress.month},
                _("Reached in the month (%)"),
                _("Still to book"),
                _("Needed per month"),
                _("Needed per working day"),
            ],
            progress_rows,
            [16, 16, 16, 10, 16, 16, 12, 16, 16, 16],
        ),
    ]


# ---------------------------------------------------------------------------- the import


def _done_message(result) -> str:
    return _("Import done: %(created)d targets added, %(updated)d changed.") % {
        "created": result.created,
        "updated": result.updated,
    }


def _template_bytes() -> bytes:
    """The template, its examples naming the first salesperson (so it imports as it is)."""
    first = salesperson_list().first()
    return target_imports.template_bytes(
        year=timezone.localdate().year, salesperson=first.username if first else "sales1"
    )


PAGES = ImportPages(
    kind=target_imports.KIND,
    urls=ImportUrls(
        list="reports:targets",
        upload="reports:targets-import",
        preview="reports:targets-import-preview",
        confirm="reports:targets-import-confirm",
        template="reports:targets-import-template",
    ),
    upload_template="reports/targets_import_upload.html",
    preview_template="reports/targets_import_preview.html",
    store=services.targets_import_upload,
    check=lambda *, by, upload: services.targets_import(by=by, content=bytes(upload.content)),
    confirm=services.targets_import_confirm,
    template_bytes=_template_bytes,
    template_name=lambda: _("sales-target-import-template"),
    done_message=_done_message,
)


@require_http_methods(["GET", "POST"])
@role_required(roles.edits_targets)
def targets_import(request):
    return PAGES.upload(request)


@require_GET
@role_required(roles.edits_targets)
def targets_import_preview(request, pk):
    return PAGES.preview(request, pk)


@require_POST
@role_required(roles.edits_targets)
def targets_import_confirm(request, pk):
    return PAGES.confirm_import(request, pk)


@require_GET
@role_required(roles.edits_targets)
def targets_import_template(request):
    return PAGES.template(request)


urlpatterns = [
    path("targets/", targets, name="targets"),
    path("targets/export/", targets_export, name="targets-export"),
    path("targets/import/", targets_import, name="targets-import"),
    path("targets/import/template/", targets_import_template, name="targets-import-template"),
    path("targets/import/<uuid:pk>/", targets_import_preview, name="targets-import-preview"),
    path(
        "targets/import/<uuid:pk>/confirm/", targets_import_confirm, name="targets-import-confirm"
    ),
]
