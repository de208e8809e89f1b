"""Reconciliation pages (与财务对账, R-5.4): past runs, the wizard (upload → map columns → run),
one run's differences by kind with resolve/correct actions and the Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core import imports as engine
from salesdesk.core.excel import Sheet, xlsx_response
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.reconciliation import (
    DifferenceActionForm,
    DifferenceFilterForm,
    LedgerUploadForm,
    MappingForm,
)
from ..selectors import reconciliation as selectors
from ..services import reconciliation as services

DIFFERENCES_PER_PAGE = 200


@role_required(roles.reconciles)
@require_GET
def reconciliation_list(request):
    page = paginate(request, selectors.reconciliation_list(user=request.user))
    return render(
        request, "finance/reconciliation_list.html", {"page_obj": page, "kinds": selectors.KINDS}
    )


@role_required(roles.reconciles)
@require_http_methods(["GET", "POST"])
def reconciliation_new(request):
    form = LedgerUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = services.ledger_upload(
                by=request.user, content=file.read(), filename=file.name
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("finance:reconciliation-mapping", pk=upload.pk)
    status = 400 if form.is_bound else 200
    return render(request, "finance/reconciliation_new.html", {"form": form}, status=status)


@role_required(roles.reconciles)
@require_http_methods(["GET", "POST"])
def reconciliation_mapping(request, pk):
    upload = engine.upload_for(user=request.user, kind=services.LEDGER_UPLOAD_KIND, pk=pk)
    if upload.is_confirmed:
        messages.info(
            request, _("This ledger was already reconciled; upload it again to run it once more.")
        )
        return redirect("finance:reconciliations")
    preview = selectors.ledger_preview(content=bytes(upload.content))
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=preview["headers"],
        mapping=preview["mapping"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.reconciliation_from_upload(
                by=request.user, upload=upload, mapping=form.mapping(), **_period(form)
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Reconciliation done: %(n)d differences.") % {"n": run.differences.count()},
            )
            return redirect("finance:reconciliation-detail", pk=run.pk)
    context = {**preview, "form": form, "upload": upload}
    return render(
        request,
        "finance/reconciliation_mapping.html",
        context,
        status=400 if form.is_bound else 200,
    )


def _period(form) -> dict:
    return {
        "period_start": form.cleaned_data.get("period_start"),
        "period_end": form.cleaned_data.get("period_end"),
    }


def _detail_context(request, run, failed=None) -> dict:
    filters = DifferenceFilterForm(request.GET)
    page = paginate(
        request,
        selectors.difference_list(user=request.user, reconciliation=run, **filters.filters()),
        DIFFERENCES_PER_PAGE,
    )
    for difference in page.object_list:
        if failed is not None and failed[0] == difference.pk:
            difference.form = failed[1]
    return {
        "run": run,
        "counts": selectors.kind_counts(run),
        "filters": filters,
        "page_obj": page,
        "groups": selectors.difference_groups(page.object_list),
    }


@role_required(roles.reconciles)
@require_GET
def reconciliation_detail(request, pk):
    run = selectors.reconciliation_get(user=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":
        differences = selectors.difference_list(user=request.user, reconciliation=run, status="all")
        return xlsx_response(_("reconciliation"), export_sheets(run, differences))
    return render(request, "finance/reconciliation_detail.html", _detail_context(request, run))


def _difference_action(request, pk, diff_pk, call, done: str):
    run = selectors.reconciliation_get(user=request.user, pk=pk)
    difference = selectors.difference_get(user=request.user, reconciliation=run, pk=diff_pk)
    form = DifferenceActionForm(request.POST, user=request.user, auto_id=f"id_d{diff_pk}_%s")
    if form.is_valid():
        try:
            difference = call(difference, form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
    ok = not form.errors
    if request.htmx:
        difference = selectors.difference_get(user=request.user, reconciliation=run, pk=diff_pk)
        difference.form = None if ok else form
        return render(
            request, "finance/_reconciliation_difference.html", {"d": difference, "run": run}
        )
    if ok:
        messages.success(request, done)
        return redirect("finance:reconciliation-detail", pk=run.pk)
    context = _detail_context(request, run, failed=(diff_pk, form))
    return render(request, "finance/reconciliation_detail.html", context, status=400)


@role_required(roles.reconciles)
@require_POST
def difference_resolve(request, pk, diff_pk):
    return _difference_action(
        request,
        pk,
        diff_pk,
        lambda d, data: services.difference_resolve(
            difference=d, by=request.user, note=data["note"]
        ),
        _("Difference resolved."),
    )


@role_required(roles.reconciles)
@require_POST
def difference_correct(request, pk, diff_pk):
    return _difference_action(
        request,
        pk,
        diff_pk,
        lambda d, data: services.difference_correct(
            difference=d, by=request.user, note=data["note"], customer=data.get("customer")
        ),
        _("Difference corrected."),
    )


def export_sheets(run, differences) -> list[Sheet]:
    """The result as Excel: counts by kind, then every difference with both sides."""
    summary = Sheet(
        _("Summary"),
        [_("Kind"), _("Differences")],
        [(c["label"], c["count"]) for c in selectors.kind_counts(run)]
        + [(_("Ledger lines read"), run.rows_read), (_("Matched"), run.matched)],
        [28, 14],
    )
    rows = []
    for d in differences:
        gap = (
            (d.ledger_amount - d.salesdesk_amount)
            if d.ledger_amount is not None and d.salesdesk_amount is not None
            else None
        )
        rows.append(
            (
                d.get_kind_display(),
                d.get_status_display(),
                d.customer.name if d.customer else d.ledger_data.get("ledger_customer", ""),
                d.invoice_number,
                d.ledger_row,
                d.ledger_date,
                d.salesdesk_date,
                d.ledger_amount,
                d.salesdesk_amount,
                gap,
                d.note,
                str(d.resolved_by or ""),
                "; ".join(f"{k}: {v}" for k, v in d.ledger_data.get("cells", {}).items()),
            )
        )
    headers = [
        _("Kind"),
        _("Status"),
        _("Customer"),
        _("Invoice or reference"),
        _("Ledger row"),
        _("Finance date"),
        _("SalesDesk date"),
        _("Finance amount"),
        _("SalesDesk amount"),
        _("Gap"),
        _("Note"),
        _("Resolved by"),
        _("Ledger line"),
    ]
    return [
        summary,
        Sheet(_("Differences"), headers, rows, [18, 14, 28, 20, 9, 12, 12, 14, 14, 12, 30, 10, 60]),
    ]


urlpatterns = [
    path("reconciliations/", reconciliation_list, name="reconciliations"),
    path("reconciliations/new/", reconciliation_new, name="reconciliation-new"),
    path("reconciliations/new/<uuid:pk>/", reconciliation_mapping, name="reconciliation-mapping"),
    path("reconciliations/<uuid:pk>/", reconciliation_detail, name="reconciliation-detail"),
    path(
        "reconciliations/<uuid:pk>/differences/<int:diff_pk>/resolve/",
        difference_resolve,
        name="difference-resolve",
    ),
    path(
        "reconciliations/<uuid:pk>/differences/<int:diff_pk>/correct/",
        difference_correct,
        name="difference-correct",
    ),
]
