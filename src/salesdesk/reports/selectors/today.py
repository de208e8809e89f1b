"""Today (今日待办, R-8.1): for the signed-in person, what is theirs to do now.

Each section is a worklist of another app, read through that app's scoped selector (a
salesperson gets own customers' rows only), key accounts first. An item leaves its section
when the work behind it is done (the order is confirmed, the notice sent, the follow-up
logged...): nothing is dismissed by hand.

Cost, whatever the data: the page is two queries. `today_counts` counts every section in one
statement (a scalar COUNT subquery per section) and `today_page` reads the first N rows of
every section in one statement (a UNION ALL of each section's ORDER BY ... LIMIT N; on
PostgreSQL two parts a section, key accounts and the others: see _first_parts). Each part is
the owning app's worklist filter on its own index. To make one statement of them, every
section's rows are `values()` of the same named columns (COLUMNS), typed the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    F,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.catalog.choices import ApprovalStatus
from salesdesk.catalog.selectors.approvals import approval_list
from salesdesk.core.money import fen_to_yuan
from salesdesk.customers.choices import FollowUpKind, MailingKind, Stage, Tier
from salesdesk.customers.selectors.followups import followups_due
from salesdesk.customers.selectors.key_first import key_account_ids
from salesdesk.customers.selectors.leads import lead_list
from salesdesk.customers.selectors.mailings import mailing_list
from salesdesk.finance.selectors.reports import open_items
from salesdesk.orders.choices import OPEN_STATES, OrderState, ProductionStatus
from salesdesk.orders.selectors.orders import (
    PROMISE_THIS_WEEK,
    RISK_LABELS,
    order_list,
    risk_reason,
)
from salesdesk.orders.selectors.promises import promise_worklist
from salesdesk.orders.selectors.shipments import shipment_list

# Items shown per section on the page and in the API; "all N" opens the whole list.
ITEMS_SHOWN = 10
# A receipt (签收单) is chased once the goods have been on the road this many days.
RECEIPT_EXPECTED_DAYS = 3
# The header's count is cached per person this long. Computing it on every page would add a
# query to each page; the Today page itself always counts afresh and refreshes the cache.
BADGE_SECONDS = 60

ANSWER = "answer"
AT_RISK = "at_risk"
WEEK = "week"
READY = "ready"
NOTICE = "notice"
RECEIPT = "receipt"
FOLLOWUPS = "followups"
QUIET = "quiet"
SAMPLES = "samples"
APPROVALS = "approvals"
RECEIVABLES = "receivables"

# The columns every section's rows carry, in this order (one UNION ALL reads them all).
COLUMNS = (
    "t_id",  # the row's object: order, shipment, customer, lead, mailing, approval
    "t_ref",  # its number or short text
    "t_customer_id",
    "t_customer",
    "t_tier",
    "t_date",  # the date that makes it due
    "t_at",  # a moment (entered, last follow-up) when the section has one
    "t_note",  # a code the page turns into words (production status, risk, stage...)
    "t_text",  # free text (next step, product name, carrier)
    "t_person",  # the customer's owner
    "t_fen",  # an amount in fen (overdue receivables only)
)


def quiet_lead_days() -> int:
    return int(getattr(settings, "SALESDESK_QUIET_LEAD_DAYS", 30))


@dataclass(frozen=True)
class Moment:
    """The time Today is computed for: `now` for windows in hours, `today` for dates."""

    now: dt.datetime
    today: dt.date

    @classmethod
    def of(cls, now: dt.datetime | None = None) -> Moment:
        now = now or timezone.now()
        return cls(now=now, today=timezone.localdate(now))


# --- the rows of each section -------------------------------------------------------------


def _text(value: str = "") -> Value:
    return Value(value, output_field=CharField())


def _null(output_field) -> Cast:
    # Typed NULLs: PostgreSQL must find one type per column across the UNION ALL.
    return Cast(Value(None), output_field)


def _owner_name(customer: str) -> Coalesce:
    return Coalesce(
        NullIf(F(f"{customer}owner__display_name"), _text()),
        F(f"{customer}owner__username"),
        output_field=CharField(),
    )


def _values(
    qs: QuerySet,
    *,
    customer: str = "customer__",
    ref,
    date=None,
    at=None,
    note=None,
    text=None,
    fen=None,
    pk="pk",
) -> QuerySet:
    """The section's rows as COLUMNS; `customer` is the path to the customer ("" for customers)."""

    def expr(value, output_field):
        if value is None:
            return _null(output_field)
        return F(value) if isinstance(value, str) else value

    return qs.values(
        t_id=F(pk),
        t_ref=expr(ref, CharField()),
        t_customer_id=F(f"{customer}pk" if customer else "pk"),
        t_customer=F(f"{customer}name"),
        t_tier=F(f"{customer}tier"),
        t_date=expr(date, DateField()),
        t_at=expr(at, DateTimeField()),
        t_note=expr(note, CharField()) if note is not None else _text(),
        t_text=expr(text, CharField()) if text is not None else _text(),
        t_person=_owner_name(customer),
        t_fen=expr(fen, BigIntegerField()),
    )


