"""Product import (R-4.1, C-2): the sheet, its rules and the all-or-nothing write.

Rules:
- re-import updates by product code; a new code creates a product;
- blank cells leave existing values as they are (an import never erases data);
- the rules of catalog.services.products hold: L×W×H above zero and all three or none,
  list price ≥ 0 with at most 4 places, a new product needs approval, a spec change makes
  a new revision that needs approval again;
- an archived product is not changed by an import (restore it first).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesdesk.core import imports as engine
from salesdesk.core.imports import Column, ImportResult, Plan, Sheet, Spec
from salesdesk.customers.text import pinyin_of

from .choices import Flute, Ply, Unit
from .models import Product
from .services.products import DIMENSIONS, REASON_IMPORT, SPEC_FIELDS, check_dimensions, parse_price

KIND = "products"
EXAMPLE_CODE = "EX-0001"


def price() -> engine.Parser:
    """A unit price in yuan with up to 4 places (¥0.8560), never through float arithmetic."""

    def parse(value):
        if isinstance(value, bool):
            raise ValueError(
                gettext("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}
            )
        return parse_price(value)

    return parse


FLUTE_ALIASES = {f"{value}楞": value for value, _label in Flute.choices}
PLY_ALIASES = {
    "3层": Ply.THREE, "三层": Ply.THREE, "3": Ply.THREE,
    "5层": Ply.FIVE, "五层": Ply.FIVE, "5": Ply.FIVE,
    "7层": Ply.SEVEN, "七层": Ply.SEVEN, "7": Ply.SEVEN,
}  # fmt: skip
UNIT_ALIASES = {
    "个": Unit.PIECE, "只": Unit.PIECE, "pcs": Unit.PIECE, "pc": Unit.PIECE,
    "套": Unit.SET, "张": Unit.SHEET, "片": Unit.SHEET,
    "平方米": Unit.SQUARE_METRE, "平米": Unit.SQUARE_METRE, "㎡": Unit.SQUARE_METRE, "m²": Unit.SQUARE_METRE,
}  # fmt: skip

PRODUCT_SPEC = Spec(
    sheet="产品",
    sheet_aliases=("Products", "Product", "产品资料", "产品目录"),
    columns=(
        Column(
            "code",
            ("产品编码", "Product code", "code", "编码", "产品代码", "产品编号", "货号"),
            engine.text(30),
            required=True,
            example=EXAMPLE_CODE,
        ),
        Column(
            "name",
            ("产品名称", "Product name", "name", "名称", "品名"),
            engine.text(100),
            example="五层瓦楞纸箱",
        ),
        Column(
            "length_mm",
            ("长(mm)", "Length (mm)", "长", "length"),
            engine.integer(1, 100_000, units=("mm",)),
            example=400,
        ),
        Column(
            "width_mm",
            ("宽(mm)", "Width (mm)", "宽", "width"),
            engine.integer(1, 100_000, units=("mm",)),
            example=300,
        ),
        Column(
            "height_mm",
            ("高(mm)", "Height (mm)", "高", "height"),
            engine.integer(1, 100_000, units=("mm",)),
            example=250,
        ),
        Column(
            "flute",
            ("楞型", "Flute", "楞别"),
            engine.choice(Flute, FLUTE_ALIASES),
            example=Flute.BC,
        ),
        Column("ply", ("层数", "Ply", "层"), engine.choice(Ply, PLY_ALIASES), example=Ply.FIVE),
        Column("material", ("材质", "Material", "纸质", "用纸"), engine.text(100), example="K=A=K"),
        Column("unit", ("单位", "Unit"), engine.choice(Unit, UNIT_ALIASES), example=Unit.PIECE),
        Column(
            "list_price",
            ("单价", "List price", "价格", "标准价", "目录价"),
            price(),
            example="3.8560",
        ),
        Column(
            "min_stock",
            ("最低库存", "Minimum stock", "安全库存"),
            engine.integer(0, 100_000_000),
            example=500,
        ),
        Column("is_new", ("新品", "New product", "是否新品"), engine.boolean(), example="是"),
        Column("notes", ("备注", "Notes", "note"), engine.text(), example=""),
    ),
)

FIELDS = tuple(c.key for c in PRODUCT_SPEC.columns if c.key != "code")


def _plan_rows(*, sheet: Sheet, result: ImportResult, plan: Plan) -> None:
    rows = sheet.rows
    rows_by_code = engine.rows_by(rows, "code")
    existing: dict[str, Product] = {}
    for chunk in engine.chunks(rows_by_code):
        existing.update({p.code: p for p in Product.objects.filter(code__in=chunk)})

    now = timezone.now()
    for row in rows:
        values = row.values
        code = values.get("code")
        if not code:
            continue  # the required cell is already reported
        if len(rows_by_code[code]) > 1:
            others = ", ".join(str(n) for n in rows_by_code[code] if n != row.number)
            sheet.error(
                result,
                row.number,
                "code",
                _("Product code %(code)s appears more than once (also rows %(rows)s).")
                % {"code": code, "rows": others},
            )
            continue
        if not row.ok:
            continue  # its cells are reported; the rules below need every value
        product = existing.get(code)

        def add(key, message, number=row.number):
            sheet.error(result, number, key, message)

        if product is None:
            if not values.get("name"):
                add("name", _("A new product needs a name."))
            product = Product(code=code, **{k: values[k] for k in FIELDS if k in values})
            dims = {k: getattr(product, k) for k in DIMENSIONS}
            check_dimensions(dims, {}, add=add)
            product.needs_approval = product.is_new
            plan.create(row.number, product)
            continue
        if product.archived_at is not None:
            add(
                "code",
                _("Product %(code)s is archived; restore it before importing changes.")
                % {"code": code},
            )
            continue
        old_spec = {f: getattr(product, f) for f in SPEC_FIELDS}
        was_new = product.is_new
        changed = [k for k in FIELDS if k in values and getattr(product, k) != values[k]]
        for k in changed:
            setattr(product, k, values[k])
        check_dimensions({k: getattr(product, k) for k in DIMENSIONS}, {}, add=add)
        if "name" in changed:
            product.name_pinyin, product.name_initials = pinyin_of(product.name)
            changed += ["name_pinyin", "name_initials"]
        if any(getattr(product, f) != old_spec[f] for f in SPEC_FIELDS):
            product.revision += 1
            product.needs_approval = True
            changed += ["revision", "needs_approval"]
        elif product.is_new and not was_new:
            product.needs_approval = True
            changed.append("needs_approval")
        plan.update(row.number, product, changed, now)


def build_plan(*, content: bytes, result: ImportResult) -> Plan | None:
    """Read and check the workbook against the database; None (with errors in `result`) when
    anything is wrong. Reads only: a bounded number of queries whatever the row count."""
    return engine.plan_single_sheet(
        content=content, result=result, spec=PRODUCT_SPEC, plan_rows=_plan_rows
    )


def apply_plan(plan: Plan, *, by) -> None:
    """Write a checked plan (inside the caller's transaction), keeping history for every row."""
    now = timezone.now()
    for product in plan.creates:  # here, not in the check: pypinyin is the slow part of a preview
        product.name_pinyin, product.name_initials = pinyin_of(product.name)
    history = {"by": by, "reason": REASON_IMPORT, "when": now}
    engine.create_with_history(plan.creates, Product, **history)
    engine.update_with_history(plan.updates.values(), Product, plan.update_fields, **history)


def template_bytes() -> bytes:
    """The downloadable template: the product sheet with one example row, and the allowed values."""
    return engine.template_workbook(
        [(PRODUCT_SPEC, [engine.example_row(PRODUCT_SPEC)])],
        ("可选值", engine.choice_rows(PRODUCT_SPEC)),
    )
