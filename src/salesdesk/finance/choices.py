from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    ACCEPTANCE = "acceptance", _("Bank acceptance bill")
    CASH = "cash", _("Cash")
    MOBILE = "mobile", _("WeChat Pay / Alipay")
    OFFSET = "offset", _("Offset")
    OTHER = "other", _("Other")


class ReceivableSource(models.TextChoices):
    SHIPMENT = "shipment", _("Shipment")
    INVOICE = "invoice", _("Invoice from finance")


class DifferenceKind(models.TextChoices):
    MISSING_IN_SALESDESK = "missing_in_salesdesk", _("Missing in SalesDesk")
    MISSING_IN_FINANCE = "missing_in_finance", _("Missing in finance's ledger")
    AMOUNT_DIFFERS = "amount_differs", _("Amount differs")
    PRICE_DIFFERS = "price_differs", _("Price differs")
    DATE_DIFFERS = "date_differs", _("Date differs")


class DifferenceStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("work status", "Open")
    RESOLVED = "resolved", _("Resolved with a note")
    CORRECTED = "corrected", _("Corrected")


class DisputeKind(models.TextChoices):
    MISSING_DOCUMENTS = "missing_documents", _("Missing documents")
    PRICE = "price", _("Price question")
    QUANTITY = "quantity", _("Quantity question")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("work status", "Open")
    WAITING = "waiting", _("Waiting for headquarters")
    RESOLVED = "resolved", _("Resolved")
    WRITTEN_OFF = "written_off", _("Written off")


CLOSED_DISPUTE_STATUSES = (DisputeStatus.RESOLVED, DisputeStatus.WRITTEN_OFF)
