"""Reads of the sales targets (R-8.4): the year's grid and the progress against it.

Scoping: the team roles (roles.sees_team_figures) see every salesperson's targets and
figures; a salesperson sees their own and the department's, nobody else's. The warehouse
(not roles.reads_reports) is refused.

Booked sales (接单额) come from the orders app's monthly summary (orders.selectors.sales.
booked_by_month): whole calendar months, exact integer fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from functools import lru_cache

import holidays
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.accounts.roles import OWNS_CUSTOMERS
from salesdesk.core.money import CENT, fen_to_yuan
from salesdesk.orders.selectors.sales import booked_by_month

from ..models import SalesTarget

MIN_YEAR, MAX_YEAR = 2000, 2100
MONTHS = tuple(range(1, 13))
PERCENT = Decimal("0.1")


# ------------------------------------------------------------------------------ scoping


def _require_reader(user) -> None:
    if not roles.reads_reports(user):
        raise PermissionDenied


def sees_everyone(user) -> bool:
    """Whether `user` sees every salesperson's targets (else: own and the department's)."""
    return roles.sees_team_figures(user)


def visible_targets(user):
    """The SalesTarget rows `user` may read: all for the team roles; for a salesperson the
    department's and their own."""
    _require_reader(user)
    rows = SalesTarget.objects.all()
    if not sees_everyone(user):
        rows = rows.filter(Q(salesperson__isnull=True) | Q(salesperson=user))
    return rows


def year_targets(user, year: int) -> dict[tuple[int | None, int | None], Decimal]:
    """{(salesperson id or None, month or None): amount} of the year, scoped to `user`."""
    rows = visible_targets(user).filter(year=year).order_by()  # no join for the Meta ordering
    return {(t.salesperson_id, t.month): t.amount for t in rows}


def target_people(user, year: int, *, also: set[int] = frozenset()) -> list[User]:
    """The salespeople of the year's rows, as `user` may see them: for the team roles every
    active salesperson, and a former one with a target that year or with an id in `also`
    (e.g. booked sales that year); for a salesperson only themself."""
    _require_reader(user)
    if not sees_everyone(user):
        return [user]
    with_targets = SalesTarget.objects.filter(year=year, salesperson__isnull=False).values(
        "salesperson_id"
    )
    return list(
        User.objects.filter(
            Q(is_active=True) | Q(pk__in=with_targets) | Q(pk__in=also), role__in=OWNS_CUSTOMERS
        ).order_by("username")
    )


def resolve_salespeople(values) -> tuple[dict, dict]:
    """Find the salespeople named by `values`: a User, a user id (int) or text (username, else
    display name). Returns ({value: User}, {value: error message}); one query.

    Only people whose role owns customers (the salespeople) may have a target."""
    values = [v for v in dict.fromkeys(values) if v not in (None, "")]
    ids = {
        v.pk if isinstance(v, User) else v
        for v in values
        if isinstance(v, User | int) and not isinstance(v, bool)
    }
    texts = {str(v).strip() for v in values if isinstance(v, str)}
    found = User.objects.filter(
        Q(pk__in=ids) | Q(username__in=texts) | Q(display_name__in=texts), role__in=OWNS_CUSTOMERS
    )
    by_id, by_username, by_name = {}, {}, {}
    for person in found:
        by_id[person.pk] = person
        by_username[person.username] = person
        by_name.setdefault(person.display_name, []).append(person)
    people, errors = {}, {}
    for value in values:
        if isinstance(value, User | int) and not isinstance(value, bool):
            person = by_id.get(value.pk if isinstance(value, User) else value)
        else:
            text = str(value).strip()
            person = by_username.get(text)
            if person is None and len(by_name.get(text, ())) > 1:
                errors[value] = _(
                    "Several salespeople are called “%(name)s”; give the username instead."
                ) % {"name": text}
                continue
            person = person or (by_name.get(text) or [None])[0]
        if person is None:
            errors[value] = _("“%(value)s” is not a salesperson.") % {"value": value}
        else:
            people[value] = person
    return people, errors


# ------------------------------------------------------------------------------ the grid


@dataclass
class GridRow:
    """One row of the year's grid: the department (salesperson None) or one salesperson."""

    key: str  # "dept" or "u<id>": the prefix of the row's form fields
    salesperson: User | None
    annual: Decimal | None
    months: list[Decimal | None]  # January … December

    @property
    def name(self) -> str:
        return str(self.salesperson) if self.salesperson else _("Department")

    @property
    def month_sum(self) -> Decimal | None:
        """The monthly targets added up (None when no month has one)."""
        set_months = [m for m in self.months if m is not None]
        return sum(set_months, Decimal("0.00")) if set_months else None

    @property
    def difference(self) -> Decimal | None:
        """Monthly targets' sum minus the annual target (None unless both exist)."""
        if self.annual is None or self.month_sum is None:
            return None
        return self.month_sum - self.annual


