"""The pages of every Excel import (C-2): upload → preview with every error → confirm; the template.

Each module keeps its own URLs, permissions and templates; its views call these helpers with
its own service functions, so an import behaves the same wherever it lives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import imports as engine
from .excel import XLSX_CONTENT_TYPE, Sheet, xlsx_response
from .forms import ExcelImportForm
from .imports import ImportResult
from .models import ImportUpload


@dataclass(frozen=True)
class ImportUrls:
    """The URL names of one module's import; the shared templates link through them."""

    list: str  # where the imported rows are listed
    upload: str
    preview: str
    confirm: str
    template: str


def preview_context(upload: ImportUpload, result: ImportResult, urls: ImportUrls) -> dict:
    return {
        "upload": upload,
        "result": result,
        "errors": result.sorted_errors(),
        "import_urls": urls,
    }


def errors_response(result: ImportResult) -> HttpResponse:
    """Every problem of a checked file as an Excel sheet, to fix the file by."""
    rows = [(e.sheet, e.row or "", e.column, e.message) for e in result.sorted_errors()]
    sheet = Sheet(
        _("Errors"), [_("Sheet"), _("Row"), _("Column"), _("Problem")], rows, [12, 8, 22, 80]
    )
    return xlsx_response(_("import-errors"), [sheet])


@dataclass(frozen=True)
class ImportPages:
    """One module's import: its URL names, templates and service functions. Each page view of
    the module authorizes, then hands the request to the method of the same step."""

    kind: str  # ImportUpload.kind
    urls: ImportUrls
    upload_template: str
    preview_template: str
    store: Callable  # (by, content, filename) -> ImportUpload; refuses unreadable files
    check: Callable  # (by, upload) -> ImportResult; never writes
    confirm: Callable  # (by, upload) -> ImportResult; all or nothing
    template_bytes: Callable[[], bytes]
    template_name: Callable[[], str]  # the download's name, translated when asked
    done_message: Callable[[ImportResult], str]

    def upload(self, request, context=None):
        """The upload form; a readable .xlsx is kept and its preview shown."""
        form = ExcelImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = self.store(by=request.user, content=file.read(), filename=file.name)
            except ValidationError as exc:
                form.add_error("file", exc.message_dict.get("file", exc.messages))
            else:
                return redirect(self.urls.preview, pk=upload.pk)
        context = {"form": form, "import_urls": self.urls, **(context or {})}
        return render(request, self.upload_template, context)

    def preview(self, request, pk):
        """The uploader's file checked against today's data; ?export=errors: the problems as Excel."""
        upload = engine.upload_for(user=request.user, kind=self.kind, pk=pk)
        if upload.is_confirmed:  # checking it again against the data it created would only confuse
            return render(
                request, self.preview_template, {"upload": upload, "import_urls": self.urls}
            )
        result = self.check(by=request.user, upload=upload)
        if request.GET.get("export") == "errors":
            return errors_response(result)
        return render(request, self.preview_template, preview_context(upload, result, self.urls))

    def confirm_import(self, request, pk):
        """Import the uploader's file all or nothing; its problems, if any, on the preview page."""
        upload = engine.upload_for(user=request.user, kind=self.kind, pk=pk)
        try:
            result = self.confirm(by=request.user, upload=upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.urls.preview, pk=upload.pk)
        if not result.applied:
            context = preview_context(upload, result, self.urls)
            return render(request, self.preview_template, context, status=400)
        messages.success(request, self.done_message(result))
        return redirect(self.urls.list)

    def template(self, request):
        """The import template as a download."""
        response = HttpResponse(self.template_bytes(), content_type=XLSX_CONTENT_TYPE)
        filename = self.template_name() + ".xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
