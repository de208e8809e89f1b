"""Customer notices: the email through a real SMTP conversation, the pasteable text, the rules."""

import datetime as dt
import email
import email.policy
import json
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import trans_real

from salesdesk.orders.choices import NoticeChannel
from salesdesk.orders.models import ShipmentNotice
from salesdesk.orders.services.notices import shipment_message_text, shipment_notify
from salesdesk.orders.services.shipments import shipment_record
from tests.factories import ContactFactory, CustomerFactory, UserFactory

from .factories_shipments import ProductFactory, make_order

pytestmark = pytest.mark.django_db

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations" / "shipments.json"


@pytest.fixture
def zh_catalog():
    """The Chinese of translations/shipments.json, even before the lead compiles it into the .mo.

    Entries the compiled catalogue already has are left alone, so once compiled this is a no-op.
    """
    table = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    with translation.override("zh-hans"):
        catalog = trans_real.translation("zh-hans")._catalog
    added = [key for key in table if catalog.get(key) is None]
    for key in added:
        catalog[key] = table[key]
    yield table
    for key in added:
        for part in catalog._catalogs:
            part.pop(key, None)


class Sink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend pointed at it."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "sales@carton.example.cn"
    yield sink
    controller.stop()


@pytest.fixture
def customer(salesperson):
    customer = CustomerFactory(owner=salesperson, name="杭州明发包装有限公司")
    ContactFactory(
        customer=customer, name="赵采购", email="zhao@mingfa.example.cn", is_primary=False
    )
    ContactFactory(
        customer=customer, name="王经理", email="wang@mingfa.example.cn", is_primary=True
    )
    ContactFactory(customer=customer, name="无邮箱", email="")
    gone = ContactFactory(customer=customer, name="已离职", email="left@mingfa.example.cn")
    gone.archived_at = timezone.now()
    gone.archived_by = salesperson
    gone.save()
    return customer


@pytest.fixture
def shipment(customer, warehouse):
    a = ProductFactory(
        code="P-0031", name="三层B楞外箱", length_mm=400, width_mm=300, height_mm=250
    )
    b = ProductFactory(
        code="P-0032",
        name="五层BC楞重型箱",
        length_mm=600,
        width_mm=400,
        height_mm=400,
        material="",
    )
    order = make_order(
        customer=customer,
        lines=((1000, "0.8560", a), (300, "2.5000", b)),
        contract_number="HT-2026-018",
    )
    lines = list(order.lines.order_by("line_no"))
    return shipment_record(
        order=order,
        by=warehouse,
        ship_date=timezone.localdate() - dt.timedelta(days=1),
        carrier="顺丰速运",
        carrier_phone="0571-88886666",
        tracking_number="SF1234567890",
        lines=[
            {"order_line": lines[0], "quantity": 500},
            {"order_line": lines[1], "quantity": 120},
        ],
    )