@dataclass
class TargetGrid:
    year: int
    department: GridRow
    people: list[GridRow]
    people_total: GridRow | None  # the salespeople's targets added up (team roles only)

    @property
    def rows(self) -> list[GridRow]:
        return [self.department, *self.people]


def row_key(salesperson_id: int | None) -> str:
    return "dept" if salesperson_id is None else f"u{salesperson_id}"


def target_grid(user, year: int) -> TargetGrid:
    """The year's targets as a grid: the department, then each salesperson `user` may see."""
    targets = year_targets(user, year)
    people = target_people(user, year)

    def row(person):
        pid = person.pk if person else None
        return GridRow(
            row_key(pid), person, targets.get((pid, None)), [targets.get((pid, m)) for m in MONTHS]
        )

    rows = [row(p) for p in people]
    total = None
    if sees_everyone(user) and rows:
        total = GridRow(
            "total",
            None,
            _add([r.annual for r in rows]),
            [_add([r.months[i] for r in rows]) for i in range(12)],
        )
    return TargetGrid(year, row(None), rows, total)


def _add(values) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal("0.00")) if present else None


# -------------------------------------------------------------------------- the progress


@dataclass(frozen=True)
class ProgressRow:
    """Booked sales against target for the department (salesperson None) or one salesperson.

    Money is Decimal yuan (2 places); shares are percent with 1 decimal; None where there is
    no target to measure against (or, for the run rate, no time left)."""

    salesperson: User | None
    target_year: Decimal | None
    booked_year: Decimal
    share: Decimal | None
    target_month: Decimal | None
    booked_month: Decimal
    month_share: Decimal | None
    remaining: Decimal | None
    needed_per_month: Decimal | None
    needed_per_working_day: Decimal | None
    on_track: bool | None = None  # share ≥ the share of the year elapsed (None: no target)

    @property
    def salesperson_id(self) -> int | None:
        return self.salesperson.pk if self.salesperson else None

    @property
    def name(self) -> str:
        return str(self.salesperson) if self.salesperson else _("Department")

    @property
    def bar(self) -> Decimal:
        """The year's progress bar width in percent (0–100)."""
        return min(self.share or Decimal(0), Decimal(100))

    @property
    def month_bar(self) -> Decimal:
        return min(self.month_share or Decimal(0), Decimal(100))


@dataclass(frozen=True)
class TargetProgress:
    year: int
    as_of: dt.date
    month: int
    elapsed: Decimal
    remaining_months: int
    remaining_working_days: int
    department: ProgressRow
    people: list[ProgressRow] = field(default_factory=list)

    @property
    def rows(self) -> list[ProgressRow]:
        return [self.department, *self.people]


