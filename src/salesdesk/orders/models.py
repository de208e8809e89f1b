"""Orders and contracts, delivery promises, production status, shipments and notices (R-4)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import NoticeChannel, OrderChannel, OrderState, ProductionStatus

USER = settings.AUTH_USER_MODEL


class Order(models.Model):
    """A sales order or contract (订单/合同) for one customer."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
    )
    # Walk-in and phone orders are assigned to a salesperson (业务分配).
    salesperson = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="sales_orders", verbose_name=_("salesperson")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=OrderChannel.choices, default=OrderChannel.SALESPERSON
    )
    order_date = models.DateField(_("order date"))
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    contract_number = models.CharField(
        _("contract number"), max_length=50, blank=True, db_index=True
    )
    contract_terms = models.TextField(_("contract terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.DRAFT
    )

    # The promise ledger (PromiseChange) holds every answer; these hold the current one.
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    promise_answered_at = models.DateTimeField(_("promise first answered"), null=True, blank=True)

    production_status = models.CharField(
        _("production status"),
        max_length=20,
        choices=ProductionStatus.choices,
        default=ProductionStatus.NOT_SCHEDULED,
    )
    production_note = models.CharField(_("production note"), max_length=200, blank=True)
    production_updated_at = models.DateTimeField(_("production updated"), null=True, blank=True)

    # Kept by the services as lines, shipments, invoices and payments are written, so lists
    # and contract execution never sum rows per page (amounts are 2-place yuan).
    total_amount = models.DecimalField(
        _("order amount"), max_digits=14, decimal_places=2, default=0
    )
    shipped_amount = models.DecimalField(
        _("shipped amount"), max_digits=14, decimal_places=2, default=0
    )
    invoiced_amount = models.DecimalField(
        _("invoiced amount"), max_digits=14, decimal_places=2, default=0
    )
    paid_amount = models.DecimalField(_("paid amount"), max_digits=14, decimal_places=2, default=0)
    last_shipped_on = models.DateField(_("last shipped on"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["-order_date", "-id"], name="order_list_idx"),
            models.Index(fields=["customer", "-order_date"], name="order_customer_idx"),
            models.Index(fields=["salesperson", "-order_date"], name="order_salesperson_idx"),
            models.Index(fields=["state", "promised_date"], name="order_state_promise_idx"),
            models.Index(fields=["state", "-order_date", "-id"], name="order_state_list_idx"),
            models.Index(fields=["promise_answered_at"], name="order_answered_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=OrderState.DRAFT)
                | Q(state=OrderState.CANCELLED)
                | Q(promised_date__isnull=False),
                name="order_confirmed_has_promise",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state=OrderState.CANCELLED)
                    & Q(cancelled_at__isnull=False)
                    & ~Q(cancel_reason="")
                )
                | (~Q(state=OrderState.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="order_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(shipped_amount__gte=0) & Q(total_amount__gte=0),
                name="order_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order")
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("product"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    shipped_quantity = models.PositiveIntegerField(_("shipped quantity"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="orderline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("quantity")), name="orderline_not_over_shipped"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.line_no}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped_quantity


class PromiseChange(models.Model):
    """One answer on the delivery date (回复交期): the first promise or a later change (R-4.3)."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="promise_changes", verbose_name=_("order")
    )
    old_date = models.DateField(_("old date"), null=True, blank=True)
    new_date = models.DateField(_("new date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # None: not asked yet; True/False: the customer's answer.
    customer_accepted = models.BooleanField(_("customer accepted"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("promise change")
        verbose_name_plural = _("promise changes")
        ordering = ["order", "changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(old_date__isnull=True) | ~Q(reason=""), name="promise_change_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.old_date or '-'} → {self.new_date}"


class Shipment(models.Model):
    """Goods leaving for the customer (发货), possibly part of an order (R-4.5)."""

    number = models.CharField(_("shipment number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("customer"),
    )
    ship_date = models.DateField(_("ship date"))
    carrier = models.CharField(_("carrier"), max_length=50)
    carrier_phone = models.CharField(_("carrier phone"), max_length=30)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    notified_at = models.DateTimeField(_("customer notified"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by the customer"), null=True, blank=True)
    received_by_name = models.CharField(_("signed for by"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-ship_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-ship_date"], name="shipment_customer_idx"),
            models.Index(fields=["-ship_date", "-id"], name="shipment_list_idx"),
            models.Index(fields=["notified_at"], name="shipment_notified_idx"),
            # Shipments the customer has not signed for yet (Today, the "not received" filter):
            # a small partial index, whatever the length of the history.
            models.Index(
                fields=["ship_date"],
                condition=Q(received_at__isnull=True),
                name="shipment_unreceived_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="shipment_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(_("quantity shipped"))
    checked_quantity = models.PositiveIntegerField(_("checked quantity"))
    damaged_quantity = models.PositiveIntegerField(_("damaged quantity"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "order_line__line_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shipmentline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(damaged_quantity__lte=F("quantity")), name="shipmentline_damage_within"
            ),
            models.CheckConstraint(
                condition=Q(checked_quantity__lte=F("quantity")), name="shipmentline_checked_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.order_line_id}: {self.quantity}"


class ShipmentNotice(models.Model):
    """A notice to the customer that goods are on the way, with carrier and tracking number."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="notices")
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    recipients = models.CharField(_("recipients"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"))
    sent_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shipment notice")
        verbose_name_plural = _("shipment notices")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.get_channel_display()} {self.sent_at:%Y-%m-%d %H:%M}"


class MonthlySales(models.Model):
    """Booked sales (接单额) per calendar month and salesperson, a summary of the order rows.

    Only the order services write it, in the same transaction as the change that moves an
    order in or out of booked sales (confirming adds it, cancelling a confirmed order takes
    it out; a confirmed order's date, salesperson and amount no longer change). Amounts are
    integer fen so the database adds them exactly on every engine. `monthly_sales_drift`
    recomputes it from the rows and names any difference.
    """

    month = models.DateField(_("month"))
    salesperson = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    orders = models.IntegerField(_("orders"), default=0)

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "salesperson"], name="monthlysales_unique_month_salesperson"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.salesperson_id}: {self.amount_fen}"
