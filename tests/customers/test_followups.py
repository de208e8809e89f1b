"""Follow-ups and return visits (R-3.1, R-3.3): services keep the stored columns right."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from salesdesk.customers.choices import Channel, FollowUpKind, Tier
from salesdesk.customers.models import FollowUp
from salesdesk.customers.selectors.followups import customer_followups, followup_list, followups_due
from salesdesk.customers.services.followups import followup_log, return_visit_schedule
from tests.factories import ContactFactory, CustomerFactory, FollowUpFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=SH)
TODAY = NOW.date()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson)


def log(customer, by, **kw):
    kw.setdefault("channel", Channel.CALL)
    kw.setdefault("summary", "问下月用量")
    return followup_log(customer=customer, by=by, **kw)


def stored(customer):
    customer.refresh_from_db()
    return (
        customer.last_followup_at,
        customer.next_followup_on,
        customer.next_followup_kind,
        customer.next_followup_note,
    )


def test_log_sets_last_and_next(customer, salesperson):
    contact = ContactFactory(customer=customer)
    followup = log(
        customer,
        salesperson,
        channel=Channel.WECHAT,
        outcome="下周报价",
        contact=contact,
        next_date=TODAY + dt.timedelta(days=7),
        next_action="发报价单",
    )
    followup.refresh_from_db()
    assert (followup.occurred_at, followup.created_by, followup.contact, followup.next_kind) == (
        NOW,
        salesperson,
        contact,
        FollowUpKind.FOLLOW_UP,
    )
    assert stored(customer) == (NOW, dt.date(2026, 5, 27), FollowUpKind.FOLLOW_UP, "发报价单")
    assert customer.history.order_by("-history_id").first().next_followup_on == dt.date(2026, 5, 27)


def test_latest_log_without_next_step_clears_it(customer, salesperson):
    log(customer, salesperson, next_date=TODAY + dt.timedelta(days=3), next_action="回电")
    log(customer, salesperson)
    assert stored(customer) == (NOW, None, "", "")


def test_an_older_log_keeps_last_and_next(customer, salesperson):
    log(customer, salesperson, next_date=TODAY + dt.timedelta(days=3), next_action="回电")
    earlier = NOW - dt.timedelta(days=10)
    log(customer, salesperson, occurred_at=earlier, next_date=earlier.date() + dt.timedelta(days=1))
    assert stored(customer) == (NOW, TODAY + dt.timedelta(days=3), FollowUpKind.FOLLOW_UP, "回电")
    assert [f.occurred_at for f in customer_followups(customer)] == [NOW, earlier]


def test_next_date_not_before_the_follow_up(customer, salesperson):
    earlier = NOW - dt.timedelta(days=10)
    # relative to when it happened, not to today
    log(customer, salesperson, occurred_at=earlier, next_date=earlier.date())
    with pytest.raises(ValidationError) as exc:
        log(
            customer,
            salesperson,
            occurred_at=earlier,
            next_date=earlier.date() - dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"next_date"}
    assert FollowUp.objects.count() == 1


def test_log_refuses_bad_input_naming_fields(customer, salesperson):
    other_contact = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        followup_log(
            customer=customer,
            by=salesperson,
            channel="fax",
            summary=" ",
            kind="visit",
            contact=other_contact,
            occurred_at=NOW + dt.timedelta(hours=1),
            next_kind="party",
            next_action="x",
        )
    assert set(exc.value.message_dict) == {
        "channel",
        "summary",
        "kind",
        "contact",
        "occurred_at",
        "next_kind",
        "next_date",
    }
    assert not FollowUp.objects.exists()
    assert stored(customer) == (None, None, "", "")


def test_log_needs_the_right(customer, other_salesperson, finance):
    for person in (other_salesperson, finance):
        with pytest.raises(PermissionDenied):
            log(customer, person)
    assert not FollowUp.objects.exists()


def test_return_visit_schedule_sets_next_step(customer, salesperson):
    return_visit_schedule(
        customer=customer, by=salesperson, on=TODAY + dt.timedelta(days=14), note="上门看包装线"
    )
    assert stored(customer)[1:] == (dt.date(2026, 6, 3), FollowUpKind.RETURN_VISIT, "上门看包装线")


def test_return_visit_not_in_the_past(customer, salesperson):
    return_visit_schedule(customer=customer, by=salesperson, on=TODAY, note="")
    with pytest.raises(ValidationError) as exc:
        return_visit_schedule(
            customer=customer, by=salesperson, on=TODAY - dt.timedelta(days=1), note=""
        )
    assert set(exc.value.message_dict) == {"on"}
    with pytest.raises(ValidationError) as exc:
        return_visit_schedule(customer=customer, by=salesperson, on=TODAY, note="长" * 201)
    assert set(exc.value.message_dict) == {"note"}
    assert stored(customer)[1:] == (TODAY, FollowUpKind.RETURN_VISIT, "")


def test_return_visit_schedule_needs_the_right(customer, other_salesperson):
    with pytest.raises(PermissionDenied):
        return_visit_schedule(customer=customer, by=other_salesperson, on=TODAY, note="")


def test_an_ordinary_follow_up_keeps_a_scheduled_return_visit(customer, salesperson):
    return_visit_schedule(
        customer=customer, by=salesperson, on=TODAY + dt.timedelta(days=5), note="回访"
    )
    log(customer, salesperson)
    assert stored(customer) == (
        NOW,
        TODAY + dt.timedelta(days=5),
        FollowUpKind.RETURN_VISIT,
        "回访",
    )


def test_a_logged_return_visit_clears_the_due_one(customer, salesperson):
    return_visit_schedule(customer=customer, by=salesperson, on=TODAY, note="回访")
    log(customer, salesperson, channel=Channel.VISIT, kind=FollowUpKind.RETURN_VISIT)
    assert stored(customer) == (NOW, None, "", "")


def test_a_return_visit_logged_after_the_fact_clears_the_due_one(customer, salesperson):
    log(customer, salesperson)  # a later call is the latest contact
    return_visit_schedule(customer=customer, by=salesperson, on=TODAY, note="回访")
    log(
        customer,
        salesperson,
        channel=Channel.VISIT,
        kind=FollowUpKind.RETURN_VISIT,
        occurred_at=NOW - dt.timedelta(minutes=30),
    )
    assert stored(customer) == (NOW, None, "", "")


def test_a_new_next_step_replaces_a_return_visit(customer, salesperson):
    return_visit_schedule(
        customer=customer, by=salesperson, on=TODAY + dt.timedelta(days=5), note="回访"
    )
    log(
        customer,
        salesperson,
        next_date=TODAY + dt.timedelta(days=2),
        next_kind=FollowUpKind.FOLLOW_UP,
        next_action="寄样",
    )
    assert stored(customer)[1:] == (TODAY + dt.timedelta(days=2), FollowUpKind.FOLLOW_UP, "寄样")


def test_followups_due_key_accounts_first_then_date(salesperson, other_salesperson):
    mine = {"owner": salesperson}
    late = CustomerFactory(
        **mine, next_followup_on=TODAY - dt.timedelta(days=3), next_followup_kind="follow_up"
    )
    today = CustomerFactory(**mine, next_followup_on=TODAY, next_followup_kind="return_visit")
    key = CustomerFactory(**mine, tier=Tier.KEY, next_followup_on=TODAY)
    CustomerFactory(**mine, next_followup_on=TODAY + dt.timedelta(days=1))
    CustomerFactory(**mine, next_followup_on=None)
    CustomerFactory(owner=other_salesperson, next_followup_on=TODAY - dt.timedelta(days=1))
    FollowUpFactory(customer=late, summary="老的", occurred_at=NOW - dt.timedelta(days=20))
    FollowUpFactory(customer=late, summary="最新的", occurred_at=NOW - dt.timedelta(days=10))
    rows = list(followups_due(user=salesperson))
    assert rows == [key, late, today]
    assert rows[1].last_summary == "最新的"
    assert len(followups_due(user=salesperson, until=TODAY + dt.timedelta(days=1))) == 4


def test_followups_due_leaves_out_archived(salesperson, assistant):
    CustomerFactory(
        owner=salesperson, next_followup_on=TODAY, archived_at=NOW, archived_by=assistant
    )
    assert not followups_due(user=salesperson).exists()


def test_followup_list_scoped(salesperson, other_salesperson):
    mine = FollowUpFactory(customer__owner=salesperson)
    FollowUpFactory(customer__owner=other_salesperson)
    assert list(followup_list(user=salesperson)) == [mine]
    assert followup_list(user=other_salesperson, customer=mine.customer_id).count() == 0
