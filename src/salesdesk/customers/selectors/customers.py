"""Reads of customer files and contacts: list, search, detail, history, gaps, export (R-1.1–R-1.4).

Every read is scoped through core.scoping.scope_by_customer; query counts do not grow with rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import name_fields
from salesdesk.core.history import HistoryEntry, history_entries, shown_fields
from salesdesk.core.scoping import scope_by_customer
from salesdesk.core.validators import normalize_credit_code, normalize_phone

from ..completeness import CHECKED_FIELDS, gaps
from ..fields import EXPORT_FIELDS, FIRST_CONTACT_FIELDS
from ..models import Contact, Customer

# Sort keys offered on the list: key -> (label, ordering). The default puts key accounts first.
DEFAULT_ORDER = ("tier", "name", "id")
SORTS: dict[str, tuple] = {
    "name": (_("Name A–Z"), ("name", "id")),
    "-name": (_("Name Z–A"), ("-name", "-id")),
    "code": (_("Code"), ("code", "id")),
    "created_at": (_("Oldest first"), ("created_at", "id")),
    "-created_at": (_("Newest first"), ("-created_at", "-id")),
    "completeness": (_("Least complete first"), ("completeness", "tier", "name", "id")),
    "last_followup_at": (
        _("Longest without follow-up first"),
        (F("last_followup_at").asc(nulls_first=True), "tier", "name", "id"),
    ),
    "-last_followup_at": (
        _("Latest follow-up first"),
        (F("last_followup_at").desc(nulls_last=True), "tier", "name", "id"),
    ),
}


def _live_contacts() -> QuerySet[Contact]:
    return Contact.objects.filter(archived_at__isnull=True).order_by("-is_primary", "name", "id")


def with_live_contacts(
    queryset: QuerySet[Customer], fields: tuple[str, ...] = ()
) -> QuerySet[Customer]:
    """Prefetch each file's live contacts into `customer.live_contacts` (one query for the page);
    `fields`: only these columns of the contacts."""
    contacts = _live_contacts().only(*fields) if fields else _live_contacts()
    return queryset.prefetch_related(
        Prefetch("contacts", queryset=contacts, to_attr="live_contacts")
    )


# What a row of the customer list shows (customers/templatetags/customer_rows.py): the file's
# columns, its owner's name and its live contacts' names and phones.
LIST_FIELDS = (
    "code",
    "name",
    "short_name",
    "tier",
    "status",
    "province",
    "city",
    "industry",
    "completeness",
    "last_followup_at",
    "created_at",
    "archived_at",
    "owner",
    *name_fields("owner"),
)
LIST_CONTACT_FIELDS = ("customer", "name", "mobile", "phone", "is_primary")


def for_list(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """`queryset` (from customer_list) reading only what the list shows, live contacts with it.

    A file has ~40 columns and its owner ~15; turning all of them into Python values (dates
    through per-value converters) for 50 rows, their owners and ~100 contacts was most of the
    page at full scale (12 of 15 ms on SQLite)."""
    return with_live_contacts(queryset.only(*LIST_FIELDS), LIST_CONTACT_FIELDS)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PHONE_LIKE = re.compile(r"[\d\s()+\-]+")


def _prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, in a form the field's index answers on both engines.

    PostgreSQL answers LIKE 'x%' from the varchar_pattern_ops index Django adds to indexed
    CharFields; SQLite only uses an index for LIKE on NOCASE columns, so it gets the equivalent
    range (SQLite compares text bytewise).
    """
    if connection.vendor != "sqlite":
        return Q(**{f"{field}__startswith": prefix})
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _live_contacts_matching(people: Q) -> Q:
    # A subquery, not a join: a file with three matching contacts is listed once.
    return Q(
        pk__in=Contact.objects.filter(archived_at__isnull=True).filter(people).values("customer_id")
    )


