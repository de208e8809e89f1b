"""Reports on the pipeline: the new-customer table, win/loss analysis and the biweekly
review pack (R-2.3, R-2.4). Every figure is counted by the database, scoped to the person."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from salesdesk.accounts.selectors import name_fields
from salesdesk.core.scoping import scope_by_customer

from ..choices import LostReason, Source, Stage
from ..models import Customer, FollowUp, Lead, LeadStageChange

REVIEW_DAYS = 14
# The page lists this many stalled leads (key accounts first, then longest in their stage) beside
# the count per stage; the Excel export lists them all.
STALLED_SHOWN = 50


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the office's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00): both days count in full."""
    return day_start(start), day_start(end + dt.timedelta(days=1))


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won out of closed, as a percentage with one decimal; None when nothing closed."""
    closed = won + lost
    if not closed:
        return None
    return (Decimal(won) * 100 / Decimal(closed)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def new_customer_table(*, user, start: dt.date, end: dt.date) -> QuerySet[Customer]:
    """Every customer created in the period with source, owner and its latest lead's stage,
    key accounts first then in order of creation."""
    low, high = period_bounds(start, end)
    latest_lead = Lead.objects.filter(customer=OuterRef("pk")).order_by("-created_at", "-id")
    qs = scope_by_customer(
        Customer.objects.filter(created_at__gte=low, created_at__lt=high), user, ""
    )
    return (
        qs.select_related("owner")
        .annotate(lead_stage=Subquery(latest_lead.values("stage")[:1]))
        .order_by("tier", "created_at", "id")
    )


def _grouped(qs: QuerySet, key: str, label) -> list[dict]:
    rows = []
    for row in (
        qs.values(key)
        .annotate(
            won=Count("id", filter=Q(stage=Stage.WON)), lost=Count("id", filter=Q(stage=Stage.LOST))
        )
        .order_by(key)
    ):
        rows.append(
            {
                "key": row[key],
                "label": label(row),
                "won": row["won"],
                "lost": row["lost"],
                "total": row["won"] + row["lost"],
                "win_rate": win_rate(row["won"], row["lost"]),
            }
        )
    rows.sort(key=lambda r: (-r["total"], str(r["label"])))
    return rows


def win_loss(*, user, start: dt.date, end: dt.date) -> dict:
    """Leads closed in the period, won and lost, by customer source, by owner and by lost
    reason, with win rates; counted with one grouped query per table."""
    low, high = period_bounds(start, end)
    closed = scope_by_customer(
        Lead.objects.filter(
            closed_at__gte=low, closed_at__lt=high, stage__in=[Stage.WON, Stage.LOST]
        ),
        user,
        "customer__",
    ).order_by()
    sources = dict(Source.choices)
    reasons = dict(LostReason.choices)
    by_source = _grouped(
        closed, "customer__source", lambda r: sources.get(r["customer__source"], "") or "—"
    )
    owner_names: dict = {}
    by_owner_raw = list(
        closed.values(
            "customer__owner", "customer__owner__display_name", "customer__owner__username"
        )
        .annotate(
            won=Count("id", filter=Q(stage=Stage.WON)), lost=Count("id", filter=Q(stage=Stage.LOST))
        )
        .order_by("customer__owner")
    )
    by_owner = []
    for row in by_owner_raw:
        name = row["customer__owner__display_name"] or row["customer__owner__username"] or "—"
        owner_names[row["customer__owner"]] = name
        by_owner.append(
            {
                "key": row["customer__owner"],
                "label": name,
                "won": row["won"],
                "lost": row["lost"],
                "total": row["won"] + row["lost"],
                "win_rate": win_rate(row["won"], row["lost"]),
            }
        )
    by_owner.sort(key=lambda r: (-r["total"], str(r["label"])))
    lost_total = 0
    by_reason = []
    for row in (
        closed.filter(stage=Stage.LOST)
        .values("lost_reason")
        .annotate(n=Count("id"))
        .order_by("lost_reason")
    ):
        lost_total += row["n"]
        by_reason.append(
            {
                "key": row["lost_reason"],
                "label": reasons.get(row["lost_reason"], row["lost_reason"]),
                "lost": row["n"],
            }
        )
    for row in by_reason:
        row["share"] = (Decimal(row["lost"]) * 100 / Decimal(lost_total)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    by_reason.sort(key=lambda r: (-r["lost"], str(r["label"])))
    won = sum(r["won"] for r in by_source)
    lost = sum(r["lost"] for r in by_source)
    return {
        "start": start,
        "end": end,
        "by_source": by_source,
        "by_owner": by_owner,
        "by_reason": by_reason,
        "totals": {"won": won, "lost": lost, "total": won + lost, "win_rate": win_rate(won, lost)},
    }


# What the review page and its export show of a customer and its owner: hundreds of rows, so
# the rest of each row stays unread.
_CUSTOMER = (
    "customer__code",
    "customer__name",
    "customer__tier",
    *name_fields("customer__owner"),
)
_LEAD = ("customer", "stage", "closed_at", "lost_reason", "lost_note", "stage_changed_at")


def review_pack(*, user, as_of: dt.date, stalled_limit: int | None = STALLED_SHOWN) -> dict:
    """The biweekly review (半月例会) over the 14 days ending with `as_of`: leads that moved
    (their latest move in the window), won, lost with reasons, stalled (open with no move in
    the window, i.e. 14 days or more in their stage) and new customers.

    Stalled leads run to tens of thousands over years: `stalled_by_stage` counts them per stage
    (one grouped query), `stalled` holds the first `stalled_limit` (key accounts first, then
    longest in their stage; None for all, as the Excel export needs)."""
    start = as_of - dt.timedelta(days=REVIEW_DAYS - 1)
    low, high = period_bounds(start, as_of)
    in_window = Q(changed_at__gte=low, changed_at__lt=high)
    # The first record of a lead ("" → found) is its start, not a move.
    moves = LeadStageChange.objects.filter(in_window).exclude(from_stage="")
    latest_move = (
        moves.filter(lead=OuterRef("lead")).order_by("-changed_at", "-id").values("pk")[:1]
    )
    moved = (
        scope_by_customer(moves, user, "lead__customer__")
        .filter(pk=Subquery(latest_move))
        .exclude(to_stage__in=[Stage.WON, Stage.LOST])
        .select_related("lead", "lead__customer", "lead__customer__owner", "changed_by")
        .only(
            "lead",
            "from_stage",
            "to_stage",
            "changed_at",
            "note",
            *(f"lead__{f}" for f in (*_LEAD, *_CUSTOMER)),
            *name_fields("changed_by"),
        )
        .order_by("lead__customer__tier", "-changed_at", "-id")
    )
    leads = (
        scope_by_customer(Lead.objects.all(), user, "customer__")
        .select_related("customer", "customer__owner")
        .only(*_LEAD, *_CUSTOMER)
    )
    closed_in_window = leads.filter(closed_at__gte=low, closed_at__lt=high)
    won = closed_in_window.filter(stage=Stage.WON).order_by("customer__tier", "-closed_at", "-id")
    lost = closed_in_window.filter(stage=Stage.LOST).order_by("customer__tier", "-closed_at", "-id")
    stalled_qs = leads.filter(closed_at__isnull=True, stage_changed_at__lt=low)
    stages = dict(Stage.choices)
    stalled_by_stage = [
        {"stage": row["stage"], "label": stages.get(row["stage"], row["stage"]), "count": row["n"]}
        for row in stalled_qs.order_by().values("stage").annotate(n=Count("id")).order_by("stage")
    ]
    order = [stage for stage, _label in Stage.choices]
    stalled_by_stage.sort(
        key=lambda r: order.index(r["stage"]) if r["stage"] in order else len(order)
    )
    stalled_qs = stalled_qs.order_by("customer__tier", "stage_changed_at", "id")
    stalled = list(stalled_qs if stalled_limit is None else stalled_qs[:stalled_limit])
    for lead in stalled:
        lead.days_in_stage = (as_of - timezone.localdate(lead.stage_changed_at)).days
    return {
        "as_of": as_of,
        "start": start,
        "moved": list(moved),
        "won": list(won),
        "lost": list(lost),
        "stalled": stalled,
        "stalled_by_stage": stalled_by_stage,
        "stalled_total": sum(row["count"] for row in stalled_by_stage),
        "new_customers": list(new_customer_table(user=user, start=start, end=as_of)),
    }


def activity_by_person(
    *, user, start: dt.date, end: dt.date, whole_team: bool = False
) -> dict[int, dict]:
    """Per salesperson in the period: new customers owned (created in it) and follow-ups
    logged (by who logged them), scoped to the person (`whole_team`: every customer's, for the
    team's ranking). {user id: {"new_customers", "followups"}}."""
    low, high = period_bounds(start, end)
    counts = {
        "new_customers": scope_by_customer(
            Customer.objects.filter(created_at__gte=low, created_at__lt=high),
            user,
            "",
            whole_team=whole_team,
        ).values(person=F("owner_id")),
        "followups": scope_by_customer(
            FollowUp.objects.filter(occurred_at__gte=low, occurred_at__lt=high),
            user,
            "customer__",
            whole_team=whole_team,
        ).values(person=F("created_by_id")),
    }
    out: dict[int, dict] = {}
    for name, rows in counts.items():
        for row in rows.filter(person__isnull=False).annotate(n=Count("id")).order_by():
            out.setdefault(row["person"], {"new_customers": 0, "followups": 0})[name] = row["n"]
    return out
