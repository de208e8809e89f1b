"""Dispute services and selectors: opening, status rules (closing needs a resolution, reopening a
note), documents (10 MB), the register's order and scoping, history."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from salesdesk.customers.choices import Tier
from salesdesk.finance.choices import DisputeKind, DisputeStatus
from salesdesk.finance.models import Dispute, DisputeDocument
from salesdesk.finance.selectors.disputes import (
    dispute_document_get,
    dispute_get,
    dispute_history,
    dispute_list,
    dispute_totals,
    with_age,
)
from salesdesk.finance.services import disputes as services
from tests.factories import CustomerFactory

from .factories_reconciliation import dispute

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def mine(salesperson):
    return CustomerFactory(name="苏州大通电子有限公司", owner=salesperson, tier=Tier.KEY)


@pytest.fixture
def theirs(other_salesperson):
    return CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)


def open_one(by, customer, owner, **kwargs):
    data = {
        "title": "2022年货款差异",
        "kind": DisputeKind.PRICE,
        "amount": "35,600.50",
        "period": "2022",
        "description": "单价争议",
    }
    data.update(kwargs)
    return services.dispute_open(by=by, customer=customer, owner=owner, **data)


def test_open_a_dispute(finance, mine):
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0), tick=False):
        d = open_one(finance, mine, finance)
    assert (d.amount, d.status, d.opened_on, d.closed_on, d.created_by) == (
        D("35600.50"),
        "open",
        dt.date(2026, 4, 1),
        None,
        finance,
    )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"title": " "}, "title"),
        ({"kind": "nonsense"}, "kind"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"period": "x" * 51}, "period"),
        ({"customer": None}, "customer"),
        ({"owner": None}, "owner"),
    ],
)
def test_open_refuses_bad_input(finance, mine, change, field):
    data = {"customer": mine, "owner": finance}
    data.update(change)
    with pytest.raises(ValidationError) as exc:
        open_one(finance, data.pop("customer"), data.pop("owner"), **data)
    assert field in exc.value.message_dict
    assert Dispute.objects.count() == 0


def test_owner_must_be_able_to_follow_it_up(finance, mine, other_salesperson, warehouse):
    for owner in (warehouse, other_salesperson):  # no money / not their customer
        with pytest.raises(ValidationError) as exc:
            open_one(finance, mine, owner)
        assert "owner" in exc.value.message_dict


def test_closing_needs_a_resolution_and_reopening_a_note(finance, mine):
    d = open_one(finance, mine, finance)
    with pytest.raises(ValidationError) as exc:
        services.dispute_update(dispute=d, by=finance, status=DisputeStatus.RESOLVED, note="")
    assert "note" in exc.value.message_dict
    services.dispute_update(dispute=d, by=finance, status=DisputeStatus.WAITING, note="已发函总部")
    services.dispute_update(
        dispute=d,
        by=finance,
        status=DisputeStatus.RESOLVED,
        note="总部确认按合同价结算，已补签收单",
    )
    d.refresh_from_db()
    assert (d.status, d.resolution) == ("resolved", "总部确认按合同价结算，已补签收单")
    assert d.closed_on is not None
    with pytest.raises(ValidationError) as exc:
        services.dispute_update(dispute=d, by=finance, status=DisputeStatus.OPEN, note="")
    assert "note" in exc.value.message_dict
    services.dispute_update(dispute=d, by=finance, status=DisputeStatus.OPEN, note="总部又提出异议")
    d.refresh_from_db()
    assert (d.status, d.closed_on, d.resolution) == ("open", None, "")
    events = dispute_history(d)
    assert [(e["status_from"], e["status_to"]) for e in events] == [
        (None, "open"),
        ("open", "waiting"),
        ("waiting", "resolved"),
        ("resolved", "open"),
    ]
    assert [e["note"] for e in events] == [
        "",
        "已发函总部",
        "总部确认按合同价结算，已补签收单",
        "总部又提出异议",
    ]
    assert events[1]["who"] == finance


def test_nothing_changed_and_bad_status_are_refused(finance, mine):
    d = open_one(finance, mine, finance)
    for status, field in ((DisputeStatus.OPEN, "status"), ("closed", "status")):
        with pytest.raises(ValidationError) as exc:
            services.dispute_update(dispute=d, by=finance, status=status, note="")
        assert field in exc.value.message_dict
    services.dispute_update(dispute=d, by=finance, status=DisputeStatus.OPEN, note="电话催总部财务")
    assert dispute_history(d)[-1]["note"] == "电话催总部财务"


def test_documents_any_type_up_to_10_mb(finance, mine, settings):
    d = open_one(finance, mine, finance)
    doc = services.dispute_attach(
        dispute=d, by=finance, file=SimpleUploadedFile("签收单.jpg", b"\xff\xd8jpeg", "image/jpeg")
    )
    assert (doc.filename, doc.size, doc.content_type, bytes(doc.content)) == (
        "签收单.jpg",
        6,
        "image/jpeg",
        b"\xff\xd8jpeg",
    )
    big = SimpleUploadedFile("big.pdf", b"x" * (10 * 1024 * 1024 + 1), "application/pdf")
    for bad in (big, SimpleUploadedFile("empty.txt", b""), None):
        with pytest.raises(ValidationError) as exc:
            services.dispute_attach(dispute=d, by=finance, file=bad)
        assert "file" in exc.value.message_dict
    assert DisputeDocument.objects.count() == 1
    exactly = SimpleUploadedFile("max.bin", b"x" * (10 * 1024 * 1024))
    services.dispute_attach(dispute=d, by=finance, file=exactly)


def test_register_order_scope_age_and_totals(finance, salesperson, mine, theirs):
    with time_machine.travel(dt.datetime(2026, 4, 30, 9, 0), tick=False):
        closed = dispute(mine, finance, status="resolved", opened_on=dt.date(2026, 1, 1))
        old_theirs = dispute(theirs, finance, opened_on=dt.date(2026, 2, 1), amount="100.10")
        new_mine = dispute(mine, finance, opened_on=dt.date(2026, 4, 1), amount="200.20")
        old_mine = dispute(
            mine, finance, opened_on=dt.date(2026, 3, 1), status="waiting", amount="0.70"
        )
        everything = list(dispute_list(user=finance, status="all"))
        # Open before closed; key accounts (mine) first; oldest first.
        assert everything == [old_mine, new_mine, old_theirs, closed]
        assert list(dispute_list(user=salesperson, status="all")) == [old_mine, new_mine, closed]
        assert list(dispute_list(user=finance)) == [old_mine, new_mine, old_theirs]
        assert list(dispute_list(user=finance, status="closed")) == [closed]
        assert list(dispute_list(user=finance, search="宁波")) == [old_theirs]
        assert with_age([old_mine])[0].age_days == 60
        assert dispute_totals(dispute_list(user=finance)) == {"count": 3, "amount": D("301.00")}
    with pytest.raises(Exception):  # noqa: B017 - Http404
        dispute_get(user=salesperson, pk=old_theirs.pk)
    doc = services.dispute_attach(
        dispute=old_theirs, by=finance, file=SimpleUploadedFile("a.pdf", b"%PDF")
    )
    assert dispute_document_get(user=finance, dispute_pk=old_theirs.pk, pk=doc.pk) == doc
    with pytest.raises(Exception):  # noqa: B017 - Http404
        dispute_document_get(user=salesperson, dispute_pk=old_theirs.pk, pk=doc.pk)
    with pytest.raises(Exception):  # noqa: B017 - Http404: the document is not this dispute's
        dispute_document_get(user=finance, dispute_pk=old_mine.pk, pk=doc.pk)
