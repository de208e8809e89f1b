"""Product import pages (R-4.1, C-2): upload → preview with every error → confirm; the template.

Its urlpatterns are part of catalog.views.products.urlpatterns.
"""

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
from salesdesk.core import imports as engine
from salesdesk.core.excel import XLSX_CONTENT_TYPE, Sheet, xlsx_response
from salesdesk.core.permissions import role_required

from ..forms.products import ProductImportForm
from ..services import imports as services


def _preview_context(upload, result):
    return {"upload": upload, "result": result, "errors": result.sorted_errors()}


@role_required(roles.edits_products)
@require_http_methods(["GET", "POST"])
def product_import(request):
    form = ProductImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = services.product_import_upload(
                by=request.user, content=file.read(), filename=file.name
            )
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            return redirect("catalog:product-import-preview", pk=upload.pk)
    return render(request, "catalog/import_upload.html", {"form": form})


@role_required(roles.edits_products)
@require_GET
def product_import_preview(request, pk):
    upload = engine.upload_for(user=request.user, kind=services.KIND, pk=pk)
    if upload.is_confirmed:  # checking it again against the data it created would only confuse
        return render(request, "catalog/import_preview.html", {"upload": upload})
    result = services.product_import(by=request.user, content=bytes(upload.content))
    if request.GET.get("export") == "errors":
        rows = [(e.sheet, e.row or "", e.column, e.message) for e in result.sorted_errors()]
        sheet = Sheet(
            _("Errors"), [_("Sheet"), _("Row"), _("Column"), _("Problem")], rows, [12, 8, 22, 80]
        )
        return xlsx_response(_("import-errors"), [sheet])
    return render(request, "catalog/import_preview.html", _preview_context(upload, result))


@role_required(roles.edits_products)
@require_POST
def product_import_confirm(request, pk):
    upload = engine.upload_for(user=request.user, kind=services.KIND, pk=pk)
    try:
        result = services.product_import_confirm(by=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:product-import-preview", pk=upload.pk)
    if not result.applied:
        return render(
            request, "catalog/import_preview.html", _preview_context(upload, result), status=400
        )
    messages.success(
        request,
        _("Import done: %(created)d products created, %(updated)d updated.")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("catalog:products")


@role_required(roles.edits_products)
@require_GET
def product_import_template(request):
    response = HttpResponse(services.import_template(), content_type=XLSX_CONTENT_TYPE)
    filename = _("product-import-template") + ".xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("import/", product_import, name="product-import"),
    path("import/template/", product_import_template, name="product-import-template"),
    path("import/<uuid:pk>/", product_import_preview, name="product-import-preview"),
    path("import/<uuid:pk>/confirm/", product_import_confirm, name="product-import-confirm"),
]
