"""JSON API for the headquarters disputes register (R-5.5): list, read, open, change status,
attach a document. Read by those who read the customer (scoped the same way); written by
finance, the sales assistant and the admin."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import DisputeKind, DisputeStatus
from ..forms.disputes import owner_choices
from ..models import Dispute, DisputeDocument
from ..selectors import disputes as selectors
from ..services import disputes as services

DisputePermission = api_permission(roles.reads_receivables, roles.reconciles)


class DisputeDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DisputeDocument
        fields = ["id", "filename", "content_type", "size", "uploaded_at", "uploaded_by", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return reverse("finance:dispute-document", args=[obj.dispute_id, obj.pk])


class DisputeSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner", read_only=True)
    age_days = serializers.SerializerMethodField(help_text=_("Days open, until closed or today"))

    class Meta:
        model = Dispute
        fields = [
            "id",
            "customer",
            "customer_name",
            "title",
            "kind",
            "amount",
            "period",
            "owner",
            "owner_name",
            "status",
            "opened_on",
            "closed_on",
            "age_days",
            "description",
            "resolution",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_age_days(self, obj) -> int:
        return ((obj.closed_on or timezone.localdate()) - obj.opened_on).days


class DisputeHistorySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    status_from = serializers.CharField(allow_null=True)
    status_to = serializers.CharField()
    note = serializers.CharField()


class DisputeDetailSerializer(DisputeSerializer):
    documents = DisputeDocumentSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()

    class Meta(DisputeSerializer.Meta):
        fields = [*DisputeSerializer.Meta.fields, "documents", "history"]
        read_only_fields = fields

    @extend_schema_field(DisputeHistorySerializer(many=True))
    def get_history(self, obj):
        return DisputeHistorySerializer(selectors.dispute_history(obj), many=True).data


@extend_schema_field(OpenApiTypes.INT)
class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return scope_by_customer(Customer.objects.all(), getattr(request, "user", None))


class DisputeCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField()
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DisputeKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    period = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(queryset=owner_choices())
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DisputeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to close (the resolution) and to reopen"),
    )


class DisputeDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Any file, at most 10 MB"))


class DisputeFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s, s) for s in selectors.STATUS_FILTERS],
        required=False,
        default="active",
        help_text=_("`active` (not closed, the default), `closed`, `all` or one status"),
    )
    kind = serializers.ChoiceField(choices=DisputeKind.choices, required=False, default="")
    customer = serializers.IntegerField(required=False, min_value=1)
    owner = serializers.IntegerField(required=False, min_value=1)
    search = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="The disputes register", parameters=[DisputeFilterSerializer]),
    retrieve=extend_schema(
        summary="One dispute with documents and history", responses=DisputeDetailSerializer
    ),
    create=extend_schema(
        summary="Register a dispute",
        request=DisputeCreateSerializer,
        responses={201: DisputeDetailSerializer},
    ),
)
class DisputeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Disputed old balances with group headquarters, open first."""

    serializer_class = DisputeSerializer
    permission_classes = [DisputePermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            filters = DisputeFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            return selectors.dispute_list(user=self.request.user, **filters.validated_data)
        return selectors.dispute_list(user=self.request.user, status="all")

    def get_serializer_class(self):
        return DisputeSerializer if self.action == "list" else DisputeDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object().pk)

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        dispute = selectors.dispute_get(user=self.request.user, pk=pk)
        return Response(
            DisputeDetailSerializer(dispute, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = DisputeCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        dispute = services.dispute_open(by=request.user, **serializer.validated_data)
        return self._detail(dispute.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the status (close, reopen) with a note",
        request=DisputeStatusSerializer,
        responses={200: DisputeDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        dispute = self.get_object()
        serializer = DisputeStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dispute_update(dispute=dispute, by=request.user, **serializer.validated_data)
        return self._detail(dispute.pk)

    @extend_schema(
        summary="Attach a document",
        request={"multipart/form-data": DisputeDocumentUploadSerializer},
        responses={201: DisputeDocumentSerializer},
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        dispute = self.get_object()
        serializer = DisputeDocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.dispute_attach(
            dispute=dispute, by=request.user, file=serializer.validated_data["file"]
        )
        return Response(DisputeDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("disputes", DisputeViewSet, basename="dispute")


def extra_urls() -> list:
    return []
