"""GET /api/v1/reports/sales/ and /api/v1/reports/ranking/: the sales figures of the report
pages (R-8.2, R-8.3) for other programs, scoped the same way (a salesperson's own figures
unless the role sees the team's). Amounts are exact decimal strings ("1234.50")."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.accounts import roles
from salesdesk.api.errors import ErrorSerializer, checked
from salesdesk.core.permissions import api_permission

from ..forms.sales import RankingForm, SalesReportForm
from ..selectors.sales import (
    DIMENSIONS,
    PERIODS,
    SALES_DEFINITION,
    ranking,
    sales_breakdown,
    sales_by_period,
)

ReportPermission = api_permission(roles.reads_reports)


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def number(value) -> str | None:
    return None if value is None else str(value)


def _renamed(params, names: dict) -> dict:
    """API parameter names (from, to) onto the page form's (date_from, date_to)."""
    data = {key: value for key, value in params.items()}
    for api_name, form_name in names.items():
        if api_name in data:
            data[form_name] = data.pop(api_name)
    return data


RENAMED = {"from": "date_from", "to": "date_to"}
YUAN = "Yuan, 2 decimals"
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is not valid (named in errors)"),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
    403: OpenApiResponse(ErrorSerializer, description="The role does not read reports"),
}
SalesReport = inline_serializer(
    "SalesReport",
    {
        "period": serializers.ChoiceField(choices=list(PERIODS)),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "salesperson": serializers.IntegerField(
            allow_null=True, help_text="null: the whole department"
        ),
        "definition": serializers.CharField(),
        "periods": inline_serializer(
            "SalesPeriodRow",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "label": serializers.CharField(),
                "amount": serializers.CharField(help_text=YUAN),
                "orders": serializers.IntegerField(),
                "prior_amount": serializers.CharField(help_text="The same period a year before"),
                "growth": serializers.CharField(
                    allow_null=True, help_text="Year over year %, 1 decimal"
                ),
            },
            many=True,
        ),
        "totals": inline_serializer(
            "SalesTotals",
            {
                "amount": serializers.CharField(),
                "orders": serializers.IntegerField(),
                "prior_amount": serializers.CharField(),
                "growth": serializers.CharField(allow_null=True),
            },
        ),
        "by": serializers.ChoiceField(choices=list(DIMENSIONS)),
        "new_products": serializers.BooleanField(),
        "breakdown": inline_serializer(
            "SalesBreakdownRow",
            {
                "key": serializers.CharField(allow_null=True, help_text="Id or choice value"),
                "label": serializers.CharField(),
                "code": serializers.CharField(),
                "amount": serializers.CharField(help_text=YUAN),
                "orders": serializers.IntegerField(),
                "share": serializers.CharField(allow_null=True, help_text="% of the total"),
            },
            many=True,
        ),
        "breakdown_total": serializers.CharField(help_text=YUAN),
    },
)
RankingReport = inline_serializer(
    "RankingReport",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "amounts_shown": serializers.BooleanField(
            help_text="Whether the team's amounts are shown to this role (own row always)"
        ),
        "rows": inline_serializer(
            "RankingRow",
            {
                "rank": serializers.IntegerField(),
                "salesperson": serializers.IntegerField(),
                "name": serializers.CharField(),
                "amount": serializers.CharField(allow_null=True),
                "target": serializers.CharField(allow_null=True),
                "share_of_target": serializers.CharField(allow_null=True),
                "new_customers": serializers.IntegerField(),
                "followups": serializers.IntegerField(),
                "collection_rate": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    },
)


class SalesReportView(APIView):
    permission_classes = [ReportPermission]

    @extend_schema(
        operation_id="reports_sales",
        summary="Booked sales by period and by a breakdown",
        description=str(SALES_DEFINITION)
        + " Periods from `from`'s period to `to`'s, each with the same period a year before. "
        "A salesperson sees own figures only; other roles the department's or one person's.",
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, enum=list(PERIODS), description="Default month"
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Default: the last 12 months"),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=list(DIMENSIONS), description="Default customer"
            ),
            OpenApiParameter("salesperson", OpenApiTypes.INT, description="Team roles only"),
            OpenApiParameter(
                "new_products", OpenApiTypes.BOOL, description="Only new products' lines"
            ),
        ],
        responses={200: SalesReport, **ERRORS},
        tags=["reports"],
    )
    def get(self, request):
        form = SalesReportForm(
            _renamed(request.query_params, RENAMED),
            user=request.user,
        )
        checked(form, {form_name: api_name for api_name, form_name in RENAMED.items()})
        params = form.params()
        trend = sales_by_period(
            user=request.user,
            period=params["period"],
            start=params["start"],
            end=params["end"],
            salesperson=params["salesperson"],
        )
        breakdown = sales_breakdown(
            user=request.user,
            dimension=params["by"],
            start=trend["start"],
            end=trend["end"],
            salesperson=params["salesperson"],
            new_products=params["new_products"],
        )
        totals = trend["totals"]
        return Response(
            {
                "period": trend["period"],
                "from": trend["start"],
                "to": trend["end"],
                "salesperson": trend["salesperson"],
                "definition": str(SALES_DEFINITION),
                "periods": [
                    {
                        "start": r.start,
                        "end": r.end,
                        "label": r.label,
                        "amount": money(r.amount),
                        "orders": r.orders,
                        "prior_amount": money(r.prior_amount),
                        "growth": number(r.growth),
                    }
                    for r in trend["rows"]
                ],
                "totals": {
                    "amount": money(totals["amount"]),
                    "orders": totals["orders"],
                    "prior_amount": money(totals["prior_amount"]),
                    "growth": number(totals["growth"]),
                },
                "by": breakdown["dimension"],
                "new_products": breakdown["new_products"],
                "breakdown": [
                    {
                        "key": None if r.key is None else str(r.key),
                        "label": r.label,
                        "code": r.code,
                        "amount": money(r.amount),
                        "orders": r.orders,
                        "share": number(r.share),
                    }
                    for r in breakdown["rows"]
                ],
                "breakdown_total": money(breakdown["totals"]["amount"]),
            }
        )


class RankingView(APIView):
    permission_classes = [ReportPermission]

    @extend_schema(
        operation_id="reports_ranking",
        summary="Salesperson ranking (排名) for a month, quarter or year",
        description=(
            "Every active salesperson ranked by booked sales, with target, share of target, new "
            "customers, follow-ups and collection rate. The whole team sees the ranking; amounts "
            "only roles in SALESDESK_RANKING_AMOUNT_ROLES (and everyone on their own row)."
        ),
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="A day in the period (default today)"
            ),
        ],
        responses={200: RankingReport, **ERRORS},
        tags=["reports"],
    )
    def get(self, request):
        data = checked(RankingForm(request.query_params))
        report = ranking(user=request.user, start=data["start"], end=data["end"])
        return Response(
            {
                "from": report["start"],
                "to": report["end"],
                "amounts_shown": report["show_amounts"],
                "rows": [
                    {
                        "rank": r.rank,
                        "salesperson": r.salesperson_id,
                        "name": r.name,
                        "amount": money(r.amount),
                        "target": money(r.target),
                        "share_of_target": number(r.share_of_target),
                        "new_customers": r.new_customers,
                        "followups": r.followups,
                        "collection_rate": number(r.collection_rate),
                    }
                    for r in report["rows"]
                ],
            }
        )


def register(router) -> None:
    pass


def extra_urls() -> list:
    return [
        path("reports/sales/", SalesReportView.as_view(), name="api-reports-sales"),
        path("reports/ranking/", RankingView.as_view(), name="api-reports-ranking"),
    ]
