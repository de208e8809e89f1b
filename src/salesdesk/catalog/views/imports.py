"""Product import pages (R-4.1, C-2): upload → preview with every error → confirm; the template.

Its urlpatterns are part of catalog.views.products.urlpatterns.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.import_views import ImportPages, ImportUrls
from salesdesk.core.permissions import role_required

from ..services import imports as services


def _done_message(result) -> str:
    return _("Import done: %(created)d products created, %(updated)d updated.") % {
        "created": result.created,
        "updated": result.updated,
    }


PAGES = ImportPages(
    kind=services.KIND,
    urls=ImportUrls(
        list="catalog:products",
        upload="catalog:product-import",
        preview="catalog:product-import-preview",
        confirm="catalog:product-import-confirm",
        template="catalog:product-import-template",
    ),
    upload_template="catalog/import_upload.html",
    preview_template="catalog/import_preview.html",
    store=services.product_import_upload,
    check=lambda *, by, upload: services.product_import(by=by, content=bytes(upload.content)),
    confirm=services.product_import_confirm,
    template_bytes=services.import_template,
    template_name=lambda: _("product-import-template"),
    done_message=_done_message,
)


@role_required(roles.edits_products)
@require_http_methods(["GET", "POST"])
def product_import(request):
    return PAGES.upload(request)


@role_required(roles.edits_products)
@require_GET
def product_import_preview(request, pk):
    return PAGES.preview(request, pk)


@role_required(roles.edits_products)
@require_POST
def product_import_confirm(request, pk):
    return PAGES.confirm_import(request, pk)


@role_required(roles.edits_products)
@require_GET
def product_import_template(request):
    return PAGES.template(request)


urlpatterns = [
    path("import/", product_import, name="product-import"),
    path("import/template/", product_import_template, name="product-import-template"),
    path("import/<uuid:pk>/", product_import_preview, name="product-import-preview"),
    path("import/<uuid:pk>/confirm/", product_import_confirm, name="product-import-confirm"),
]