def _answer_rows(user, moment: Moment) -> QuerySet:
    qs = promise_worklist(user=user, as_of=moment.now)["unanswered"]
    return _values(qs, ref="number", at="created_at")


def _at_risk_rows(user, moment: Moment) -> QuerySet:
    qs = order_list(user=user, at_risk=True, as_of=moment.today)
    return _values(qs, ref="number", date="promised_date", note=risk_reason(moment.today))


def _week_rows(user, moment: Moment) -> QuerySet:
    qs = order_list(user=user, promise_due=PROMISE_THIS_WEEK, as_of=moment.today)
    return _values(qs, ref="number", date="promised_date", note="production_status")


def _ready_rows(user, moment: Moment) -> QuerySet:
    qs = order_list(user=user, as_of=moment.today).filter(
        state__in=OPEN_STATES, production_status=ProductionStatus.DONE
    )
    return _values(qs, ref="number", date="promised_date", note="state")


def _notice_rows(user, moment: Moment) -> QuerySet:
    qs = shipment_list(user=user, notified=False)
    return _values(qs, ref="number", date="ship_date", text="carrier")


def _receipt_rows(user, moment: Moment) -> QuerySet:
    last_ship_date = moment.today - dt.timedelta(days=RECEIPT_EXPECTED_DAYS)
    qs = shipment_list(user=user, received=False, date_to=last_ship_date)
    return _values(qs, ref="number", date="ship_date", text="carrier")


def _followup_rows(user, moment: Moment) -> QuerySet:
    qs = followups_due(user=user, until=moment.today)
    return _values(
        qs,
        customer="",
        ref="code",
        date="next_followup_on",
        note="next_followup_kind",
        text="next_followup_note",
    )


def _quiet_rows(user, moment: Moment) -> QuerySet:
    cutoff = moment.now - dt.timedelta(days=quiet_lead_days())
    qs = lead_list(user=user, open_only=True).filter(
        Q(customer__last_followup_at__isnull=True) | Q(customer__last_followup_at__lt=cutoff),
        stage_changed_at__lt=cutoff,
    )
    return _values(qs, ref="customer__code", at="customer__last_followup_at", note="stage")


def _sample_rows(user, moment: Moment) -> QuerySet:
    qs = mailing_list(user=user, awaiting=True).filter(feedback_due_on__lte=moment.today)
    return _values(qs, ref="items", date="feedback_due_on", note="kind")


def _approval_rows(user, moment: Moment) -> QuerySet:
    qs = approval_list(user=user, status=ApprovalStatus.PENDING)
    return _values(qs, ref="product__code", at="created_at", text="product__name")


