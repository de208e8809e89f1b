"""Sales report pages (R-8.2, R-8.3, R-8.5): sales by period and breakdown, the salesperson
ranking and new-product promotion, each with its Excel export (?format=xlsx)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.excel import xlsx_response
from salesdesk.core.permissions import role_required
from salesdesk.core.views import render_report

from ..forms.sales import NewProductForm, RankingForm, SalesReportForm
from ..selectors import exports
from ..selectors.charts import ranking_chart
from ..selectors.pages import TABLE_ROWS, new_product_context, sales_context
from ..selectors.sales import ranking


@require_http_methods(["GET"])
@role_required(roles.reads_reports)
def sales_report(request):
    form = SalesReportForm(request.GET, user=request.user)
    context = {"form": form}
    if form.is_valid():
        export = request.GET.get("format") == "xlsx"
        context.update(
            sales_context(request.user, form.params(), limit=None if export else TABLE_ROWS)
        )
        if export:
            return xlsx_response(
                _("sales"),
                [
                    exports.period_sheet(context["trend"]),
                    exports.breakdown_sheet(context["breakdown"], context["dimension_label"]),
                ],
            )
    return render_report(request, "reports/sales.html", "reports/_sales_report.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_reports)
def ranking_view(request):
    form = RankingForm(request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        report = ranking(user=request.user, start=data["start"], end=data["end"])
        if request.GET.get("format") == "xlsx":
            return xlsx_response(_("ranking"), [exports.ranking_sheet(report)])
        context.update(
            report=report,
            chart=ranking_chart(report["rows"], amounts=report["show_amounts"]),
        )
    return render_report(request, "reports/ranking.html", "reports/_ranking_report.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_reports)
def new_products_view(request):
    form = NewProductForm(request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        export = request.GET.get("format") == "xlsx"
        context.update(
            new_product_context(
                request.user, data["start"], data["end"], limit=None if export else TABLE_ROWS
            )
        )
        if export:
            return xlsx_response(
                _("new-products"),
                [exports.breakdown_sheet(s["report"], s["label"]) for s in context["sections"]],
            )
    return render_report(
        request, "reports/new_products.html", "reports/_new_products_report.html", context
    )


urlpatterns = [
    path("sales/", sales_report, name="sales"),
    path("ranking/", ranking_view, name="ranking"),
    path("new-products/", new_products_view, name="new-products"),
]
