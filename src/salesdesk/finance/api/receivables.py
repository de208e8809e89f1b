"""JSON API for receivables and payments (R-5.1): lists with the pages' filters, detail with
allocations, a receivable from finance's invoice number, payments with optional allocations,
and allocation of a payment's remaining credit.

Scoped as the pages: finance and the sales office read all money, a salesperson own customers'
only, the warehouse none. Ids outside the caller's scope read as "does not exist" (400 naming
the field); objects outside it answer 404. The aging and collection-rate reports are in
api/reports.py (registered from here).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.api.mixins import FilteredListMixin
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer
from salesdesk.orders.models import Order, Shipment

from ..choices import PaymentMethod
from ..models import Allocation, Payment, Receivable
from ..selectors import receivables as selectors
from ..services import payments as payment_services
from ..services import receivables as services
from . import reports

MoneyPermission = api_permission(roles.reads_receivables, roles.records_payments)


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _user(field):
    request = field.context.get("request")
    return getattr(request, "user", None)


# --- scoped id fields -----------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scope_by_customer(Customer.objects.all(), _user(self))


@extend_schema_field(OpenApiTypes.INT)
class ScopedOrderField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scope_by_customer(Order.objects.all(), _user(self), "customer__")


@extend_schema_field(OpenApiTypes.INT)
class ScopedShipmentField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scope_by_customer(Shipment.objects.all(), _user(self), "customer__")


@extend_schema_field(OpenApiTypes.INT)
class ScopedReceivableField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scope_by_customer(Receivable.objects.all(), _user(self), "customer__")


# A pattern, not an enum: "status" is a word several endpoints use for their own choices.
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(open|overdue|paid)?$",
        "description": "`open`, `overdue` or `paid`",
    }
)
class ReceivableStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[key for key, _label in selectors.STATUS_CHOICES], **kwargs)


# --- output ---------------------------------------------------------------------------------


class AllocationSerializer(serializers.ModelSerializer):
    received_on = serializers.DateField(source="payment.received_on", read_only=True)
    allocated_by_name = serializers.CharField(
        source="allocated_by", read_only=True, allow_null=True
    )

    class Meta:
        model = Allocation
        fields = [
            "id",
            "payment",
            "receivable",
            "received_on",
            "amount",
            "allocated_at",
            "allocated_by",
            "allocated_by_name",
        ]
        read_only_fields = fields


class ReceivableSerializer(serializers.ModelSerializer):
    """A receivable as the list shows it; `days_overdue` as of the list's `as_of` (0 unless open and past due)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    key_account = serializers.BooleanField(source="customer.is_key_account", read_only=True)
    salesperson_name = serializers.CharField(source="salesperson", read_only=True, allow_null=True)
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True)
    shipment_number = serializers.CharField(
        source="shipment.number", read_only=True, allow_null=True
    )
    open_amount = _money(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Receivable
        fields = [
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "key_account",
            "salesperson",
            "salesperson_name",
            "order",
            "order_number",
            "shipment",
            "shipment_number",
            "source",
            "invoice_number",
            "issued_on",
            "due_date",
            "amount",
            "allocated_amount",
            "open_amount",
            "is_open",
            "paid_on",
            "days_overdue",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class ReceivableDetailSerializer(ReceivableSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(ReceivableSerializer.Meta):
        fields = [*ReceivableSerializer.Meta.fields, "allocations"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    """A payment; `unallocated_amount` is what stays as the customer's credit."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    key_account = serializers.BooleanField(source="customer.is_key_account", read_only=True)
    salesperson_name = serializers.CharField(source="salesperson", read_only=True, allow_null=True)
    unallocated_amount = _money(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "key_account",
            "salesperson",
            "salesperson_name",
            "received_on",
            "amount",
            "method",
            "reference",
            "notes",
            "allocated_amount",
            "unallocated_amount",
            "created_at",
        ]
        read_only_fields = fields


class PaymentDetailSerializer(PaymentSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "allocations"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------


class ReceivableFilterSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, min_value=1)
    salesperson = serializers.IntegerField(required=False, min_value=1)
    status = ReceivableStatusField(required=False, allow_blank=True)
    as_of = serializers.DateField(required=False, help_text=_("Default: today"))
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Invoice, order or shipment number, customer name, code or pinyin"),
    )


class ReceivableCreateSerializer(serializers.Serializer):
    """Finance's invoice: with `shipments`, their receivables get the invoice number (the amount must
    equal their sum); without, a new receivable for the invoice."""

    customer = ScopedCustomerField()
    invoice_number = serializers.CharField(max_length=40)
    amount = _money()
    issued_on = serializers.DateField()
    order = ScopedOrderField(required=False, allow_null=True, default=None)
    shipments = serializers.ListField(child=ScopedShipmentField(), required=False, default=list)
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InvoiceNumberSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=40)


class AllocationInputSerializer(serializers.Serializer):
    receivable = ScopedReceivableField()
    amount = _money()


class PaymentCreateSerializer(serializers.Serializer):
    """A payment; without `allocations` it is allocated oldest first, with them exactly as given."""

    customer = ScopedCustomerField()
    received_on = serializers.DateField(required=False, help_text=_("Default: today"))
    amount = _money()
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.BANK)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    allocations = AllocationInputSerializer(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Omit to allocate oldest first"),
    )

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        data.setdefault("received_on", timezone.localdate())
        if data.get("allocations") is not None:
            data["allocations"] = [dict(line) for line in data["allocations"]]
        return data


class AllocateSerializer(serializers.Serializer):
    allocations = AllocationInputSerializer(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Omit to allocate oldest first"),
    )


class PaymentFilterSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    unallocated_only = serializers.BooleanField(required=False, default=False)
    search = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Reference, notes or customer")
    )


# --- endpoints ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List receivables", parameters=[ReceivableFilterSerializer]),
    retrieve=extend_schema(
        summary="One receivable with its allocations", responses=ReceivableDetailSerializer
    ),
    create=extend_schema(
        summary="Record finance's invoice",
        request=ReceivableCreateSerializer,
        responses={201: ReceivableSerializer(many=True)},
    ),
)
class ReceivableViewSet(
    FilteredListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Receivables in the caller's scope, newest due date first; key accounts first when filtered to open or overdue."""

    permission_classes = [MoneyPermission]
    filter_serializer_class = ReceivableFilterSerializer
    detail_filters: dict = {}

    def get_serializer_class(self):
        return ReceivableSerializer if self.action == "list" else ReceivableDetailSerializer

    def get_queryset(self):
        qs = selectors.receivable_list(user=self.request.user, **self.query_filters())
        if self.action != "list":
            qs = qs.prefetch_related("allocations__payment", "allocations__allocated_by")
        return qs

    def create(self, request, *args, **kwargs):
        serializer = ReceivableCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        created = services.receivable_from_invoice(by=request.user, **serializer.validated_data)
        rows = selectors.receivable_list(user=request.user).filter(pk__in=[r.pk for r in created])
        return Response(ReceivableSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InvoiceNumberSerializer,
        responses=ReceivableDetailSerializer,
        summary="Set the invoice number",
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        receivable = self.get_object()
        serializer = InvoiceNumberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.receivable_set_invoice(
            receivable=receivable, by=request.user, **serializer.validated_data
        )
        return Response(ReceivableDetailSerializer(self.get_queryset().get(pk=receivable.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List payments", parameters=[PaymentFilterSerializer]),
    retrieve=extend_schema(
        summary="One payment with its allocations", responses=PaymentDetailSerializer
    ),
    create=extend_schema(
        summary="Record a payment (回款)",
        request=PaymentCreateSerializer,
        responses={201: PaymentDetailSerializer},
    ),
)
class PaymentViewSet(
    FilteredListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments in the caller's scope. Over-allocation is refused naming the line; the rest is credit."""

    permission_classes = [MoneyPermission]
    filter_serializer_class = PaymentFilterSerializer
    detail_filters: dict = {}

    def get_serializer_class(self):
        return PaymentSerializer if self.action == "list" else PaymentDetailSerializer

    def get_queryset(self):
        qs = selectors.payment_list(user=self.request.user, **self.query_filters())
        if self.action != "list":
            qs = qs.prefetch_related("allocations__allocated_by")
        return qs

    def _respond(self, payment, code=status.HTTP_200_OK) -> Response:
        payment = selectors.payment_get(user=self.request.user, pk=payment.pk)
        return Response(PaymentDetailSerializer(payment).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = PaymentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        payment = payment_services.payment_record(by=request.user, **serializer.service_data())
        return self._respond(payment, status.HTTP_201_CREATED)

    @extend_schema(
        request=AllocateSerializer,
        responses=PaymentDetailSerializer,
        summary="Allocate remaining credit",
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        payment = self.get_object()
        serializer = AllocateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        allocations = serializer.validated_data.get("allocations")
        if allocations is not None:
            allocations = [dict(line) for line in allocations]
        payment_services.payment_allocate(payment=payment, by=request.user, allocations=allocations)
        return self._respond(payment)


def register(router) -> None:
    router.register("receivables", ReceivableViewSet, basename="receivable")
    router.register("payments", PaymentViewSet, basename="payment")
    reports.register(router)


def extra_urls() -> list:
    return [*reports.extra_urls()]
