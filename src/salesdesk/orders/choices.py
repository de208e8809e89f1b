from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PRODUCTION = "in_production", _("In production")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")
    CLOSED = "closed", pgettext_lazy("order state", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


# States in which goods are still owed to the customer.
OPEN_STATES = (OrderState.CONFIRMED, OrderState.IN_PRODUCTION, OrderState.PARTLY_SHIPPED)
# States in which an order counts as booked sales (接单额): confirmed and not cancelled.
BOOKED_STATES = (
    OrderState.CONFIRMED,
    OrderState.IN_PRODUCTION,
    OrderState.PARTLY_SHIPPED,
    OrderState.SHIPPED,
    OrderState.CLOSED,
)
# States from which an order may still be cancelled (nothing shipped yet).
CANCELLABLE_STATES = (OrderState.DRAFT, OrderState.CONFIRMED, OrderState.IN_PRODUCTION)


class OrderChannel(models.TextChoices):
    SALESPERSON = "salesperson", _("Through the salesperson")
    PHONE = "phone", _("Phone order")
    WALK_IN = "walk_in", _("Walk-in order")
    ONLINE = "online", _("Online or email")


class ProductionStatus(models.TextChoices):
    NOT_SCHEDULED = "not_scheduled", _("Not scheduled")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PRODUCTION = "in_production", pgettext_lazy("production status", "In production")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    MESSAGE = "message", _("WeChat/QQ/SMS text")
