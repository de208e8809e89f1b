"""Customer import pages (C-2): upload → preview with every error → confirm; the template."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.import_views import ImportPages, ImportUrls
from salesdesk.core.permissions import role_required

from ..services import imports as services


def _done_message(result) -> str:
    return _(
        "Import done: %(created)d customers created, %(updated)d updated; %(contacts)d contacts created, %(contacts_updated)d updated."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "contacts": result.extra.get("contacts_created", 0),
        "contacts_updated": result.extra.get("contacts_updated", 0),
    }


PAGES = ImportPages(
    kind=services.KIND,
    urls=ImportUrls(
        list="customers:list",
        upload="customers:import",
        preview="customers:import-preview",
        confirm="customers:import-confirm",
        template="customers:import-template",
    ),
    upload_template="customers/import_upload.html",
    preview_template="customers/import_preview.html",
    store=services.customer_import_upload,
    check=lambda *, by, upload: services.customer_import(
        by=by, content=bytes(upload.content), filename=upload.filename
    ),
    confirm=services.customer_import_confirm,
    template_bytes=services.import_template,
    template_name=lambda: _("customer-import-template"),
    done_message=_done_message,
)


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def customer_import(request):
    return PAGES.upload(request, {"assigns_owners": roles.assigns_owners(request.user)})


@role_required(roles.edits_customers)
@require_GET
def customer_import_preview(request, pk):
    return PAGES.preview(request, pk)


@role_required(roles.edits_customers)
@require_POST
def customer_import_confirm(request, pk):
    return PAGES.confirm_import(request, pk)


@role_required(roles.edits_customers)
@require_GET
def customer_import_template(request):
    return PAGES.template(request)


urlpatterns = [
    path("import/", customer_import, name="import"),
    path("import/template/", customer_import_template, name="import-template"),
    path("import/<uuid:pk>/", customer_import_preview, name="import-preview"),
    path("import/<uuid:pk>/confirm/", customer_import_confirm, name="import-confirm"),
]
