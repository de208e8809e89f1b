"""The money report pages (aging, chase list, collection rate) in Chinese carry no English left
untranslated, and in English no Chinese chrome (C-1)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from salesdesk.customers.choices import Tier
from tests.factories import CustomerFactory, FollowUpFactory
from tests.test_i18n import ALLOWED_CJK, ALLOWED_LATIN, visible_text

from .factories_reports import make_receivable, pay, report_translations  # noqa: F401

PAGES = [
    "/finance/aging/",
    "/finance/aging/?by=salesperson",
    "/finance/chase/",
    "/finance/collection-rate/",
    "/finance/collection-rate/?by=customer",
    "/finance/collection-rate/?by=salesperson",
]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_translations")]


def _book(salesperson, name: str, summary: str):
    today = timezone.localdate()
    customer = CustomerFactory(
        owner=salesperson,
        name=name,
        tier=Tier.KEY,
        next_followup_on=today,
        next_followup_note=summary,
    )
    r = make_receivable(customer, "900.00", today - dt.timedelta(days=40))
    pay(r, "100.00", today - dt.timedelta(days=3))
    make_receivable(customer, "50.00", today + dt.timedelta(days=5))
    FollowUpFactory(customer=customer, summary=summary)


def test_chinese_pages_have_no_untranslated_english(client_for, salesperson):
    _book(salesperson, "杭州明发包装有限公司", "电话催款")
    client = client_for(salesperson)
    problems = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        words = set(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", visible_text(response.content.decode())))
        if words - ALLOWED_LATIN:
            problems[url] = sorted(words - ALLOWED_LATIN)
    assert problems == {}


def test_english_pages_have_no_chinese_chrome(client_for, salesperson):
    salesperson.display_name = "Li Ming"
    salesperson.save()
    _book(salesperson, "Ningbo Harbour Foods Ltd", "Called about the overdue invoice")
    client = client_for(salesperson)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    problems = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        for allowed in ALLOWED_CJK:  # the language switch names Chinese in Chinese
            text = text.replace(allowed, "")
        chinese = re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)
        if chinese:
            problems[url] = sorted(set(chinese))
    assert problems == {}
    assert "Receivables aging" in client.get(PAGES[0]).content.decode()
