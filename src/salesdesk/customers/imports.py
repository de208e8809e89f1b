"""Customer and contact import (C-2): the two sheets, the rules, and the all-or-nothing write.

Rules (issue 2, item 6):
- re-import updates by customer code and never changes an existing customer's owner;
- a blank code makes a new customer with the next free code;
- a salesperson creates only own customers and updates only own ones; an assistant may
  give new rows to any active salesperson;
- a code, name or credit code that belongs to a customer the importer may not read is
  refused without revealing that customer;
- blank cells leave existing values as they are (an import never erases data).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.core import imports as engine
from salesdesk.core.imports import Column, ImportResult, Sheet, Spec
from salesdesk.core.scoping import scope_by_customer

from . import completeness
from .choices import CustomerStatus, CustomerType, DecisionRole, Industry, Province, Source, Tier
from .codes import next_customer_codes
from .models import Contact, Customer
from .text import pinyin_of

KIND = "customers"
# The template's example code is outside the C000000 series, so importing the template
# unchanged cannot overwrite a real customer.
EXAMPLE_CODE = "EX0001"
CHANGE_REASON = "Excel import"

# Provinces are often written in full: 浙江省, 上海市, 广西壮族自治区.
PROVINCE_ALIASES = {
    value + suffix: value
    for value, _label in Province.choices
    for suffix in ("省", "市", "自治区", "特别行政区")
}
PROVINCE_ALIASES.update(
    {
        "广西壮族自治区": "广西",
        "宁夏回族自治区": "宁夏",
        "新疆维吾尔自治区": "新疆",
        "内蒙古自治区": "内蒙古",
        "西藏自治区": "西藏",
    }
)

CUSTOMER_SPEC = Spec(
    sheet="客户",
    sheet_aliases=("Customers", "Customer", "客户资料", "客户档案"),
    columns=(
        Column(
            "code",
            ("客户编码", "Customer code", "code", "编码", "客户代码", "客户编号"),
            engine.text(20),
            example="",
        ),
        Column(
            "name",
            ("客户名称", "Customer name", "name", "full name", "客户全称", "全称", "公司名称"),
            engine.text(100),
            required=True,
            example="杭州示例包装有限公司",
        ),
        Column(
            "short_name", ("简称", "Short name", "客户简称"), engine.text(50), example="示例包装"
        ),
        Column(
            "credit_code",
            ("统一社会信用代码", "Unified social credit code", "credit code", "信用代码"),
            engine.credit_code(),
            example="91330100MA27XL0L63",
        ),
        Column(
            "type",
            ("客户类型", "Type", "customer type", "类型"),
            engine.choice(
                CustomerType,
                {"终端": CustomerType.END, "直客": CustomerType.END, "集团": CustomerType.GROUP},
            ),
            example=CustomerType.END,
        ),
        Column(
            "tier",
            ("客户等级", "Tier", "等级", "级别"),
            engine.choice(Tier, {"普通": Tier.ORDINARY, "重点客户": Tier.KEY, "vip": Tier.KEY}),
            example=Tier.KEY,
        ),
        Column(
            "status",
            ("客户状态", "Status", "状态"),
            engine.choice(CustomerStatus),
            example=CustomerStatus.ACTIVE,
        ),
        Column(
            "source",
            ("客户来源", "Source", "来源"),
            engine.choice(
                Source,
                {
                    "网站": Source.WEBSITE,
                    "展会": Source.EXHIBITION,
                    "介绍": Source.REFERRAL,
                    "电话": Source.PHONE,
                },
            ),
            example=Source.EXHIBITION,
        ),
        Column(
            "province",
            ("省份", "Province", "省", "省/直辖市"),
            engine.choice(Province, PROVINCE_ALIASES),
            example="浙江",
        ),
        Column("city", ("城市", "City", "市"), engine.text(50), example="杭州"),
        Column(
            "address",
            ("地址", "Address", "详细地址"),
            engine.text(200),
            example="余杭区文一西路 1 号",
        ),
        Column(
            "industry",
            ("行业", "Industry", "所属行业"),
            engine.choice(Industry),
            example=Industry.FOOD,
        ),
        Column(
            "owner",
            ("业务员", "Owner", "salesperson", "负责人", "所属业务员"),
            engine.text(150),
            example="",
        ),
        Column(
            "payment_terms_days",
            ("账期(天)", "Payment terms (days)", "账期", "付款天数", "payment terms"),
            engine.integer(0, 3650, units=("天", "days", "day")),
            example=30,
        ),
        Column(
            "credit_limit",
            ("信用额度", "Credit limit", "授信额度"),
            engine.money(),
            example="200,000.00",
        ),
        Column(
            "invoice_title",
            ("开票抬头", "Invoice title", "发票抬头"),
            engine.text(100),
            example="杭州示例包装有限公司",
        ),
        Column(
            "invoice_tax_number",
            ("纳税人识别号", "Taxpayer number", "税号"),
            engine.text(20),
            example="91330100MA27XL0L63",
        ),
        Column(
            "invoice_address",
            ("开票地址", "Invoice address"),
            engine.text(200),
            example="杭州市余杭区文一西路 1 号",
        ),
        Column(
            "invoice_phone", ("开票电话", "Invoice phone"), engine.phone(), example="0571-88886666"
        ),
        Column(
            "invoice_bank",
            ("开户银行", "Bank", "开户行"),
            engine.text(100),
            example="中国工商银行杭州分行",
        ),
        Column(
            "invoice_account",
            ("银行账号", "Bank account", "账号"),
            engine.text(40),
            example="1202020209000012345",
        ),
        Column("notes", ("备注", "Notes", "note"), engine.text(), example=""),
    ),
)

CONTACT_SPEC = Spec(
    sheet="联系人",
    sheet_aliases=("Contacts", "Contact"),
    required=False,
    columns=(
        Column(
            "customer_code",
            ("客户编码", "Customer code", "code", "编码", "客户代码"),
            engine.text(20),
            required=True,
            example="C000001",
        ),
        Column(
            "name",
            ("姓名", "Name", "联系人", "联系人姓名", "contact name", "contact"),
            engine.text(50),
            required=True,
            example="王经理",
        ),
        Column("title", ("职务", "Title", "职位"), engine.text(50), example="采购经理"),
        Column(
            "mobile",
            ("手机", "Mobile", "手机号", "手机号码"),
            engine.mobile(),
            example="13812345678",
        ),
        Column(
            "phone", ("电话", "Phone", "座机", "固定电话"), engine.phone(), example="0571-88886666"
        ),
        Column(
            "email",
            ("邮箱", "Email", "e-mail", "电子邮箱"),
            engine.email(),
            example="wang@example.cn",
        ),
        Column("qq", ("QQ", "QQ号"), engine.digits(5, 12), example="12345678"),
        Column("wechat", ("微信", "WeChat", "微信号"), engine.text(50), example="wang_buyer"),
        Column("birthday", ("生日", "Birthday", "出生日期"), engine.date(), example="1980-05-01"),
        Column(
            "decision_role",
            ("决策角色", "Decision role", "角色"),
            engine.choice(
                DecisionRole,
                {"决策者": DecisionRole.DECISION_MAKER, "采购": DecisionRole.PURCHASER},
            ),
            example=DecisionRole.DECISION_MAKER,
        ),
        Column(
            "is_primary",
            ("主要联系人", "Primary", "primary contact", "首要联系人"),
            engine.boolean(),
            example="是",
        ),
    ),
)

CUSTOMER_FIELDS = tuple(c.key for c in CUSTOMER_SPEC.columns if c.key not in ("code", "owner"))
CONTACT_FIELDS = tuple(
    c.key for c in CONTACT_SPEC.columns if c.key not in ("customer_code", "name")
)


def _key(value: str) -> str:
    """Names compare loosely within a sheet: full-width brackets, spaces and case do not matter."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


