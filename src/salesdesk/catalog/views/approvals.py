"""Sample approval pages (新品送样确认, R-3.4): the list, a new request, the customer's decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.lists import render_list
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.approvals import ApprovalCreateForm, ApprovalDecideForm, ApprovalFilterForm
from ..selectors import approvals as selectors
from ..services import approvals as services

TABLE_ID = "approval-table"


@role_required(roles.reads_customers)
@require_GET
def approval_list(request):
    form = ApprovalFilterForm(request.GET)
    page = paginate(request, selectors.approval_list(user=request.user, **form.filters()))
    context = {"form": form, "page_obj": page, "table_id": TABLE_ID}
    return render_list(
        request, context, page="catalog/approval_list.html", table="catalog/_approval_table.html"
    )


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def approval_create(request):
    initial = {
        k: request.GET[k] for k in ("customer", "product") if request.GET.get(k, "").isdigit()
    }
    form = ApprovalCreateForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            approval = services.approval_request(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Sample recorded: %(approval)s.") % {"approval": approval})
            return redirect("catalog:approvals")
    return render(request, "catalog/approval_form.html", {"form": form})


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def approval_decide(request, pk: int):
    approval = selectors.approval_get(user=request.user, pk=pk)
    form = ApprovalDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            approval = services.approval_decide(
                approval=approval, by=request.user, **form.decision_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Decision recorded: %(approval)s.") % {"approval": approval}
            )
            return redirect("catalog:approvals")
    return render(request, "catalog/approval_decide.html", {"form": form, "approval": approval})


urlpatterns = [
    path("approvals/", approval_list, name="approvals"),
    path("approvals/new/", approval_create, name="approval-create"),
    path("approvals/<int:pk>/decide/", approval_decide, name="approval-decide"),
]
