"""JSON API for leads, mailings and follow-ups (C-5): the same selectors and services as the
pages, so the same scoping and the same rules. Out-of-scope rows are 404; an out-of-scope
`customer` in a body reads as "does not exist" (400), revealing nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.accounts import roles
from salesdesk.core.permissions import api_permission
from salesdesk.core.scoping import scope_by_customer

from ..choices import Channel, FollowUpKind, LostReason, MailingKind, Stage
from ..models import Contact, Customer, FollowUp, Lead, Mailing
from ..selectors.followups import customer_choices, followup_list
from ..selectors.key_first import KeyAccountsFirst
from ..selectors.leads import lead_list
from ..selectors.mailings import mailing_list
from ..services.followups import followup_log
from ..services.leads import lead_move, lead_start
from ..services.mailings import mailing_record_feedback, mailing_send

Permission = api_permission(roles.reads_customers, roles.edits_customers)


# Related fields that only accept rows the person may see; others read as "does not exist".


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Customer.objects.all(), **kwargs)

    def get_queryset(self):
        return customer_choices(user=self.context["request"].user)


class ScopedContactField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Contact.objects.all(), **kwargs)

    def get_queryset(self):
        qs = Contact.objects.filter(archived_at__isnull=True)
        return scope_by_customer(qs, self.context["request"].user, "customer__")


class ScopedLeadField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Lead.objects.all(), **kwargs)

    def get_queryset(self):
        return scope_by_customer(Lead.objects.all(), self.context["request"].user, "customer__")


class _CustomerColumns(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    key_account = serializers.BooleanField(source="customer.is_key_account", read_only=True)
    owner = serializers.IntegerField(source="customer.owner_id", read_only=True, allow_null=True)
    owner_name = serializers.SerializerMethodField()

    def get_owner_name(self, obj) -> str:
        owner = obj.customer.owner
        return str(owner) if owner else ""


class LeadSerializer(_CustomerColumns):
    class Meta:
        model = Lead
        fields = [
            "id", "customer", "customer_code", "customer_name", "key_account", "owner", "owner_name",
            "stage", "lost_reason", "lost_note", "expected_value", "notes",
            "created_at", "stage_changed_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class LeadCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField()
    expected_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class LeadMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    lost_reason = serializers.ChoiceField(
        choices=LostReason.choices, required=False, allow_blank=True, default=""
    )


class MailingSerializer(_CustomerColumns):
    class Meta:
        model = Mailing
        fields = [
            "id", "customer", "customer_code", "customer_name", "key_account", "owner", "owner_name",
            "lead", "kind", "items", "courier", "tracking_number", "sent_on", "feedback_due_on",
            "feedback_received_on", "feedback", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MailingCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField()
    kind = serializers.ChoiceField(choices=MailingKind.choices)
    items = serializers.CharField(max_length=200)
    courier = serializers.CharField(max_length=50)
    tracking_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    sent_on = serializers.DateField()
    feedback_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    lead = ScopedLeadField(required=False, allow_null=True, default=None)


class MailingFeedbackSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    feedback = serializers.CharField()


class FollowUpSerializer(_CustomerColumns):
    contact_name = serializers.CharField(source="contact.name", read_only=True, default="")

    class Meta:
        model = FollowUp
        fields = [
            "id", "customer", "customer_code", "customer_name", "key_account", "owner", "owner_name",
            "contact", "contact_name", "channel", "kind", "occurred_at", "summary", "outcome",
            "next_date", "next_kind", "next_action", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class FollowUpCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField()
    contact = ScopedContactField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    summary = serializers.CharField()
    outcome = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    next_date = serializers.DateField(required=False, allow_null=True, default=None)
    next_kind = serializers.ChoiceField(
        choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP
    )
    next_action = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


def _write(serializer_class, request, service, **extra):
    """Parse the body, call the service; its ValidationError becomes a 400 naming the fields."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return service(by=request.user, **extra, **serializer.validated_data)


SEARCH = OpenApiParameter(
    "search", OpenApiTypes.STR, description=str(_("Customer name, code, pinyin or initials"))
)


@extend_schema_view(
    list=extend_schema(
        parameters=[SEARCH, OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values)]
    ),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leads of the new-customer pipeline (R-2.1)."""

    permission_classes = [Permission]
    serializer_class = LeadSerializer
    queryset = Lead.objects.none()

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        stage = params.get("stage", "")
        if stage and stage not in Stage.values:
            raise ValidationError({"stage": _("Choose a valid stage.")})
        return lead_list(user=self.request.user, search=params.get("search", ""), stage=stage)

    def paginate_queryset(self, queryset):
        # A page read as key accounts, then the rest: same rows, same order (key_first.py).
        return super().paginate_queryset(KeyAccountsFirst(queryset))

    @extend_schema(request=LeadCreateSerializer, responses={201: LeadSerializer})
    def create(self, request):
        lead = _write(LeadCreateSerializer, request, lead_start)
        return Response(LeadSerializer(lead).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LeadMoveSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        lead = _write(LeadMoveSerializer, request, lead_move, lead=self.get_object())
        return Response(LeadSerializer(lead).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            SEARCH,
            OpenApiParameter("awaiting", OpenApiTypes.BOOL, description=str(_("No feedback yet"))),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description=str(_("Feedback overdue"))),
        ]
    ),
)
class MailingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sample and brochure mailings (R-2.2)."""

    permission_classes = [Permission]
    serializer_class = MailingSerializer
    queryset = Mailing.objects.none()

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        return mailing_list(
            user=self.request.user,
            search=params.get("search", ""),
            awaiting=params.get("awaiting", "").lower() in ("1", "true", "yes"),
            overdue=params.get("overdue", "").lower() in ("1", "true", "yes"),
        )

    def paginate_queryset(self, queryset):
        # A page read as key accounts, then the rest: same rows, same order (key_first.py).
        return super().paginate_queryset(KeyAccountsFirst(queryset))

    @extend_schema(request=MailingCreateSerializer, responses={201: MailingSerializer})
    def create(self, request):
        mailing = _write(MailingCreateSerializer, request, mailing_send)
        return Response(MailingSerializer(mailing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MailingFeedbackSerializer, responses={200: MailingSerializer})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        mailing = _write(
            MailingFeedbackSerializer, request, mailing_record_feedback, mailing=self.get_object()
        )
        return Response(MailingSerializer(mailing).data)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("customer", OpenApiTypes.INT)]),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-ups with customers (R-3.1)."""

    permission_classes = [Permission]
    serializer_class = FollowUpSerializer
    queryset = FollowUp.objects.none()

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        customer = params.get("customer", "")
        if customer and not customer.isdigit():
            raise ValidationError({"customer": _("Give a customer id.")})
        return followup_list(user=self.request.user, customer=int(customer) if customer else None)

    @extend_schema(request=FollowUpCreateSerializer, responses={201: FollowUpSerializer})
    def create(self, request):
        followup = _write(FollowUpCreateSerializer, request, followup_log)
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("leads", LeadViewSet, basename="lead")
    router.register("mailings", MailingViewSet, basename="mailing")
    router.register("followups", FollowUpViewSet, basename="followup")


def extra_urls() -> list:
    return []
