"""JSON API for products: reads through the selectors, writes through the services.

Every signed-in role reads products; the sales office writes them. `list_price` is left
out of every answer for roles that do not see money (the warehouse).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status

from salesdesk.accounts import roles
from salesdesk.api.mixins import ArchiveRestoreMixin, RecordViewSet, archivable_schema
from salesdesk.core.permissions import api_permission

from ..models import Product
from ..selectors import products as selectors
from ..services import products as services

ProductPermission = api_permission(roles.reads_products, roles.edits_products)


class ProductSerializer(serializers.ModelSerializer):
    """A product with its carton spec. `list_price` is absent for roles that do not see money."""

    # Checked by the service (uniqueness with a clear message, > 0 mm, 4 places), so the
    # serializer only parses them.
    code = serializers.CharField(max_length=30)
    list_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        required=False,
        help_text=_("Yuan per unit, up to 4 decimal places"),
    )
    length_mm = serializers.IntegerField(required=False, allow_null=True)
    width_mm = serializers.IntegerField(required=False, allow_null=True)
    height_mm = serializers.IntegerField(required=False, allow_null=True)
    spec = serializers.CharField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            *services.PRODUCT_FIELDS,
            "spec",
            "revision",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["revision", "created_at", "updated_at", "archived_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not roles.sees_money(getattr(request, "user", None)):
            data.pop("list_price", None)
        return data


class ProductFilterSerializer(serializers.Serializer):
    """Query parameters of the product list (the same filters as the page)."""

    search = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Code, name, pinyin or initials")
    )
    is_new = serializers.BooleanField(required=False, allow_null=True, default=None)
    needs_approval = serializers.BooleanField(required=False, allow_null=True, default=None)
    archived = serializers.BooleanField(
        required=False, default=False, help_text=_("true: archived products only")
    )
    sort = serializers.ChoiceField(
        choices=[(key, key) for key in selectors.SORTS], required=False, allow_blank=True
    )


@archivable_schema(
    one="product", many="products", serializer=ProductSerializer, filters=ProductFilterSerializer
)
@extend_schema_view(create=extend_schema(summary="Enter a product"))
class ProductViewSet(ArchiveRestoreMixin, RecordViewSet):
    """Products. Archive instead of delete; a spec change makes a new revision."""

    serializer_class = ProductSerializer
    permission_classes = [ProductPermission]
    filter_serializer_class = ProductFilterSerializer
    entity = "product"
    archive_service = services.product_archive
    restore_service = services.product_restore

    def get_queryset(self):
        return selectors.product_list(user=self.request.user, **self.query_filters())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(by=request.user, data=dict(serializer.validated_data))
        return self.respond(product, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        product = self.get_object()
        serializer = self.get_serializer(
            product, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        product = services.product_update(
            product=product, by=request.user, data=dict(serializer.validated_data)
        )
        return self.respond(product)


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")


def extra_urls() -> list:
    return []