def _receivable_rows(user, moment: Moment) -> QuerySet:
    """Customers with overdue open receivables, as on the chase list: key accounts first, then
    the largest overdue amount, then the oldest due date."""
    qs, open_sum = open_items(user=user, as_of=moment.today)
    grouped = (
        qs.filter(due_date__lt=moment.today)
        .order_by()
        .values("customer_id", "customer__tier", "customer__name", "customer__code")
        .annotate(overdue_fen=open_sum(), oldest_due=Min("due_date"))
    )
    return _values(
        grouped,
        pk="customer_id",
        ref="customer__code",
        date="oldest_due",
        fen="overdue_fen",
    )


# --- sections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    todo: Promise  # what to do so the item goes
    date_label: Promise
    values: Callable[[object, Moment], QuerySet]
    # The section's order over COLUMNS, key accounts first: "-" descending (numbers only),
    # "?" a column that may be empty, empty ones first.
    order: tuple[str, ...]
    link: Callable[[dict, object], str]
    worklist: Callable[[object], str | None] = lambda user: None
    # The date is a due date: shown in red once passed.
    due: bool = False
    # Read from its own table first (orders, shipments: see _sql).
    drive: bool = False

    def rows(self, user, moment: Moment) -> QuerySet:
        """Every row of the section for this person, in its order."""
        ordering = []
        for name in ("t_tier", *self.order):
            if name.startswith("-"):
                ordering.append(F(name[1:]).desc())
            elif name.startswith("?"):
                ordering.append(F(name[1:]).asc(nulls_first=True))
            else:
                ordering.append(F(name).asc())
        return self.values(user, moment).order_by(*ordering)

    def sort_key(self, row: dict) -> tuple:
        """The same order in Python, for rows read back from the UNION ALL."""
        key: list = [row["t_tier"]]
        for name in self.order:
            if name.startswith("-"):
                key.append(-row[name[1:]])
            elif name.startswith("?"):
                value = row[name[1:]]
                key += [value is not None, value]
            else:
                key.append(row[name])
        return tuple(key)


def _today_url() -> str:
    return reverse("reports:today")


def _with_next(url: str) -> str:
    return f"{url}?{urlencode({'next': _today_url()})}"


def _order_link(row, user) -> str:
    return reverse("orders:detail", args=[row["t_id"]])


def _ship_link(row, user) -> str:
    return f"{reverse('orders:shipment-create')}?{urlencode({'order': row['t_id']})}"


def _shipment_link(row, user) -> str:
    return reverse("orders:shipment-detail", args=[row["t_id"]])


def _customer_link(row, user) -> str:
    if roles.edits_customers(user):
        return _with_next(reverse("customers:followup-log", args=[row["t_customer_id"]]))
    return reverse("customers:detail", args=[row["t_customer_id"]])


def _quiet_link(row, user) -> str:
    if roles.edits_customers(user):
        return _with_next(reverse("customers:followup-log", args=[row["t_customer_id"]]))
    return reverse("customers:lead-detail", args=[row["t_id"]])


def _sample_link(row, user) -> str:
    if roles.edits_customers(user):
        return _with_next(reverse("customers:mailing-feedback", args=[row["t_id"]]))
    return f"{reverse('customers:mailings')}?{urlencode({'awaiting': 'on', 'q': row['t_ref']})}"


def _approval_link(row, user) -> str:
    if roles.edits_customers(user):
        return reverse("catalog:approval-decide", args=[row["t_id"]])
    query = {"status": ApprovalStatus.PENDING, "customer": row["t_customer_id"]}
    return f"{reverse('catalog:approvals')}?{urlencode(query)}"


def _receivable_link(row, user) -> str:
    query = {"customer": row["t_customer_id"], "status": "overdue"}
    return f"{reverse('finance:receivables')}?{urlencode(query)}"


