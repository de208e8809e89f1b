"""Chinese pages carry no English left untranslated, English pages no Chinese chrome (C-1)."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from salesdesk.customers.choices import Stage
from salesdesk.customers.models import LeadStageChange

from .factories import (
    ContactFactory,
    CustomerFactory,
    FollowUpFactory,
    LeadFactory,
    MailingFactory,
    UserFactory,
)

# Words that are the same in both languages: product names, and the other language's name in
# the language switch.
ALLOWED_LATIN = {"SalesDesk", "Excel", "QQ", "API", "English", "xlsx", "mm", "Ctrl", "ABC"}
# The import template's sheet names are part of the file format, named as they are.
ALLOWED_CJK = {"简体中文", "“客户”", "“联系人”"}


class _Visible(HTMLParser):
    """Text a person sees: element text, option labels, placeholders, titles, alt and aria labels."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "alt", "aria-label") and value:
                self.parts.append(value)
            if (
                name == "value"
                and tag == "input"
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"\S+@\S+", " ", text)  # email addresses are data
    return re.sub(r"https?://\S+", " ", text)


def test_chinese_catalogue_is_complete():
    po = polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )
    untranslated = [
        e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]
    assert untranslated == []


def _pages(customer, lead, mailing):
    return [
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:create"),
        reverse("customers:edit", args=[customer.pk]),
        reverse("customers:gaps"),
        reverse("customers:contact-create", args=[customer.pk]),
        reverse("customers:import"),
        reverse("customers:leads"),
        reverse("customers:lead-detail", args=[lead.pk]),
        reverse("customers:mailings"),
        reverse("customers:mailing-create"),
        reverse("customers:mailing-feedback", args=[mailing.pk]),
        reverse("customers:followups-due"),
        reverse("customers:followup-log", args=[customer.pk]),
        reverse("customers:new-customers"),
        reverse("customers:win-loss"),
        reverse("customers:review"),
        reverse("orders:list"),
        reverse("orders:create"),
        reverse("orders:promises"),
        reverse("orders:contracts"),
        reverse("orders:shipments"),
        reverse("catalog:products"),
        reverse("catalog:product-create"),
        reverse("catalog:approvals"),
        reverse("finance:receivables"),
        reverse("finance:payments"),
        reverse("finance:payment-create"),
        reverse("finance:statement"),
        reverse("finance:aging"),
        reverse("finance:chase"),
        reverse("finance:collection-rate"),
        reverse("finance:reconciliations"),
        reverse("finance:reconciliation-new"),
        reverse("finance:disputes"),
        reverse("finance:dispute-create"),
    ]


def _data(*, chinese: bool):
    today = timezone.localdate()
    if chinese:
        customer = CustomerFactory(tier="key", next_followup_on=today)
        lead_customer = CustomerFactory(name="苏州工业园区新盛电子有限公司")
        ContactFactory(customer=customer, name="周建国")
    else:
        owner = UserFactory(username="sales9", display_name="Li Ming")
        customer = CustomerFactory(
            owner=owner,
            name="Ningbo Harbour Foods Ltd",
            short_name="Harbour",
            city="Ningbo",
            address="88 Zhongshan Road",
            tier="key",
            next_followup_on=today,
        )
        lead_customer = CustomerFactory(
            owner=owner,
            name="Suzhou Xinsheng Electronics",
            short_name="Xinsheng",
            city="Suzhou",
            address="1 Xinghu Street",
        )
        ContactFactory(customer=customer, name="Zhou Jianguo", title="Buyer")
    lead = LeadFactory(
        customer=lead_customer,
        stage=Stage.QUOTING,
        stage_changed_at=timezone.now() - dt.timedelta(days=20),
    )
    LeadStageChange.objects.create(
        lead=lead,
        from_stage="",
        to_stage=Stage.FOUND,
        changed_at=timezone.now() - dt.timedelta(days=30),
    )
    LeadStageChange.objects.create(
        lead=lead,
        from_stage=Stage.FOUND,
        to_stage=Stage.QUOTING,
        changed_at=timezone.now() - dt.timedelta(days=3),
    )
    lost_kwargs = (
        {"name": "丢单客户有限公司"}
        if chinese
        else {
            "name": "Lost Co",
            "short_name": "Lost",
            "city": "Wuxi",
            "address": "2 Road",
            "owner": customer.owner,
        }
    )
    lost = LeadFactory(
        customer=CustomerFactory(**lost_kwargs),
        stage=Stage.LOST,
        lost_reason="price",
        closed_at=timezone.now(),
    )
    LeadStageChange.objects.create(
        lead=lost, from_stage=Stage.QUOTING, to_stage=Stage.LOST, changed_at=timezone.now()
    )
    mailing_kwargs = {} if chinese else {"items": "Five sample boxes", "courier": "SF Express"}
    mailing = MailingFactory(customer=customer, **mailing_kwargs)
    FollowUpFactory(
        customer=customer,
        **({} if chinese else {"summary": "Called about the May order", "outcome": "Will order"}),
    )
    return customer, lead, mailing


@pytest.mark.django_db
def test_chinese_pages_have_no_untranslated_english(client_for, assistant):
    customer, lead, mailing = _data(chinese=True)
    client = client_for(assistant)
    problems = {}
    for url in _pages(customer, lead, mailing):
        response = client.get(url)
        assert response.status_code == 200, url
        words = set(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", visible_text(response.content.decode())))
        leftover = sorted(words - ALLOWED_LATIN)
        if leftover:
            problems[url] = leftover
    assert problems == {}


@pytest.mark.django_db
def test_english_pages_have_no_chinese_chrome(client_for, assistant):
    assistant.display_name = "Wang"
    assistant.save()
    customer, lead, mailing = _data(chinese=False)
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    problems = {}
    for url in _pages(customer, lead, mailing):
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        for allowed in ALLOWED_CJK:
            text = text.replace(allowed, "")
        chinese = re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)
        if chinese:
            problems[url] = sorted(set(chinese))
    assert problems == {}


@pytest.mark.django_db
def test_language_switch_changes_the_page(client_for, assistant):
    client = client_for(assistant)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("customers:list")}
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:list")).content.decode()
    assert 'lang="en"' in page and ">Customers<" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get(reverse("customers:list")).content.decode()