@dataclass
class Plan(engine.Plan):
    """The customers to write (creates, updates) and their contacts."""

    sheet_codes: set[str] = field(default_factory=set)
    contact_creates: list[Contact] = field(default_factory=list)
    contact_updates: dict[int, Contact] = field(default_factory=dict)
    contact_update_fields: set[str] = field(default_factory=set)


class _Owners:
    """Salespeople by username or display name, loaded once."""

    def __init__(self):
        self.by_username: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = defaultdict(list)
        for user in User.objects.filter(role=roles.Role.SALESPERSON):
            self.by_username[user.username.casefold()] = user
            for name in {user.display_name, user.get_full_name(), str(user)}:
                if name:
                    self.by_name[name.strip()].append(user)

    def find(self, text: str) -> list[User]:
        user = self.by_username.get(text.casefold())
        if user is not None:
            return [user]
        return list({u.pk: u for u in self.by_name.get(text.strip(), [])}.values())


def _is_self(user, text: str) -> bool:
    names = {
        user.username.casefold(),
        (user.display_name or "").casefold(),
        str(user).casefold(),
        user.get_full_name().casefold(),
    }
    return text.strip().casefold() in names - {""}


def _may_read(by, customer_owner_id) -> bool:
    return roles.sees_all_customers(by) or (
        roles.reads_customers(by) and customer_owner_id == by.pk
    )


