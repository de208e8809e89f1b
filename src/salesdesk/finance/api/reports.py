"""GET /api/v1/reports/aging/ and /api/v1/reports/collection-rate/: the money reports (R-5.2,
R-5.3) for other programs. Scoped as the pages; amounts are exact decimal strings ("1234.50")."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
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
from salesdesk.api.pagination import Pagination
from salesdesk.core.permissions import api_permission

from ..forms.reports import AgingForm, CollectionRateForm
from ..selectors.reports import BUCKET_KEYS, BUCKETS, collection_rate, receivables_aging

ReportPermission = api_permission(roles.reads_receivables)


def _money(value) -> str:
    return f"{value:.2f}"


def _window(paginator, request) -> slice:
    """The rows `paginator` will return for this request (another page: read again)."""
    size = paginator.get_page_size(request) or 50
    try:
        number = max(1, int(request.query_params.get(paginator.page_query_param) or 1))
    except ValueError:  # "last" or a bad number: paginate_queryset answers it
        number = 1
    return slice((number - 1) * size, number * size)


def _amount_fields() -> dict:
    return {
        key: serializers.CharField(help_text="Yuan, 2 decimals") for key in [*BUCKET_KEYS, "total"]
    }


AGING_ROW = (
    "AgingRow",
    {
        "id": serializers.IntegerField(
            allow_null=True, help_text="Customer id, or salesperson id (null: no salesperson)"
        ),
        "name": serializers.CharField(),
        **_amount_fields(),
    },
)
AgingReport = inline_serializer(
    "AgingReport",
    {
        "as_of": serializers.DateField(),
        "by": serializers.ChoiceField(choices=["customer", "salesperson"]),
        "buckets": serializers.ListField(
            child=serializers.CharField(),
            help_text="Bucket labels in the order not_due, d0_30, d31_60, d61_90, d90_plus",
        ),
        "definition": serializers.CharField(),
        "count": serializers.IntegerField(help_text="Rows in the whole report"),
        "next": serializers.URLField(allow_null=True, help_text="The next page of rows"),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page"),
        "rows": inline_serializer(*AGING_ROW, many=True),
        "totals": inline_serializer("AgingTotals", _amount_fields()),
    },
)
COLLECTION_ROW = (
    "CollectionRateRow",
    {
        "key": serializers.CharField(
            allow_null=True, help_text="'YYYY-MM', customer id or salesperson id (null: none)"
        ),
        "label": serializers.CharField(),
        "due": serializers.CharField(help_text="Yuan, 2 decimals"),
        "collected": serializers.CharField(help_text="Yuan, 2 decimals"),
        "rate": serializers.CharField(
            allow_null=True,
            help_text="Collected ÷ due in percent, 1 decimal; null when nothing was due",
        ),
    },
)
CollectionReport = inline_serializer(
    "CollectionRateReport",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "by": serializers.ChoiceField(choices=["month", "customer", "salesperson"]),
        "definition": serializers.CharField(),
        "rows": inline_serializer(*COLLECTION_ROW, many=True),
        "totals": inline_serializer(
            "CollectionRateTotals",
            {
                "due": serializers.CharField(),
                "collected": serializers.CharField(),
                "rate": serializers.CharField(allow_null=True),
            },
        ),
    },
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is not valid (named in errors)"),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
    403: OpenApiResponse(ErrorSerializer, description="The role does not read receivables"),
}


class AgingView(APIView):
    permission_classes = [ReportPermission]

    @extend_schema(
        operation_id="reports_aging",
        summary="Receivables aging as of a date",
        description=(
            "Open receivables per customer (key accounts first) or per salesperson in buckets by "
            "days overdue (report date minus due date): not yet due (0 or less), 1–30, 31–60, "
            "61–90, over 90. A past date counts what was open then. A salesperson sees own "
            "customers only. Rows come a page at a time (`page`, `page_size` up to 200, as the "
            "lists); `count` and `totals` are of every row."
        ),
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Report date (default today)"),
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                enum=["customer", "salesperson"],
                description="Default customer",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of rows (default 1)"),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Rows per page (default 50, at most 200)"
            ),
        ],
        responses={200: AgingReport, **ERRORS},
        examples=[
            OpenApiExample(
                "Aging",
                response_only=True,
                value={
                    "as_of": "2026-06-15",
                    "by": "customer",
                    "buckets": ["未到期", "0–30天", "31–60天", "61–90天", "90天以上"],
                    "definition": "…",
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "rows": [
                        {
                            "id": 12,
                            "name": "杭州明发包装有限公司",
                            "not_due": "1200.00",
                            "d0_30": "0.00",
                            "d31_60": "350.50",
                            "d61_90": "0.00",
                            "d90_plus": "0.00",
                            "total": "1550.50",
                        }
                    ],
                    "totals": {
                        "not_due": "1200.00",
                        "d0_30": "0.00",
                        "d31_60": "350.50",
                        "d61_90": "0.00",
                        "d90_plus": "0.00",
                        "total": "1550.50",
                    },
                },
            )
        ],
        tags=["reports"],
    )
    def get(self, request):
        params = checked(AgingForm(request.query_params))
        paginator = Pagination()
        # One query: the totals of every row and the page's rows (LIMIT/OFFSET).
        report = receivables_aging(
            user=request.user,
            as_of=params["as_of"],
            by=params["by"],
            page=_window(paginator, request),
        )
        rows = paginator.paginate_queryset(report["rows"], request, view=self)
        amounts = [*BUCKET_KEYS, "total"]
        return Response(
            {
                "as_of": report["as_of"],
                "by": report["by"],
                "buckets": [str(label) for _key, label in BUCKETS],
                "definition": str(report["definition"]),
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "rows": [
                    {"id": r["id"], "name": r["name"], **{k: _money(r[k]) for k in amounts}}
                    for r in rows
                ],
                "totals": {k: _money(report["totals"][k]) for k in amounts},
            }
        )


class CollectionRateView(APIView):
    permission_classes = [ReportPermission]

    @extend_schema(
        operation_id="reports_collection_rate",
        summary="Collection rate (回款率) in a period",
        description=(
            "Of the receivables whose due date falls in [from, to], the share paid by payments "
            "received on or before `to`, per month (every month of the period), customer or "
            "salesperson. A salesperson sees own customers only."
        ),
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First day (default: 11 months before this month's first)",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description="Last day (default today); at most three years after from",
            ),
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                enum=["month", "customer", "salesperson"],
                description="Default month",
            ),
        ],
        responses={200: CollectionReport, **ERRORS},
        tags=["reports"],
    )
    def get(self, request):
        form = CollectionRateForm(request.query_params)
        checked(form)
        report = collection_rate(user=request.user, **form.params())
        return Response(
            {
                "from": report["start"],
                "to": report["end"],
                "by": report["by"],
                "definition": str(report["definition"]),
                "rows": [
                    {
                        "key": None if r["key"] is None else str(r["key"]),
                        "label": r["label"],
                        "due": _money(r["due"]),
                        "collected": _money(r["collected"]),
                        "rate": None if r["rate"] is None else str(r["rate"]),
                    }
                    for r in report["rows"]
                ],
                "totals": {
                    "due": _money(report["totals"]["due"]),
                    "collected": _money(report["totals"]["collected"]),
                    "rate": None
                    if report["totals"]["rate"] is None
                    else str(report["totals"]["rate"]),
                },
            }
        )


def register(router) -> None:
    """Reports are not resources: they have paths of their own (extra_urls)."""


def extra_urls() -> list:
    return [
        path("reports/aging/", AgingView.as_view(), name="report-aging"),
        path(
            "reports/collection-rate/", CollectionRateView.as_view(), name="report-collection-rate"
        ),
    ]
