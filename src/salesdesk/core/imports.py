"""The Excel import engine (C-2), shared by every module that imports a sheet.

A module describes each sheet as a `Spec` of `Column`s (key, header aliases in Chinese and
English, required flag, parser). `read_sheet` finds the header row, parses every cell and
collects every error by the Excel row the user sees and the header as written in the sheet,
never stopping at the first. The module then checks its own rules on the parsed rows, adds
their errors to the same `ImportResult`, and writes all or nothing.

Uploaded files wait for confirmation in `ImportUpload` (in the database, so any app server
can apply them).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import validators
from .models import ImportUpload
from .money import to_money

PREVIEW_ROWS = 20
HEADER_SCAN_ROWS = 30
XLSX_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

Parser = Callable[[Any], Any]


class WorkbookError(Exception):
    """The upload is not a readable .xlsx workbook."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `headers[0]` is the header the template writes."""

    key: str
    headers: tuple[str, ...]
    parse: Parser = field(default_factory=lambda: text())
    required: bool = False
    example: Any = ""

    @property
    def header(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class Spec:
    """One sheet: its name (and aliases) and its columns."""

    sheet: str
    columns: tuple[Column, ...]
    sheet_aliases: tuple[str, ...] = ()
    required: bool = True

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.sheet, *self.sheet_aliases)}


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str
    order: int = 0  # the sheet's position, so errors sort sheet by sheet

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": str(self.message),
        }


@dataclass
class ImportResult:
    """What an import found or did: every error, the counts and a preview of the first rows."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)
    preview_headers: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int | None, column: str, message, order: int = 0) -> None:
        self.errors.append(RowError(sheet, row, column or "", str(message), order))

    def sorted_errors(self) -> list[RowError]:
        # Stable: within a row, cell errors (in column order) come before rule errors.
        return sorted(self.errors, key=lambda e: (e.order, e.row if e.row is not None else -1))

    def error_dicts(self) -> list[dict]:
        return [e.as_dict() for e in self.sorted_errors()]

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "errors": self.error_dicts(),
            "created": self.created,
            "updated": self.updated,
            **self.extra,
        }


# ---------------------------------------------------------------------------- sheets


@dataclass
class Row:
    number: int  # the Excel row number the user sees
    values: dict[str, Any]  # parsed non-blank cells; a blank cell has no key
    ok: bool = True  # every cell parsed
    cells: dict[str, Any] | None = None  # raw cells, kept for the first rows (preview)


@dataclass
class Sheet:
    spec: Spec
    name: str
    header_row: int
    headers: dict[str, str]  # key → header as written in the sheet
    rows: list[Row]
    order: int = 0

    def header(self, key: str) -> str:
        return self.headers.get(key) or self.spec.column(key).header

    def has(self, key: str) -> bool:
        return key in self.headers

    def error(self, result: ImportResult, row: int | None, key: str | None, message) -> None:
        result.add(self.name, row, self.header(key) if key else "", message, self.order)


_ANNOTATIONS = re.compile(r"\((必填|选填|required|optional)\)")


def normalize_header(value) -> str:
    """Compare headers loosely: full-width forms, case, spaces, '*' and '(必填)' do not matter."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    text = re.sub(r"[\s*:]", "", text)
    return _ANNOTATIONS.sub("", text)


def open_workbook(content: bytes) -> CalamineWorkbook:
    if not content:
        raise WorkbookError(_("The file is empty."))
    if not content.startswith(XLSX_MAGIC):
        raise WorkbookError(
            _(
                "This is not an Excel .xlsx file. Save it in Excel as “Excel Workbook (*.xlsx)” and upload it again."
            )
        )
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises several types for broken zips and XML
        raise WorkbookError(
            _("The file cannot be read as an .xlsx workbook; it may be damaged.")
        ) from exc


def check_xlsx(content: bytes) -> None:
    """Raise ValidationError on the `file` field unless `content` is a readable .xlsx workbook."""
    limit = getattr(settings, "SALESDESK_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(content) > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
        )
    try:
        open_workbook(content)
    except WorkbookError as exc:
        raise ValidationError({"file": exc.message}) from exc