def _existing(field_name: str, values, fields=()) -> dict[str, list[Customer]]:
    found: dict[str, list[Customer]] = defaultdict(list)
    for chunk in engine.chunks(values):
        qs = Customer.objects.filter(**{f"{field_name}__in": chunk})
        for customer in qs.only(*fields) if fields else qs:
            found[getattr(customer, field_name)].append(customer)
    return found


_DUPLICATE = {
    # (same what, may read it) → message; whole sentences, so each translates naturally.
    ("name", True): _("Likely duplicate of %(code)s %(name)s (same name)."),
    ("credit_code", True): _("Likely duplicate of %(code)s %(name)s (same credit code)."),
    ("name", False): _(
        "Likely duplicate of an existing customer with the same name that is not yours; ask the sales assistant."
    ),
    ("credit_code", False): _(
        "Likely duplicate of an existing customer with the same credit code that is not yours; ask the sales assistant."
    ),
}


def _duplicate_message(by, other: Customer, what: str) -> str:
    """Reveal the other customer's code and name only to someone who may read it."""
    readable = _may_read(by, other.owner_id)
    return str(_DUPLICATE[(what, readable)]) % (
        {"code": other.code, "name": other.name} if readable else {}
    )


def _plan_customers(
    *, by, sheet: Sheet, result: ImportResult, plan: Plan, rejected: set[str]
) -> dict[str, Customer]:
    """Check the customer rows; return the customers the sheet names by code (new or existing)."""
    rows = sheet.rows
    rows_by_code = engine.rows_by(rows, "code")
    names = {r.values["name"] for r in rows if r.values.get("name")}
    credits = {r.values["credit_code"] for r in rows if r.values.get("credit_code")}
    by_code = {c.code: c for found in _existing("code", rows_by_code).values() for c in found}
    brief = ("id", "code", "name", "credit_code", "owner_id")
    by_name = _existing("name", names, brief)
    by_credit = _existing("credit_code", credits, brief)
    owners = _Owners() if sheet.has("owner") else None
    sees_all = roles.sees_all_customers(by)
    assigns = roles.assigns_owners(by)

    rows_by_name = engine.rows_by(rows, "name", _key)
    rows_by_credit = engine.rows_by(rows, "credit_code")

    named: dict[str, Customer] = {}
    now = timezone.now()
    for row in rows:
        values = row.values
        code = values.get("code") or ""
        existing = by_code.get(code) if code else None
        if code and len(rows_by_code[code]) > 1:
            others = ", ".join(str(n) for n in rows_by_code[code] if n != row.number)
            sheet.error(
                result,
                row.number,
                "code",
                _("Customer code %(code)s appears more than once (also rows %(rows)s).")
                % {"code": code, "rows": others},
            )
            rejected.add(code)
            continue
        if existing is not None and not (sees_all or existing.owner_id == by.pk):
            # Do not reveal whose it is, or what it is called.
            sheet.error(
                result,
                row.number,
                "code",
                _("Customer code %(code)s is already in use.") % {"code": code},
            )
            rejected.add(code)
            continue

        name = values.get("name")
        if name:
            for other in by_name.get(name, []):
                if other.code != code:
                    sheet.error(result, row.number, "name", _duplicate_message(by, other, "name"))
                    break
            twins = [n for n in rows_by_name[_key(name)] if n != row.number]
            if twins:
                sheet.error(
                    result,
                    row.number,
                    "name",
                    _("Same name as row %(rows)s.") % {"rows": ", ".join(map(str, twins))},
                )
        credit = values.get("credit_code")
        if credit:
            for other in by_credit.get(credit, []):
                if other.code != code:
                    sheet.error(
                        result,
                        row.number,
                        "credit_code",
                        _duplicate_message(by, other, "credit_code"),
                    )
                    break
            twins = [n for n in rows_by_credit[credit] if n != row.number]
            if twins:
                sheet.error(
                    result,
                    row.number,
                    "credit_code",
                    _("Same credit code as row %(rows)s.") % {"rows": ", ".join(map(str, twins))},
                )

        if existing is None:
            owner = _owner_for_new(
                by=by, sheet=sheet, row=row, owners=owners, assigns=assigns, result=result
            )
            customer = Customer(
                code=code,
                owner=owner,
                created_by=by,
                **{k: values[k] for k in CUSTOMER_FIELDS if k in values},
            )
            plan.create(row.number, customer)
        else:
            customer = existing  # owner is kept: the owner column is ignored on updates
            changed = [
                k for k in CUSTOMER_FIELDS if k in values and getattr(customer, k) != values[k]
            ]
            for k in changed:
                setattr(customer, k, values[k])
            if "name" in changed:
                customer.name_pinyin, customer.name_initials = pinyin_of(customer.name)
                changed += ["name_pinyin", "name_initials"]
            plan.update(row.number, customer, changed, now)
        if code:
            plan.sheet_codes.add(code)
            named[code] = customer
    return named


