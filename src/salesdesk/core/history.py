"""Change history of audited records (django-simple-history) as a person reads it:
who changed what and when, each change as "field: old → new"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: object | None  # the user, None for the system
    action: str
    changes: list[Change] = field(default_factory=list)
    subject: str = ""  # what changed, where one history shows several records
    is_contact: bool = False


def shown_fields(model, hidden: Iterable[str]) -> list[models.Field]:
    """The model's fields a person changes: all but the derived or bookkeeping ones."""
    hidden = set(hidden)
    return [f for f in model._meta.concrete_fields if f.name not in hidden]


def display(f: models.Field, value, users: dict | None = None) -> str:
    """A stored value as the page shows it: choice labels, user names, yes/no, local dates."""
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        return str((users or {}).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime | dt.date | Decimal):
        return formats.localize(value)
    return str(value)


def history_entries(
    rows: list,
    fields: list[models.Field],
    *,
    reasons: dict,
    fallback: Callable[[object], str],
    users: dict | None = None,
    subject: Callable[[object], str] | None = None,
    is_contact: bool = False,
) -> list[HistoryEntry]:
    """History rows of one record, oldest first → entries, oldest first, with the fields each
    row changed. A row is shown when it is the first, changed a shown field, or carries one of
    the `reasons` (change reasons → action label); `fallback(row)` labels the others."""
    out = []
    previous = None
    for row in rows:
        changes = []
        if previous is not None:
            for f in fields:
                old, new = getattr(previous, f.attname), getattr(row, f.attname)
                if old != new:
                    changes.append(
                        Change(str(f.verbose_name), display(f, old, users), display(f, new, users))
                    )
        reason = row.history_change_reason or ""
        action = reasons[reason] if reason in reasons else fallback(row)
        if previous is None or changes or row.history_change_reason in reasons:
            out.append(
                HistoryEntry(
                    row.history_date,
                    row.history_user,
                    str(action),
                    changes,
                    subject=subject(row) if subject else "",
                    is_contact=is_contact,
                )
            )
        previous = row
    return out