def _url(name: str, **query) -> Callable[[object], str]:
    def build(user) -> str:
        url = reverse(name)
        return f"{url}?{urlencode(query)}" if query else url

    return build


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            ANSWER,
            _("Delivery dates to answer"),
            _("Confirm the order with a promised date."),
            _("Entered"),
            _answer_rows,
            ("t_at", "t_id"),
            _order_link,
            _url("orders:promises"),
            drive=True,
        ),
        Section(
            AT_RISK,
            _("Orders at risk"),
            _("Ship, finish production or change the promise."),
            _("Promised date"),
            _at_risk_rows,
            ("t_date", "t_id"),
            _order_link,
            _url("orders:list", at_risk="on", key_first="on"),
            due=True,
            drive=True,
        ),
        Section(
            WEEK,
            _("Promises due this week"),
            _("Ship the order in full."),
            _("Promised date"),
            _week_rows,
            ("t_date", "t_id"),
            _order_link,
            _url("orders:list", promise_due=PROMISE_THIS_WEEK, key_first="on"),
            due=True,
            drive=True,
        ),
        Section(
            READY,
            _("Orders ready to ship"),
            _("Record the shipment."),
            _("Promised date"),
            _ready_rows,
            ("t_date", "t_id"),
            _ship_link,
            due=True,
            drive=True,
        ),
        Section(
            NOTICE,
            _("Shipments without a customer notice"),
            _("Send the shipment notice."),
            _("Ship date"),
            _notice_rows,
            ("t_date", "t_id"),
            _shipment_link,
            _url("orders:shipments", notified="no"),
            drive=True,
        ),
        Section(
            RECEIPT,
            _("Receipts missing"),
            _("Record the customer's receipt."),
            _("Ship date"),
            _receipt_rows,
            ("t_date", "t_id"),
            _shipment_link,
            drive=True,
        ),
        Section(
            FOLLOWUPS,
            _("Follow-ups and return visits due"),
            _("Log the follow-up or return visit."),
            _("Due on"),
            _followup_rows,
            ("t_date", "t_id"),
            _customer_link,
            _url("customers:followups-due"),
            due=True,
        ),
        Section(
            QUIET,
            _("Leads gone quiet"),
            _("Follow the lead up."),
            _("Last follow-up"),
            _quiet_rows,
            ("?t_at", "t_id"),
            _quiet_link,
        ),
        Section(
            SAMPLES,
            _("Samples awaiting feedback"),
            _("Record the customer's feedback."),
            _("Feedback expected by"),
            _sample_rows,
            ("t_date", "t_id"),
            _sample_link,
            _url("customers:mailings", overdue="on"),
            due=True,
        ),
        Section(
            APPROVALS,
            _("Sample approvals pending"),
            _("Record the customer's decision."),
            _("Sample recorded on"),
            _approval_rows,
            ("t_at", "t_id"),
            _approval_link,
            _url("catalog:approvals", status=ApprovalStatus.PENDING),
        ),
        Section(
            RECEIVABLES,
            _("Overdue receivables to chase"),
            _("Collect the payment."),
            _("Oldest due date"),
            _receivable_rows,
            ("-t_fen", "t_date", "t_id"),
            _receivable_link,
            _url("finance:chase"),
            due=True,
        ),
    )
}


def sections_for(user) -> list[Section]:
    """The sections this person works on, in the page's order (accounts.roles.today_sections)."""
    mine = set(roles.today_sections(user))
    return [section for key, section in SECTIONS.items() if key in mine]


def section_for(user, key: str) -> Section | None:
    """One of this person's sections, or None when it is not theirs."""
    return next((s for s in sections_for(user) if s.key == key), None)


# --- reading them ---------------------------------------------------------------------------


# SQLite plans from average statistics: a salesperson owning a quarter of the customers looks
# like one owning 2% of them, so it walks the owner's customers and every order of each
# (25k orders at a tenth of full scale) instead of the few open or draft orders by state.
# CROSS JOIN is SQLite's documented way to keep the left table the outer loop
# (sqlite.org/optoverview.html#crossjoin); PostgreSQL plans from real statistics.
_DRIVING_JOIN = re.compile(r'^(SELECT .*? FROM "(?:orders_order|orders_shipment)") INNER JOIN ')