def target_progress(user, year: int, as_of: dt.date) -> TargetProgress:
    """Booked sales so far against the targets of `year`, seen on `as_of`, scoped to `user`.

    Returns a TargetProgress:
      year, as_of;
      month: the month measured: as_of's month in `year`; 12 for a past year; 1 for a
        future one;
      elapsed: the share of the year elapsed through as_of (days, as_of included), percent
        with 1 decimal (0 for a future year, 100 for a past one);
      remaining_months: months left to book in, the current one included (13 − month; 0 for a
        past year, 12 for a future one);
      remaining_working_days: China's working days (holidays and make-up working days counted)
        from as_of, included, to 31 December; 0 for a past year;
      department: a ProgressRow for the whole department: its own targets (not the sum of the
        salespeople's), booked sales of everyone;
      people: a ProgressRow per salesperson `user` may see (for the team roles every active
        salesperson, and a former one with a target or booked sales that year; for a
        salesperson only themself), ordered by username;
      rows: department first, then people.
    Each ProgressRow has: salesperson (User, None for the department), salesperson_id, name,
      target_year (annual target, None when not set), booked_year (booked January through
      `month`), share (booked_year ÷ target_year in percent, 1 decimal), target_month,
      booked_month (booked in `month`), month_share, remaining (target_year − booked_year, not
      below 0), needed_per_month (remaining ÷ remaining_months, rounded up to the fen) and
      needed_per_working_day (remaining ÷ remaining_working_days, rounded up to the fen),
      on_track (share ≥ elapsed; None without an annual target).
    Booked sales are whole calendar months from the monthly summary: confirming an order adds
    it to its order date's month, cancelling takes it out again.
    Queries: a fixed handful, whatever the number of salespeople or orders.
    """
    _require_reader(user)
    today_year = as_of.year
    if year < today_year:
        month, elapsed, left_months = 12, Decimal(100), 0
    elif year > today_year:
        month, elapsed, left_months = 1, Decimal(0), 12
    else:
        month = as_of.month
        days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
        elapsed = _percent(Decimal(as_of.timetuple().tm_yday), Decimal(days))
        left_months = 13 - month
    left_days = working_days(max(as_of, dt.date(year, 1, 1)), dt.date(year, 12, 31))

    booked: dict[int, dict[int, int]] = {}  # salesperson id → {month: fen}
    for r in booked_by_month(start=dt.date(year, 1, 1), end=dt.date(year, 12, 1)):
        per = booked.setdefault(r["salesperson_id"], {})
        per[r["month"].month] = per.get(r["month"].month, 0) + r["fen"]
    department = {m: sum(p.get(m, 0) for p in booked.values()) for m in MONTHS}

    targets = year_targets(user, year)
    with_sales = {pid for pid, per in booked.items() if any(per.values())}
    people = target_people(user, year, also=with_sales)

    def row(person, fen_by_month):
        pid = person.pk if person else None
        target_year = targets.get((pid, None))
        target_month = targets.get((pid, month))
        booked_year = fen_to_yuan(sum(f for m, f in fen_by_month.items() if m <= month))
        if year > today_year:
            booked_year = Decimal("0.00")
        booked_month = fen_to_yuan(fen_by_month.get(month, 0))
        remaining = None
        if target_year is not None:
            remaining = max(target_year - booked_year, Decimal("0.00"))
        share = _percent(booked_year, target_year)
        return ProgressRow(
            salesperson=person,
            target_year=target_year,
            booked_year=booked_year,
            share=share,
            target_month=target_month,
            booked_month=booked_month if year <= today_year else Decimal("0.00"),
            month_share=_percent(booked_month, target_month) if year <= today_year else None,
            remaining=remaining,
            needed_per_month=_per(remaining, left_months),
            needed_per_working_day=_per(remaining, left_days),
            on_track=None if share is None else share >= elapsed,
        )

    return TargetProgress(
        year=year,
        as_of=as_of,
        month=month,
        elapsed=elapsed,
        remaining_months=left_months,
        remaining_working_days=left_days,
        department=row(None, department),
        people=[row(p, booked.get(p.pk, {})) for p in people],
    )


def _percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


def _per(remaining: Decimal | None, count: int) -> Decimal | None:
    """What is left, spread over `count` periods, rounded up to the fen (None: no time left)."""
    if remaining is None or count <= 0:
        return None
    return (remaining / count).quantize(CENT, rounding=ROUND_UP)


@lru_cache(maxsize=16)
def _calendar(year: int):
    return holidays.country_holidays("CN", years=year)


def working_days(start: dt.date, end: dt.date) -> int:
    """China's working days from `start` to `end`, both included: weekdays that are not public
    holidays, plus the weekend days worked in exchange (调休). 0 when start is after end."""
    if start > end:
        return 0
    count = 0
    day = start
    while day <= end:
        if _calendar(day.year).is_working_day(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


# ---------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class TargetChange:
    """One change of a target as the page lists it: who, when, which target, old → new
    (old None: newly set; new None: cleared)."""

    when: dt.datetime
    who: User | None
    salesperson: User | None
    month: int | None
    old: Decimal | None
    new: Decimal | None

    @property
    def name(self) -> str:
        return str(self.salesperson) if self.salesperson else _("Department")


def target_changes(user, year: int, *, limit: int = 12) -> list[TargetChange]:
    """The newest changes of the year's targets `user` may see, newest first. Two queries: a
    year holds a few hundred history rows at most, so old amounts are matched in Python."""
    _require_reader(user)
    rows = SalesTarget.history.filter(year=year)
    if not sees_everyone(user):
        rows = rows.filter(Q(salesperson__isnull=True) | Q(salesperson=user))
    rows = rows.select_related("history_user").order_by("history_date", "history_id")
    rows = list(rows)
    names = {p.pk: p for p in User.objects.filter(pk__in={r.salesperson_id for r in rows})}
    last: dict[tuple, Decimal | None] = {}
    changes = []
    for row in rows:
        slot = (row.salesperson_id, row.month)
        old = last.get(slot)
        new = None if row.history_type == "-" else row.amount
        last[slot] = new
        if old == new:
            continue
        person = names.get(row.salesperson_id)
        changes.append(
            TargetChange(row.history_date, row.history_user, person, row.month, old, new)
        )
    return changes[::-1][:limit]
