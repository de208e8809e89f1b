"""Customer import pages (C-2): upload → preview with every error → confirm; the template."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core import imports as engine
from salesdesk.core.excel import XLSX_CONTENT_TYPE, Sheet, xlsx_response
from salesdesk.core.forms import BootstrapMixin
from salesdesk.core.permissions import role_required

from ..services import imports as services


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )


def _preview_context(upload, result):
    return {"upload": upload, "result": result, "errors": result.sorted_errors()}


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def customer_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = services.customer_import_upload(by=request.user, content=file.read(), filename=file.name)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            return redirect("customers:import-preview", pk=upload.pk)
    context = {"form": form, "assigns_owners": roles.assigns_owners(request.user)}
    return render(request, "customers/import_upload.html", context)


@role_required(roles.edits_customers)
@require_GET
def customer_import_preview(request, pk):
    upload = engine.upload_for(user=request.user, kind=services.KIND, pk=pk)
    if upload.is_confirmed:  # checking it again against the data it created would only confuse
        return render(request, "customers/import_preview.html", {"upload": upload})
    result = services.customer_import(by=request.user, content=bytes(upload.content), filename=upload.filename)
    if request.GET.get("export") == "errors":
        rows = [(e.sheet, e.row or "", e.column, e.message) for e in result.sorted_errors()]
        sheet = Sheet(_("Errors"), [_("Sheet"), _("Row"), _("Column"), _("Problem")], rows, [12, 8, 22, 80])
        return xlsx_response(_("import-errors"), [sheet])
    return render(request, "customers/import_preview.html", _preview_context(upload, result))


@role_required(roles.edits_customers)
@require_POST
def customer_import_confirm(request, pk):
    upload = engine.upload_for(user=request.user, kind=services.KIND, pk=pk)
    try:
        result = services.customer_import_confirm(by=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:import-preview", pk=upload.pk)
    if not result.applied:
        context = _preview_context(upload, result)
        return render(request, "customers/import_preview.html", context, status=400)
    messages.success(
        request,
        _("Import done: %(created)d customers created, %(updated)d updated; %(contacts)d contacts created, %(contacts_updated)d updated.")
        % {
            "created": result.created,
            "updated": result.updated,
            "contacts": result.extra.get("contacts_created", 0),
            "contacts_updated": result.extra.get("contacts_updated", 0),
        },
    )
    return redirect("customers:list")


@role_required(roles.edits_customers)
@require_GET
def customer_import_template(request):
    response = HttpResponse(services.import_template(), content_type=XLSX_CONTENT_TYPE)
    filename = _("customer-import-template") + ".xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("import/", customer_import, name="import"),
    path("import/template/", customer_import_template, name="import-template"),
    path("import/<uuid:pk>/", customer_import_preview, name="import-preview"),
    path("import/<uuid:pk>/confirm/", customer_import_confirm, name="import-confirm"),
]
