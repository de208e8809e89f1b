"""Sample and brochure mailings (R-2.2): mailing_send, mailing_record_feedback, mailing_list."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.customers.choices import MailingKind, Stage, Tier
from salesdesk.customers.models import Mailing
from salesdesk.customers.selectors.mailings import mailing_list
from salesdesk.customers.services.leads import lead_move, lead_start
from salesdesk.customers.services.mailings import mailing_record_feedback, mailing_send
from tests.factories import CustomerFactory, LeadFactory, MailingFactory

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 4, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson)


def send(customer, by, **overrides):
    data = {
        "kind": MailingKind.SAMPLE,
        "items": "五层AB楞彩箱样品 3 个",
        "courier": "顺丰速运",
        "tracking_number": "SF1234567890",
        "sent_on": TODAY - dt.timedelta(days=1),
        "feedback_due_on": TODAY + dt.timedelta(days=7),
    }
    data.update(overrides)
    return mailing_send(customer=customer, by=by, **data)


def test_mailing_send_records_everything(customer, salesperson):
    mailing = send(customer, salesperson)
    mailing.refresh_from_db()
    assert (mailing.courier, mailing.tracking_number, mailing.sent_on, mailing.feedback_due_on) == (
        "顺丰速运",
        "SF1234567890",
        dt.date(2026, 4, 14),
        dt.date(2026, 4, 22),
    )
    assert mailing.created_by == salesperson and mailing.lead is None
    assert mailing.history.count() == 1


def test_feedback_due_may_be_the_day_sent_but_not_before(customer, salesperson):
    assert send(customer, salesperson, feedback_due_on=TODAY - dt.timedelta(days=1)).pk
    with pytest.raises(ValidationError) as exc:
        send(customer, salesperson, feedback_due_on=TODAY - dt.timedelta(days=2))
    assert set(exc.value.message_dict) == {"feedback_due_on"}
    assert Mailing.objects.count() == 1


def test_mailing_send_refuses_missing_fields_and_future_dates(customer, salesperson):
    with pytest.raises(ValidationError) as exc:
        send(
            customer,
            salesperson,
            items=" ",
            courier="",
            kind="parcel",
            sent_on=TODAY + dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"items", "courier", "kind", "sent_on"}
    with pytest.raises(ValidationError) as exc:
        send(customer, salesperson, tracking_number="9" * 51)
    assert set(exc.value.message_dict) == {"tracking_number"}
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("stage", [Stage.FOUND, Stage.CONTACTED])
def test_sending_samples_moves_an_early_open_lead_to_samples_sent(customer, salesperson, stage):
    lead = lead_start(customer=customer, by=salesperson)
    if stage != Stage.FOUND:
        lead_move(lead=lead, by=salesperson, stage=stage)
    mailing = send(customer, salesperson)
    lead.refresh_from_db()
    assert lead.stage == Stage.SAMPLES_SENT
    assert mailing.lead == lead
    change = lead.stage_changes.first()
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        stage,
        Stage.SAMPLES_SENT,
        salesperson,
    )


def test_sending_samples_leaves_a_later_lead_where_it_is(customer, salesperson):
    lead = lead_start(customer=customer, by=salesperson)
    lead_move(lead=lead, by=salesperson, stage=Stage.QUOTING)
    send(customer, salesperson)
    lead.refresh_from_db()
    assert lead.stage == Stage.QUOTING and lead.stage_changes.count() == 2


def test_a_closed_lead_is_not_moved_by_a_mailing(customer, salesperson):
    lead = lead_start(customer=customer, by=salesperson)
    lead_move(lead=lead, by=salesperson, stage=Stage.WON)
    mailing = send(customer, salesperson, lead=lead)
    lead.refresh_from_db()
    assert lead.stage == Stage.WON and mailing.lead == lead


def test_lead_of_another_customer_is_refused(customer, salesperson):
    other = LeadFactory(customer__owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        send(customer, salesperson, lead=other)
    assert set(exc.value.message_dict) == {"lead"}


def test_mailing_send_needs_the_right(customer, other_salesperson, director):
    for person in (other_salesperson, director):
        with pytest.raises(PermissionDenied):
            send(customer, person)
    assert not Mailing.objects.exists()


def test_feedback_is_recorded_not_before_sent_and_not_in_future(customer, salesperson):
    mailing = send(customer, salesperson, sent_on=dt.date(2026, 4, 10), feedback_due_on=None)
    for bad in (dt.date(2026, 4, 9), dt.date(2026, 4, 16)):
        with pytest.raises(ValidationError) as exc:
            mailing_record_feedback(
                mailing=mailing, by=salesperson, received_on=bad, feedback="满意"
            )
        assert set(exc.value.message_dict) == {"received_on"}
    with pytest.raises(ValidationError) as exc:
        mailing_record_feedback(
            mailing=mailing, by=salesperson, received_on=dt.date(2026, 4, 10), feedback=" "
        )
    assert set(exc.value.message_dict) == {"feedback"}
    mailing.refresh_from_db()
    assert mailing.feedback_received_on is None and mailing.feedback == ""
    mailing_record_feedback(
        mailing=mailing, by=salesperson, received_on=dt.date(2026, 4, 10), feedback="抗压合格"
    )
    mailing.refresh_from_db()
    assert (mailing.feedback_received_on, mailing.feedback) == (dt.date(2026, 4, 10), "抗压合格")
    assert mailing.history.count() == 2


def test_feedback_needs_the_right(customer, salesperson, other_salesperson):
    mailing = send(customer, salesperson)
    with pytest.raises(PermissionDenied):
        mailing_record_feedback(
            mailing=mailing, by=other_salesperson, received_on=TODAY, feedback="x"
        )


def test_mailing_list_awaiting_and_overdue(salesperson, other_salesperson):
    mine = {"customer__owner": salesperson}
    answered = MailingFactory(**mine, feedback_received_on=TODAY, feedback="好")
    due_later = MailingFactory(**mine, feedback_due_on=TODAY)
    overdue = MailingFactory(
        **mine, sent_on=TODAY - dt.timedelta(days=9), feedback_due_on=TODAY - dt.timedelta(days=1)
    )
    no_due = MailingFactory(**mine, feedback_due_on=None)
    MailingFactory(customer__owner=other_salesperson, feedback_due_on=TODAY - dt.timedelta(days=1))
    assert set(mailing_list(user=salesperson)) == {answered, due_later, overdue, no_due}
    assert set(mailing_list(user=salesperson, awaiting=True)) == {due_later, overdue, no_due}
    assert list(mailing_list(user=salesperson, overdue=True)) == [overdue]


def test_mailing_list_key_accounts_first(salesperson):
    ordinary = MailingFactory(customer__owner=salesperson, sent_on=TODAY)
    key = MailingFactory(
        customer__owner=salesperson, customer__tier=Tier.KEY, sent_on=TODAY - dt.timedelta(days=5)
    )
    assert list(mailing_list(user=salesperson)) == [key, ordinary]
