"""The headquarters disputes register (往年应付款清理, R-5.5): list, open, follow up, attach documents.

Read by whoever reads the customer (a salesperson: own customers' only); written by finance,
the sales assistant and the admin (roles.reconciles)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.disputes import DisputeDocumentForm, DisputeFilterForm, DisputeForm, DisputeUpdateForm
from ..selectors import disputes as selectors
from ..services import disputes as services

TABLE_ID = "dispute-table"


@role_required(roles.reads_receivables)
@require_GET
def dispute_list(request):
    form = DisputeFilterForm(request.GET)
    disputes = selectors.dispute_list(user=request.user, **form.filters())
    page = paginate(request, disputes)
    selectors.with_age(page.object_list)
    context = {
        "form": form,
        "page_obj": page,
        "table_id": TABLE_ID,
        "totals": selectors.dispute_totals(disputes),
        "may_write": roles.reconciles(request.user),
    }
    if request.htmx and request.htmx.target == TABLE_ID:
        return render(request, "finance/_dispute_table.html", context)
    return render(request, "finance/dispute_list.html", context)


@role_required(roles.reconciles)
@require_http_methods(["GET", "POST"])
def dispute_create(request):
    form = DisputeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_open(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Dispute registered."))
            return redirect("finance:dispute-detail", pk=dispute.pk)
    return render(
        request, "finance/dispute_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


def _detail(request, pk, status=200, **forms):
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    may_write = roles.reconciles(request.user)
    context = {
        "dispute": dispute,
        "history": selectors.dispute_history(dispute),
        "age_days": selectors.with_age([dispute])[0].age_days,
        "may_write": may_write,
        "update_form": forms.get("update_form")
        or (DisputeUpdateForm(dispute=dispute) if may_write else None),
        "document_form": forms.get("document_form")
        or (DisputeDocumentForm() if may_write else None),
    }
    template = "finance/_dispute_panel.html" if request.htmx else "finance/dispute_detail.html"
    return render(request, template, context, status=status)


@role_required(roles.reads_receivables)
@require_GET
def dispute_detail(request, pk: int):
    return _detail(request, pk)


@role_required(roles.reconciles)
@require_POST
def dispute_update(request, pk: int):
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    form = DisputeUpdateForm(request.POST, dispute=dispute)
    if form.is_valid():
        try:
            services.dispute_update(dispute=dispute, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Dispute updated."))
            return (
                _detail(request, pk) if request.htmx else redirect("finance:dispute-detail", pk=pk)
            )
    return _detail(request, pk, status=200 if request.htmx else 400, update_form=form)


@role_required(roles.reconciles)
@require_POST
def dispute_attach(request, pk: int):
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    form = DisputeDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.dispute_attach(
                dispute=dispute, by=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Document attached."))
            return (
                _detail(request, pk) if request.htmx else redirect("finance:dispute-detail", pk=pk)
            )
    return _detail(request, pk, status=200 if request.htmx else 400, document_form=form)


@role_required(roles.reads_receivables)
@require_GET
def dispute_document(request, pk: int, doc_pk: int):
    document = selectors.dispute_document_get(user=request.user, dispute_pk=pk, pk=doc_pk)
    # Always a download: an uploaded HTML file must not run in the site's origin.
    response = HttpResponse(
        bytes(document.content), content_type=document.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("disputes/", dispute_list, name="disputes"),
    path("disputes/new/", dispute_create, name="dispute-create"),
    path("disputes/<int:pk>/", dispute_detail, name="dispute-detail"),
    path("disputes/<int:pk>/status/", dispute_update, name="dispute-update"),
    path("disputes/<int:pk>/documents/", dispute_attach, name="dispute-attach"),
    path("disputes/<int:pk>/documents/<int:doc_pk>/", dispute_document, name="dispute-document"),
]
