"""JSON API for shipments: list, detail, record, notify the customer, record receipt (R-4.5).

Scoped as the pages: a salesperson reads the shipments of own customers, the warehouse reads
all of them and gets no amounts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.api.mixins import FilteredListMixin
from salesdesk.core.permissions import api_permission

from ..choices import NoticeChannel
from ..models import Shipment, ShipmentLine, ShipmentNotice
from ..selectors import shipments as selectors
from ..services import notices
from ..services import shipments as services

ShipmentPermission = api_permission(roles.reads_orders, roles.records_shipments)
NotifyPermission = api_permission(
    roles.reads_orders, lambda user: roles.records_shipments(user) or roles.edits_orders(user)
)


class MoneyHidingMixin:
    """Drop money fields for people who may not see money (the warehouse)."""

    money_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not roles.sees_money(request.user):
            for name in self.money_fields:
                data.pop(name, None)
        return data


class ShipmentLineSerializer(MoneyHidingMixin, serializers.ModelSerializer):
    money_fields = ("amount", "unit_price")

    line_no = serializers.IntegerField(source="order_line.line_no", read_only=True)
    product = serializers.IntegerField(source="order_line.product_id", read_only=True)
    product_code = serializers.CharField(source="order_line.product.code", read_only=True)
    product_name = serializers.CharField(source="order_line.product.name", read_only=True)
    spec = serializers.CharField(source="order_line.product.spec", read_only=True)
    unit_price = serializers.DecimalField(
        source="order_line.unit_price", max_digits=12, decimal_places=4, read_only=True
    )

    class Meta:
        model = ShipmentLine
        fields = [
            "id",
            "order_line",
            "line_no",
            "product",
            "product_code",
            "product_name",
            "spec",
            "quantity",
            "checked_quantity",
            "damaged_quantity",
            "unit_price",
            "amount",
        ]
        read_only_fields = fields


# A pattern, not an enum: drf-spectacular would name the enum "Channel…" and collide with the
# follow-ups' channel choices (an ENUM_NAME_OVERRIDES entry in settings would also do).
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(NoticeChannel.values) + ")$",
        "description": "`email` or `message` (a WeChat/QQ/SMS text)",
    }
)
class NoticeChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=NoticeChannel.choices, **kwargs)


class ShipmentNoticeSerializer(serializers.ModelSerializer):
    channel = NoticeChannelField(read_only=True)
    sent_by_name = serializers.CharField(source="sent_by", read_only=True, allow_null=True)

    class Meta:
        model = ShipmentNotice
        fields = [
            "id",
            "channel",
            "recipients",
            "subject",
            "message",
            "sent_at",
            "sent_by",
            "sent_by_name",
        ]
        read_only_fields = fields


class ShipmentSerializer(MoneyHidingMixin, serializers.ModelSerializer):
    """A shipment with its lines and notices. `amount` is left out for the warehouse."""

    money_fields = ("amount",)

    order_number = serializers.CharField(source="order.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)
    notices = ShipmentNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "customer",
            "customer_name",
            "ship_date",
            "carrier",
            "carrier_phone",
            "tracking_number",
            "notes",
            "amount",
            "notified_at",
            "received_at",
            "received_by_name",
            "created_at",
            "lines",
            "notices",
        ]
        read_only_fields = fields


class ShipmentLineInputSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1, help_text=_("Id of a line of the order"))
    quantity = serializers.IntegerField(min_value=1)
    checked_quantity = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_("Defaults to the quantity shipped"),
    )
    damaged_quantity = serializers.IntegerField(min_value=0, required=False, default=0)


@extend_schema_field(OpenApiTypes.INT)
class ScopedOrderField(serializers.PrimaryKeyRelatedField):
    """An order id the caller may read; others read as 'does not exist'."""

    def get_queryset(self):
        from salesdesk.core.scoping import scope_orders

        from ..models import Order

        request = self.context.get("request")
        return scope_orders(
            Order.objects.select_related("customer"), getattr(request, "user", None)
        )


class ShipmentCreateSerializer(serializers.Serializer):
    order = ScopedOrderField()
    ship_date = serializers.DateField()
    carrier = serializers.CharField(max_length=50)
    carrier_phone = serializers.CharField(max_length=30)
    tracking_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # Empty is let through so the service answers it on "lines" itself.
    lines = ShipmentLineInputSerializer(many=True, allow_empty=True)


class ShipmentFilterSerializer(serializers.Serializer):
    notified = serializers.BooleanField(required=False, allow_null=True, default=None)
    received = serializers.BooleanField(required=False, allow_null=True, default=None)
    customer = serializers.IntegerField(required=False, min_value=1)
    order = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Shipment, order or tracking number, carrier or customer"),
    )


class NotifySerializer(serializers.Serializer):
    channel = NoticeChannelField(default=NoticeChannel.EMAIL)
    recipients = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For a WeChat/QQ/SMS text: to whom it was sent"),
    )


class NotifyResultSerializer(serializers.Serializer):
    notified_at = serializers.DateTimeField()
    channel = serializers.CharField()
    recipients = serializers.ListField(child=serializers.CharField())
    message_text = serializers.CharField()


class ReceiveSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    received_by_name = serializers.CharField(max_length=50)


@extend_schema_view(
    list=extend_schema(summary="List shipments", parameters=[ShipmentFilterSerializer]),
    retrieve=extend_schema(summary="One shipment with lines and notices"),
    create=extend_schema(
        summary="Record a shipment",
        request=ShipmentCreateSerializer,
        responses={201: ShipmentSerializer},
    ),
)
class ShipmentViewSet(
    FilteredListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Shipments in the caller's scope. Over-shipping and unapproved new products are refused."""

    serializer_class = ShipmentSerializer
    permission_classes = [ShipmentPermission]
    filter_serializer_class = ShipmentFilterSerializer
    detail_filters = {}

    def get_permissions(self):
        if self.action == "notify":
            return [NotifyPermission()]
        return super().get_permissions()

    def get_queryset(self):
        shipments = selectors.shipment_list(user=self.request.user, **self.query_filters())
        if self.action == "list":
            return selectors.for_api_list(shipments)
        return selectors.with_lines(shipments)

    def _respond(self, shipment, code=status.HTTP_200_OK) -> Response:
        shipment = selectors.shipment_get(user=self.request.user, pk=shipment.pk)
        return Response(self.get_serializer(shipment).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ShipmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        shipment = services.shipment_record(by=request.user, **serializer.validated_data)
        return self._respond(shipment, status.HTTP_201_CREATED)

    @extend_schema(
        request=NotifySerializer,
        responses={200: NotifyResultSerializer},
        summary="Notify the customer",
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        shipment = self.get_object()
        serializer = NotifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = notices.shipment_notify(
            shipment=shipment, by=request.user, **serializer.validated_data
        )
        shipment = selectors.shipment_get(user=request.user, pk=shipment.pk)
        result = {
            "notified_at": shipment.notified_at,
            "channel": notice.channel,
            "recipients": [r.strip() for r in notice.recipients.split(",") if r.strip()],
            "message_text": notices.shipment_message_text(shipment),
        }
        return Response(NotifyResultSerializer(result).data)

    @extend_schema(
        request=ReceiveSerializer,
        responses={200: ShipmentSerializer},
        summary="Record the receipt (签收)",
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        shipment = self.get_object()
        serializer = ReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.shipment_receive(shipment=shipment, by=request.user, **serializer.validated_data)
        return self._respond(shipment)


def register(router) -> None:
    router.register("shipments", ShipmentViewSet, basename="shipment")


def extra_urls() -> list:
    return []
