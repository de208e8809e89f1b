"""GET /api/v1/reports/targets/: the year's targets and progress (R-8.4), the same figures as
the targets page and scoped the same (a salesperson: own and the department's). PUT or POST
sets targets for the target editors, all or nothing, checked as on the page. Amounts are
exact decimal strings ("1234.50"), shares percent strings with 1 decimal ("73.4")."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
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
from salesdesk.api.errors import ErrorSerializer
from salesdesk.core.permissions import api_permission

from ..forms.targets import TargetYearForm
from ..selectors.targets import MONTHS, target_grid, target_progress
from ..services.targets import TargetEntry, parse_year, targets_set

TargetPermission = api_permission(roles.reads_reports, roles.edits_targets)


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _percent(value) -> str | None:
    return None if value is None else str(value)


def progress_row(row) -> dict:
    return {
        "salesperson": row.salesperson_id,
        "username": row.salesperson.username if row.salesperson else None,
        "name": row.name,
        "target_year": _money(row.target_year),
        "booked_year": _money(row.booked_year),
        "share": _percent(row.share),
        "target_month": _money(row.target_month),
        "booked_month": _money(row.booked_month),
        "month_share": _percent(row.month_share),
        "remaining": _money(row.remaining),
        "needed_per_month": _money(row.needed_per_month),
        "needed_per_working_day": _money(row.needed_per_working_day),
        "on_track": row.on_track,
    }


def report(user, year: int, as_of) -> dict:
    """The API's answer: the page's progress and the targets behind it."""
    progress = target_progress(user, year, as_of)
    grid = target_grid(user, year)
    targets = []
    for row in grid.rows:
        pid = row.salesperson.pk if row.salesperson else None
        for month, value in [(None, row.annual), *zip(MONTHS, row.months, strict=True)]:
            if value is not None:
                targets.append({"salesperson": pid, "month": month, "amount": _money(value)})
    return {
        "year": progress.year,
        "as_of": progress.as_of,
        "month": progress.month,
        "elapsed": _percent(progress.elapsed),
        "remaining_months": progress.remaining_months,
        "remaining_working_days": progress.remaining_working_days,
        "department": progress_row(progress.department),
        "people": [progress_row(r) for r in progress.people],
        "targets": targets,
    }


def _entries(data) -> tuple[object, list[TargetEntry]]:
    """The body's year and targets as the service's entries, errors named by their path."""
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {"non_field_errors": [_("Send an object with year and targets.")]}
        )
    items = data.get("targets")
    if not isinstance(items, list) or not items:
        raise serializers.ValidationError({"targets": [_("Give a list of targets.")]})
    errors, entries = {}, []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"targets.{i}"] = [
                _("Each target is an object with salesperson, month and amount.")
            ]
        elif "amount" not in item:
            errors[f"targets.{i}.amount"] = [_("Give the amount (null clears the target).")]
        else:
            entries.append(
                TargetEntry(
                    key=f"targets.{i}.amount",
                    salesperson=item.get("salesperson"),
                    month=item.get("month"),
                    amount=item["amount"],
                    salesperson_key=f"targets.{i}.salesperson",
                    month_key=f"targets.{i}.month",
                )
            )
    if errors:
        raise serializers.ValidationError(errors)
    return data.get("year"), entries


ROW_FIELDS = {
    "salesperson": serializers.IntegerField(
        allow_null=True, help_text="User id; null for the department"
    ),
    "username": serializers.CharField(allow_null=True),
    "name": serializers.CharField(),
    "target_year": serializers.CharField(allow_null=True, help_text="Annual target, yuan"),
    "booked_year": serializers.CharField(help_text="Booked January through `month`, yuan"),
    "share": serializers.CharField(
        allow_null=True, help_text="booked_year ÷ target_year in percent, 1 decimal"
    ),
    "target_month": serializers.CharField(allow_null=True),
    "booked_month": serializers.CharField(),
    "month_share": serializers.CharField(allow_null=True),
    "remaining": serializers.CharField(
        allow_null=True, help_text="target_year − booked_year, not below 0"
    ),
    "needed_per_month": serializers.CharField(
        allow_null=True, help_text="remaining ÷ remaining_months, rounded up to the fen"
    ),
    "needed_per_working_day": serializers.CharField(
        allow_null=True,
        help_text="remaining ÷ remaining_working_days, rounded up to the fen",
    ),
    "on_track": serializers.BooleanField(
        allow_null=True, help_text="share ≥ elapsed; null without an annual target"
    ),
}


# One class for both uses: the schema needs one component of that name.
ProgressRowSerializer = type(inline_serializer("TargetProgressRow", ROW_FIELDS))


def _row(**kwargs):
    return ProgressRowSerializer(**kwargs)


TARGET = {
    "salesperson": serializers.IntegerField(allow_null=True, help_text="null: the department"),
    "month": serializers.IntegerField(allow_null=True, help_text="1–12; null: the annual target"),
    "amount": serializers.CharField(allow_null=True, help_text="Yuan, at most 2 decimals"),
}
TargetReport = inline_serializer(
    "TargetReport",
    {
        "year": serializers.IntegerField(),
        "as_of": serializers.DateField(),
        "month": serializers.IntegerField(help_text="The month measured"),
        "elapsed": serializers.CharField(help_text="Share of the year elapsed, percent"),
        "remaining_months": serializers.IntegerField(help_text="This month included"),
        "remaining_working_days": serializers.IntegerField(help_text="Today included"),
        "department": _row(),
        "people": _row(many=True),
        "targets": inline_serializer("TargetValue", TARGET, many=True),
    },
)
TargetInput = inline_serializer(
    "TargetInput",
    {
        "year": serializers.IntegerField(),
        "targets": inline_serializer(
            "TargetInputItem",
            {
                **TARGET,
                "salesperson": serializers.CharField(
                    allow_null=True,
                    help_text="User id, username or name of a salesperson; null: the department",
                ),
            },
            many=True,
        ),
    },
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A value is not valid (named in errors)"),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
    403: OpenApiResponse(ErrorSerializer, description="The role may not read or set targets"),
}
WRITE = dict(
    summary="Set sales targets",
    description=(
        "Sets the given targets of one year, all or nothing: any bad entry (not a number, "
        "negative, more than 2 decimals, unknown salesperson, month outside 1–12, the same "
        "target twice) and nothing is written; errors name the entry, e.g. "
        "`targets.2.amount`. An amount of null clears that target. Targets not given are "
        "left as they are. For the sales assistant, the director and the administrator. "
        "Answers the year's report as GET does."
    ),
    request=TargetInput,
    responses={200: TargetReport, **ERRORS},
    examples=[
        OpenApiExample(
            "Targets",
            request_only=True,
            value={
                "year": 2026,
                "targets": [
                    {"salesperson": None, "month": None, "amount": "12000000.00"},
                    {"salesperson": "sales1", "month": 3, "amount": "350000.00"},
                ],
            },
        )
    ],
    tags=["reports"],
)


class TargetsView(APIView):
    permission_classes = [TargetPermission]

    @extend_schema(
        operation_id="reports_targets",
        summary="Sales targets and progress",
        description=(
            "The department's and each salesperson's annual and monthly targets with booked "
            "sales (接单额: confirmed orders by order date) so far, the share reached, the "
            "share of the year elapsed and the run rate needed to make the year. A "
            "salesperson sees own figures and the department's."
        ),
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Default this year"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default today"),
        ],
        responses={200: TargetReport, **ERRORS},
        tags=["reports"],
    )
    def get(self, request):
        form = TargetYearForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: list(errors) for name, errors in form.errors.items()}
            )
        return Response(report(request.user, **form.params()))

    @extend_schema(operation_id="reports_targets_set", **WRITE)
    def put(self, request):
        year, entries = _entries(request.data)
        targets_set(by=request.user, year=year, entries=entries)
        return Response(report(request.user, parse_year(year), timezone.localdate()))

    @extend_schema(operation_id="reports_targets_create", **WRITE)
    def post(self, request):
        return self.put(request)


def register(router) -> None:
    """Reports are not resources: they have paths of their own (extra_urls)."""


def extra_urls() -> list:
    return [path("reports/targets/", TargetsView.as_view(), name="report-targets")]
