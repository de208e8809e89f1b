"""Pipeline rules (R-2.1): lead_start, lead_move and the pipeline selectors."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from salesdesk.customers.choices import CustomerStatus, LostReason, Stage, Tier
from salesdesk.customers.models import Lead, LeadStageChange
from salesdesk.customers.selectors.leads import (
    lead_get,
    lead_list,
    lead_stage_changes,
    pipeline_board,
)
from salesdesk.customers.services.leads import lead_move, lead_start
from tests.factories import CustomerFactory, LeadFactory

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def fields(exc: ValidationError) -> set[str]:
    return set(exc.value.message_dict)


@pytest.fixture
def prospect(salesperson):
    return CustomerFactory(owner=salesperson, status=CustomerStatus.PROSPECT)


# lead_start


def test_lead_start_opens_a_found_lead_and_records_the_first_stage(prospect, salesperson):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        lead = lead_start(
            customer=prospect, by=salesperson, expected_value=Decimal("120000.50"), notes="展会认识"
        )
    lead.refresh_from_db()
    assert lead.stage == Stage.FOUND and lead.closed_at is None
    assert lead.expected_value == Decimal("120000.50")
    assert lead.created_by == salesperson
    assert lead.stage_changed_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", Stage.FOUND, salesperson)
    prospect.refresh_from_db()
    assert prospect.status == CustomerStatus.LEAD
    assert lead.history.count() == 1


def test_lead_start_keeps_an_active_customer_active(salesperson):
    customer = CustomerFactory(owner=salesperson, status=CustomerStatus.ACTIVE)
    lead_start(customer=customer, by=salesperson)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE


def test_lead_start_reopens_a_lost_customer_as_lead(salesperson):
    customer = CustomerFactory(owner=salesperson, status=CustomerStatus.LOST)
    lead_start(customer=customer, by=salesperson)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LEAD


def test_lead_start_refuses_a_second_open_lead(prospect, salesperson):
    lead_start(customer=prospect, by=salesperson)
    with pytest.raises(ValidationError) as exc:
        lead_start(customer=prospect, by=salesperson)
    assert fields(exc) == {"customer"}
    with translation.override("en"):
        assert "open lead" in str(exc.value.message_dict["customer"][0])
    assert Lead.objects.filter(customer=prospect).count() == 1


def test_lead_start_allowed_again_once_the_lead_is_closed(prospect, salesperson):
    lead = lead_start(customer=prospect, by=salesperson)
    lead_move(lead=lead, by=salesperson, stage=Stage.LOST, lost_reason=LostReason.PRICE)
    second = lead_start(customer=prospect, by=salesperson)
    assert second.pk != lead.pk and second.is_open


def test_lead_start_refuses_negative_value(prospect, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_start(customer=prospect, by=salesperson, expected_value=Decimal("-1"))
    assert fields(exc) == {"expected_value"}
    assert not Lead.objects.exists()


def test_lead_start_refuses_archived_customer(prospect, salesperson, assistant):
    from django.utils import timezone

    prospect.archived_at, prospect.archived_by = timezone.now(), assistant
    prospect.save()
    with pytest.raises(ValidationError) as exc:
        lead_start(customer=prospect, by=salesperson)
    assert fields(exc) == {"customer"}


@pytest.mark.parametrize("persona", ["other_salesperson", "director", "finance", "warehouse"])
def test_lead_start_needs_an_editor_who_owns_or_sees_all(request, prospect, persona):
    with pytest.raises(PermissionDenied):
        lead_start(customer=prospect, by=request.getfixturevalue(persona))
    assert not Lead.objects.exists()


@pytest.mark.parametrize("persona", ["assistant", "commercial", "admin_user"])
def test_lead_start_by_office_roles_on_any_customer(request, prospect, persona):
    assert lead_start(customer=prospect, by=request.getfixturevalue(persona)).is_open


# lead_move


@pytest.fixture
def lead(prospect, salesperson):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False):
        return lead_start(customer=prospect, by=salesperson)


def test_lead_move_records_who_and_when(lead, salesperson):
    moment = dt.datetime(2026, 3, 5, 15, 30, tzinfo=SH)
    with time_machine.travel(moment, tick=False):
        lead_move(lead=lead, by=salesperson, stage=Stage.CONTACTED, note="电话联系上采购")
    lead.refresh_from_db()
    assert (
        lead.stage == Stage.CONTACTED and lead.stage_changed_at == moment and lead.closed_at is None
    )
    change = lead_stage_changes(lead=lead).first()
    assert (
        change.from_stage,
        change.to_stage,
        change.changed_at,
        change.changed_by,
        change.note,
    ) == (
        Stage.FOUND,
        Stage.CONTACTED,
        moment,
        salesperson,
        "电话联系上采购",
    )
    assert lead.stage_changes.count() == 2


def test_lead_move_to_won_closes_lead_and_makes_customer_active(lead, salesperson, prospect):
    moment = dt.datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    with time_machine.travel(moment, tick=False):
        lead_move(lead=lead, by=salesperson, stage=Stage.WON)
    lead.refresh_from_db()
    prospect.refresh_from_db()
    assert lead.closed_at == moment and lead.stage == Stage.WON
    assert prospect.status == CustomerStatus.ACTIVE
    assert prospect.history.order_by("-history_id").first().status == CustomerStatus.ACTIVE


def test_lead_move_to_lost_needs_a_reason(lead, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.LOST)
    assert fields(exc) == {"lost_reason"}
    lead.refresh_from_db()
    assert lead.stage == Stage.FOUND and lead.stage_changes.count() == 1


def test_lead_move_to_lost_sets_reason_and_customer_lost(lead, salesperson, prospect):
    lead_move(
        lead=lead,
        by=salesperson,
        stage=Stage.LOST,
        lost_reason=LostReason.COMPETITOR,
        note="选了本地厂",
    )
    lead.refresh_from_db()
    prospect.refresh_from_db()
    assert (lead.stage, lead.lost_reason, lead.lost_note) == (
        Stage.LOST,
        LostReason.COMPETITOR,
        "选了本地厂",
    )
    assert lead.closed_at is not None
    assert prospect.status == CustomerStatus.LOST


def test_lead_move_refuses_a_lost_reason_unless_lost(lead, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.QUOTING, lost_reason=LostReason.PRICE)
    assert fields(exc) == {"lost_reason"}


def test_lead_move_refuses_unknown_reason_and_stage(lead, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.LOST, lost_reason="weather")
    assert fields(exc) == {"lost_reason"}
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage="shipped")
    assert fields(exc) == {"stage"}


def test_lead_move_refuses_the_same_stage(lead, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.FOUND)
    assert fields(exc) == {"stage"}
    assert lead.stage_changes.count() == 1


def test_closed_lead_cannot_move(lead, salesperson):
    lead_move(lead=lead, by=salesperson, stage=Stage.WON)
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.QUOTING)
    assert fields(exc) == {"stage"}
    stale = Lead.objects.get(pk=lead.pk)
    stale.stage, stale.closed_at = Stage.QUOTING, None  # a stale copy must not fool the rule
    with pytest.raises(ValidationError):
        lead_move(lead=stale, by=salesperson, stage=Stage.TRIAL_ORDER)
    assert Lead.objects.get(pk=lead.pk).stage == Stage.WON


def test_lead_move_refuses_long_note(lead, salesperson):
    with pytest.raises(ValidationError) as exc:
        lead_move(lead=lead, by=salesperson, stage=Stage.CONTACTED, note="长" * 201)
    assert fields(exc) == {"note"}


def test_lead_move_by_someone_else_is_refused(lead, other_salesperson, director):
    for person in (other_salesperson, director):
        with pytest.raises(PermissionDenied):
            lead_move(lead=lead, by=person, stage=Stage.CONTACTED)
    assert Lead.objects.get(pk=lead.pk).stage == Stage.FOUND


# selectors


def test_pipeline_board_groups_open_leads_key_accounts_first(salesperson, other_salesperson):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False):
        old_ordinary = LeadFactory(customer__owner=salesperson, stage=Stage.QUOTING)
    with time_machine.travel(dt.datetime(2026, 3, 8, 9, 0, tzinfo=SH), tick=False):
        new_key = LeadFactory(
            customer__owner=salesperson, customer__tier=Tier.KEY, stage=Stage.QUOTING
        )
        LeadFactory(
            customer__owner=salesperson,
            stage=Stage.WON,
            closed_at=dt.datetime(2026, 3, 8, tzinfo=SH),
        )
        LeadFactory(customer__owner=other_salesperson, stage=Stage.QUOTING)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH), tick=False):
        columns = pipeline_board(user=salesperson)
    assert [c["stage"] for c in columns] == [
        Stage.FOUND,
        Stage.CONTACTED,
        Stage.SAMPLES_SENT,
        Stage.QUOTING,
        Stage.TRIAL_ORDER,
    ]
    quoting = columns[3]
    assert quoting["count"] == 2
    assert quoting["leads"] == [new_key, old_ordinary]
    assert [lead.days_in_stage for lead in quoting["leads"]] == [2, 9]


def test_pipeline_board_owner_filter_and_search(assistant, salesperson, other_salesperson):
    mine = LeadFactory(customer__owner=salesperson, customer__name="宁波海天包装")
    theirs = LeadFactory(customer__owner=other_salesperson)
    board = pipeline_board(user=assistant, owner=other_salesperson)
    assert board[0]["leads"] == [theirs]
    assert pipeline_board(user=assistant, search="海天")[0]["leads"] == [mine]
    assert pipeline_board(user=assistant, search="T")[0]["count"] == 2  # code prefix


def test_lead_selectors_are_scoped(salesperson, other_salesperson, warehouse):
    theirs = LeadFactory(customer__owner=other_salesperson)
    assert pipeline_board(user=salesperson)[0]["count"] == 0
    assert not lead_list(user=salesperson).exists()
    assert not lead_list(user=warehouse).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        lead_get(user=salesperson, pk=theirs.pk)
    assert lead_get(user=other_salesperson, pk=theirs.pk) == theirs


def test_lead_list_search_by_pinyin_and_stage(salesperson):
    lead = LeadFactory(
        customer__owner=salesperson,
        customer__name="绍兴纸业",
        customer__name_pinyin="shaoxingzhiye",
        customer__name_initials="sxzy",
    )
    LeadFactory(customer__owner=salesperson, stage=Stage.QUOTING)
    assert list(lead_list(user=salesperson, search="ShaoXing")) == [lead]
    assert list(lead_list(user=salesperson, search="sxz")) == [lead]
    assert lead_list(user=salesperson, stage=Stage.QUOTING).count() == 1
