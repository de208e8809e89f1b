"""Reports on the pipeline: the new-customer table, win/loss analysis and the biweekly
review pack (R-2.3, R-2.4). Every figure is counted by the database, scoped to the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import NAME_FIELDS, name_fields
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


# What the review export shows of a customer and its owner: hundreds of rows, so the rest of
# each row stays unread.
_CUSTOMER = (
    "customer__code",
    "customer__name",
    "customer__tier",
    *name_fields("customer__owner"),
)
_LEAD = ("customer", "stage", "closed_at", "lost_reason", "lost_note", "stage_changed_at")


def _review_window(*, user, as_of: dt.date) -> dict:
    """The review's rows over the 14 days ending with `as_of`, scoped and in the order shown, as
    querysets: `review_pack` reads them as model instances (the export), `review_page` as the
    values the page prints."""
    start = as_of - dt.timedelta(days=REVIEW_DAYS - 1)
    low, high = period_bounds(start, as_of)
    in_window = Q(changed_at__gte=low, changed_at__lt=high)
    # The first record of a lead ("" → found) is its start, not a move.
    moves = LeadStageChange.objects.filter(in_window).exclude(from_stage="")
    latest_move = (
        moves.filter(lead=OuterRef("lead")).order_by("-changed_at", "-id").values("pk")[:1]
    )
    leads = scope_by_customer(Lead.objects.all(), user, "customer__")
    closed = leads.filter(closed_at__gte=low, closed_at__lt=high)
    closed_order = ("customer__tier", "-closed_at", "-id")
    return {
        "start": start,
        "moved": scope_by_customer(moves, user, "lead__customer__")
        .filter(pk=Subquery(latest_move))
        .exclude(to_stage__in=[Stage.WON, Stage.LOST])
        .order_by("lead__customer__tier", "-changed_at", "-id"),
        "won": closed.filter(stage=Stage.WON).order_by(*closed_order),
        "lost": closed.filter(stage=Stage.LOST).order_by(*closed_order),
        # ordered by _stalled_first
        "stalled": leads.filter(closed_at__isnull=True, stage_changed_at__lt=low),
        "new_customers": new_customer_table(user=user, start=start, end=as_of),
    }


def _stalled_by_stage(stalled: QuerySet) -> list[dict]:
    """Stalled leads counted per stage (one grouped query), in the stages' order."""
    stages = dict(Stage.choices)
    rows = [
        {"stage": row["stage"], "label": stages.get(row["stage"], row["stage"]), "count": row["n"]}
        for row in stalled.order_by().values("stage").annotate(n=Count("id")).order_by("stage")
    ]
    order = [stage for stage, _label in Stage.choices]
    rows.sort(key=lambda r: order.index(r["stage"]) if r["stage"] in order else len(order))
    return rows


def _stalled_first(stalled: QuerySet, limit: int | None) -> QuerySet:
    """Key accounts first, then longest in their stage; the first `limit` (None: all)."""
    stalled = stalled.order_by("customer__tier", "stage_changed_at", "id")
    return stalled if limit is None else stalled[:limit]


def review_pack(*, user, as_of: dt.date, stalled_limit: int | None = STALLED_SHOWN) -> dict:
    """The biweekly review (半月例会) over the 14 days ending with `as_of` as model instances,
    for the Excel export: leads that moved (their latest move in the window), won, lost with
    reasons, stalled (open with no move in the window, i.e. 14 days or more in their stage) and
    new customers. The page reads the same rows through `review_page`.

    Stalled leads run to tens of thousands over years: `stalled_by_stage` counts them per stage
    (one grouped query), `stalled` holds the first `stalled_limit` (key accounts first, then
    longest in their stage; None for all, as the Excel export needs)."""
    window = _review_window(user=user, as_of=as_of)
    moved = (
        window["moved"]
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
    )

    def shown(leads: QuerySet) -> QuerySet:
        return leads.select_related("customer", "customer__owner").only(*_LEAD, *_CUSTOMER)

    stalled_by_stage = _stalled_by_stage(window["stalled"])
    stalled = list(_stalled_first(shown(window["stalled"]), stalled_limit))
    for lead in stalled:
        lead.days_in_stage = (as_of - timezone.localdate(lead.stage_changed_at)).days
    return {
        "as_of": as_of,
        "start": window["start"],
        "moved": list(moved),
        "won": list(shown(window["won"])),
        "lost": list(shown(window["lost"])),
        "stalled": stalled,
        "stalled_by_stage": stalled_by_stage,
        "stalled_total": sum(row["count"] for row in stalled_by_stage),
        "new_customers": list(window["new_customers"]),
    }


def _rows(qs: QuerySet, *fields: str, **paths: str) -> list[dict]:
    """`qs.values(*fields)` rows, plus the fields at `paths` under the names given ({name: field
    path}): the same names for the customer in every section, without an annotation each."""
    names = (*fields, *paths)
    return [dict(zip(names, row, strict=True)) for row in qs.values_list(*fields, *paths.values())]


def _shown_customer(path: str) -> dict[str, str]:
    """What the review page shows of the customer at `path` ("lead__customer__", "" for the
    customer itself), under the same names in every section."""
    return {
        "customer_pk": f"{path}id",
        "customer_name": f"{path}name",
        "customer_tier": f"{path}tier",
        "owner_pk": f"{path}owner",
    }


def _with_owner_names(sections: Iterable[list[dict]]) -> None:
    """Sets each row's `owner`: the name of the customer's owner as User.__str__ writes it, None
    without an owner. The names are read once per person, in one query: joined into the stalled
    list they were read for each of the ~22k stalled leads SQLite sorts for its first 50 (4 of
    its ~30 ms at full scale)."""
    sections = list(sections)
    pks = {row["owner_pk"] for rows in sections for row in rows} - {None}
    names = {
        person.pk: str(person) for person in User.objects.filter(pk__in=pks).only(*NAME_FIELDS)
    }
    for rows in sections:
        for row in rows:
            row["owner"] = names.get(row["owner_pk"])


def review_page(*, user, as_of: dt.date) -> dict:
    """The biweekly review page: `review_pack`'s rows, in the same order, as dicts of the values
    the page prints (choice fields as stored: the page writes their labels), the first
    STALLED_SHOWN stalled leads.

    The page lists ~650 rows at full scale: as model instances (a lead, its customer, the owner,
    the stage change) they cost more than their SQL (docs/performance.md)."""
    window = _review_window(user=user, as_of=as_of)
    customer = _shown_customer("customer__")
    closed = ("stage", "closed_at", "lost_reason", "lost_note")
    stalled_by_stage = _stalled_by_stage(window["stalled"])
    pack = {
        "as_of": as_of,
        "start": window["start"],
        "moved": _rows(
            window["moved"],
            "from_stage",
            "to_stage",
            "changed_at",
            "note",
            **_shown_customer("lead__customer__"),
        ),
        "won": _rows(window["won"], *closed, **customer),
        "lost": _rows(window["lost"], *closed, **customer),
        "stalled": _rows(
            _stalled_first(window["stalled"], STALLED_SHOWN),
            "id",
            "stage",
            "stage_changed_at",
            **customer,
        ),
        "stalled_by_stage": stalled_by_stage,
        "stalled_total": sum(row["count"] for row in stalled_by_stage),
        "new_customers": _rows(
            window["new_customers"], "source", "created_at", **_shown_customer("")
        ),
    }
    for lead in pack["stalled"]:
        lead["days_in_stage"] = (as_of - timezone.localdate(lead["stage_changed_at"])).days
    _with_owner_names(pack[name] for name in ("moved", "won", "lost", "stalled", "new_customers"))
    return pack


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