def test_email_reaches_the_contacts_in_chinese_through_smtp(
    smtp, zh_catalog, shipment, warehouse, django_capture_on_commit_callbacks
):
    with translation.override("en"):  # the clerk reads English; the customer still gets Chinese
        with django_capture_on_commit_callbacks(execute=True):
            notice = shipment_notify(shipment=shipment, by=warehouse)
    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert envelope.mail_from == "sales@carton.example.cn"
    # Live contacts with an email, primary first; no archived contact, no empty address.
    assert envelope.rcpt_tos == ["wang@mingfa.example.cn", "zhao@mingfa.example.cn"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["To"] == "wang@mingfa.example.cn, zhao@mingfa.example.cn"
    ship_date = shipment.ship_date.strftime("%Y-%m-%d")
    order = shipment.order
    subject = str(
        message["Subject"]
    ).strip()  # a folded encoded-word header may keep a leading space
    assert subject == zh_catalog[
        "Shipment notice: order %(number)s for %(customer)s shipped on %(date)s"
    ] % {"number": order.number, "customer": "杭州明发包装有限公司", "date": ship_date}
    assert subject.startswith("发货通知")
    body = message.get_content()
    for fact in (
        "杭州明发包装有限公司",
        order.number,
        "HT-2026-018",
        shipment.number,
        ship_date,
        "物流公司：顺丰速运",
        "物流电话：0571-88886666",
        "运单号：SF1234567890",
        "合同号：HT-2026-018",
        f"发货单号：{shipment.number}",
        f"发货日期：{ship_date}",
        "1. P-0031 三层B楞外箱 (400×300×250mm B ",  # ply and unit words are the catalog's
        "× 500",
        "2. P-0032 五层BC楞重型箱 (600×400×400mm B ",
        "× 120",
        "签收",
    ):
        assert fact in body, fact
    assert "Carrier" not in body and "Dear" not in body
    # The notice is kept with its time.
    shipment.refresh_from_db()
    assert shipment.notified_at == notice.sent_at
    assert (notice.channel, notice.sent_by) == (NoticeChannel.EMAIL, warehouse)
    assert notice.recipients == "wang@mingfa.example.cn, zhao@mingfa.example.cn"
    assert notice.subject == subject
    assert "SF1234567890" in notice.message


def test_email_is_sent_only_after_commit(
    smtp, shipment, warehouse, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        shipment_notify(shipment=shipment, by=warehouse)
    assert smtp.envelopes == []
    assert len(callbacks) == 1


def test_email_refused_when_no_contact_has_an_email(
    smtp, warehouse, salesperson, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=salesperson, name="宁波无邮箱纸品厂")
    ContactFactory(customer=customer, email="")
    order = make_order(customer=customer)
    shipment = shipment_record(
        order=order,
        by=warehouse,
        ship_date=timezone.localdate(),
        carrier="德邦物流",
        carrier_phone="400-830-5555",
        lines=[{"order_line": order.lines.get(), "quantity": 10}],
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as exc:
            shipment_notify(shipment=shipment, by=warehouse)
    message = exc.value.message_dict["channel"][0]
    assert "宁波无邮箱纸品厂" in message and "email" in message
    assert smtp.envelopes == []
    assert ShipmentNotice.objects.count() == 0
    shipment.refresh_from_db()
    assert shipment.notified_at is None


def test_message_text_has_the_same_facts_in_chinese(zh_catalog, shipment):
    with translation.override("en"):
        text = shipment_message_text(shipment)
    ship_date = shipment.ship_date.strftime("%Y-%m-%d")
    assert text.startswith("【发货通知】杭州明发包装有限公司")
    for fact in (
        shipment.order.number,
        ship_date,
        "顺丰速运",
        "0571-88886666",
        "SF1234567890",
        "P-0031 三层B楞外箱 × 500",
        "P-0032 五层BC楞重型箱 × 120",
        "签收",
    ):
        assert fact in text, fact
    assert len(text) < 300  # fits a text message thread


def test_recording_a_message_notice_stamps_the_time_once(shipment, assistant, warehouse):
    first = shipment_notify(
        shipment=shipment, by=assistant, channel="message", recipients="王经理 微信"
    )
    shipment.refresh_from_db()
    assert shipment.notified_at == first.sent_at
    assert (first.channel, first.recipients, first.subject) == ("message", "王经理 微信", "")
    assert first.message == shipment_message_text(shipment)
    second = shipment_notify(shipment=shipment, by=warehouse, channel="message")
    shipment.refresh_from_db()
    assert shipment.notified_at == first.sent_at  # the first notice is when the customer knew
    assert shipment.notices.count() == 2 and second.sent_by == warehouse


def test_unknown_channel_is_refused(shipment, warehouse):
    with pytest.raises(ValidationError) as exc:
        shipment_notify(shipment=shipment, by=warehouse, channel="fax")
    assert "channel" in exc.value.message_dict
    assert ShipmentNotice.objects.count() == 0


def test_who_may_notify(shipment, salesperson, other_salesperson, director, finance, commercial):
    shipment_notify(shipment=shipment, by=salesperson, channel="message")  # own customer
    shipment_notify(shipment=shipment, by=commercial, channel="message")
    for person in (
        other_salesperson,
        director,
        finance,
        UserFactory(role="warehouse", is_active=False),
    ):
        with pytest.raises(PermissionDenied):
            shipment_notify(shipment=shipment, by=person, channel="message")
    assert ShipmentNotice.objects.count() == 2