def _owner_for_new(*, by, sheet: Sheet, row, owners, assigns: bool, result: ImportResult):
    text = row.values.get("owner") or ""
    if not assigns:
        if text and not _is_self(by, text):
            sheet.error(
                result,
                row.number,
                "owner",
                _(
                    "You may import only your own customers: leave the owner empty or write your own name."
                ),
            )
        return by if roles.role_of(by) == roles.Role.SALESPERSON else None
    if not text:
        return None
    found = owners.find(text) if owners else []
    active = [u for u in found if u.is_active]
    if len(active) == 1:
        return active[0]
    if len(active) > 1:
        sheet.error(
            result,
            row.number,
            "owner",
            _("More than one salesperson is called “%(name)s”; write the username.")
            % {"name": text},
        )
    else:
        sheet.error(
            result,
            row.number,
            "owner",
            _("“%(name)s” is not an active salesperson.") % {"name": text},
        )
    return None


def _plan_contacts(
    *,
    by,
    sheet: Sheet | None,
    result: ImportResult,
    plan: Plan,
    named: dict[str, Customer],
    rejected: set[str],
) -> tuple[dict[int, list[Contact]], dict[str, Customer]]:
    """Check the contact rows. Returns the live contacts of the existing customers involved
    (as they will be after the import) and every customer the import touches, by code."""
    # Customers the contacts sheet names that are not in the customer sheet must be readable.
    rows = sheet.rows if sheet else []
    wanted = (
        {r.values["customer_code"] for r in rows if r.values.get("customer_code")}
        - set(named)
        - rejected
    )
    targets: dict[str, Customer] = dict(named)
    for chunk in engine.chunks(wanted):
        for customer in scope_by_customer(Customer.objects.filter(code__in=chunk), by):
            targets[customer.code] = customer
    live: dict[int, list[Contact]] = defaultdict(list)
    for chunk in engine.chunks([c.pk for c in targets.values() if c.pk]):
        for contact in Contact.objects.filter(
            customer_id__in=chunk, archived_at__isnull=True
        ).order_by("id"):
            live[contact.customer_id].append(contact)

    pairs = Counter(
        (r.values.get("customer_code"), _key(r.values["name"]))
        for r in rows
        if r.values.get("name")
    )
    primaries = Counter(r.values.get("customer_code") for r in rows if r.values.get("is_primary"))
    for row in rows:
        values = row.values
        code, name = values.get("customer_code"), values.get("name")
        if not code or not name or code in rejected:  # the customer row already has its error
            continue
        customer = targets.get(code)
        if customer is None:
            # Same words whether the code is unknown or someone else's: nothing is revealed.
            sheet.error(
                result,
                row.number,
                "customer_code",
                _("No customer with code %(code)s in this workbook or among your customers.")
                % {"code": code},
            )
            continue
        if pairs[(code, _key(name))] > 1:
            sheet.error(
                result,
                row.number,
                "name",
                _("Contact %(name)s of customer %(code)s appears more than once.")
                % {"name": name, "code": code},
            )
            continue
        if values.get("is_primary") and primaries[code] > 1:
            sheet.error(
                result,
                row.number,
                "is_primary",
                _("Customer %(code)s has more than one primary contact in the sheet.")
                % {"code": code},
            )
        current = live.get(customer.pk, []) if customer.pk else []
        match = next((c for c in current if _key(c.name) == _key(name)), None)
        if match is None:
            fields = {k: values[k] for k in CONTACT_FIELDS if k in values}
            plan.contact_creates.append(Contact(customer=customer, name=name, **fields))
        else:
            changed = [k for k in CONTACT_FIELDS if k in values and getattr(match, k) != values[k]]
            for k in changed:
                setattr(match, k, values[k])
            if changed:
                plan.contact_updates[match.pk] = match
                plan.contact_update_fields.update(changed)
        if values.get("is_primary"):
            # One primary contact per customer: the sheet's choice replaces the old one.
            for other in current:
                if other.is_primary and _key(other.name) != _key(name):
                    other.is_primary = False
                    plan.contact_updates[other.pk] = other
                    plan.contact_update_fields.add("is_primary")
    return live, targets


