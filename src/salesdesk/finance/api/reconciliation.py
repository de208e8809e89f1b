"""JSON API for reconciliations with finance's ledger (R-5.4): list past runs, read one with its
differences, run one (multipart `file`, optional `mapping` JSON and period), and resolve or
correct a difference. Finance, the sales assistant and the admin only (roles.reconciles)."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import DifferenceKind
from ..models import Difference, Reconciliation
from ..selectors import reconciliation as selectors
from ..services import reconciliation as services

ReconcilePermission = api_permission(roles.reconciles)


class DifferenceSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(
        source="customer.name", read_only=True, allow_null=True, default=None
    )
    ledger_kind = serializers.SerializerMethodField(
        help_text=_("`sale` or `receipt`, for a ledger line")
    )
    resolved_by_name = serializers.CharField(
        source="resolved_by", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Difference
        fields = [
            "id",
            "kind",
            "status",
            "customer",
            "customer_name",
            "invoice_number",
            "ledger_row",
            "ledger_kind",
            "ledger_data",
            "receivable",
            "payment",
            "ledger_amount",
            "salesdesk_amount",
            "ledger_date",
            "salesdesk_date",
            "note",
            "resolved_at",
            "resolved_by",
            "resolved_by_name",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_ledger_kind(self, obj) -> str:
        return obj.ledger_data.get("ledger_kind", "")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "description": "Differences per kind: " + ", ".join(DifferenceKind.values),
    }
)
class CountsField(serializers.Field):
    def to_representation(self, run):
        return {kind.value: getattr(run, f"n_{kind.value}", 0) for kind in DifferenceKind}


class ReconciliationSerializer(serializers.ModelSerializer):
    counts = CountsField(source="*", read_only=True)
    open_count = serializers.IntegerField(source="n_open", read_only=True)
    created_by_name = serializers.CharField(source="created_by", read_only=True)

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "filename",
            "period_start",
            "period_end",
            "rows_read",
            "matched",
            "counts",
            "open_count",
            "mapping",
            "created_at",
            "created_by",
            "created_by_name",
        ]
        read_only_fields = fields


class ReconciliationDetailSerializer(ReconciliationSerializer):
    differences = serializers.SerializerMethodField()

    class Meta(ReconciliationSerializer.Meta):
        fields = [*ReconciliationSerializer.Meta.fields, "differences"]
        read_only_fields = fields

    @extend_schema_field(DifferenceSerializer(many=True))
    def get_differences(self, run):
        request = self.context["request"]
        qs = selectors.difference_list(user=request.user, reconciliation=run, status="all")
        return DifferenceSerializer(qs, many=True, context=self.context).data


class ReconciliationRunSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Finance's ledger, .xlsx"))
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            'JSON object field → column (index from 0 or header text), e.g. {"date": "日期", "number": "发票号", '
            '"customer": "客户名称", "debit": "借方", "credit": "贷方"}. Omitted: the mapping remembered for these headers.'
        ),
    )
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_mapping(self, value):
        if not value:
            return None
        try:
            data = json.loads(value)
        except ValueError:
            raise serializers.ValidationError(_("Not valid JSON.")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give the mapping as an object {field: column}."))
        return data


class DifferenceActionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300)
    customer = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Customer code, only to correct a sale whose customer finance names differently"
        ),
    )

    def validate_customer(self, value):
        if not value:
            return None
        user = self.context["request"].user
        customer = (
            scope_by_customer(Customer.objects.all(), user)
            .filter(code__iexact=value.strip())
            .first()
        )
        if customer is None:
            raise serializers.ValidationError(_("No customer with this code exists."))
        return customer


DIFF_PARAM = OpenApiParameter(
    "diff_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Difference id"
)


@extend_schema_view(
    list=extend_schema(summary="Past reconciliations with counts by kind"),
    retrieve=extend_schema(
        summary="One reconciliation with its differences", responses=ReconciliationDetailSerializer
    ),
    create=extend_schema(
        summary="Reconcile finance's ledger",
        request={"multipart/form-data": ReconciliationRunSerializer},
        responses={201: ReconciliationDetailSerializer},
    ),
)
class ReconciliationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reconciliations with finance's ledger; a run returns every difference by kind."""

    serializer_class = ReconciliationSerializer
    permission_classes = [ReconcilePermission]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.reconciliation_list(user=self.request.user)

    def get_serializer_class(self):
        return (
            ReconciliationDetailSerializer
            if self.action == "retrieve"
            else ReconciliationSerializer
        )

    def _detail(self, run, code=status.HTTP_200_OK) -> Response:
        run = selectors.reconciliation_get(user=self.request.user, pk=run.pk)
        return Response(
            ReconciliationDetailSerializer(run, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = ReconciliationRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        file = data["file"]
        run = services.reconciliation_run(
            by=request.user,
            content=file.read(),
            filename=file.name,
            mapping=data.get("mapping"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
        )
        return self._detail(run, status.HTTP_201_CREATED)

    def _act(self, request, pk, diff_id, call) -> Response:
        run = self.get_object()
        difference = selectors.difference_get(user=request.user, reconciliation=run, pk=diff_id)
        serializer = DifferenceActionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        difference = call(difference, serializer.validated_data)
        difference = selectors.difference_get(user=request.user, reconciliation=run, pk=diff_id)
        return Response(
            DifferenceSerializer(difference, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Resolve a difference with a note",
        parameters=[DIFF_PARAM],
        request=DifferenceActionSerializer,
        responses={200: DifferenceSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"differences/(?P<diff_id>[0-9]+)/resolve")
    def resolve(self, request, pk=None, diff_id=None):
        return self._act(
            request,
            pk,
            diff_id,
            lambda d, data: services.difference_resolve(
                difference=d, by=request.user, note=data["note"]
            ),
        )

    @extend_schema(
        summary="Turn a difference into a correction",
        description="A sale missing in SalesDesk becomes a receivable from its invoice; other kinds record the note.",
        parameters=[DIFF_PARAM],
        request=DifferenceActionSerializer,
        responses={200: DifferenceSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"differences/(?P<diff_id>[0-9]+)/correct")
    def correct(self, request, pk=None, diff_id=None):
        return self._act(
            request,
            pk,
            diff_id,
            lambda d, data: services.difference_correct(
                difference=d, by=request.user, note=data["note"], customer=data.get("customer")
            ),
        )


def register(router) -> None:
    router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")


def extra_urls() -> list:
    return []
