"""Sales targets (R-8.4). Every other report figure is read from the other apps' rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SalesTarget(models.Model):
    """A sales target for a year (month empty) or one month, for the department (salesperson
    empty) or one salesperson. Amounts are booked sales (接单额) in yuan."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_targets",
        verbose_name=_("salesperson"),
    )
    amount = models.DecimalField(_("target amount"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["year", "salesperson", "month"]
        constraints = [
            # NULLs are distinct in unique constraints, so each shape gets its own.
            models.UniqueConstraint(
                fields=["year", "month", "salesperson"],
                condition=Q(month__isnull=False, salesperson__isnull=False),
                name="target_unique_person_month",
            ),
            models.UniqueConstraint(
                fields=["year", "salesperson"],
                condition=Q(month__isnull=True, salesperson__isnull=False),
                name="target_unique_person_year",
            ),
            models.UniqueConstraint(
                fields=["year", "month"],
                condition=Q(month__isnull=False, salesperson__isnull=True),
                name="target_unique_dept_month",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(month__isnull=True, salesperson__isnull=True),
                name="target_unique_dept_year",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="target_month_in_year",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{period} {self.salesperson or '-'}: {self.amount}"
