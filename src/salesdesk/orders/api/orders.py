"""JSON API for orders and their promises: reads through the selectors, writes through the services.

Amount fields are left out of every answer for roles that do not see money (the warehouse).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.catalog.models import Product
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import OrderChannel, OrderState, ProductionStatus
from ..models import Order, OrderLine, PromiseChange
from ..selectors import orders as selectors
from ..selectors.promises import promise_history
from ..services import orders as services
from ..services.production import production_update
from ..services.promises import promise_change

OrderPermission = api_permission(roles.reads_orders, roles.edits_orders)
ProductionPermission = api_permission(roles.reads_orders, roles.updates_production)

MONEY_FIELDS = (
    "total_amount",
    "shipped_amount",
    "invoiced_amount",
    "paid_amount",
    "unit_price",
    "amount",
)


class MoneyHidingMixin:
    """Drop amount fields from the answer when the caller's role does not see money."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not roles.sees_money(request.user):
            for name in MONEY_FIELDS:
                data.pop(name, None)
        return data


class OrderLineSerializer(MoneyHidingMixin, serializers.ModelSerializer):
    """One order line; `unit_price` and `amount` only for roles that see money."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    open_quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, required=False
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, required=False
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "line_no",
            "product",
            "product_code",
            "product_name",
            "quantity",
            "shipped_quantity",
            "open_quantity",
            "unit_price",
            "amount",
            "note",
        ]
        read_only_fields = fields


class PromiseChangeSerializer(serializers.ModelSerializer):
    """One answer on the delivery date: the first promise (old_date null) or a change."""

    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = PromiseChange
        fields = [
            "id",
            "old_date",
            "new_date",
            "reason",
            "customer_accepted",
            "changed_at",
            "changed_by",
            "changed_by_name",
        ]
        read_only_fields = fields

    def get_changed_by_name(self, obj) -> str | None:
        return str(obj.changed_by) if obj.changed_by_id else None


def _money(max_digits: int = 14):
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=2, read_only=True, required=False
    )


class OrderSerializer(MoneyHidingMixin, serializers.ModelSerializer):
    """An order as lists show it. Amounts only for roles that see money."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    salesperson_name = serializers.SerializerMethodField()
    risk_reason = serializers.CharField(
        read_only=True, default="", help_text=_("delayed, overdue, due_soon or empty")
    )
    total_amount = _money()
    shipped_amount = _money()
    invoiced_amount = _money()
    paid_amount = _money()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "customer_code",
            "customer_name",
            "salesperson",
            "salesperson_name",
            "channel",
            "order_date",
            "requested_date",
            "contract_number",
            "contract_terms",
            "notes",
            "state",
            "promised_date",
            "promise_answered_at",
            "production_status",
            "production_note",
            "production_updated_at",
            "risk_reason",
            "total_amount",
            "shipped_amount",
            "invoiced_amount",
            "paid_amount",
            "last_shipped_on",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
            "closed_at",
        ]
        read_only_fields = fields

    def get_salesperson_name(self, obj) -> str:
        return str(obj.salesperson)


class OrderDetailSerializer(OrderSerializer):
    """One order with its lines and its current promise (the latest answer)."""

    lines = OrderLineSerializer(many=True, read_only=True, source="prefetched_lines")
    current_promise = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "current_promise"]
        read_only_fields = fields

    @extend_schema_field(PromiseChangeSerializer(allow_null=True))
    def get_current_promise(self, obj) -> dict | None:
        changes = getattr(obj, "prefetched_promises", None)
        if changes is None:
            changes = list(promise_history(obj))
        return PromiseChangeSerializer(changes[-1]).data if changes else None


# --- input ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer id in the caller's scope; others read as 'does not exist'."""

    def get_queryset(self):
        request = self.context.get("request")
        return scope_by_customer(Customer.objects.all(), getattr(request, "user", None))


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text=_("Blank: the product's list price"),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OrderCreateSerializer(serializers.Serializer):
    """A new draft order. A salesperson orders for own customers; the office names the salesperson
    (default: the customer's owner)."""

    customer = ScopedCustomerField()
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(
        choices=OrderChannel.choices, default=OrderChannel.SALESPERSON
    )
    order_date = serializers.DateField(required=False, help_text=_("Default: today"))
    requested_date = serializers.DateField(required=False, allow_null=True)
    contract_number = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contract_terms = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = OrderLineInputSerializer(many=True, allow_empty=True)

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        data.setdefault("order_date", timezone.localdate())
        data["lines"] = [dict(line) for line in data["lines"]]
        return data


