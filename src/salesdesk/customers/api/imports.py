"""POST /api/v1/imports/customers/: the customer import (C-2) for other programs."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.accounts import roles
from salesdesk.api.errors import ErrorSerializer
from salesdesk.core.imports import check_xlsx
from salesdesk.core.permissions import api_permission

from ..services import imports as services


class CustomerImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The .xlsx workbook: sheet 客户 (customers), optional sheet 联系人 (contacts)."
    )
    dry_run = serializers.BooleanField(
        default=True,
        help_text="true (default): check only, write nothing. false: import all or nothing.",
    )

    def validate_file(self, file):
        content = file.read()
        try:
            check_xlsx(content)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["file"]) from exc
        return content


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="The sheet the problem is in.")
    row = serializers.IntegerField(
        allow_null=True, help_text="The Excel row number; null for the whole sheet."
    )
    column = serializers.CharField(
        help_text="The column header as written in the sheet; empty for the whole row."
    )
    message = serializers.CharField()


class CustomerImportResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="false: nothing was written; see errors.")
    errors = ImportErrorSerializer(many=True)
    created = serializers.IntegerField(
        help_text="Customers created (or that would be, on a dry run)."
    )
    updated = serializers.IntegerField(help_text="Existing customers changed by code.")
    contacts_created = serializers.IntegerField()
    contacts_updated = serializers.IntegerField()


class CustomerImportView(APIView):
    permission_classes = [api_permission(roles.edits_customers)]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_customers_create",
        summary="Import customers and contacts from an .xlsx workbook",
        description=(
            "Every row is checked; any problem and nothing is written (valid=false with every error by "
            "row and column). Rows update existing customers by code (the owner is kept); a blank code "
            "creates a customer. A salesperson imports only own customers."
        ),
        request={"multipart/form-data": CustomerImportSerializer},
        # extend_schema replaces the generated responses, so the error ones are listed here.
        responses={
            200: CustomerImportResultSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No file, or not an .xlsx workbook"),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
            403: OpenApiResponse(ErrorSerializer, description="The role may not import customers"),
        },
        examples=[
            OpenApiExample(
                "Rejected",
                value={
                    "valid": False,
                    "errors": [{"sheet": "客户", "row": 5, "column": "手机", "message": "…"}],
                    "created": 0,
                    "updated": 0,
                    "contacts_created": 0,
                    "contacts_updated": 0,
                },
                response_only=True,
            )
        ],
        tags=["imports"],
    )
    def post(self, request):
        params = CustomerImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        result = services.customer_import(
            by=request.user,
            content=params.validated_data["file"],
            filename=getattr(request.data.get("file"), "name", ""),
            dry_run=params.validated_data["dry_run"],
        )
        return Response(result.as_dict())


def register(router) -> None:
    """The import is an action, not a resource: it has a path of its own (extra_urls)."""


def extra_urls() -> list:
    return [path("imports/customers/", CustomerImportView.as_view(), name="import-customers")]
