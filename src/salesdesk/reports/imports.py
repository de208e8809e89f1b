"""Sales target import (R-8.4, C-2): the sheet, its rules and the all-or-nothing write.

One row per target: year, month (blank: the annual target), salesperson (username or name;
blank: the department) and the amount in yuan. Rules:
- re-import updates the target of the same year, month and salesperson; a new one is created;
- the same target twice in the sheet is an error on both rows;
- the salesperson must be a salesperson's username or display name (a name two people share
  must be given as the username);
- the amount is yuan, not negative, with at most 2 decimals (as on the targets page);
- an import never clears a target (clear it on the targets page).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesdesk.core import imports as engine
from salesdesk.core.imports import Column, ImportResult, Plan, Sheet, Spec

from .models import SalesTarget
from .selectors.targets import MAX_YEAR, MIN_YEAR, resolve_salespeople
from .services.targets import REASON_IMPORT, parse_amount

KIND = "sales-targets"


def amount() -> engine.Parser:
    """A target in yuan (the targets page's rules); the cell is required."""

    def parse(value):
        if isinstance(value, bool):
            raise ValueError(
                gettext("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
            )
        result = parse_amount(value)
        if result is None:
            raise ValueError(gettext("This cell is required."))
        return result

    return parse


TARGET_SPEC = Spec(
    sheet="销售目标",
    sheet_aliases=("Sales targets", "Targets", "目标", "目标明细"),
    columns=(
        Column(
            "year",
            ("年份", "Year", "年度", "年"),
            engine.integer(MIN_YEAR, MAX_YEAR, units=("年",)),
            required=True,
            example=2026,
        ),
        Column(
            "month",
            ("月份", "Month", "月"),
            engine.integer(1, 12, units=("月",)),
            example="",
        ),
        Column(
            "salesperson",
            ("业务员", "Salesperson", "销售员", "用户名", "Username", "姓名"),
            engine.text(150),
            example="",
        ),
        Column(
            "amount",
            ("目标金额(元)", "Target (yuan)", "目标金额", "目标", "金额", "Amount", "Target"),
            amount(),
            required=True,
            example="12000000.00",
        ),
    ),
)


def _plan_rows(*, sheet: Sheet, result: ImportResult, plan: Plan) -> None:
    rows = [row for row in sheet.rows if row.ok]
    people, unknown = resolve_salespeople(row.values.get("salesperson") for row in rows)
    years = {row.values["year"] for row in rows}
    existing = {
        (t.year, t.month, t.salesperson_id): t
        for t in SalesTarget.objects.filter(year__in=years).order_by()
    }
    slots: dict[tuple, list[int]] = {}
    keyed = []
    for row in rows:
        name = row.values.get("salesperson")
        person = people.get(name) if name else None
        if name and person is None:
            sheet.error(result, row.number, "salesperson", unknown.get(name))
            continue
        slot = (row.values["year"], row.values.get("month"), person.pk if person else None)
        slots.setdefault(slot, []).append(row.number)
        keyed.append((row, slot))

    now = timezone.now()
    for row, slot in keyed:
        if len(slots[slot]) > 1:
            others = ", ".join(str(n) for n in slots[slot] if n != row.number)
            sheet.error(
                result,
                row.number,
                "amount",
                _("The same target is also on rows %(rows)s.") % {"rows": others},
            )
            continue
        year, month, person_id = slot
        target = existing.get(slot)
        value = row.values["amount"]
        if target is None:
            plan.create(
                row.number,
                SalesTarget(year=year, month=month, salesperson_id=person_id, amount=value),
            )
        else:
            changed = ["amount"] if target.amount != value else []
            target.amount = value
            plan.update(row.number, target, changed, now)


def build_plan(*, content: bytes, result: ImportResult) -> Plan | None:
    """Read and check the workbook against the database; None (with errors in `result`) when
    anything is wrong. Reads only: a fixed number of queries whatever the row count."""
    return engine.plan_single_sheet(
        content=content, result=result, spec=TARGET_SPEC, plan_rows=_plan_rows
    )


def apply_plan(plan: Plan, *, by) -> None:
    """Write a checked plan (inside the caller's transaction), with a history row for each."""
    now = timezone.now()
    for target in [*plan.creates, *plan.updates.values()]:
        target.updated_by = by
    history = {"by": by, "reason": REASON_IMPORT, "when": now}
    engine.create_with_history(plan.creates, SalesTarget, **history)
    fields = plan.update_fields | ({"updated_by"} if plan.updates else set())
    engine.update_with_history(plan.updates.values(), SalesTarget, fields, **history)


def template_bytes(*, year: int, salesperson: str = "sales1") -> bytes:
    """The template: the department's annual and a monthly target, and a salesperson's."""
    examples = [
        engine.example_row(TARGET_SPEC, year=year, amount="12000000.00"),
        engine.example_row(TARGET_SPEC, year=year, month=1, amount="1000000.00"),
        engine.example_row(TARGET_SPEC, year=year, salesperson=salesperson, amount="4000000.00"),
        engine.example_row(
            TARGET_SPEC, year=year, month=1, salesperson=salesperson, amount="330000.00"
        ),
    ]
    return engine.template_workbook([(TARGET_SPEC, examples)], None)
