"""Telling the customer the goods are on the way (发货通知) (R-4.5).

By email to the customer's live contacts, or as a short text the clerk pastes into WeChat, QQ
or an SMS. Both are in the customer's language (Chinese) whatever language the clerk reads,
and both carry the same facts: order, ship date, carrier, carrier phone, tracking number and
the goods. The time of every notice is kept.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from salesdesk.customers.models import Contact

from ..choices import NoticeChannel
from ..models import Shipment, ShipmentNotice
from .shipments import may_notify

logger = logging.getLogger(__name__)

CUSTOMER_LANGUAGE = "zh-hans"
_CLOSING = gettext_noop("Please check the goods on arrival and sign for them.")


def _goods(shipment: Shipment) -> list[dict]:
    """The shipped lines as the customer reads them (uses prefetched lines when present)."""
    rows = []
    for line in shipment.lines.all():
        product = line.order_line.product
        rows.append(
            {
                "line_no": line.order_line.line_no,
                "code": product.code,
                "name": product.name,
                "spec": product.spec,
                "quantity": line.quantity,
                "unit": str(product.get_unit_display()),
            }
        )
    rows.sort(key=lambda row: row["line_no"])
    return rows


def _context(shipment: Shipment) -> dict:
    return {
        "shipment": shipment,
        "order": shipment.order,
        "customer": shipment.customer,
        "ship_date": shipment.ship_date.strftime("%Y-%m-%d"),
        "goods": _goods(shipment),
    }


def shipment_message_text(shipment: Shipment) -> str:
    """The ready-to-paste notice for WeChat/QQ/SMS: short, in Chinese, the same facts as the email."""
    ctx = _context(shipment)
    with translation.override(CUSTOMER_LANGUAGE):
        goods = gettext("; ").join(
            gettext("%(code)s %(name)s × %(quantity)s %(unit)s") % row for row in ctx["goods"]
        )
        parts = [
            gettext("[Shipment notice] %(customer)s: your order %(order)s was shipped on %(date)s.")
            % {
                "customer": shipment.customer.name,
                "order": ctx["order"].number,
                "date": ctx["ship_date"],
            },
            gettext("Carrier: %(carrier)s, phone %(phone)s, tracking number %(tracking)s.")
            % {
                "carrier": shipment.carrier,
                "phone": shipment.carrier_phone,
                "tracking": shipment.tracking_number or "—",
            },
            gettext("Goods: %(goods)s.") % {"goods": goods},
            gettext(_CLOSING),
        ]
        # Chinese sentences run on; a space keeps the untranslated English fallback readable.
        separator = "" if gettext(_CLOSING) != _CLOSING else " "
    return separator.join(parts)


def notice_email(shipment: Shipment) -> tuple[str, str]:
    """Subject and body of the notice email, rendered in the customer's language."""
    ctx = {**_context(shipment), "salesperson": shipment.order.salesperson}
    with translation.override(CUSTOMER_LANGUAGE):
        subject = render_to_string("orders/email/shipment_notice_subject.txt", ctx)
        body = render_to_string("orders/email/shipment_notice.txt", ctx)
    return " ".join(subject.split()), body.strip() + "\n"


def notice_recipients(shipment: Shipment) -> list[str]:
    """Emails of the customer's live contacts, primary contact first, each address once."""
    emails = (
        Contact.objects.filter(customer_id=shipment.customer_id, archived_at__isnull=True)
        .exclude(email="")
        .order_by("-is_primary", "name", "id")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(e.strip() for e in emails if e.strip()))


def _send(message: EmailMessage, shipment_number: str) -> None:
    try:
        message.send()
    except Exception:  # the notice is recorded; a mail server hiccup must not break the page
        logger.exception("shipment notice email for %s could not be sent", shipment_number)


@transaction.atomic
def shipment_notify(
    *, shipment: Shipment, by, channel: str = NoticeChannel.EMAIL, recipients: str = ""
) -> ShipmentNotice:
    """Tell the customer the goods left: email to live contacts, or record the pasted WeChat/QQ/SMS text."""
    shipment = (
        Shipment.objects.select_for_update()
        .select_related("customer", "order", "order__salesperson")
        .get(pk=shipment.pk)
    )
    if not may_notify(by, shipment.customer):
        raise PermissionDenied(_("Your role cannot notify this customer."))
    if channel not in NoticeChannel.values:
        raise ValidationError({"channel": _("Choose email or message.")})
    # Fetch the lines now: both the email and the text list them.
    shipment = (
        Shipment.objects.select_related("customer", "order", "order__salesperson")
        .prefetch_related("lines__order_line__product")
        .get(pk=shipment.pk)
    )
    now = timezone.now()
    text = shipment_message_text(shipment)
    if channel == NoticeChannel.EMAIL:
        to = notice_recipients(shipment)
        if not to:
            raise ValidationError(
                {
                    "channel": _(
                        "No live contact of %(customer)s has an email address. Add one to the "
                        "customer file, or send the message text by WeChat, QQ or SMS."
                    )
                    % {"customer": shipment.customer.name}
                }
            )
        subject, body = notice_email(shipment)
        message = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
        )
        number = shipment.number
        transaction.on_commit(lambda: _send(message, number))
        notice = ShipmentNotice(
            channel=channel, recipients=", ".join(to)[:500], subject=subject[:200], message=body
        )
    else:
        notice = ShipmentNotice(
            channel=channel,
            recipients=str(recipients or "").strip()[:500],
            subject="",
            message=text,
        )
    notice.shipment = shipment
    notice.sent_at = now
    notice.sent_by = by
    notice.save()
    if shipment.notified_at is None:
        shipment.notified_at = now
        shipment._history_user = by
        shipment._change_reason = "notice"
        shipment.save(update_fields=["notified_at"])
    return notice
