"""Product pages (R-4.1): list and search, export, detail with history and approvals,
create/edit, archive/restore, and the order entry's product picker (JSON or htmx fragment)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.lists import export_response, posted, render_list
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.products import ProductFilterForm, ProductForm
from ..selectors import approvals as approval_selectors
from ..selectors import products as selectors
from ..services import products as services
from . import imports

TABLE_ID = "product-table"


@role_required(roles.reads_products)
@require_GET
def product_list(request):
    form = ProductFilterForm(request.GET, user=request.user)
    page = paginate(request, selectors.product_list(user=request.user, **form.filters()))
    context = {
        "form": form,
        "page_obj": page,
        "table_id": TABLE_ID,
        "edits_products": roles.edits_products(request.user),
    }
    return render_list(
        request, context, page="catalog/product_list.html", table="catalog/_product_table.html"
    )


@role_required(roles.reads_products)
@require_GET
def product_export(request):
    form = ProductFilterForm(request.GET, user=request.user)
    products = selectors.product_list(user=request.user, **form.filters())
    return export_response(
        title=_("Products"),
        filename=_("products"),
        headers=selectors.product_export_headers(user=request.user),
        rows=selectors.product_export_rows(products, user=request.user),
    )


@role_required(roles.reads_products)
@require_GET
def product_detail(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    context = {
        "product": product,
        "history": selectors.product_history(product, user=request.user),
        "approvals": approval_selectors.product_approvals(product=product, user=request.user),
        "reads_approvals": roles.reads_customers(request.user),
        "edits_approvals": roles.edits_customers(request.user),
        "edits_products": roles.edits_products(request.user),
    }
    return render(request, "catalog/product_detail.html", context)


def _save_form(request, form, save, context: dict):
    """Shared tail of create and edit: call the service, or show its messages on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            product = save(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved %(product)s.") % {"product": product})
            return redirect("catalog:product-detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, **context})


@role_required(roles.edits_products)
@require_http_methods(["GET", "POST"])
def product_create(request):
    form = ProductForm(posted(request))

    def save(form):
        return services.product_create(by=request.user, data=form.product_data())

    return _save_form(request, form, save, {})


@role_required(roles.edits_products)
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    form = ProductForm(posted(request), product=product)

    def save(form):
        return services.product_update(product=product, by=request.user, data=form.product_data())

    return _save_form(request, form, save, {"product": product})


def _archive_action(service, done_message):
    @role_required(roles.edits_products)
    @require_POST
    def view(request, pk: int):
        product = selectors.product_get(user=request.user, pk=pk)
        try:
            service(product=product, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done_message % {"product": product})
        return redirect("catalog:product-detail", pk=product.pk)

    return view


product_archive = _archive_action(services.product_archive, gettext_lazy("Archived %(product)s."))
product_restore = _archive_action(services.product_restore, gettext_lazy("Restored %(product)s."))


@role_required(roles.reads_products)
@require_GET
def product_search(request):
    """GET ?q= → [{id, code, name, spec, unit, unit_label, list_price}] (no price for the
    warehouse); an htmx request gets the same rows as a clickable list fragment."""
    products = selectors.product_search(user=request.user, q=request.GET.get("q", ""))
    rows = selectors.product_search_rows(products, user=request.user)
    if request.htmx:
        return render(request, "catalog/_product_search_results.html", {"rows": rows})
    return JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("", product_list, name="products"),
    path("export/", product_export, name="product-export"),
    path("search/", product_search, name="product-search"),
    path("new/", product_create, name="product-create"),
    path("<int:pk>/", product_detail, name="product-detail"),
    path("<int:pk>/edit/", product_edit, name="product-edit"),
    path("<int:pk>/archive/", product_archive, name="product-archive"),
    path("<int:pk>/restore/", product_restore, name="product-restore"),
    *imports.urlpatterns,
]
