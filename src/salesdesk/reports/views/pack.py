"""The monthly pack (月报, R-8.6): the page, its PDF and its Excel workbook, for one month."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.excel import xlsx_response
from salesdesk.core.permissions import role_required
from salesdesk.core.views import render_report

from ..forms.pack import PackForm
from ..pdf import pack_filename, render_pack_pdf
from ..selectors.pack import monthly_pack, pack_sheets


@require_http_methods(["GET"])
@role_required(roles.reads_reports)
def pack_view(request):
    form = PackForm(request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        pack = monthly_pack(user=request.user, month=form.cleaned_data["month"])
        if request.GET.get("format") == "xlsx":
            return xlsx_response(_("monthly-pack"), pack_sheets(pack))
        context["pack"] = pack
    return render_report(request, "reports/pack.html", "reports/_pack_report.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_reports)
def pack_pdf(request):
    form = PackForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/pack.html", {"form": form}, status=400)
    pack = monthly_pack(user=request.user, month=form.cleaned_data["month"])
    response = HttpResponse(render_pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pack_filename(pack)}"'
    return response


urlpatterns = [
    path("pack/", pack_view, name="pack"),
    path("pack/pdf/", pack_pdf, name="pack-pdf"),
]
