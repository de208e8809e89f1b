"""Customer import rules (C-2), tested on the service directly."""

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from salesdesk.core import imports as engine
from salesdesk.customers import completeness
from salesdesk.customers.models import Contact, Customer
from salesdesk.customers.services.imports import (
    customer_import,
    customer_import_confirm,
    customer_import_upload,
    import_template,
)
from tests.factories import ContactFactory, CustomerFactory, UserFactory, make_credit_code


def book(customers=None, contacts=None, *, sheet_names=("客户", "联系人")) -> bytes:
    """A workbook from lists of {header: value} dicts, one sheet each (None: no sheet)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in zip(sheet_names, (customers, contacts), strict=True):
        if rows is None:
            continue
        ws = wb.add_worksheet(name)
        headers = list(dict.fromkeys(h for row in rows for h in row))
        ws.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, header in enumerate(headers):
                value = row.get(header)
                if value is None:
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    wb.close()
    return buffer.getvalue()


def customer_row(n: int, **extra) -> dict:
    row = {
        "客户编码": "",
        "客户名称": f"宁波第{n}纸业有限公司",
        "简称": f"宁纸{n}",
        "统一社会信用代码": make_credit_code(500_000 + n),
        "客户等级": "普通客户",
        "客户来源": "展会",
        "省份": "浙江省",
        "城市": "宁波",
        "账期(天)": 30,
        "信用额度": "100,000.00",
    }
    row.update(extra)
    return row


def errors_of(result):
    return [(e["sheet"], e["row"], e["column"]) for e in result.error_dicts()]


# ------------------------------------------------------------------------- creating


def test_new_customers_get_codes_pinyin_completeness_owner_and_history(salesperson):
    CustomerFactory(code="C000007", owner=salesperson)
    content = book(
        [customer_row(1), customer_row(2, 客户编码="K-100")],
        [
            {
                "客户编码": "K-100",
                "姓名": "王经理",
                "手机": "13812345678",
                "决策角色": "决策人",
                "主要联系人": "是",
            },
        ],
    )
    result = customer_import(by=salesperson, content=content, dry_run=False)
    assert result.valid, result.error_dicts()
    assert (result.created, result.updated) == (2, 0)
    first = Customer.objects.get(name="宁波第1纸业有限公司")
    second = Customer.objects.get(code="K-100")
    assert first.code == "C000008"  # the next free code in the C series
    assert first.owner == salesperson and first.created_by == salesperson
    assert (
        first.name_pinyin == "ningbodi1zhiyeyouxiangongsi" and first.name_initials == "nbd1zyyxgs"
    )
    assert first.credit_limit == Decimal("100000.00")
    assert first.province == "浙江" and first.source == "exhibition" and first.tier == "ordinary"
    contact = second.contacts.get()
    assert contact.is_primary and contact.decision_role == "decision_maker"
    assert second.completeness == completeness.score(second, [contact])
    assert second.completeness > first.completeness
    history = first.history.get()
    assert history.history_type == "+" and history.history_user == salesperson
    assert history.history_change_reason == "Excel import"
    assert contact.history.count() == 1


def test_dry_run_counts_but_writes_nothing(salesperson):
    content = book([customer_row(1), customer_row(2)])
    result = customer_import(by=salesperson, content=content, dry_run=True)
    assert result.valid and result.created == 2
    assert not Customer.objects.exists()
    assert [row["action"] for row in result.preview] == ["create", "create"]


def test_blank_code_skips_codes_the_sheet_uses(assistant):
    CustomerFactory(code="C000001")
    content = book([customer_row(1, 客户编码="C000002"), customer_row(2)])
    assert customer_import(by=assistant, content=content, dry_run=False).valid
    assert set(Customer.objects.values_list("code", flat=True)) == {"C000001", "C000002", "C000003"}


# ----------------------------------------------------------------------- re-import


def test_reimport_updates_by_code_keeps_owner_and_blank_cells(
    assistant, salesperson, other_salesperson
):
    customer = CustomerFactory(
        code="C000010", name="旧名称", owner=salesperson, city="杭州", payment_terms_days=60
    )
    content = book(
        [
            {
                "客户编码": "C000010",
                "客户名称": "新名称有限公司",
                "业务员": "sales2",
                "城市": "",
                "客户等级": "大客户",
            }
        ]
    )
    result = customer_import(by=assistant, content=content, dry_run=False)
    assert result.valid, result.error_dicts()
    assert (result.created, result.updated) == (0, 1)
    customer.refresh_from_db()
    assert Customer.objects.count() == 1
    assert customer.owner == salesperson  # owner is kept
    assert customer.name == "新名称有限公司" and customer.name_pinyin.startswith("xinmingcheng")
    assert customer.tier == "key"
    assert customer.city == "杭州" and customer.payment_terms_days == 60  # blank cells keep values
    assert customer.history.first().history_type == "~"
    assert customer.history.first().history_user == assistant

    again = customer_import(by=assistant, content=content, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert customer.history.count() == 2  # nothing changed: no new history row


def test_salesperson_updates_own_customer(salesperson):
    customer = CustomerFactory(code="C000011", owner=salesperson)
    content = book([{"客户编码": "C000011", "客户名称": customer.name, "备注": "年底对账"}])
    result = customer_import(by=salesperson, content=content, dry_run=False)
    assert result.valid and result.updated == 1
    customer.refresh_from_db()
    assert customer.notes == "年底对账"


def test_duplicate_codes_in_the_sheet_are_an_error_on_each(assistant):
    content = book(
        [customer_row(1, 客户编码="K1"), customer_row(2), customer_row(3, 客户编码="K1")]
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [("客户", 2, "客户编码"), ("客户", 4, "客户编码")]
    assert "4" in result.errors[0].message


def test_same_name_or_credit_code_as_another_customer_is_a_likely_duplicate(assistant, salesperson):
    existing = CustomerFactory(code="C000020", name="绍兴包装有限公司", owner=salesperson)
    content = book(
        [
            customer_row(1, 客户名称="绍兴包装有限公司"),
            customer_row(2, 统一社会信用代码=existing.credit_code),
        ]
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [("客户", 2, "客户名称"), ("客户", 3, "统一社会信用代码")]
    assert "C000020" in result.errors[0].message and "C000020" in result.errors[1].message
    # The customer itself, by its code, is no duplicate of itself.
    same = book(
        [
            customer_row(
                3,
                客户编码="C000020",
                客户名称="绍兴包装有限公司",
                统一社会信用代码=existing.credit_code,
            )
        ]
    )
    assert customer_import(by=assistant, content=same, dry_run=True).valid


def test_same_name_twice_in_the_sheet(assistant):
    content = book(
        [customer_row(1, 客户名称="同名有限公司"), customer_row(2, 客户名称="同名 有限公司")]
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [("客户", 2, "客户名称"), ("客户", 3, "客户名称")]


# -------------------------------------------------------------------------- scoping


def test_salesperson_cannot_update_or_discover_someone_elses_customer(
    salesperson, other_salesperson
):
    theirs = CustomerFactory(code="C000030", name="嘉兴秘密客户有限公司", owner=other_salesperson)
    content = book(
        [
            {"客户编码": "C000030", "客户名称": "改名有限公司"},
            customer_row(2, 客户名称="嘉兴秘密客户有限公司"),
            customer_row(3, 统一社会信用代码=theirs.credit_code),
        ],
        [{"客户编码": "C000030", "姓名": "间谍"}],
    )
    result = customer_import(by=salesperson, content=content, dry_run=False)
    assert errors_of(result) == [
        ("客户", 2, "客户编码"),
        ("客户", 3, "客户名称"),
        ("客户", 4, "统一社会信用代码"),
    ]
    text = " ".join(e.message for e in result.errors)
    assert "already in use" in result.errors[0].message or "已" in result.errors[0].message
    for secret in ("张业务", "sales2", "C000030 嘉兴", "嘉兴秘密客户有限公司 ("):
        assert secret not in text
    assert text.count("C000030") == 1  # only the code the importer typed
    theirs.refresh_from_db()
    assert theirs.name == "嘉兴秘密客户有限公司" and not theirs.contacts.exists()
    assert Customer.objects.count() == 1


def test_salesperson_contacts_for_someone_elses_customer_are_refused(
    salesperson, other_salesperson
):
    CustomerFactory(code="C000031", owner=other_salesperson)
    mine = CustomerFactory(code="C000032", owner=salesperson)
    content = book(
        None,
        [
            {"客户编码": "C000031", "姓名": "甲"},
            {"客户编码": "NOPE", "姓名": "乙"},
            {"客户编码": "C000032", "姓名": "丙"},
        ],
    )
    result = customer_import(by=salesperson, content=content, dry_run=False)
    assert errors_of(result) == [("联系人", 2, "客户编码"), ("联系人", 3, "客户编码")]
    assert result.errors[0].message.replace("C000031", "X") == result.errors[1].message.replace(
        "NOPE", "X"
    )
    assert not Contact.objects.exists() and not mine.contacts.exists()


def test_salesperson_creates_only_own_customers(salesperson, other_salesperson):
    content = book(
        [
            customer_row(1, 业务员="sales2"),
            customer_row(2, 业务员="李业务"),
            customer_row(3, 业务员="sales1"),
            customer_row(4),
        ]
    )
    result = customer_import(by=salesperson, content=content, dry_run=True)
    assert errors_of(result) == [("客户", 2, "业务员")]
    ok = book([customer_row(2, 业务员="李业务"), customer_row(4)])
    assert customer_import(by=salesperson, content=ok, dry_run=False).valid
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales1"}


def test_assistant_assigns_owners_to_active_salespeople(
    assistant, salesperson, other_salesperson, director
):
    UserFactory(username="gone", display_name="离职业务", is_active=False)
    content = book(
        [
            customer_row(1, 业务员="sales2"),
            customer_row(2, 业务员="李业务"),
            customer_row(3),
            customer_row(4, 业务员="离职业务"),
            customer_row(5, 业务员="director"),
            customer_row(6, 业务员="nobody"),
        ]
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [
        ("客户", 5, "业务员"),
        ("客户", 6, "业务员"),
        ("客户", 7, "业务员"),
    ]
    ok = book([customer_row(1, 业务员="sales2"), customer_row(2, 业务员="李业务"), customer_row(3)])
    assert customer_import(by=assistant, content=ok, dry_run=False).valid
    owners = dict(Customer.objects.values_list("short_name", "owner__username"))
    assert owners == {"宁纸1": "sales2", "宁纸2": "sales1", "宁纸3": None}


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_roles_that_do_not_edit_customers_cannot_import(persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        customer_import(by=user, content=book([customer_row(1)]), dry_run=True)
    with pytest.raises(PermissionDenied):
        customer_import_upload(by=user, content=book([customer_row(1)]), filename="a.xlsx")


# ------------------------------------------------------------------ all or nothing


def test_an_error_in_row_500_of_600_writes_nothing(assistant):
    rows = [customer_row(n) for n in range(1, 601)]
    rows[498]["手机"] = "x"  # unknown column: ignored
    rows[498]["统一社会信用代码"] = "123"
    result = customer_import(by=assistant, content=book(rows), dry_run=False)
    assert errors_of(result) == [("客户", 500, "统一社会信用代码")]
    assert not Customer.objects.exists()
    assert Customer.history.count() == 0


def test_an_error_only_in_the_contacts_sheet_writes_nothing(assistant):
    content = book(
        [customer_row(1, 客户编码="K1")], [{"客户编码": "K1", "姓名": "甲", "手机": "12345"}]
    )
    result = customer_import(by=assistant, content=content, dry_run=False)
    assert errors_of(result) == [("联系人", 2, "手机")]
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_every_error_of_every_row_is_listed(assistant):
    content = book(
        [
            customer_row(1, 统一社会信用代码="bad", 客户等级="金牌", 信用额度="lots"),
            customer_row(2, 客户名称=""),
            customer_row(3, **{"账期(天)": "soon"}),
        ],
        [
            {"客户编码": "", "姓名": "无编码"},
            {"客户编码": "K9", "姓名": "", "生日": "someday", "邮箱": "not-mail"},
        ],
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [
        ("客户", 2, "统一社会信用代码"),
        ("客户", 2, "客户等级"),
        ("客户", 2, "信用额度"),
        ("客户", 3, "客户名称"),
        ("客户", 4, "账期(天)"),
        ("联系人", 2, "客户编码"),
        ("联系人", 3, "姓名"),
        ("联系人", 3, "邮箱"),
        ("联系人", 3, "生日"),
    ]


def test_not_an_xlsx_is_one_clear_error(assistant):
    result = customer_import(by=assistant, content=b"code,name\n", dry_run=False)
    assert not result.valid and len(result.errors) == 1 and result.errors[0].row is None
    assert not Customer.objects.exists()


# ------------------------------------------------------------------------- contacts


def test_contacts_are_updated_by_customer_code_and_name_or_created(salesperson):
    customer = CustomerFactory(code="C000040", owner=salesperson)
    old = ContactFactory(
        customer=customer, name="王经理", title="采购", mobile="13900000001", is_primary=True
    )
    other = ContactFactory(customer=customer, name="赵会计", is_primary=False)
    content = book(
        None,
        [
            {"客户编码": "C000040", "姓名": "王经理", "职务": "采购总监", "QQ": 12345678},
            {
                "客户编码": "C000040",
                "姓名": "李工",
                "手机": "13900000002",
                "主要联系人": "是",
                "生日": "1985/6/1",
            },
        ],
    )
    result = customer_import(by=salesperson, content=content, dry_run=False)
    assert result.valid, result.error_dicts()
    assert result.extra == {"contacts_created": 1, "contacts_updated": 1}  # 王经理, once
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.title == "采购总监" and old.qq == "12345678" and old.mobile == "13900000001"
    assert not old.is_primary  # the sheet names a new primary contact
    new = customer.contacts.get(name="李工")
    assert new.is_primary and str(new.birthday) == "1985-06-01"
    assert Contact.objects.count() == 3
    assert old.history.first().history_type == "~"
    customer.refresh_from_db()
    assert customer.completeness == completeness.score(customer, customer.contacts.all())


def test_duplicate_contacts_and_two_primaries_in_the_sheet(assistant):
    content = book(
        [customer_row(1, 客户编码="K1")],
        [
            {"客户编码": "K1", "姓名": "甲", "主要联系人": "是"},
            {"客户编码": "K1", "姓名": "乙", "主要联系人": "是"},
            {"客户编码": "K1", "姓名": "丙"},
            {"客户编码": "K1", "姓名": "丙"},
        ],
    )
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert errors_of(result) == [
        ("联系人", 2, "主要联系人"),
        ("联系人", 3, "主要联系人"),
        ("联系人", 4, "姓名"),
        ("联系人", 5, "姓名"),
    ]


# ----------------------------------------------------------------------- the flow


def test_confirm_applies_once_and_only_for_the_uploader(salesperson, other_salesperson):
    upload = customer_import_upload(
        by=salesperson, content=book([customer_row(1)]), filename="客户.xlsx"
    )
    with pytest.raises(Exception):  # noqa: B017 - another person's upload does not exist for them
        customer_import_confirm(by=other_salesperson, upload=upload)
    assert not Customer.objects.exists()
    result = customer_import_confirm(by=salesperson, upload=upload)
    assert result.applied and result.created == 1
    upload.refresh_from_db()
    assert upload.confirmed_at is not None
    with pytest.raises(ValidationError):
        customer_import_confirm(by=salesperson, upload=upload)
    assert Customer.objects.count() == 1


def test_an_invalid_upload_stays_unconfirmed(salesperson):
    upload = customer_import_upload(
        by=salesperson, content=book([customer_row(1, 客户名称="")]), filename="a.xlsx"
    )
    result = customer_import_confirm(by=salesperson, upload=upload)
    assert not result.applied and not result.valid
    upload.refresh_from_db()
    assert upload.confirmed_at is None


def test_upload_refuses_what_is_not_an_xlsx(salesperson):
    with pytest.raises(ValidationError) as exc:
        customer_import_upload(by=salesperson, content=b"hello", filename="a.csv")
    assert "file" in exc.value.message_dict


# ------------------------------------------------------------------------- template


def test_template_has_both_sheets_chinese_headers_and_allowed_values(assistant):
    content = import_template()
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert wb.sheet_names == ["客户", "联系人", "可选值"]
    customers = wb.get_sheet_by_name("客户").to_python()
    assert customers[0][:2] == ["客户编码", "客户名称*"] and len(customers) == 2
    assert len(wb.get_sheet_by_name("联系人").to_python()) == 2
    allowed = wb.get_sheet_by_name("可选值").to_python()
    assert ["客户等级", "大客户", "Key account", "key"] in [row[:4] for row in allowed]
    # The template imports as it is (its example code cannot collide with real customers).
    result = customer_import(by=assistant, content=content, dry_run=True)
    assert result.valid, result.error_dicts()
    assert (result.created, result.extra["contacts_created"]) == (1, 1)


# ---------------------------------------------------------------------------- speed


def test_queries_do_not_grow_with_rows(assistant, salesperson):
    CustomerFactory.create_batch(5, owner=salesperson)

    def count(n):
        rows = [customer_row(i, 业务员="sales1") for i in range(n)]
        contacts = [{"客户编码": f"K{i}", "姓名": "甲"} for i in range(n)]
        for i, row in enumerate(rows):
            row["客户编码"] = f"K{i}"
        with CaptureQueriesContext(connection) as ctx:
            assert customer_import(by=assistant, content=book(rows, contacts), dry_run=True).valid
        return len(ctx.captured_queries)

    assert count(10) == count(300)


def test_engine_is_used_for_every_sheet_column():
    from salesdesk.customers.imports import CONTACT_SPEC, CUSTOMER_SPEC

    model_fields = {f.name for f in Customer._meta.get_fields() if getattr(f, "editable", False)}
    keys = {c.key for c in CUSTOMER_SPEC.columns}
    template = {
        "code",
        "name",
        "short_name",
        "credit_code",
        "type",
        "tier",
        "status",
        "source",
        "province",
        "city",
        "address",
        "industry",
        "owner",
        "payment_terms_days",
        "credit_limit",
        "invoice_title",
        "invoice_tax_number",
        "invoice_address",
        "invoice_phone",
        "invoice_bank",
        "invoice_account",
        "notes",
    }
    assert keys == template and template <= model_fields
    assert {c.key for c in CONTACT_SPEC.columns} == {
        "customer_code",
        "name",
        "title",
        "mobile",
        "phone",
        "email",
        "qq",
        "wechat",
        "birthday",
        "decision_role",
        "is_primary",
    }
    assert engine.PREVIEW_ROWS >= 10