def _search(queryset: QuerySet[Customer], search: str) -> QuerySet[Customer]:
    """Name, short name, code, credit code, pinyin, pinyin initials, contact name, mobile or phone.

    What is typed decides what is read (ten years of files and contacts, performance fix 7):
    letters only → name, short name, code, full pinyin and pinyin initials (not the contacts);
    digits (with phone punctuation) → contacts' mobiles and phones by prefix (indexed; a local
    number without its area code matches after the area code), codes and credit codes;
    Chinese → names and contact names; anything else → every field.
    """
    text = search.strip()
    if not text:
        return queryset
    letters = re.sub(r"\s+", "", text).lower()
    names = Q(name__icontains=text) | Q(short_name__icontains=text)
    codes = (
        Q(code__iexact=text)
        | Q(code__istartswith=text)
        | Q(credit_code=normalize_credit_code(text))
    )
    if letters.isascii() and letters.isalpha():
        pinyin = Q(name_pinyin__contains=letters) | Q(name_initials__contains=letters)
        return queryset.filter(names | codes | pinyin)
    if _PHONE_LIKE.fullmatch(text) and any(ch.isdigit() for ch in text):
        digits = re.sub(r"\D", "", text)
        phone = normalize_phone(text)
        people = _prefix_q("mobile", digits) | _prefix_q("phone", digits)
        if phone != digits:
            people |= _prefix_q("phone", phone)
        if (
            7 <= len(digits) <= 8 and digits[0] not in "01"
        ):  # a local number typed without area code
            people |= Q(phone__endswith=f"-{digits}")
        return queryset.filter(codes | _live_contacts_matching(people))
    if _CJK.search(text) and not any(ch.isascii() and ch.isalnum() for ch in text):
        return queryset.filter(names | _live_contacts_matching(Q(name__icontains=text)))
    people = Q(name__icontains=text) | Q(mobile__contains=text) | Q(phone__contains=text)
    phone = normalize_phone(text)
    if phone != text:
        people |= Q(mobile=phone) | Q(phone=phone)
    return queryset.filter(names | codes | _live_contacts_matching(people))


def customer_list(
    *,
    user,
    search: str = "",
    owner=None,
    tier: str = "",
    status: str = "",
    province: str = "",
    industry: str = "",
    source: str = "",
    type: str = "",  # noqa: A002 - the template's own word
    archived: bool | None = False,
    sort: str = "",
) -> QuerySet[Customer]:
    """The files this person may read, filtered and sorted; key accounts first by default.

    `archived`: False live files only, True archived only, None both.
    """
    qs = scope_by_customer(Customer.objects.select_related("owner"), user)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    if owner:
        qs = qs.filter(owner_id=getattr(owner, "pk", owner))
    filters = {
        "tier": tier,
        "status": status,
        "province": province,
        "industry": industry,
        "source": source,
        "type": type,
    }
    qs = qs.filter(**{key: value for key, value in filters.items() if value})
    qs = _search(qs, search or "")
    ordering = SORTS[sort][1] if sort in SORTS else DEFAULT_ORDER
    return qs.order_by(*ordering)


def customer_get(*, user, pk) -> Customer:
    """One file (archived ones too), or 404 when it does not exist or is out of this person's scope."""
    qs = scope_by_customer(
        Customer.objects.select_related("owner", "created_by", "archived_by"), user
    )
    return get_object_or_404(qs, pk=pk)


def customer_contacts(customer: Customer, *, archived: bool = False) -> QuerySet[Contact]:
    """The file's contacts, primary first; archived=True gives the archived ones instead."""
    qs = customer.contacts.filter(archived_at__isnull=not archived)
    return qs.order_by("-is_primary", "name", "id")


def customer_contacts_split(customer: Customer) -> tuple[list[Contact], list[Contact]]:
    """The file's live and archived contacts, each primary first, from one query."""
    live, archived = [], []
    for contact in customer.contacts.order_by("-is_primary", "name", "id"):
        (archived if contact.archived_at else live).append(contact)
    return live, archived


def contact_list(
    *, user, customer=None, search: str = "", archived: bool = False
) -> QuerySet[Contact]:
    """Contacts of the files this person may read."""
    qs = scope_by_customer(Contact.objects.select_related("customer"), user, "customer__")
    qs = qs.filter(archived_at__isnull=not archived)
    if customer is not None:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    text = (search or "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(mobile__contains=text)
            | Q(phone__contains=text)
            | Q(email__icontains=text)
        )
    return qs.order_by("customer__tier", "customer__name", "-is_primary", "name", "id")


def contact_get(*, user, pk) -> Contact:
    """One contact whose file this person may read, else 404."""
    qs = scope_by_customer(
        Contact.objects.select_related("customer", "customer__owner"), user, "customer__"
    )
    return get_object_or_404(qs, pk=pk)


# --- history (R-1.4) ----------------------------------------------------------------------

REASONS = {
    "create": _("Record created"),
    "update": _("Changed"),
    "archive": _("Archived"),
    "restore": _("Restored"),
}
_TYPE_LABELS = {"+": _("Record created"), "~": _("Changed"), "-": _("Deleted")}
# Derived or bookkeeping columns: not something a person changed.
_NOT_SHOWN = {
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "name_pinyin",
    "name_initials",
    "completeness",
    "last_followup_at",
    "next_followup_on",
    "next_followup_kind",
    "next_followup_note",
    "archived_by",
    "customer",
}


