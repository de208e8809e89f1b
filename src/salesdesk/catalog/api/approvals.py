"""JSON API for sample approvals (R-3.4): scoped like customers, written through the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.api.mixins import FilteredListMixin
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import ApprovalStatus
from ..models import Approval, Product
from ..selectors import approvals as selectors
from ..services import approvals as services

ApprovalPermission = api_permission(roles.reads_customers, roles.edits_customers)


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer id the caller may read; others read as 'does not exist'."""

    def get_queryset(self):
        request = self.context.get("request")
        return scope_by_customer(Customer.objects.all(), getattr(request, "user", None))


class ApprovalSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    current = serializers.SerializerMethodField(
        help_text=_("true when this is the product's current revision")
    )

    class Meta:
        model = Approval
        fields = [
            "id",
            "customer",
            "customer_name",
            "product",
            "product_code",
            "product_name",
            "revision",
            "current",
            "status",
            "sample_sent_on",
            "decided_on",
            "customer_feedback",
            "improvement_request",
            "created_at",
        ]
        read_only_fields = [
            "revision",
            "status",
            "decided_on",
            "customer_feedback",
            "improvement_request",
            "created_at",
        ]

    def get_current(self, obj) -> bool:
        return obj.revision == obj.product.revision


class ApprovalDecisionSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    decided_on = serializers.DateField()
    customer_feedback = serializers.CharField(required=False, allow_blank=True, default="")
    improvement_request = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when approved is false")
    )


class ApprovalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ApprovalStatus.choices, required=False, allow_blank=True
    )
    customer = serializers.IntegerField(required=False, min_value=1)
    product = serializers.IntegerField(required=False, min_value=1)
    search = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Customer or product")
    )


@extend_schema_view(
    list=extend_schema(summary="List sample approvals", parameters=[ApprovalFilterSerializer]),
    retrieve=extend_schema(summary="One sample approval"),
    create=extend_schema(summary="Record a sample sent for approval"),
)
class ApprovalViewSet(
    FilteredListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sample approvals of the customers in the caller's scope: key accounts first, pending first."""

    serializer_class = ApprovalSerializer
    permission_classes = [ApprovalPermission]
    filter_serializer_class = ApprovalFilterSerializer
    detail_filters = {}

    def get_queryset(self):
        return selectors.approval_list(user=self.request.user, **self.query_filters())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.approval_request(by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(approval).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ApprovalDecisionSerializer,
        responses=ApprovalSerializer,
        summary="Record the customer's decision",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        approval = self.get_object()
        decision = ApprovalDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        approval = services.approval_decide(
            approval=approval, by=request.user, **decision.validated_data
        )
        return Response(self.get_serializer(approval).data)


def register(router) -> None:
    router.register("approvals", ApprovalViewSet, basename="approval")


def extra_urls() -> list:
    return []
