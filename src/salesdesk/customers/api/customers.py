"""JSON API for customer files and contacts: reads through the selectors, writes through the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.api.mixins import (
    ArchiveMixin,
    ArchiveRestoreMixin,
    RecordViewSet,
    archivable_schema,
)
from salesdesk.core.permissions import api_permission

from ..choices import CustomerStatus, CustomerType, Industry, Province, Source, Tier
from ..completeness import gaps
from ..fields import CONTACT_FIELDS, CUSTOMER_FIELDS
from ..models import Contact, Customer
from ..selectors import customers as selectors
from ..services import customers as services

CustomerPermission = api_permission(roles.reads_customers, roles.edits_customers)


class CustomerGapSerializer(serializers.Serializer):
    """One template item the file misses (R-1.2)."""

    key = serializers.CharField()
    label = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    """A customer file. `confirm_duplicate: true` saves despite a likely-duplicate warning."""

    # Checked and normalized by the service (blank code → next free code; credit code and
    # phone normalized first), so the serializer only parses them.
    code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True)
    invoice_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    owner_name = serializers.SerializerMethodField()
    gaps = serializers.SerializerMethodField()
    confirm_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            *CUSTOMER_FIELDS,
            "owner_name",
            "completeness",
            "gaps",
            "last_followup_at",
            "next_followup_on",
            "created_at",
            "updated_at",
            "archived_at",
            "confirm_duplicate",
        ]
        read_only_fields = [
            "completeness",
            "last_followup_at",
            "next_followup_on",
            "created_at",
            "updated_at",
            "archived_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner_name(self, obj) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @extend_schema_field(CustomerGapSerializer(many=True))
    def get_gaps(self, obj) -> list[dict]:
        contacts = getattr(obj, "live_contacts", None)
        if contacts is None:
            contacts = list(selectors.customer_contacts(obj))
        return [{"key": gap.key, "label": str(gap.label)} for gap in gaps(obj, contacts)]

    def service_data(self) -> tuple[dict, bool]:
        data = dict(self.validated_data)
        return data, data.pop("confirm_duplicate", False)


class CustomerFilterSerializer(serializers.Serializer):
    """Query parameters of the customer list (the same filters as the page)."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Name, pinyin, initials, code, credit code, contact name, mobile or phone"),
    )
    owner = serializers.IntegerField(required=False, min_value=1)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=CustomerStatus.choices, required=False, allow_blank=True
    )
    province = serializers.ChoiceField(choices=Province.choices, required=False, allow_blank=True)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=CustomerType.choices, required=False, allow_blank=True)
    archived = serializers.BooleanField(
        required=False, default=False, help_text=_("true: archived files only")
    )
    sort = serializers.ChoiceField(
        choices=[(key, key) for key in selectors.SORTS], required=False, allow_blank=True
    )


@archivable_schema(
    one="customer",
    many="customers",
    serializer=CustomerSerializer,
    filters=CustomerFilterSerializer,
)
@extend_schema_view(create=extend_schema(summary="Enter a customer"))
class CustomerViewSet(ArchiveRestoreMixin, RecordViewSet):
    """Customer files in the caller's scope. Archive instead of delete."""

    serializer_class = CustomerSerializer
    permission_classes = [CustomerPermission]
    filter_serializer_class = CustomerFilterSerializer
    entity = "customer"
    archive_service = services.customer_archive
    restore_service = services.customer_restore

    def get_queryset(self):
        qs = selectors.customer_list(user=self.request.user, **self.query_filters())
        return selectors.with_live_contacts(qs)

    def respond(self, customer, code=status.HTTP_200_OK) -> Response:
        """Read again, so the answer shows the completeness and gaps the service stored."""
        return super().respond(self.get_queryset().get(pk=customer.pk), code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, confirm = serializer.service_data()
        customer = services.customer_create(by=request.user, data=data, confirm_duplicate=confirm)
        return self.respond(customer, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        serializer = self.get_serializer(
            customer, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data, confirm = serializer.service_data()
        services.customer_update(
            customer=customer, by=request.user, data=data, confirm_duplicate=confirm
        )
        return self.respond(customer)


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer id the caller may edit; others read as 'does not exist'."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.customer_list(user=getattr(request, "user", None), archived=None)


class ContactSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()
    mobile = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            *CONTACT_FIELDS,
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["created_at", "updated_at", "archived_at"]

    def service_data(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k != "customer"}


class ContactUpdateSerializer(ContactSerializer):
    customer = serializers.PrimaryKeyRelatedField(read_only=True)


class ContactFilterSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, min_value=1)
    search = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Name, mobile, phone or email")
    )
    archived = serializers.BooleanField(required=False, default=False)


@archivable_schema(
    one="contact",
    many="contacts",
    serializer=ContactSerializer,
    filters=ContactFilterSerializer,
    restore=False,
)
@extend_schema_view(create=extend_schema(summary="Add a contact"))
class ContactViewSet(ArchiveMixin, RecordViewSet):
    """Contacts of the customer files in the caller's scope. Archive instead of delete."""

    permission_classes = [CustomerPermission]
    filter_serializer_class = ContactFilterSerializer
    entity = "contact"
    archive_service = services.contact_archive

    def get_serializer_class(self):
        return (
            ContactUpdateSerializer
            if self.action in ("update", "partial_update")
            else ContactSerializer
        )

    def get_queryset(self):
        return selectors.contact_list(user=self.request.user, **self.query_filters())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = serializer.validated_data["customer"]
        contact = services.contact_create(
            customer=customer, by=request.user, data=serializer.service_data()
        )
        return Response(
            ContactSerializer(contact, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        serializer = self.get_serializer(
            contact, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        contact = services.contact_update(
            contact=contact, by=request.user, data=serializer.service_data()
        )
        return self.respond(contact)


def register(router) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("contacts", ContactViewSet, basename="contact")


def extra_urls() -> list:
    return []