def _plan_completeness(
    *, plan: Plan, live: dict[int, list[Contact]], targets: list[Customer]
) -> None:
    """The stored completeness score counts the contacts as they will be after the import."""
    new_contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in plan.contact_creates:
        new_contacts[id(contact.customer)].append(contact)
    now = timezone.now()
    for customer in targets:
        contacts = live.get(customer.pk, []) if customer.pk else []
        score = completeness.score(customer, [*contacts, *new_contacts.get(id(customer), [])])
        if customer.completeness != score:
            customer.completeness = score
            if customer.pk:
                customer.updated_at = now
                plan.updates[customer.pk] = customer
                plan.update_fields.add("completeness")


def build_plan(*, by, content: bytes, result: ImportResult) -> Plan | None:
    """Read and check the workbook against the database; None (with errors in `result`) when
    anything is wrong. Reads only: a bounded number of queries whatever the row count."""
    try:
        book = engine.open_workbook(content)
    except engine.WorkbookError as exc:
        result.add("", None, "", exc.message)
        return None
    contacts_name = engine.find_sheet(book, CONTACT_SPEC)
    customers_name = engine.find_sheet(book, CUSTOMER_SPEC)
    if customers_name is None and contacts_name is None and len(book.sheet_names) == 1:
        customers_name = book.sheet_names[0]  # a plain "Sheet1" of customers
    customers = contacts = None
    if customers_name is not None or contacts_name is None:
        customers = engine.read_sheet(book, CUSTOMER_SPEC, result, name=customers_name, order=0)
        if customers is None:
            return None
    if contacts_name is not None:
        contacts = engine.read_sheet(book, CONTACT_SPEC, result, name=contacts_name, order=1)
        if contacts is None:
            return None

    plan = Plan()
    rejected: set[str] = set()
    named = (
        _plan_customers(by=by, sheet=customers, result=result, plan=plan, rejected=rejected)
        if customers
        else {}
    )
    live, targets = _plan_contacts(
        by=by, sheet=contacts, result=result, plan=plan, named=named, rejected=rejected
    )
    touched = {id(c): c for c in [*plan.creates, *plan.updates.values(), *targets.values()]}
    _plan_completeness(plan=plan, live=live, targets=list(touched.values()))

    if not result.valid:
        return None  # counts stay 0: nothing is, or would be, written
    engine.count_actions(result, plan.actions)
    result.extra = {
        "contacts_created": len(plan.contact_creates),
        "contacts_updated": len(plan.contact_updates),
    }
    if customers is not None:
        engine.fill_preview(result, customers, plan.actions)
    return plan


def apply_plan(plan: Plan, *, by) -> None:
    """Write a checked plan (inside the caller's transaction), keeping history for every row."""
    blank = [c for c in plan.creates if not c.code]
    if blank:
        pool = [
            c
            for c in next_customer_codes(len(blank) + len(plan.sheet_codes))
            if c not in plan.sheet_codes
        ]
        for customer, code in zip(blank, pool, strict=False):
            customer.code = code
    now = timezone.now()
    for customer in plan.creates:  # here, not in the check: pypinyin is the slow part of a preview
        customer.name_pinyin, customer.name_initials = pinyin_of(customer.name)
    history = {"by": by, "reason": CHANGE_REASON, "when": now}
    created = engine.create_with_history(plan.creates, Customer, **history)
    # Some databases hand back new objects: point the contacts at the saved customers.
    for old, new in zip(plan.creates, created, strict=True):
        if old.pk is None:
            old.pk = new.pk
    engine.update_with_history(plan.updates.values(), Customer, plan.update_fields, **history)
    for contact in plan.contact_creates:
        contact.customer_id = contact.customer.pk
    engine.create_with_history(plan.contact_creates, Contact, **history)
    for contact in plan.contact_updates.values():
        contact.updated_at = now
    engine.update_with_history(
        plan.contact_updates.values(), Contact, plan.contact_update_fields, **history
    )


def template_bytes() -> bytes:
    """The downloadable template: both sheets with one example row, and the allowed values."""
    return engine.template_workbook(
        [
            (CUSTOMER_SPEC, [engine.example_row(CUSTOMER_SPEC, code=EXAMPLE_CODE)]),
            (CONTACT_SPEC, [engine.example_row(CONTACT_SPEC, customer_code=EXAMPLE_CODE)]),
        ],
        ("可选值", engine.choice_rows(CUSTOMER_SPEC) + engine.choice_rows(CONTACT_SPEC)),
    )
