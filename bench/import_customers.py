"""Benchmark: a 10,000-row customer workbook with 50 bad rows is rejected with exactly those
50 errors and nothing imported; the corrected workbook imports in under 10 s (issue 2).

Runs against a throw-away SQLite database in a temporary directory (never your data):

    .venv/bin/python bench/import_customers.py [--rows 10000] [--keep]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 10.0


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="customer rows (default 10000)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary database and print its path"
    )
    return parser.parse_args()


def setup_django(db_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("SALESDESK_INSECURE_DEV_KEY", "1")
    os.environ["SALESDESK_DEBUG"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


CUSTOMER_HEADERS = [
    "客户编码",
    "客户名称",
    "简称",
    "统一社会信用代码",
    "客户类型",
    "客户等级",
    "客户状态",
    "客户来源",
    "省份",
    "城市",
    "地址",
    "行业",
    "业务员",
    "账期(天)",
    "信用额度",
    "开票抬头",
    "纳税人识别号",
    "开票地址",
    "开票电话",
    "开户银行",
    "银行账号",
    "备注",
]
CONTACT_HEADERS = ["客户编码", "姓名", "职务", "手机", "邮箱", "决策角色", "主要联系人"]
PROVINCES = ["浙江", "江苏", "上海", "广东", "山东", "福建", "安徽", "湖北"]
CITIES = ["杭州", "苏州", "上海", "东莞", "青岛", "厦门", "合肥", "武汉"]
INDUSTRIES = ["食品饮料", "电子", "家电", "电商物流", "医药", "日化", "家具"]


def credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91330100{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def good_row(i: int) -> list:
    code = f"C{i + 1:06d}"
    name = f"{CITIES[i % len(CITIES)]}第{i + 1}号包装制品有限公司"
    return [
        code,
        name,
        f"包装{i + 1}",
        credit_code(700_000 + i),
        "终端客户",
        "大客户" if i % 20 == 0 else "普通客户",
        "合作中",
        "展会",
        PROVINCES[i % len(PROVINCES)],
        CITIES[i % len(CITIES)],
        f"工业园区 {i % 300 + 1} 号",
        INDUSTRIES[i % len(INDUSTRIES)],
        "sales1" if i % 2 else "sales2",
        30 + (i % 4) * 15,
        f"{(i % 50 + 1) * 10000:,}.00",
        name,
        credit_code(700_000 + i),
        f"工业园区 {i % 300 + 1} 号",
        f"0571-8{i % 10_000_000:07d}",
        "中国工商银行",
        f"62220{i:014d}",
        "",
    ]


def spoil(rows: list[list], contacts: list[list]) -> set[tuple[str, int, str]]:
    """Spoil 50 rows, 10 each of five kinds; returns the expected (sheet, Excel row, column)."""
    col = {h: i for i, h in enumerate(CUSTOMER_HEADERS)}
    expected: set[tuple[str, int, str]] = set()
    step = len(rows) // 50
    duplicated: list[int] = []
    for k in range(50):
        i = k * step + 7
        excel_row = i + 2  # the header is row 1
        kind = k % 5
        if kind == 0:
            rows[i][col["统一社会信用代码"]] = rows[i][col["统一社会信用代码"]][:-1] + "?"
            expected.add(("客户", excel_row, "统一社会信用代码"))
        elif kind == 1:
            contacts[i][CONTACT_HEADERS.index("手机")] = "1381234"  # the customer's contact
            expected.add(("联系人", excel_row, "手机"))
        elif kind == 2:
            rows[i][col["客户等级"]] = "金牌客户"
            expected.add(("客户", excel_row, "客户等级"))
        elif kind == 3:
            rows[i][col["客户名称"]] = ""
            expected.add(("客户", excel_row, "客户名称"))
        else:
            duplicated.append(i)
    # Five pairs of rows sharing a code: an error on each of the ten.
    for first, second in zip(duplicated[0::2], duplicated[1::2], strict=True):
        rows[second][col["客户编码"]] = rows[first][col["客户编码"]]
        contacts[second][0] = rows[first][col["客户编码"]]
        contacts[second][1] += "（重复）"
        expected.add(("客户", first + 2, "客户编码"))
        expected.add(("客户", second + 2, "客户编码"))
    return expected


def workbook(customers: list[list], contacts: list[list]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": False})
    for title, headers, rows in (
        ("客户", CUSTOMER_HEADERS, customers),
        ("联系人", CONTACT_HEADERS, contacts),
    ):
        ws = book.add_worksheet(title)
        ws.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value in (None, ""):
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def contact_rows(n: int) -> list[list]:
    return [
        [
            f"C{i + 1:06d}",
            f"联系人{i + 1}",
            "采购经理",
            f"139{i:08d}",
            f"buyer{i}@example.cn",
            "决策人",
            "是",
        ]
        for i in range(n)
    ]


def main() -> int:
    args = parse_args()
    tmp = tempfile.mkdtemp(prefix="salesdesk-bench-")
    db_path = Path(tmp) / "bench.sqlite3"
    setup_django(db_path)

    from salesdesk.accounts.models import User
    from salesdesk.accounts.roles import Role
    from salesdesk.customers.models import Contact, Customer
    from salesdesk.customers.services.imports import customer_import

    assistant = User.objects.create(
        username="assistant", role=Role.ASSISTANT, display_name="王助理"
    )
    User.objects.create(username="sales1", role=Role.SALESPERSON, display_name="李业务")
    User.objects.create(username="sales2", role=Role.SALESPERSON, display_name="张业务")

    n = args.rows
    rows = [good_row(i) for i in range(n)]
    contacts = contact_rows(n)
    expected = spoil(rows, contacts)
    started = time.perf_counter()
    bad = workbook(rows, contacts)
    print(
        f"built a {n}-row workbook with {len(expected)} spoiled cells in {time.perf_counter() - started:.2f} s"
    )

    started = time.perf_counter()
    result = customer_import(by=assistant, content=bad, filename="bad.xlsx", dry_run=True)
    checked = time.perf_counter() - started
    got = {(e.sheet, e.row, e.column) for e in result.errors}
    assert not result.valid, "the spoiled workbook was accepted"
    assert got == set(expected), (
        f"errors differ: missing {set(expected) - got}, extra {got - set(expected)}"
    )
    assert len(result.errors) == 50, len(result.errors)
    result = customer_import(by=assistant, content=bad, filename="bad.xlsx", dry_run=False)
    assert not result.valid and len(result.errors) == 50
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0, "something was imported"
    print(
        f"rejected with exactly {len(result.errors)} errors, nothing imported (check took {checked:.2f} s)"
    )

    good = workbook([good_row(i) for i in range(n)], contact_rows(n))
    started = time.perf_counter()
    result = customer_import(by=assistant, content=good, filename="good.xlsx", dry_run=False)
    elapsed = time.perf_counter() - started
    assert result.valid, result.error_dicts()[:5]
    assert Customer.objects.count() == n and Contact.objects.count() == n
    assert Customer.history.count() == n and Contact.history.count() == n
    print(
        f"imported {result.created} customers and {result.extra['contacts_created']} contacts in {elapsed:.2f} s"
    )

    started = time.perf_counter()
    again = customer_import(by=assistant, content=good, filename="good.xlsx", dry_run=False)
    print(
        f"re-import of the same workbook: {again.unchanged} unchanged, {again.updated} updated in {time.perf_counter() - started:.2f} s"
    )
    assert again.valid and again.created == 0 and Customer.objects.count() == n

    if args.keep:
        print(f"database kept at {db_path}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.rmdir(tmp)
    if elapsed >= LIMIT_SECONDS:
        print(f"FAIL: {elapsed:.2f} s is not under {LIMIT_SECONDS:.0f} s")
        return 1
    print(f"OK: under {LIMIT_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
