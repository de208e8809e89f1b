"""Products of the carton factory and the customer's approval of new or changed ones (R-4.1, R-3.4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesdesk.core.lists import choice_labels

from .choices import ApprovalStatus, Flute, Ply, Unit

USER = settings.AUTH_USER_MODEL


class Product(models.Model):
    """A product with its carton spec. `revision` goes up whenever the spec changes."""

    code = models.CharField(_("product code"), max_length=30, unique=True)
    name = models.CharField(_("product name"), max_length=100)
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    flute = models.CharField(_("flute"), max_length=5, choices=Flute.choices, blank=True)
    ply = models.PositiveSmallIntegerField(_("ply"), choices=Ply.choices, null=True, blank=True)
    material = models.CharField(_("material"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    # Unit prices carry up to 4 places as the trade quotes them (¥0.8560 a box); every
    # amount is rounded to 2 places (docs/adr/0003-money.md).
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=4, default=0)
    min_stock = models.PositiveIntegerField(_("minimum stock"), default=0)
    is_new = models.BooleanField(_("new product"), default=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    # A new product, or one whose spec changed, ships to a customer only after that customer
    # approved a sample of this revision.
    needs_approval = models.BooleanField(_("needs the customer's approval"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def spec(self) -> str:
        """L×W×H mm, flute, ply: how the department writes a carton's spec."""
        parts = []
        if self.length_mm and self.width_mm and self.height_mm:
            parts.append(f"{self.length_mm}×{self.width_mm}×{self.height_mm}mm")
        if self.flute:
            parts.append(f"{self.flute}")
        if self.ply:  # the label mapped once per language (lists of products show it per row)
            parts.append(choice_labels(Product, "ply").get(self.ply, str(self.ply)))
        if self.material:
            parts.append(self.material)
        return " ".join(parts)


class Approval(models.Model):
    """A customer's decision on a sample of one product revision (新品送样确认, R-3.4)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("product")
    )
    revision = models.PositiveIntegerField(_("revision"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    sample_sent_on = models.DateField(_("sample sent on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    customer_feedback = models.TextField(_("customer feedback"), blank=True)
    improvement_request = models.TextField(_("improvement request"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sample approval")
        verbose_name_plural = _("sample approvals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["customer", "product", "revision", "status"], name="approval_lookup_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ApprovalStatus.PENDING, decided_on__isnull=True)
                | (~Q(status=ApprovalStatus.PENDING) & Q(decided_on__isnull=False)),
                name="approval_decided_iff_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApprovalStatus.REJECTED) | ~Q(improvement_request=""),
                name="approval_rejection_has_improvement_request",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.customer} · {self.product.code} r{self.revision} · {self.get_status_display()}"
        )