def _sql(qs: QuerySet, *, drive: bool = False) -> tuple[str, list, str]:
    """A queryset's SQL; `drive` keeps its own table the outer loop on SQLite."""
    alias = qs.db or router.db_for_read(qs.model)
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    if drive and connections[alias].vendor == "sqlite":
        sql = _DRIVING_JOIN.sub(r"\1 CROSS JOIN ", sql, count=1)
    return sql, list(params), alias


# Counts stop at COUNT_CAP + 1 (shown "999+"): fifty thousand follow-ups due are as actionable
# as a thousand, and counting them all would cost more than the rest of the page.
COUNT_CAP = 999


def count_label(count) -> str:
    """A count as shown: "999+" past the cap."""
    if count is None or count == "":
        return ""
    return f"{COUNT_CAP}+" if int(count) > COUNT_CAP else str(count)


def today_counts(*, user, moment: Moment | None = None) -> dict[str, int]:
    """How many items each of this person's sections holds, up to COUNT_CAP + 1 (one more
    means "more than COUNT_CAP"): one query, whatever the sections, reading at most
    COUNT_CAP + 1 rows of each."""
    moment = moment or Moment.of()
    sections = sections_for(user)
    if not sections:
        return {}
    parts, params, alias = [], [], "default"
    for i, section in enumerate(sections):
        sql, part_params, alias = _sql(
            section.rows(user, moment).order_by()[: COUNT_CAP + 1], drive=section.drive
        )
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")
        params += part_params
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    result = {section.key: int(n) for section, n in zip(sections, counts, strict=True)}
    cache.set(badge_key(user), sum(result.values()), BADGE_SECONDS)
    return result


def _first_parts(section: Section, user, moment: Moment, limit: int) -> list[QuerySet]:
    """The queries whose rows hold the first `limit` rows of `section`.

    PostgreSQL: two, key accounts and the others. Ordered tier first, the database joins every
    due row to its customer and sorts them all before it can give ten (60-100 ms a section for
    the assistant at full scale, whose sections hold thousands of rows). Key accounts are few
    (their rows come through the customers' tier index); the others, ordered by the section's
    own order alone and kept by their customer id not being a key account's, come by walking
    the row table's index and stop after `limit`. SQLite plans the single query well and the
    split badly (the tier filter sends it through every key account's whole history)."""
    rows = section.rows(user, moment)
    if connections[rows.db].vendor != "postgresql":
        return [rows[:limit]]
    others = rows.exclude(t_customer_id__in=key_account_ids()).order_by(*rows.query.order_by[1:])
    return [rows.filter(t_tier=Tier.KEY)[:limit], others[:limit]]


def _first_rows(user, sections: list[Section], moment: Moment, limit: int) -> dict[str, list]:
    """The first `limit` rows of each section, in one UNION ALL query."""
    parts, params, alias = [], [], "default"
    for section in sections:
        for part in _first_parts(section, user, moment, limit):
            sql, part_params, alias = _sql(part, drive=section.drive)
            parts.append(
                f"SELECT %s AS t_section, {', '.join(COLUMNS)} FROM ({sql}) AS p{len(parts)}"
            )
            params += [section.key, *part_params]
    rows: dict[str, list] = {section.key: [] for section in sections}
    if not parts:
        return rows
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        names = [column[0] for column in cursor.description]
        for record in cursor.fetchall():
            row = _typed(dict(zip(names, record, strict=True)))
            rows[row["t_section"]].append(row)
    return rows


def _typed(row: dict) -> dict:
    """Values from a raw cursor as Django would give them (SQLite returns dates as text)."""
    value = row["t_date"]
    if isinstance(value, str):
        row["t_date"] = parse_date(value[:10])
    elif isinstance(value, dt.datetime):
        row["t_date"] = value.date()
    value = row["t_at"]
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    row["t_at"] = value
    if row["t_fen"] is not None:
        row["t_fen"] = int(row["t_fen"])
    return row


# --- items as pages and the API show them ---------------------------------------------------