class ConfirmSerializer(serializers.Serializer):
    promised_date = serializers.DateField(required=False, allow_null=True, default=None)
    customer_accepted = serializers.BooleanField(required=False, allow_null=True, default=None)


class PromiseSerializer(ConfirmSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ProductionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProductionStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class OrderFilterSerializer(serializers.Serializer):
    """Query parameters of the order list (the same filters as the page)."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Order number, contract number, customer name, code or pinyin"),
    )
    state = serializers.ChoiceField(choices=OrderState.choices, required=False, allow_blank=True)
    customer = serializers.IntegerField(required=False, min_value=1)
    salesperson = serializers.IntegerField(required=False, min_value=1)
    promise_due = serializers.ChoiceField(
        choices=[key for key, _label in selectors.PROMISE_DUE_CHOICES],
        required=False,
        allow_blank=True,
    )
    at_risk = serializers.BooleanField(required=False, default=False)
    key_first = serializers.BooleanField(required=False, default=False)


# --- endpoints ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List orders", parameters=[OrderFilterSerializer]),
    retrieve=extend_schema(summary="One order with its lines and current promise"),
    create=extend_schema(
        summary="Enter a draft order",
        request=OrderCreateSerializer,
        responses={201: OrderDetailSerializer},
    ),
)
class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Orders in the caller's scope: a salesperson sees own customers' orders, the warehouse all (no money)."""

    permission_classes = [OrderPermission]

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            params = OrderFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            return selectors.order_list(user=user, **params.validated_data)
        return selectors.order_list(user=user).prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product").order_by("line_no"),
                to_attr="prefetched_lines",
            ),
            Prefetch(
                "promise_changes",
                queryset=PromiseChange.objects.select_related("changed_by").order_by(
                    "changed_at", "id"
                ),
                to_attr="prefetched_promises",
            ),
        )

    def _respond(self, order, code=status.HTTP_200_OK) -> Response:
        order = self.get_queryset().get(pk=order.pk)
        return Response(
            OrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        order = services.order_create(by=request.user, **serializer.service_data())
        return self._respond(order, status.HTTP_201_CREATED)

    @extend_schema(
        request=ConfirmSerializer,
        responses=OrderDetailSerializer,
        summary="Confirm a draft with a promised date",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = self.get_object()
        params = ConfirmSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.order_confirm(order=order, by=request.user, **params.validated_data)
        return self._respond(order)

    @extend_schema(
        request=PromiseSerializer,
        responses=OrderDetailSerializer,
        summary="Change the promised date",
    )
    @action(detail=True, methods=["post"])
    def promise(self, request, pk=None):
        order = self.get_object()
        params = PromiseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        promise_change(order=order, by=request.user, **params.validated_data)
        return self._respond(order)

    @extend_schema(
        request=None, responses=PromiseChangeSerializer(many=True), summary="The promise history"
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def promises(self, request, pk=None):
        order = self.get_object()
        return Response(PromiseChangeSerializer(order.prefetched_promises, many=True).data)

    @extend_schema(
        request=ProductionSerializer,
        responses=OrderDetailSerializer,
        summary="Set the production status",
    )
    @action(detail=True, methods=["post"], permission_classes=[ProductionPermission])
    def production(self, request, pk=None):
        order = self.get_object()
        params = ProductionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        production_update(order=order, by=request.user, **params.validated_data)
        return self._respond(order)

    @extend_schema(
        request=ReasonSerializer,
        responses=OrderDetailSerializer,
        summary="Cancel an order with a reason",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        params = ReasonSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.order_cancel(order=order, by=request.user, **params.validated_data)
        return self._respond(order)

    @extend_schema(
        request=ReasonSerializer, responses=OrderDetailSerializer, summary="Close a shipped order"
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = self.get_object()
        params = ReasonSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.order_close(order=order, by=request.user, **params.validated_data)
        return self._respond(order)


def register(router) -> None:
    router.register("orders", OrderViewSet, basename="order")


def extra_urls() -> list:
    return []
