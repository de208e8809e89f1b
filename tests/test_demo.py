"""`salesdesk demo`: a believable department, consistent derived columns, deterministic per seed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from salesdesk.accounts.models import User
from salesdesk.accounts.roles import OWNS_CUSTOMERS, Role
from salesdesk.core.validators import validate_credit_code, validate_mobile, validate_phone
from salesdesk.customers import completeness
from salesdesk.customers.choices import (
    Channel,
    CustomerStatus,
    CustomerType,
    FollowUpKind,
    Stage,
    Tier,
)
from salesdesk.customers.models import Contact, Customer, FollowUp, Lead, LeadStageChange, Mailing
from salesdesk.customers.text import pinyin_of

PASSWORD = "demo-pass-2026"


@dataclass
class Run:
    output: str
    identity: list
    activity: list
    today: dt.date
    password_works: bool = False
    existing_admin_kept: bool = False


def _identity() -> list:
    """What must not change for a seed: names, codes and numbers."""
    customers = list(
        Customer.objects.order_by("code").values_list(
            "code",
            "name",
            "short_name",
            "credit_code",
            "province",
            "city",
            "type",
            "tier",
            "owner__username",
            "invoice_phone",
        )
    )
    contacts = list(
        Contact.objects.order_by("customer__code", "-is_primary", "name").values_list(
            "customer__code", "name", "title", "mobile", "phone", "email", "decision_role"
        )
    )
    return customers + contacts


def _activity() -> list:
    leads = list(
        Lead.objects.order_by("customer__code").values_list(
            "customer__code", "stage", "lost_reason", "stage_changed_at", "expected_value"
        )
    )
    followups = list(
        FollowUp.objects.order_by("customer__code", "occurred_at").values_list(
            "customer__code", "occurred_at", "channel", "kind", "summary", "next_date", "next_kind"
        )
    )
    mailings = list(
        Mailing.objects.order_by("customer__code", "sent_on").values_list(
            "customer__code",
            "courier",
            "tracking_number",
            "sent_on",
            "feedback_due_on",
            "feedback_received_on",
        )
    )
    return leads + followups + mailings


def _run_and_roll_back(**options) -> Run:
    """Build the demo on the empty database, look at it, and undo it."""
    out = StringIO()
    with transaction.atomic():
        admin = User.objects.create_user("admin", password="admins-own-secret", role=Role.ADMIN)
        call_command("demo", stdout=out, **options)
        run = Run(out.getvalue(), _identity(), _activity(), timezone.localdate())
        printed = re.search(r"^\s+sales1\s.*\s(\S+)$", run.output, re.MULTILINE).group(1)
        run.password_works = User.objects.get(username="sales1").check_password(printed)
        admin.refresh_from_db()
        run.existing_admin_kept = admin.check_password("admins-own-secret")
        transaction.set_rollback(True)
    return run


@dataclass
class Demo:
    kept: Run
    same_seed: Run
    later_day: Run
    other_seed: Run


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo built once for this module (and rolled back after it), plus comparison runs."""
    moment = timezone.now()
    with django_db_blocker.unblock():
        assert not Customer.objects.exists()
        with time_machine.travel(moment, tick=False):
            same_seed = _run_and_roll_back(seed=2026)
        with time_machine.travel(moment + dt.timedelta(days=100), tick=False):
            later_day = _run_and_roll_back(seed=2026, password=PASSWORD)
        with time_machine.travel(moment, tick=False):
            other_seed = _run_and_roll_back(seed=2027, password=PASSWORD)
        with transaction.atomic():
            out = StringIO()
            with time_machine.travel(moment, tick=False):
                call_command("demo", seed=2026, password=PASSWORD, stdout=out)
            kept = Run(out.getvalue(), _identity(), _activity(), timezone.localdate(moment))
            yield Demo(kept, same_seed, later_day, other_seed)
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_users_have_their_roles_and_the_given_password(demo):
    expected = {
        "assistant": Role.ASSISTANT,
        "commercial": Role.COMMERCIAL,
        "sales1": Role.SALESPERSON,
        "sales2": Role.SALESPERSON,
        "sales3": Role.SALESPERSON,
        "director": Role.DIRECTOR,
        "finance": Role.FINANCE,
        "warehouse": Role.WAREHOUSE,
        "admin": Role.ADMIN,
    }
    users = {u.username: u for u in User.objects.all()}
    assert {name: users[name].role for name in expected} == expected
    assert all(users[name].display_name for name in expected)
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["sales1"].is_staff
    assert all(users[name].check_password(PASSWORD) for name in expected)
    # The table printed once names every user with the password.
    for name in expected:
        assert re.search(rf"^\s+{name}\s.*{PASSWORD}$", demo.kept.output, re.MULTILINE)


def test_without_password_a_random_one_is_printed_and_works(demo):
    assert demo.same_seed.password_works
    assert PASSWORD not in demo.same_seed.output


def test_an_existing_user_is_left_alone(demo):
    assert demo.same_seed.existing_admin_kept
    assert re.search(r"^\s+admin\s.*existing user, unchanged", demo.same_seed.output, re.MULTILINE)


def test_customers_only_owned_by_salespeople_each_with_a_share():
    owners = (
        Customer.objects.exclude(owner=None)
        .values_list("owner__role", "owner__username")
        .distinct()
    )
    assert {role for role, _ in owners} <= OWNS_CUSTOMERS
    assert {name for _, name in owners} == {"sales1", "sales2", "sales3"}
    # A few walk-in and phone leads still wait for the assistant to assign them.
    assert Customer.objects.filter(owner=None).exists()


def test_about_200_customers_spread_like_a_real_department():
    customers = list(Customer.objects.all())
    assert 180 <= len(customers) <= 220
    provinces = [c.province for c in customers]
    assert len(set(provinces)) >= 8
    assert max(set(provinces), key=provinces.count) == "浙江"
    assert len({c.industry for c in customers} - {""}) >= 8
    assert {c.type for c in customers} == set(CustomerType.values)
    assert set(CustomerStatus.values) <= {c.status for c in customers}
    assert len({c.source for c in customers} - {""}) >= 5
    key_share = sum(c.tier == Tier.KEY for c in customers) / len(customers)
    assert 0.05 <= key_share <= 0.16
    assert all(c.name.endswith(("有限公司", "经营部")) for c in customers)
    assert any(c.is_archived for c in customers)


def test_codes_are_consecutive_and_pinyin_is_stored():
    customers = list(Customer.objects.order_by("code"))
    assert [c.code for c in customers] == [f"C{n:06d}" for n in range(1, len(customers) + 1)]
    for c in customers:
        assert (c.name_pinyin, c.name_initials) == pinyin_of(c.name)


def test_credit_codes_and_phone_numbers_are_valid():
    customers = list(Customer.objects.all())
    contacts = list(Contact.objects.all())
    assert sum(bool(c.credit_code) for c in customers) > len(customers) * 0.6
    assert len({c.credit_code for c in customers if c.credit_code}) == sum(
        bool(c.credit_code) for c in customers
    )
    for c in customers:
        validate_credit_code(c.credit_code)
        validate_phone(c.invoice_phone)
    assert sum(bool(p.mobile) for p in contacts) > len(contacts) * 0.7
    assert any(p.phone for p in contacts)
    for p in contacts:
        validate_mobile(p.mobile)
        validate_phone(p.phone)
    # And every field passes the models' own validation (choices, e-mail, lengths, constraints).
    for obj in customers[:60] + contacts[:60]:
        obj.full_clean()


def test_contacts_have_chinese_names_titles_roles_and_some_birthdays():
    contacts = list(Contact.objects.all())
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", p.name) for p in contacts)
    assert {"采购经理", "总经理", "仓库主管", "财务"} <= {p.title for p in contacts}
    assert 0.15 < sum(p.birthday is not None for p in contacts) / len(contacts) < 0.6
    per_customer = Customer.objects.filter(contacts__isnull=False).distinct().count()
    assert per_customer < Customer.objects.count()  # some files have no contact yet
    assert Contact.objects.filter(is_primary=True).count() == per_customer


def test_completeness_is_the_score_and_the_gaps_list_has_work():
    customers = Customer.objects.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.all())
    )
    scores = []
    for c in customers:
        assert c.completeness == completeness.score(c, c.contacts.all()), c.code
        scores.append(c.completeness)
    assert scores.count(100) >= 20
    assert sum(s < 60 for s in scores) >= 10


def test_every_lead_stage_is_present_with_a_consistent_history():
    leads = list(Lead.objects.prefetch_related("stage_changes"))
    assert {lead.stage for lead in leads} == set(Stage.values)
    assert len({lead.lost_reason for lead in leads if lead.stage == Stage.LOST}) >= 3
    for lead in leads:
        changes = sorted(lead.stage_changes.all(), key=lambda ch: (ch.changed_at, ch.id))
        assert (changes[0].from_stage, changes[0].to_stage) == ("", Stage.FOUND)
        assert all(b.from_stage == a.to_stage for a, b in zip(changes, changes[1:], strict=False))
        assert changes[-1].to_stage == lead.stage
        assert changes[-1].changed_at == lead.stage_changed_at
        assert lead.created_at == changes[0].changed_at
        assert lead.customer.created_at <= lead.created_at
        if lead.stage == Stage.LOST:
            assert lead.lost_note and changes[-1].note == lead.lost_note
        if lead.stage in (Stage.WON, Stage.LOST):
            assert lead.closed_at == lead.stage_changed_at
    # The stage changes are spread over the last months, some inside the biweekly window.
    times = LeadStageChange.objects.values_list("changed_at", flat=True)
    now = timezone.now()
    assert min(times) < now - dt.timedelta(days=150)
    assert any(t > now - dt.timedelta(days=14) for t in times)


def test_leads_match_their_customers_status():
    for lead in Lead.objects.select_related("customer"):
        if lead.stage == Stage.WON:
            assert lead.customer.status == CustomerStatus.ACTIVE
        elif lead.stage == Stage.LOST:
            assert lead.customer.status == CustomerStatus.LOST
        else:
            assert lead.customer.status == CustomerStatus.LEAD


def test_mailings_some_awaiting_feedback_some_overdue(demo):
    today = demo.kept.today
    mailings = list(Mailing.objects.all())
    assert {m.courier for m in mailings} == {"顺丰速运", "中通快递", "德邦物流"}
    assert all(m.tracking_number and m.feedback_due_on >= m.sent_on for m in mailings)
    awaiting = [m for m in mailings if m.feedback_received_on is None]
    assert any(m.feedback_due_on >= today for m in awaiting)
    assert any(m.feedback_due_on < today for m in awaiting)
    received = [m for m in mailings if m.feedback_received_on]
    assert received and all(
        m.feedback and m.sent_on <= m.feedback_received_on <= today for m in received
    )


def test_followup_columns_follow_the_latest_followup(demo):
    today = demo.kept.today
    latest = {}
    for f in FollowUp.objects.order_by("customer_id", "occurred_at", "id"):
        latest[f.customer_id] = f
    for c in Customer.objects.all():
        f = latest.get(c.id)
        if f is None:
            assert (c.last_followup_at, c.next_followup_on, c.next_followup_kind) == (
                None,
                None,
                "",
            )
            continue
        assert c.last_followup_at == f.occurred_at, c.code
        if c.is_archived:
            assert c.next_followup_on is None
            continue
        assert (c.next_followup_on, c.next_followup_kind, c.next_followup_note) == (
            f.next_date,
            f.next_kind,
            f.next_action,
        ), c.code
    due = Customer.objects.filter(archived_at=None)
    assert due.filter(next_followup_on=today).count() >= 3
    assert due.filter(next_followup_on__lt=today).count() >= 5
    assert due.filter(
        next_followup_on__gt=today, next_followup_kind=FollowUpKind.RETURN_VISIT
    ).exists()


def test_a_year_of_followups_through_every_channel(demo):
    followups = FollowUp.objects.all()
    assert followups.count() >= 1000
    assert set(followups.values_list("channel", flat=True).distinct()) == set(Channel.values)
    assert followups.filter(kind=FollowUpKind.RETURN_VISIT).exists()
    times = list(followups.values_list("occurred_at", flat=True))
    now = timezone.now()
    assert max(times) <= now
    assert min(times) < now - dt.timedelta(days=330)
    for f in followups.filter(next_date__isnull=False).select_related("customer")[:500]:
        assert f.next_date >= timezone.localdate(f.occurred_at)
    assert (
        not followups.filter(contact__isnull=False)
        .exclude(contact__customer=F("customer"))
        .exists()
    )


def test_history_tab_is_not_empty():
    assert Customer.history.count() == Customer.objects.count()
    record = Customer.history.earliest("history_date")
    assert record.history_user is not None
    assert record.history_date == Customer.objects.get(pk=record.id).created_at
    assert FollowUp.history.count() == FollowUp.objects.count()
    assert Lead.history.count() == Lead.objects.count()
    assert Contact.history.count() == Contact.objects.count()


def test_same_seed_gives_the_same_department(demo):
    assert demo.same_seed.identity == demo.kept.identity
    assert demo.same_seed.activity == demo.kept.activity


def test_same_seed_another_day_gives_the_same_names_codes_and_numbers(demo):
    assert demo.later_day.identity == demo.kept.identity
    assert demo.later_day.activity != demo.kept.activity  # dates move with the day


def test_another_seed_gives_another_department(demo):
    names = {row[1] for row in demo.kept.identity}
    other = {row[1] for row in demo.other_seed.identity}
    assert len(names & other) < len(names) / 4


def test_second_run_refuses_with_a_message():
    before = Customer.objects.count()
    with pytest.raises(CommandError, match="already holds customers"):
        call_command("demo", stdout=StringIO())
    assert Customer.objects.count() == before


def test_if_empty_does_nothing_when_customers_exist():
    before = (User.objects.count(), Customer.objects.count(), FollowUp.objects.count())
    out = StringIO()
    call_command("demo", if_empty=True, stdout=out)
    assert out.getvalue() == ""
    assert (User.objects.count(), Customer.objects.count(), FollowUp.objects.count()) == before


def test_unknown_size_is_refused():
    with pytest.raises(CommandError, match="size"):
        call_command("demo", "--size=huge")