def find_sheet(book: CalamineWorkbook, spec: Spec, *, fallback_single: bool = False) -> str | None:
    """The sheet named like the spec; a workbook's only sheet when `fallback_single`."""
    wanted = spec.names()
    for name in book.sheet_names:
        if normalize_header(name) in wanted:
            return name
    if fallback_single and len(book.sheet_names) == 1:
        return book.sheet_names[0]
    return None


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _match_headers(row: list, spec: Spec, lookup: dict[str, Column]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        column = lookup.get(normalize_header(cell))
        if column is not None and column.key not in found:  # the first of two equal headers wins
            found[column.key] = (index, cell.strip())
    return found


def read_sheet(
    book: CalamineWorkbook,
    spec: Spec,
    result: ImportResult,
    *,
    name: str | None = None,
    order: int = 0,
    max_rows: int | None = None,
) -> Sheet | None:
    """Parse one sheet; every cell error goes into `result`. None when the sheet cannot be read
    at all (missing, no header row, required columns missing, too many rows)."""
    name = name or find_sheet(book, spec)
    if name is None:
        if spec.required:
            result.add(
                spec.sheet,
                None,
                "",
                _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": spec.sheet},
                order,
            )
        return None
    try:
        raw_rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        result.add(
            name, None, "", _("The sheet “%(sheet)s” cannot be read.") % {"sheet": name}, order
        )
        return None

    lookup = {
        normalize_header(alias): column for column in spec.columns for alias in column.headers
    }
    best_index, best = None, {}
    for index, row in enumerate(raw_rows[:HEADER_SCAN_ROWS]):
        found = _match_headers(row, spec, lookup)
        if len(found) > len(best):
            best_index, best = index, found
    if best_index is None:
        result.add(
            name,
            None,
            "",
            _("No header row found in sheet “%(sheet)s”; expected columns such as %(columns)s.")
            % {"sheet": name, "columns": ", ".join(c.header for c in spec.columns[:4])},
            order,
        )
        return None
    sheet = Sheet(
        spec, name, best_index + 1, {k: text for k, (_i, text) in best.items()}, [], order
    )
    missing = [c.header for c in spec.columns if c.required and c.key not in best]
    if missing:
        sheet.error(
            result,
            best_index + 1,
            None,
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
        )
        return None

    max_rows = max_rows if max_rows is not None else settings.SALESDESK_IMPORT_MAX_ROWS
    positions = [(column, best[column.key][0]) for column in spec.columns if column.key in best]
    for index in range(best_index + 1, len(raw_rows)):
        raw = raw_rows[index]
        cells = {col.key: (_clean(raw[pos]) if pos < len(raw) else None) for col, pos in positions}
        if all(v is None for v in cells.values()):
            continue  # blank rows (and rows only in unknown columns) are skipped
        if len(sheet.rows) >= max_rows:
            sheet.error(
                result,
                None,
                None,
                _("The sheet has more than %(max)d rows; split it into several files.")
                % {"max": max_rows},
            )
            return None
        number = index + 1
        row = Row(number, {}, cells=cells if len(sheet.rows) < PREVIEW_ROWS else None)
        for column, _pos in positions:
            value = cells[column.key]
            if value is None:
                if column.required:
                    sheet.error(result, number, column.key, _("This cell is required."))
                    row.ok = False
                continue
            try:
                row.values[column.key] = column.parse(value)
            except (ValueError, ValidationError) as exc:
                sheet.error(result, number, column.key, error_message(exc))
                row.ok = False
        sheet.rows.append(row)
    return sheet


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc.args[0]) if exc.args else str(exc)


def display(value) -> str:
    """A cell as the user typed it, for the preview."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- parsers


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int | None = None) -> Parser:
    """Text; numbers typed into text columns (codes, QQ numbers) lose Excel's '.0'."""

    def parse(value):
        result = _as_text(value)
        if max_length is not None and len(result) > max_length:
            raise ValueError(
                gettext("Too long: at most %(max)d characters, this has %(n)d.")
                % {"max": max_length, "n": len(result)}
            )
        return result

    return parse


_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")


def integer(
    min_value: int | None = None, max_value: int | None = None, units: Iterable[str] = ()
) -> Parser:
    """A whole number: 30, 30.0, "30", "1,000"; `units` may follow ("30天")."""
    units = tuple(units)

    def parse(value):
        if isinstance(value, bool):
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
        if isinstance(value, int):
            number = value
        elif isinstance(value, float):
            if not value.is_integer():
                raise ValueError(
                    gettext("“%(value)s” is not a whole number.") % {"value": display(value)}
                )
            number = int(value)
        else:
            cleaned = re.sub(r"[\s,，]", "", str(value))
            for unit in units:
                if cleaned.casefold().endswith(unit.casefold()):
                    cleaned = cleaned[: -len(unit)]
                    break
            if not _INTEGER.match(cleaned):
                raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
            number = int(Decimal(cleaned))
        if min_value is not None and number < min_value:
            raise ValueError(gettext("Must be at least %(min)s.") % {"min": min_value})
        if max_value is not None and number > max_value:
            raise ValueError(gettext("Must be at most %(max)s.") % {"max": max_value})
        return number

    return parse


