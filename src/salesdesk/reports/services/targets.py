"""Writes of the sales targets (R-8.4): set a year's targets all or nothing, with history."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.core import imports as engine

from ..models import SalesTarget
from ..selectors.targets import MAX_YEAR, MIN_YEAR, resolve_salespeople

REASON_SET = "targets set"
REASON_CLEAR = "target cleared"
REASON_IMPORT = "targets imported"
# max_digits=14, decimal_places=2: below a trillion yuan.
LIMIT = Decimal(10) ** 12
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def require_target_editor(by) -> None:
    if not roles.edits_targets(by):
        raise PermissionDenied


def parse_amount(value) -> Decimal | None:
    """A target in yuan: 1200000, "1,200,000.50", "¥1200000"; blank is None (no target).
    ValueError names what is wrong: not a number, negative, more than 2 decimals, too large."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value})
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(_("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            _("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
        ) from None
    if amount < 0:
        raise ValueError(_("A target cannot be negative."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("A target has at most 2 decimal places (fen)."))
    if amount >= LIMIT:
        raise ValueError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse_year(value) -> int:
    """A year between 2000 and 2100; ValueError otherwise."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("Enter a year such as 2026.")) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            _("Enter a year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


@dataclass(frozen=True)
class TargetEntry:
    """One target to set. `salesperson`: None for the department, else a User, a user id or a
    username / display name; `month`: None for the annual target, else 1–12; `amount`: the
    yuan as typed, blank or None to clear the target. Errors are reported under `key` (the
    amount), `salesperson_key` and `month_key` (both default to `key`): a form field's name
    on the page, "targets.3.amount" in the API."""

    key: str
    salesperson: Any
    month: Any
    amount: Any
    salesperson_key: str = ""
    month_key: str = ""


@dataclass
class TargetChanges:
    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0


def _month(value) -> int | None:
    """None (annual) or 1–12, from an int or its digits; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        raise ValueError(value)
    month = int(value)
    if not 1 <= month <= 12:
        raise ValueError(value)
    return month


def targets_set(*, by, year, entries: Iterable[TargetEntry]) -> TargetChanges:
    """Set targets of one year all or nothing: any bad entry and nothing is written. A blank
    amount clears that target (its history keeps it); each change is kept in the history
    with who made it. Only the targets named in `entries` are touched."""
    require_target_editor(by)
    entries = list(entries)
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    try:
        year = parse_year(year)
    except ValueError as exc:
        raise ValidationError({"year": [str(exc)]}) from None

    people, unknown = resolve_salespeople(
        e.salesperson
        for e in entries
        if isinstance(e.salesperson, User | int | str) and not isinstance(e.salesperson, bool)
    )
    wanted: dict[tuple, tuple[TargetEntry, Decimal | None]] = {}
    for entry in entries:
        ok = True
        person = None
        named = entry.salesperson
        if isinstance(named, bool) or not isinstance(named, User | int | str | None):
            # True == 1 would otherwise find user 1; lists and the like name nobody.
            add(
                entry.salesperson_key or entry.key,
                _("“%(value)s” is not a salesperson.") % {"value": named},
            )
            ok = False
        elif named not in (None, ""):
            person = people.get(named)
            if person is None:
                add(entry.salesperson_key or entry.key, unknown.get(named))
                ok = False
        try:
            month = _month(entry.month)
        except (TypeError, ValueError):
            add(entry.month_key or entry.key, _("A month is a whole number from 1 to 12."))
            ok = False
        try:
            amount = parse_amount(entry.amount)
        except ValueError as exc:
            add(entry.key, str(exc))
            ok = False
        if not ok:
            continue
        slot = (person.pk if person else None, month)
        if slot in wanted:
            add(entry.key, _("This target is given twice."))
            continue
        wanted[slot] = (entry, amount)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _write(by=by, year=year, wanted=wanted)
    except IntegrityError:  # someone saved the same new target at the same moment
        raise ValidationError(
            _("Someone else changed these targets at the same time; reload and try again.")
        ) from None


def _write(*, by, year: int, wanted: dict) -> TargetChanges:
    changes = TargetChanges()
    existing = {
        (t.salesperson_id, t.month): t
        # No ordering: the Meta ordering joins the users, which FOR UPDATE refuses on PostgreSQL.
        for t in SalesTarget.objects.select_for_update().filter(year=year).order_by()
    }
    for (person_id, month), (_entry, amount) in wanted.items():
        target = existing.get((person_id, month))
        if amount is None:
            if target is not None:
                target._history_user = by
                target._change_reason = REASON_CLEAR
                target.delete()
                changes.cleared += 1
            continue
        if target is not None and target.amount == amount:
            changes.unchanged += 1
            continue
        if target is None:
            target = SalesTarget(year=year, month=month, salesperson_id=person_id)
            changes.created += 1
        else:
            changes.updated += 1
        target.amount = amount
        target.updated_by = by
        target._history_user = by
        target._change_reason = REASON_SET
        target.save()
    return changes


# ---------------------------------------------------------------------------- the import
# reports.imports reads this module's parsers, so it is imported where used.


def targets_import(*, by, content: bytes, dry_run: bool = True):
    """All or nothing: any error in any row and nothing is written; a dry run never writes.
    Re-import updates the target of the same year, month and salesperson."""
    from .. import imports as target_imports

    require_target_editor(by)
    return engine.run_import(
        build=lambda result: target_imports.build_plan(content=content, result=result),
        apply=lambda plan: target_imports.apply_plan(plan, by=by),
        dry_run=dry_run,
    )


def targets_import_upload(*, by, content: bytes, filename: str):
    """Keep an uploaded target workbook for its preview; only readable .xlsx files are kept."""
    from .. import imports as target_imports

    require_target_editor(by)
    return engine.upload_store(by=by, kind=target_imports.KIND, filename=filename, content=content)


@transaction.atomic
def targets_import_confirm(*, by, upload):
    """Only the uploader confirms, once: checked again against today's data, then imported
    all or nothing; an invalid file stays unconfirmed."""

    require_target_editor(by)
    return engine.upload_confirm(
        by=by,
        upload=upload,
        run=lambda locked: targets_import(by=by, content=bytes(locked.content), dry_run=False),
    )
