"""Receivables, payments and their allocation, reconciliation with finance, headquarters
disputes (R-5). Amounts are Decimal yuan with 2 places (docs/adr/0003-money.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    DifferenceKind,
    DifferenceStatus,
    DisputeKind,
    DisputeStatus,
    PaymentMethod,
    ReceivableSource,
)

USER = settings.AUTH_USER_MODEL


class Receivable(models.Model):
    """Money a customer owes for a shipment or an invoice (应收), due after its payment terms."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="receivables",
        verbose_name=_("customer"),
    )
    # The salesperson answerable for collecting it: the order's, kept here for per-person reports.
    salesperson = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("salesperson"),
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("order"),
    )
    shipment = models.OneToOneField(
        "orders.Shipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivable",
        verbose_name=_("shipment"),
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=ReceivableSource.choices,
        default=ReceivableSource.SHIPMENT,
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True, db_index=True)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # Kept by the allocation services; open = amount - allocated_amount.
    allocated_amount = models.DecimalField(
        _("collected"), max_digits=14, decimal_places=2, default=0
    )
    is_open = models.BooleanField(_("open"), default=True)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_date", "id"]
        indexes = [
            # Aging and chase lists read open items only: their cost follows the open count.
            models.Index(
                fields=["due_date", "id"], condition=Q(is_open=True), name="receivable_open_due_idx"
            ),
            models.Index(
                fields=["customer", "due_date"],
                condition=Q(is_open=True),
                name="receivable_open_cust_idx",
            ),
            # What is still owed over the whole history (the receivables list's total) read
            # from this index alone: 2 ms against 11 ms for 24k open items among a million.
            # is_open is in it so that SQLite sees it covers the sum (a partial index alone
            # does not tell its planner that the condition's column needs no table row).
            models.Index(
                fields=["is_open", "amount", "allocated_amount"],
                condition=Q(is_open=True),
                name="receivable_open_sum_idx",
            ),
            # The customer statement: its opening sum and its lines read from the index alone.
            models.Index(
                fields=["customer", "issued_on", "amount", "id"], name="receivable_statement_idx"
            ),
            models.Index(fields=["salesperson", "due_date"], name="receivable_salesperson_idx"),
            models.Index(fields=["due_date"], name="receivable_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0) & Q(allocated_amount__lte=F("amount")),
                name="receivable_not_over_allocated",
            ),
            models.CheckConstraint(
                condition=(Q(is_open=True) & Q(paid_on__isnull=True))
                | (Q(is_open=False) & Q(paid_on__isnull=False)),
                name="receivable_paid_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issued_on")), name="receivable_due_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return self.invoice_number or f"AR-{self.pk}"

    @property
    def open_amount(self):
        return self.amount - self.allocated_amount


class Payment(models.Model):
    """Money received from a customer (回款); what is not allocated stays as the customer's credit."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("customer"),
    )
    salesperson = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("salesperson"),
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    method = models.CharField(
        _("method"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True, db_index=True)
    allocated_amount = models.DecimalField(
        _("allocated"), max_digits=14, decimal_places=2, default=0
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(
                fields=["customer", "-received_on", "amount", "id"], name="payment_statement_idx"
            ),
            models.Index(fields=["-received_on", "-id"], name="payment_list_idx"),
            # Payments with credit left; the amounts in it so that the credit total of the
            # payments list is read from the index alone.
            models.Index(
                fields=["customer", "amount", "allocated_amount"],
                condition=Q(allocated_amount__lt=F("amount")),
                name="payment_credit_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0) & Q(allocated_amount__lte=F("amount")),
                name="payment_not_over_allocated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.received_on} {self.amount}"

    @property
    def unallocated_amount(self):
        return self.amount - self.allocated_amount


class Allocation(models.Model):
    """Part of a payment set against a receivable."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("payment")
    )
    receivable = models.ForeignKey(
        Receivable,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("receivable"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    allocated_at = models.DateTimeField(_("allocated"))
    allocated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["allocated_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.receivable_id}: {self.amount}"


class LedgerMapping(models.Model):
    """How the columns of finance's ledger sheet map to SalesDesk's fields, remembered per header row."""

    signature = models.CharField(max_length=64, unique=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return ", ".join(str(h) for h in self.headers[:6])


class Reconciliation(models.Model):
    """One comparison of finance's ledger against SalesDesk (与财务对账, R-5.4), kept with its result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("ledger file"))
    mapping = models.JSONField(_("column mapping"), default=dict)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d})"


class Difference(models.Model):
    """One thing finance's ledger and SalesDesk disagree on, tracked until resolved or corrected."""

    reconciliation = models.ForeignKey(
        Reconciliation,
        on_delete=models.PROTECT,
        related_name="differences",
        verbose_name=_("reconciliation"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DifferenceKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    ledger_row = models.PositiveIntegerField(_("ledger row"), null=True, blank=True)
    ledger_data = models.JSONField(_("ledger line"), default=dict, blank=True)
    receivable = models.ForeignKey(
        Receivable, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ledger_amount = models.DecimalField(
        _("finance amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    salesdesk_amount = models.DecimalField(
        _("SalesDesk amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    ledger_date = models.DateField(_("finance date"), null=True, blank=True)
    salesdesk_date = models.DateField(_("SalesDesk date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DifferenceStatus.choices, default=DifferenceStatus.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["reconciliation", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DifferenceStatus.OPEN, resolved_at__isnull=True)
                | (~Q(status=DifferenceStatus.OPEN) & Q(resolved_at__isnull=False) & ~Q(note="")),
                name="difference_resolution_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invoice_number}".strip()


class Dispute(models.Model):
    """An old balance disputed with a group headquarters (往年应付款清理, R-5.5), tracked to closure."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name=_("customer"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=DisputeKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    period = models.CharField(_("period concerned"), max_length=50, blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("owner")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("headquarters dispute")
        verbose_name_plural = _("headquarters disputes")
        ordering = ["status", "-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["resolved", "written_off"])
                    & Q(closed_on__isnull=False)
                    & ~Q(resolution="")
                )
                | (~Q(status__in=["resolved", "written_off"]) & Q(closed_on__isnull=True)),
                name="dispute_closed_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DisputeDocument(models.Model):
    """A scan or file attached to a dispute; kept in the database so every app server has it."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="documents")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename
