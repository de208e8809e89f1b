"""Pipeline reports on hand-computed data (R-2.3, R-2.4): new-customer table, win/loss and the
biweekly review pack, with their window boundaries and scoping."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from salesdesk.customers.choices import LostReason, Source, Stage, Tier
from salesdesk.customers.selectors.reviews import (
    new_customer_table,
    review_pack,
    review_page,
    win_loss,
)
from salesdesk.customers.services.leads import lead_move, lead_start
from tests.factories import CustomerFactory, LeadFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SH), tick=False)


def closed(owner, source, stage, when, reason=""):
    return LeadFactory(
        customer__owner=owner,
        customer__source=source,
        stage=stage,
        lost_reason=reason,
        closed_at=when,
        stage_changed_at=when,
    )


@pytest.fixture
def march(salesperson, other_salesperson):
    """Leads closed around March 2026 (hand-counted in the tests below)."""
    s1, s2 = salesperson, other_salesperson
    closed(
        s1, Source.EXHIBITION, Stage.WON, dt.datetime(2026, 3, 1, 0, 0, tzinfo=SH)
    )  # first instant counts
    closed(
        s1,
        Source.EXHIBITION,
        Stage.LOST,
        dt.datetime(2026, 3, 15, 12, 0, tzinfo=SH),
        LostReason.PRICE,
    )
    closed(
        s2, Source.WEBSITE, Stage.WON, dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=SH)
    )  # last instant counts
    closed(
        s2,
        Source.WEBSITE,
        Stage.LOST,
        dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH),
        LostReason.COMPETITOR,
    )
    closed(
        s1, Source.WEBSITE, Stage.LOST, dt.datetime(2026, 3, 21, 9, 0, tzinfo=SH), LostReason.PRICE
    )
    closed(s1, Source.EXHIBITION, Stage.WON, dt.datetime(2026, 4, 1, 0, 0, tzinfo=SH))  # after
    closed(
        s2,
        Source.WEBSITE,
        Stage.LOST,
        dt.datetime(2026, 2, 28, 23, 59, tzinfo=SH),
        LostReason.PRICE,
    )  # before
    LeadFactory(customer__owner=s1, customer__source=Source.WEBSITE, stage=Stage.QUOTING)  # open


def rows_by(table):
    return {r["key"]: (r["won"], r["lost"], r["win_rate"]) for r in table}


def test_win_loss_counts_by_source_owner_and_reason(
    march, director, salesperson, other_salesperson, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        report = win_loss(user=director, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert rows_by(report["by_source"]) == {
        Source.EXHIBITION: (1, 1, Decimal("50.0")),
        Source.WEBSITE: (1, 2, Decimal("33.3")),
    }
    assert rows_by(report["by_owner"]) == {
        salesperson.pk: (1, 2, Decimal("33.3")),
        other_salesperson.pk: (1, 1, Decimal("50.0")),
    }
    assert {r["key"]: str(r["label"]) for r in report["by_owner"]} == {
        salesperson.pk: "李业务",
        other_salesperson.pk: "张业务",
    }
    assert [(r["key"], r["lost"], r["share"]) for r in report["by_reason"]] == [
        (LostReason.PRICE, 2, Decimal("66.7")),
        (LostReason.COMPETITOR, 1, Decimal("33.3")),
    ]
    assert report["totals"] == {"won": 2, "lost": 3, "total": 5, "win_rate": Decimal("40.0")}


def test_win_loss_is_scoped(march, salesperson, warehouse):
    report = win_loss(user=salesperson, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert rows_by(report["by_source"]) == {
        Source.EXHIBITION: (1, 1, Decimal("50.0")),
        Source.WEBSITE: (0, 1, Decimal("0.0")),
    }
    assert [r["key"] for r in report["by_owner"]] == [salesperson.pk]
    assert report["totals"]["total"] == 3
    assert (
        win_loss(user=warehouse, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))["totals"][
            "total"
        ]
        == 0
    )


def test_win_loss_one_day_period_boundaries(march, director):
    report = win_loss(user=director, start=dt.date(2026, 3, 31), end=dt.date(2026, 3, 31))
    assert report["totals"] == {"won": 1, "lost": 0, "total": 1, "win_rate": Decimal("100.0")}
    empty = win_loss(user=director, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert empty["totals"]["win_rate"] is None and empty["by_source"] == []


def test_new_customer_table_period_stage_and_scope(salesperson, other_salesperson, assistant):
    with at(2026, 2, 28, 23, 59):
        CustomerFactory(owner=salesperson)  # before
    with at(2026, 3, 1, 0, 0):
        first = CustomerFactory(owner=salesperson, source=Source.REFERRAL)
    with at(2026, 3, 10, 9, 0):
        key = CustomerFactory(owner=salesperson, tier=Tier.KEY)
        theirs = CustomerFactory(owner=other_salesperson)
    with at(2026, 3, 12, 9, 0):
        lead = lead_start(customer=first, by=salesperson)
        lead_move(lead=lead, by=salesperson, stage=Stage.LOST, lost_reason=LostReason.NO_NEED)
    with at(2026, 3, 13, 9, 0):
        lead_start(customer=first, by=salesperson)  # the latest lead decides the stage
    with at(2026, 3, 31, 23, 59):
        last = CustomerFactory(owner=salesperson)
    with at(2026, 4, 1, 0, 0):
        CustomerFactory(owner=salesperson)  # after
    rows = list(
        new_customer_table(user=salesperson, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    )
    assert rows == [key, first, last]
    assert [r.lead_stage for r in rows] == [None, Stage.FOUND, None]
    assert rows[1].source == Source.REFERRAL and rows[1].owner == salesperson
    everyone = new_customer_table(
        user=assistant, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert theirs in everyone and everyone.count() == 4


@pytest.fixture
def fortnight(salesperson, other_salesperson):
    """Moves around the review window 2026-03-15 00:00 .. 2026-03-28 24:00 (as of 3-28)."""
    s1 = salesperson
    made = {}
    with at(2026, 3, 1, 9, 0):
        for name in ("moved", "stalled", "edge", "won", "lost", "late"):
            made[name] = lead_start(customer=CustomerFactory(owner=s1, name=f"{name}纸箱厂"), by=s1)
        made["theirs"] = lead_start(
            customer=CustomerFactory(owner=other_salesperson), by=other_salesperson
        )
    with at(2026, 3, 10, 9, 0):
        lead_move(lead=made["moved"], by=s1, stage=Stage.CONTACTED)
    with at(2026, 3, 14, 23, 59):
        lead_move(
            lead=made["stalled"], by=s1, stage=Stage.CONTACTED
        )  # just before: stalled 14 days
    with at(2026, 3, 15, 0, 0):
        lead_move(lead=made["edge"], by=s1, stage=Stage.CONTACTED, note="窗口第一刻")
    with at(2026, 3, 16, 9, 0):
        lead_move(lead=made["moved"], by=s1, stage=Stage.QUOTING)
        lead_move(lead=made["theirs"], by=other_salesperson, stage=Stage.CONTACTED)
    with at(2026, 3, 20, 9, 0):
        lead_move(lead=made["moved"], by=s1, stage=Stage.TRIAL_ORDER, note="试单 500 只")
        lead_move(
            lead=made["lost"], by=s1, stage=Stage.LOST, lost_reason=LostReason.PRICE, note="嫌贵"
        )
        made["new_lead"] = lead_start(
            customer=CustomerFactory(owner=s1), by=s1
        )  # started, not moved
    with at(2026, 3, 28, 23, 59):
        lead_move(lead=made["won"], by=s1, stage=Stage.WON)
    with at(2026, 3, 29, 0, 0):
        lead_move(lead=made["late"], by=s1, stage=Stage.WON)  # after the window
    return made


def test_review_pack_sections(fortnight, salesperson, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        pack = review_pack(user=salesperson, as_of=dt.date(2026, 3, 28))
    assert pack["start"] == dt.date(2026, 3, 15)
    moved = {m.lead: (m.from_stage, m.to_stage, m.note) for m in pack["moved"]}
    assert moved == {
        fortnight["moved"]: (Stage.QUOTING, Stage.TRIAL_ORDER, "试单 500 只"),
        fortnight["edge"]: (Stage.FOUND, Stage.CONTACTED, "窗口第一刻"),
    }
    assert pack["won"] == [fortnight["won"]]
    assert pack["lost"] == [fortnight["lost"]]
    assert (pack["lost"][0].lost_reason, pack["lost"][0].lost_note) == (LostReason.PRICE, "嫌贵")
    # "late" was still open on 3-28 but is won now; "stalled" has not moved for 14 days.
    assert pack["stalled"] == [fortnight["stalled"]]
    assert pack["stalled"][0].days_in_stage == 14
    assert [c.pk for c in pack["new_customers"]] == [fortnight["new_lead"].customer_id]


def test_review_pack_a_day_later_shifts_the_window(fortnight, salesperson):
    pack = review_pack(user=salesperson, as_of=dt.date(2026, 3, 29))
    assert fortnight["late"] in pack["won"]
    assert fortnight["won"] in pack["won"]
    pack = review_pack(user=salesperson, as_of=dt.date(2026, 3, 29) + dt.timedelta(days=1))
    # 3-16 .. 3-30: the edge move (3-15 00:00) fell out, so that lead is stalled now
    assert fortnight["edge"] in pack["stalled"]


def test_review_pack_is_scoped(fortnight, salesperson, other_salesperson):
    pack = review_pack(user=salesperson, as_of=dt.date(2026, 3, 28))
    assert fortnight["theirs"] not in [m.lead for m in pack["moved"]]
    theirs = review_pack(user=other_salesperson, as_of=dt.date(2026, 3, 28))
    assert [m.lead for m in theirs["moved"]] == [fortnight["theirs"]]
    assert theirs["won"] == theirs["lost"] == theirs["stalled"] == []


def test_review_pack_counts_stalled_per_stage_and_lists_the_first_50(
    salesperson, django_assert_max_num_queries
):
    """Performance fix 3: stalled leads as counts per stage plus the first 50 (key accounts
    first, then longest in their stage); stalled_limit=None gives them all (the export)."""
    as_of = dt.date(2026, 3, 28)
    since = dt.datetime(2026, 2, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for i in range(55):
        LeadFactory(
            customer=CustomerFactory(owner=salesperson, name=f"停滞{i:02d}"),
            stage=Stage.CONTACTED if i % 2 else Stage.QUOTING,
            stage_changed_at=since + dt.timedelta(days=i % 30),
        )
    key = LeadFactory(
        customer=CustomerFactory(owner=salesperson, name="停滞大客户", tier=Tier.KEY),
        stage=Stage.FOUND,
        stage_changed_at=since + dt.timedelta(days=35),
    )
    with django_assert_max_num_queries(6):
        pack = review_pack(user=salesperson, as_of=as_of)
    assert pack["stalled_total"] == 56 and len(pack["stalled"]) == 50
    counts = {row["stage"]: row["count"] for row in pack["stalled_by_stage"]}
    assert counts == {Stage.FOUND: 1, Stage.CONTACTED: 27, Stage.QUOTING: 28}
    assert [row["stage"] for row in pack["stalled_by_stage"]] == [
        Stage.FOUND,
        Stage.CONTACTED,
        Stage.QUOTING,
    ]
    assert pack["stalled"][0] == key and pack["stalled"][0].days_in_stage == 20
    days = [lead.days_in_stage for lead in pack["stalled"][1:]]
    assert days == sorted(days, reverse=True) and days[0] == 55
    everything = review_pack(user=salesperson, as_of=as_of, stalled_limit=None)["stalled"]
    assert len(everything) == 56 and everything[:50] == pack["stalled"]


def _as_page_rows(pack: dict) -> dict:
    """review_pack's instances as the dicts review_page gives the page."""

    def customer(c):
        return {
            "customer_pk": c.pk,
            "customer_name": c.name,
            "customer_tier": c.tier,
            "owner_pk": c.owner_id,
            "owner": str(c.owner) if c.owner_id else None,
        }

    def closed(leads):
        fields = ("stage", "closed_at", "lost_reason", "lost_note")
        return [{**{f: getattr(x, f) for f in fields}, **customer(x.customer)} for x in leads]

    return {
        "moved": [
            {
                "from_stage": m.from_stage,
                "to_stage": m.to_stage,
                "changed_at": m.changed_at,
                "note": m.note,
                **customer(m.lead.customer),
            }
            for m in pack["moved"]
        ],
        "won": closed(pack["won"]),
        "lost": closed(pack["lost"]),
        "stalled": [
            {
                "id": x.pk,
                "stage": x.stage,
                "stage_changed_at": x.stage_changed_at,
                "days_in_stage": x.days_in_stage,
                **customer(x.customer),
            }
            for x in pack["stalled"]
        ],
        "new_customers": [
            {"source": c.source, "created_at": c.created_at, **customer(c)}
            for c in pack["new_customers"]
        ],
    }


@pytest.mark.parametrize("viewer", ["salesperson", "assistant"])
def test_review_page_rows_are_the_packs_values(
    fortnight, viewer, request, django_assert_max_num_queries
):
    """The page reads review_pack's rows as the values it prints, owners' names once per
    person, none of the unshown wide columns (a customer has ~40)."""
    user = request.getfixturevalue(viewer)
    unnamed = UserFactory(display_name="", first_name="三", last_name="张", username="zhang3")
    with at(2026, 3, 21, 9, 0):
        lead_move(
            lead=lead_start(customer=CustomerFactory(owner=unnamed), by=unnamed),
            by=unnamed,
            stage=Stage.CONTACTED,
            note="<b>样品</b> & 报价",
        )
        LeadFactory(customer=CustomerFactory(owner=None, tier=Tier.KEY, source=""))
    as_of = dt.date(2026, 3, 28)
    with django_assert_max_num_queries(7) as queries:
        page = review_page(user=user, as_of=as_of)
    pack = review_pack(user=user, as_of=as_of)
    assert {name: page[name] for name in _as_page_rows(pack)} == _as_page_rows(pack)
    for name in ("as_of", "start", "stalled_by_stage", "stalled_total"):
        assert page[name] == pack[name]
    assert len(page["moved"]) == (2 if viewer == "salesperson" else 4)
    if viewer == "assistant":
        owners = {row["owner"] for name in _as_page_rows(pack) for row in page[name]}
        assert {"张业务", "三 张", None} <= owners
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert '"customers_customer"."notes"' not in sql and '"customers_lead"."notes"' not in sql