def money(min_value: Decimal | None = Decimal("0"), max_digits: int = 14) -> Parser:
    """Yuan as Decimal: 1234.5, "1,234.50", "¥1234"; never through float arithmetic."""
    limit = Decimal(10) ** (max_digits - 2)

    def parse(value):
        if isinstance(value, bool):
            raise ValueError(
                gettext("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
            )
        try:
            amount = to_money(value)
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
            ) from None
        if not amount.is_finite():
            raise ValueError(
                gettext("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
            )
        if min_value is not None and amount < min_value:
            raise ValueError(gettext("Must be at least %(min)s.") % {"min": min_value})
        if abs(amount) >= limit:
            raise ValueError(gettext("The amount is too large."))
        return amount

    return parse


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date() -> Parser:
    """A date: an Excel date cell, a date serial number, or text 2026-03-01, 2026/3/1,
    2026.3.1, 2026年3月1日, 20260301."""

    def parse(value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 1 <= value < 2958466 and float(value).is_integer():
                return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            raw = str(value).strip()
            match = _DATE.match(raw)
            parts = match.groups() if match else None
            if parts is None and re.fullmatch(r"\d{8}", raw):
                parts = (raw[:4], raw[4:6], raw[6:])
            if parts:
                try:
                    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
                except ValueError:
                    pass
        raise ValueError(
            gettext("“%(value)s” is not a date (write it as 2026-03-01).")
            % {"value": display(value)}
        )

    return parse


class choice:  # noqa: N801 - used like the other parser factories
    """One of a TextChoices: by its value, or its label in any of the site's languages,
    or one of the `aliases` (trade synonyms → value)."""

    def __init__(self, choices, aliases: dict[str, str] | None = None):
        self.choices = choices
        self.aliases = aliases or {}
        self._lookup: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            lookup: dict[str, str] = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    for value, label in self.choices.choices:
                        lookup.setdefault(normalize_header(label), value)
            for value, _label in self.choices.choices:
                lookup[normalize_header(value)] = value
            for alias, value in self.aliases.items():
                lookup.setdefault(normalize_header(alias), value)
            self._lookup = lookup
        return self._lookup

    def labels(self) -> list[str]:
        return [str(label) for _value, label in self.choices.choices]

    def __call__(self, value):
        found = self.lookup().get(normalize_header(_as_text(value)))
        if found is None:
            raise ValueError(
                gettext("“%(value)s” is not one of: %(allowed)s.")
                % {"value": display(value), "allowed": ", ".join(self.labels())}
            )
        return found


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "t", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "f", "不是"}


def boolean() -> Parser:
    """Yes or no: 是/否, Y/N, yes/no, true/false, 1/0, √."""

    def parse(value):
        if isinstance(value, bool):
            return value
        key = normalize_header(_as_text(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise ValueError(
            gettext("“%(value)s” is not yes or no (write 是 or 否).") % {"value": display(value)}
        )

    return parse


def _checked(
    normalize: Callable[[str], str], validate: Callable[[str], None], max_length: int
) -> Parser:
    def parse(value):
        result = normalize(_as_text(value))
        validate(result)
        if len(result) > max_length:
            raise ValueError(
                gettext("Too long: at most %(max)d characters, this has %(n)d.")
                % {"max": max_length, "n": len(result)}
            )
        return result

    return parse


def mobile() -> Parser:
    """A mainland mobile number (a number cell works too)."""
    return _checked(validators.normalize_phone, validators.validate_mobile, 20)


def phone() -> Parser:
    """A landline with area code, a 400 number or a mobile."""
    return _checked(validators.normalize_phone, validators.validate_phone, 30)


def credit_code() -> Parser:
    """A unified social credit code with a correct check character."""
    return _checked(validators.normalize_credit_code, validators.validate_credit_code, 18)


def email() -> Parser:
    check = EmailValidator(message=_("Enter a valid email address."))

    def parse(value):
        result = _as_text(value)
        check(result)
        if len(result) > 254:
            raise ValueError(
                gettext("Too long: at most %(max)d characters, this has %(n)d.")
                % {"max": 254, "n": len(result)}
            )
        return result

    return parse


def digits(min_length: int = 1, max_length: int = 20) -> Parser:
    """Digits only (a QQ number); a number cell works too."""

    def parse(value):
        result = _as_text(value)
        if not result.isdigit() or not min_length <= len(result) <= max_length:
            raise ValueError(
                gettext("“%(value)s” must be %(min)d to %(max)d digits.")
                % {"value": result, "min": min_length, "max": max_length}
            )
        return result

    return parse


# --------------------------------------------------------------------------- uploads


def upload_store(*, by, kind: str, filename: str, content: bytes) -> ImportUpload:
    """Keep an uploaded sheet until its uploader confirms it; only readable .xlsx files are kept."""
    check_xlsx(content)
    return ImportUpload.objects.create(
        kind=kind, filename=(filename or "upload.xlsx")[:255], content=content, created_by=by
    )


def upload_for(*, user, kind: str, pk) -> ImportUpload:
    """The user's own upload of this kind, else 404: nobody sees another person's file."""
    return get_object_or_404(ImportUpload, pk=pk, kind=kind, created_by=user)


def upload_lock_for_confirm(*, by, upload: ImportUpload) -> ImportUpload:
    """Lock the upload row (call inside the writing transaction); a confirmed upload is refused."""
    locked = ImportUpload.objects.select_for_update().get(pk=upload.pk, created_by=by)
    if locked.confirmed_at is not None:
        raise ValidationError(
            {
                "file": _("This file was already imported on %(when)s.")
                % {"when": timezone.localtime(locked.confirmed_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    return locked


def upload_mark_confirmed(upload: ImportUpload) -> None:
    upload.confirmed_at = timezone.now()
    upload.save(update_fields=["confirmed_at"])


def template_workbook(
    sheets: Iterable[tuple[Spec, list[dict]]], choices_sheet: tuple[str, list[tuple]] | None
) -> bytes:
    """An .xlsx template: one sheet per spec with its headers and example rows, and a sheet
    listing the allowed values of the choice columns."""
    from .excel import Sheet as XSheet
    from .excel import write_xlsx

    out = []
    for spec, examples in sheets:
        headers = [c.header + ("*" if c.required else "") for c in spec.columns]
        rows = [[example.get(c.key, "") for c in spec.columns] for example in examples]
        out.append(XSheet(spec.sheet, headers, rows, [max(12, len(h) * 3) for h in headers]))
    if choices_sheet:
        title, rows = choices_sheet
        out.append(
            XSheet(
                title,
                [
                    gettext("Column"),
                    gettext("Value (Chinese)"),
                    gettext("Value (English)"),
                    gettext("Code"),
                ],
                rows,
                [18, 22, 26, 16],
            )
        )
    return write_xlsx(out)


def choice_rows(spec: Spec) -> list[tuple[str, str, str, str]]:
    """For the template's allowed-values sheet: each choice column's values in both languages."""
    rows = []
    for column in spec.columns:
        if isinstance(column.parse, choice):
            for value, label in column.parse.choices.choices:
                with translation.override("zh-hans"):
                    zh = str(label)
                with translation.override("en"):
                    en = str(label)
                rows.append((column.header, zh, en, value))
    return rows


# ------------------------------------------------------------------------ planning helpers

CHUNK = 500  # values per IN (...) lookup


def chunks(values, size: int = CHUNK):
    """`values` in lists of at most `size`, for IN (...) lookups that stay within database limits."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def rows_by(
    rows: Iterable[Row], key: str, normalize: Callable[[Any], Any] | None = None
) -> dict[Any, list[int]]:
    """The Excel row numbers of each value of `key` (blank cells left out), to name a value's
    other rows when it must appear only once."""
    found: dict[Any, list[int]] = {}
    for row in rows:
        value = row.values.get(key)
        if value:
            found.setdefault(normalize(value) if normalize else value, []).append(row.number)
    return found


def count_actions(result: ImportResult, actions: dict[int, str]) -> None:
    """The counts of a checked import from each row's action (create, update or unchanged)."""
    counts = Counter(actions.values())
    result.created = counts["create"]
    result.updated = counts["update"]
    result.unchanged = counts["unchanged"]


def fill_preview(result: ImportResult, sheet: Sheet, actions: dict[int, str]) -> None:
    """The first rows as the user wrote them, each with what the import will do to it."""
    keys = [c.key for c in sheet.spec.columns if sheet.has(c.key)]
    result.preview_headers = [sheet.header(k) for k in keys]
    labels = {
        "create": gettext("new"),
        "update": gettext("update"),
        "unchanged": gettext("unchanged"),
    }
    for row in sheet.rows[:PREVIEW_ROWS]:
        action = actions.get(row.number, "")
        result.preview.append(
            {
                "row": row.number,
                "action": action,
                "action_label": labels.get(action, ""),
                "cells": [display((row.cells or {}).get(k)) for k in keys],
            }
        )


def example_row(spec: Spec, **overrides) -> dict:
    """A template row of each column's example; choices shown as their Chinese label, as
    people write them."""
    example = {}
    for column in spec.columns:
        value = overrides.get(column.key, column.example)
        if isinstance(column.parse, choice) and value not in ("", None):
            with translation.override("zh-hans"):
                value = str(dict(column.parse.choices.choices)[value])
        example[column.key] = value
    return example


def run_import(
    *, build: Callable[[ImportResult], Any], apply: Callable[[Any], None], dry_run: bool
) -> ImportResult:
    """All or nothing: `build` checks the workbook and returns a plan (None on any error);
    `apply` writes it in the same transaction. A dry run only checks."""
    result = ImportResult()
    if dry_run:
        build(result)
        return result
    with transaction.atomic():
        plan = build(result)
        if plan is not None:
            apply(plan)
            result.applied = True
    return result


def upload_confirm(
    *, by, upload: ImportUpload, run: Callable[[ImportUpload], ImportResult]
) -> ImportResult:
    """Only the uploader confirms, once: `run` imports the locked upload; an invalid file stays
    unconfirmed. Call inside the writing transaction."""
    locked = upload_lock_for_confirm(by=by, upload=upload)
    result = run(locked)
    if result.applied:
        upload_mark_confirmed(locked)
        upload.confirmed_at = locked.confirmed_at
    return result


BATCH_SIZE = 500


def create_with_history(objects: list, model, *, by, reason: str, when) -> list:
    """Insert the new rows in bulk, each with a history row naming who, why and when."""
    if not objects:
        return []
    return bulk_create_with_history(
        objects,
        model,
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=reason,
        default_date=when,
    )


def update_with_history(objects, model, fields, *, by, reason: str, when) -> None:
    """Save the changed `fields` (and updated_at) of the rows in bulk, each with a history row;
    QuerySet.update() would leave no history."""
    objects = list(objects)
    if objects:
        bulk_update_with_history(
            objects,
            model,
            sorted(set(fields) | {"updated_at"}),
            batch_size=BATCH_SIZE,
            default_user=by,
            default_change_reason=reason,
            default_date=when,
        )


@dataclass
class Plan:
    """What an import will write, decided before anything is written: new rows, changed rows
    with the fields they change, and what happens to each Excel row (create/update/unchanged).
    A module with more to write extends it."""

    creates: list = field(default_factory=list)
    updates: dict = field(default_factory=dict)  # pk → changed object
    update_fields: set[str] = field(default_factory=set)
    actions: dict[int, str] = field(default_factory=dict)  # Excel row → create/update/unchanged

    def create(self, number: int, obj) -> None:
        self.creates.append(obj)
        self.actions[number] = "create"

    def update(self, number: int, obj, changed: list[str], now) -> None:
        """An existing row after the sheet's values: saved only if a field changed."""
        if changed:
            obj.updated_at = now
            self.updates[obj.pk] = obj
            self.update_fields.update(changed)
            self.actions[number] = "update"
        else:
            self.actions[number] = "unchanged"


def plan_single_sheet(
    *, content: bytes, result: ImportResult, spec: Spec, plan_rows
) -> Plan | None:
    """The plan of a one-sheet import: open the workbook, find the sheet by `spec` (or the only
    sheet), read and check it, let `plan_rows(sheet=, result=, plan=)` decide each row, then
    count and preview. None (with errors in `result`) when anything is wrong; reads only."""
    try:
        book = open_workbook(content)
    except WorkbookError as exc:
        result.add("", None, "", exc.message)
        return None
    name = find_sheet(book, spec, fallback_single=True)
    sheet = read_sheet(book, spec, result, name=name)
    if sheet is None:
        return None
    plan = Plan()
    plan_rows(sheet=sheet, result=result, plan=plan)
    if not result.valid:
        return None  # counts stay 0: nothing is, or would be, written
    count_actions(result, plan.actions)
    fill_preview(result, sheet, plan.actions)
    return plan
