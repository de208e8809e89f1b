"""Key-accounts-first lists read page by page as two parts (selectors/key_first.py): every page
holds the same rows, in the same order, as slicing the tier-first queryset would."""

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.customers.choices import Tier
from salesdesk.customers.selectors.key_first import KeyAccountsFirst
from salesdesk.customers.selectors.leads import lead_list
from salesdesk.customers.selectors.mailings import mailing_list
from tests.factories import CustomerFactory, LeadFactory, MailingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(salesperson):
    """Key and ordinary customers interleaved in time, with ties on the date."""
    now = timezone.now()
    today = timezone.localdate()
    for n in range(13):
        tier = Tier.KEY if n % 3 == 0 else Tier.ORDINARY
        customer = CustomerFactory(owner=salesperson, tier=tier)
        LeadFactory(customer=customer, stage_changed_at=now - dt.timedelta(hours=n // 2))
        MailingFactory(customer=customer, sent_on=today - dt.timedelta(days=n // 2))


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 7, 13, 20])
def test_pages_match_the_tier_first_order(rows, assistant, per_page):
    for qs in (lead_list(user=assistant), mailing_list(user=assistant)):
        expected = [row.pk for row in qs]
        assert len(expected) == 13 and qs[0].customer.tier == Tier.KEY
        split = KeyAccountsFirst(qs)
        assert split.count() == 13 and split.key_count == 5
        pages = [
            [row.pk for row in split[start : start + per_page]] for start in range(0, 13, per_page)
        ]
        assert [pk for page in pages for pk in page] == expected
        assert [row.pk for row in split] == expected
        assert split[5].pk == expected[5]
        assert split[20:30] == []


def test_scoping_and_filters_carry_over(rows, salesperson, other_salesperson):
    CustomerFactory(owner=other_salesperson, tier=Tier.KEY).leads.create(
        stage_changed_at=timezone.now()
    )
    mine = KeyAccountsFirst(lead_list(user=salesperson))
    assert mine.count() == 13
    assert {lead.customer.owner_id for lead in mine[0:50]} == {salesperson.pk}
    assert KeyAccountsFirst(lead_list(user=other_salesperson)).count() == 1


def test_needs_tier_first_ordering(assistant):
    with pytest.raises(ValueError):
        KeyAccountsFirst(lead_list(user=assistant).order_by("-stage_changed_at"))


def test_api_pages_keep_key_accounts_first(rows, api_for, assistant):
    api = api_for(assistant)
    for url, qs in (
        ("/api/v1/leads/", lead_list(user=assistant)),
        ("/api/v1/mailings/", mailing_list(user=assistant)),
    ):
        expected = [row.pk for row in qs]
        got = []
        for page in (1, 2, 3):
            data = api.get(url, {"page": page, "page_size": 5}).json()
            assert data["count"] == 13
            got += [row["id"] for row in data["results"]]
        assert got == expected


def test_mailings_page_keeps_key_accounts_first(rows, client_for, assistant):
    expected = [m.pk for m in mailing_list(user=assistant)]
    page = client_for(assistant).get("/customers/mailings/")
    assert [m.pk for m in page.context["page_obj"]] == expected[:13]
    assert page.context["page_obj"].paginator.count == 13