NOTE_LABELS: dict[str, dict[str, Promise]] = {
    AT_RISK: dict(RISK_LABELS),
    WEEK: dict(ProductionStatus.choices),
    READY: dict(OrderState.choices),
    FOLLOWUPS: dict(FollowUpKind.choices),
    QUIET: dict(Stage.choices),
    SAMPLES: dict(MailingKind.choices),
}


@dataclass
class Item:
    section: str
    id: int
    ref: str
    customer_id: int
    customer: str
    key_account: bool
    date: dt.date | None
    at: dt.datetime | None
    note: str
    text: str
    person: str
    amount: Decimal | None
    url: str


@dataclass
class SectionView:
    key: str
    title: Promise
    todo: Promise
    date_label: Promise
    due: bool
    count: int
    items: list[Item] = field(default_factory=list)
    all_url: str = ""
    worklist_url: str | None = None

    @property
    def capped(self) -> bool:
        """The count stopped at the cap: there are more than COUNT_CAP items."""
        return self.count > COUNT_CAP


def items_of(section: Section, rows, user) -> list[Item]:
    """Rows of `section` (dicts of COLUMNS) as items with their link and words."""
    labels = NOTE_LABELS.get(section.key, {})
    money = roles.sees_money(user)
    items = []
    for row in rows:
        fen = row["t_fen"]
        note = row["t_note"] or ""
        items.append(
            Item(
                section=section.key,
                id=row["t_id"],
                ref=row["t_ref"] or "",
                customer_id=row["t_customer_id"],
                customer=row["t_customer"],
                key_account=row["t_tier"] == Tier.KEY,
                date=row["t_date"],
                at=row["t_at"],
                note=str(labels.get(note, note)),
                text=row["t_text"] or "",
                person=row["t_person"] or "",
                amount=fen_to_yuan(fen) if fen is not None and money else None,
                url=section.link(row, user),
            )
        )
    return items


def section_url(key: str) -> str:
    return reverse("reports:today-section", args=[key])


@dataclass
class Today:
    moment: Moment
    sections: list[SectionView]

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def today_page(*, user, moment: Moment | None = None, limit: int = ITEMS_SHOWN) -> Today:
    """Every section of this person's Today with its count and first `limit` items: two queries."""
    moment = moment or Moment.of()
    sections = sections_for(user)
    counts = today_counts(user=user, moment=moment)
    busy = [s for s in sections if counts.get(s.key)]
    rows = _first_rows(user, busy, moment, limit)
    views = []
    for section in sections:
        # UNION ALL promises no order: put each part's rows back in its ORDER BY.
        section_rows = sorted(rows.get(section.key, []), key=section.sort_key)[:limit]
        views.append(
            SectionView(
                key=section.key,
                title=section.title,
                todo=section.todo,
                date_label=section.date_label,
                due=section.due,
                count=counts.get(section.key, 0),
                items=items_of(section, section_rows, user),
                all_url=section_url(section.key),
                worklist_url=section.worklist(user),
            )
        )
    return Today(moment=moment, sections=views)


def section_rows(*, user, section: Section, moment: Moment | None = None) -> QuerySet:
    """All rows of one section, in its order (the page paginates them)."""
    return section.rows(user, moment or Moment.of())


def section_items(*, user, section: Section, rows) -> list[Item]:
    """One page of `section_rows` as items (the values come typed from the ORM)."""
    return items_of(section, [_typed(dict(row)) for row in rows], user)


# --- the header's count ---------------------------------------------------------------------


def badge_key(user) -> str:
    return f"salesdesk:today-total:{user.pk}:{roles.role_of(user)}"


def cached_total(user) -> int | None:
    """The total last counted for this person within BADGE_SECONDS, or None (no query)."""
    if not roles.today_sections(user):
        return None
    return cache.get(badge_key(user))


def badge_total(user) -> int:
    """The total for the header: the cached one, else counted now (one query) and cached."""
    total = cached_total(user)
    if total is None:
        total = sum(today_counts(user=user).values())
    return total