def customer_history(customer: Customer, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when on the file and its contacts, newest first (two or three queries)."""
    own = list(
        Customer.history.filter(id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    own.reverse()
    people = list(
        Contact.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    # Owners named in the history: most are the current owner or someone who made a change,
    # both already loaded; only the others cost a query.
    known = [row.history_user for row in own + people if row.history_user is not None]
    if customer.owner_id and "owner" in customer._state.fields_cache:
        known.append(customer.owner)
    users = {u.pk: u for u in known}
    missing = {row.owner_id for row in own if row.owner_id} - users.keys()
    if missing:
        users.update(User.objects.in_bulk(missing))

    def entries_of(rows, model, subject, is_contact=False):
        return history_entries(
            rows,
            shown_fields(model, _NOT_SHOWN),
            reasons=REASONS,
            fallback=lambda row: _TYPE_LABELS.get(row.history_type, ""),
            users=users,
            subject=subject,
            is_contact=is_contact,
        )

    entries = entries_of(own, Customer, lambda row: str(_("Customer file")))
    if len(own) > limit:
        entries = entries[1:]  # the extra oldest row served only as the base of the first diff
    by_contact: dict[int, list] = {}
    for row in people:
        by_contact.setdefault(row.id, []).append(row)
    for rows in by_contact.values():
        entries += entries_of(rows, Contact, lambda row: row.name, is_contact=True)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- gaps worklist (R-1.2) ----------------------------------------------------------------


# What a row of the gaps list shows (customers/customer_gaps.html): code, name, tier, owner's name
# and completeness, and every column completeness.gaps reads to list what is missing (the
# fields its CHECKS declare); a column left out would be loaded row by row, one query each.
GAPS_LIST_FIELDS = (
    "code",
    "name",
    "tier",
    "completeness",
    *name_fields("owner"),
    *CHECKED_FIELDS,
)
# What the contact checks read of the live contacts: phones, decision role, archived or not.
GAPS_CONTACT_FIELDS = ("customer", "mobile", "phone", "decision_role", "archived_at")


def customer_gaps(*, user, owner=None, tier: str = "", search: str = "") -> QuerySet[Customer]:
    """Live files below 100 % complete: key accounts first, then the least complete; each with
    its live contacts, reading only what the list shows and its gaps are computed from
    (with_gaps): not the file's notes, pinyin, dates and follow-up columns, its owner's other
    columns, nor the contacts' names, emails and chat handles (1–2 ms of the page's 13–15 ms
    at full scale on SQLite)."""
    qs = scope_by_customer(Customer.objects.select_related("owner"), user)
    qs = qs.filter(archived_at__isnull=True, completeness__lt=100)
    if owner:
        qs = qs.filter(owner_id=getattr(owner, "pk", owner))
    if tier:
        qs = qs.filter(tier=tier)
    qs = _search(qs, search or "").only(*GAPS_LIST_FIELDS)
    return with_live_contacts(qs, GAPS_CONTACT_FIELDS).order_by(
        "tier", "completeness", "name", "id"
    )


def with_gaps(customers: Iterable[Customer]) -> list[Customer]:
    """Attach `gap_list` (the template items each file misses) and `gap_labels` (their labels,
    for the gaps list) to files fetched with live contacts."""
    rows = list(customers)
    for customer in rows:
        contacts = getattr(customer, "live_contacts", None)
        if contacts is None:
            contacts = list(customer_contacts(customer))
        customer.gap_list = gaps(customer, contacts)
        customer.gap_labels = [gap.label for gap in customer.gap_list]
    return rows


# --- Excel export (R-1.3) -----------------------------------------------------------------

_EXPORT_CUSTOMER_FIELDS = EXPORT_FIELDS
_EXPORT_CONTACT_FIELDS = FIRST_CONTACT_FIELDS


def customer_export_headers() -> list[str]:
    """Column titles in the reader's language (the model's own field names)."""
    headers = [str(Customer._meta.get_field(f).verbose_name) for f in _EXPORT_CUSTOMER_FIELDS]
    contact = {f: str(Contact._meta.get_field(f).verbose_name) for f in _EXPORT_CONTACT_FIELDS}
    headers.append(str(Contact._meta.get_field("is_primary").verbose_name))
    headers += [contact[f] for f in _EXPORT_CONTACT_FIELDS[1:]]
    return headers


def customer_export_rows(queryset: QuerySet[Customer]) -> Iterator[list]:
    """One row per file of `queryset` (already scoped and filtered), in its order, all pages."""
    for customer in with_live_contacts(queryset).iterator(chunk_size=2000):
        people = customer.live_contacts
        first = people[0] if people else None
        row = []
        for name in _EXPORT_CUSTOMER_FIELDS:
            if name == "owner":
                row.append(str(customer.owner) if customer.owner_id else "")
            elif Customer._meta.get_field(name).choices:
                row.append(getattr(customer, f"get_{name}_display")())
            else:
                row.append(getattr(customer, name))
        row += [getattr(first, f) if first else "" for f in _EXPORT_CONTACT_FIELDS]
        yield row
