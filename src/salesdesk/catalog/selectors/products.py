"""Reads of products (R-4.1): list, search for the order entry, detail history, export.

Products are not customer data: every signed-in role reads them; money is hidden from the
warehouse by the pages and the API (roles.sees_money), not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core.history import HistoryEntry, history_entries, shown_fields

from ..models import Product

DEFAULT_ORDER = ("code", "id")
SORTS: dict[str, tuple] = {
    "code": (_("Code"), ("code", "id")),
    "-code": (_("Code, descending"), ("-code", "-id")),
    "name": (_("Name A–Z"), ("name_pinyin", "code", "id")),
    "-name": (_("Name Z–A"), ("-name_pinyin", "-code", "-id")),
    "list_price": (_("Cheapest first"), ("list_price", "code", "id")),
    "-list_price": (_("Dearest first"), ("-list_price", "code", "id")),
    "-updated_at": (_("Recently changed first"), ("-updated_at", "-id")),
}
# Sorting by price would reveal prices to people who may not see them.
MONEY_SORTS = {"list_price", "-list_price"}


def _readable(user) -> QuerySet[Product]:
    if not roles.reads_products(user):
        return Product.objects.none()
    return Product.objects.all()


def _search(qs: QuerySet[Product], search: str) -> QuerySet[Product]:
    """Code, name, full pinyin or pinyin initials."""
    text = (search or "").strip()
    if not text:
        return qs
    condition = Q(code__istartswith=text) | Q(code__icontains=text) | Q(name__icontains=text)
    letters = re.sub(r"\s+", "", text).lower()
    if letters.isascii() and letters.isalnum():
        condition |= Q(name_pinyin__contains=letters) | Q(name_initials__contains=letters)
    return qs.filter(condition)


def product_list(
    *,
    user,
    search: str = "",
    is_new: bool | None = None,
    needs_approval: bool | None = None,
    archived: bool | None = False,
    sort: str = "",
) -> QuerySet[Product]:
    """Products this person may read, filtered and sorted (code order by default).

    `archived`: False live products only, True archived only, None both.
    """
    qs = _readable(user)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    if is_new is not None:
        qs = qs.filter(is_new=is_new)
    if needs_approval is not None:
        qs = qs.filter(needs_approval=needs_approval)
    qs = _search(qs, search)
    if sort in MONEY_SORTS and not roles.sees_money(user):
        sort = ""
    ordering = SORTS[sort][1] if sort in SORTS else DEFAULT_ORDER
    return qs.order_by(*ordering)


def product_get(*, user, pk) -> Product:
    """One product (archived ones too), or 404."""
    return get_object_or_404(_readable(user), pk=pk)


def product_search(*, user, q: str, limit: int = 20) -> list[Product]:
    """The order entry's product picker: live products whose code starts with `q` first, then
    name or pinyin matches; one query."""
    text = (q or "").strip()
    if not text:
        return []
    qs = _search(_readable(user).filter(archived_at__isnull=True), text)
    rank = Case(
        When(code__iexact=text, then=Value(0)),
        When(code__istartswith=text, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(qs.annotate(rank=rank).order_by("rank", "code", "id")[: max(1, min(limit, 100))])


def product_search_rows(products: list[Product], *, user) -> list[dict]:
    """The picker's JSON: no price for people who may not see money."""
    money = roles.sees_money(user)
    rows = []
    for p in products:
        row = {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "spec": p.spec,
            "unit": p.unit,
            "unit_label": str(p.get_unit_display()),
        }
        if money:
            row["list_price"] = str(p.list_price)
        rows.append(row)
    return rows


# --- history ---------------------------------------------------------------------------

REASONS = {
    "create": _("Product created"),
    "update": _("Changed"),
    "spec": _("Spec changed: new revision"),
    "archive": _("Archived"),
    "restore": _("Restored"),
    "Excel import": _("Excel import"),
}
_NOT_SHOWN = {"id", "created_at", "updated_at", "name_pinyin", "name_initials"}
_MONEY_FIELDS = {"list_price"}


def product_history(product: Product, *, user, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when on the product, newest first (one query); prices only for those who see money."""
    rows = list(
        Product.history.filter(id=product.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    rows.reverse()
    hidden = _NOT_SHOWN | (set() if roles.sees_money(user) else _MONEY_FIELDS)
    entries = history_entries(
        rows, shown_fields(Product, hidden), reasons=REASONS, fallback=lambda row: _("Changed")
    )
    if len(rows) > limit:
        entries = entries[1:]
    entries.reverse()
    return entries


# --- Excel export ------------------------------------------------------------------------

_EXPORT_FIELDS = (
    "code",
    "name",
    "length_mm",
    "width_mm",
    "height_mm",
    "flute",
    "ply",
    "material",
    "unit",
    "list_price",
    "min_stock",
    "is_new",
    "revision",
    "needs_approval",
    "archived_at",
    "notes",
)


def _export_fields(user) -> list[str]:
    return [f for f in _EXPORT_FIELDS if f not in _MONEY_FIELDS or roles.sees_money(user)]


def product_export_headers(*, user) -> list[str]:
    return [str(Product._meta.get_field(f).verbose_name) for f in _export_fields(user)]


def product_export_rows(queryset: QuerySet[Product], *, user) -> Iterator[list]:
    """One row per product of `queryset` (already filtered), in its order, every page."""
    names = _export_fields(user)
    for product in queryset.iterator(chunk_size=2000):
        row = []
        for name in names:
            f = Product._meta.get_field(name)
            value = getattr(product, name)
            if f.choices and value not in (None, ""):
                value = str(getattr(product, f"get_{name}_display")())
            elif isinstance(value, bool):
                value = str(_("yes") if value else _("no"))
            row.append(value)
        yield row
