"""Fill a bench database with ten years of a carton factory's sales, through SalesDesk's real schema.

Full size (--scale 1): 100k customers with ~200k contacts, 50 salespeople, 2k products, 1M orders
with ~3M lines over ten years (growth, weekly and seasonal rhythm, Zipf-like customer and product
shares), their promises, ~1M shipments with their lines, one receivable per shipment, ~1M
payments with their allocations (~24k receivables open), ~500k follow-ups, leads and mailings.
--scale shrinks every count proportionally (0.01 for a quick run).

Bulk paths (this is test data): rows are generated in Python with a seeded random.Random and
written with executemany (SQLite) or COPY (PostgreSQL) in batches, secondary indexes dropped during
the load and created again after it. History tables stay empty. Every stored or derived column
(pinyin, completeness, last order date, next follow-up, order and shipment amounts, shipped
quantities, receivable and payment allocations) is computed as the services keep it, and
`--check` (run after every build) proves it with SQL over the rows.

    .venv/bin/python bench/generate.py --scale 0.01                       # SQLite, var/bench/
    .venv/bin/python bench/generate.py --scale 0.1 --engine postgres      # postgres .../sd_bench_s0_1
    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/x.sqlite3 --force

An existing bench database is reused when its stamp (scale, seed, migrations) matches; --force
rebuilds it. Bench users: bench-assistant, bench-director, bench-finance, bench-warehouse and
bench-sales01..50, password "bench-password".
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    META_TABLE,
    USER_PASSWORD,
    database_url,
    engine_of,
    migration_state,
    postgres_reachable,
    read_meta,
    setup_django,
)

FULL = {
    "customers": 100_000,
    "salespeople": 50,
    "products": 2_000,
    "orders": 1_000_000,
    "followups": 500_000,
}
YEARS = 10
BATCH = 10_000
# The stamp holds a fingerprint of this file: a changed generator rebuilds the bench database.
GENERATOR_VERSION = __import__("hashlib").sha1(Path(__file__).read_bytes()).hexdigest()[:12]

# fmt: off
PROVINCES = (("浙江", ("杭州", "宁波", "温州", "嘉兴", "绍兴", "金华", "台州")), ("江苏", ("苏州", "无锡", "常州", "南京", "南通")),
             ("广东", ("广州", "深圳", "东莞", "佛山", "中山")), ("上海", ("上海",)), ("山东", ("青岛", "济南", "潍坊", "临沂")),
             ("安徽", ("合肥", "芜湖")), ("福建", ("厦门", "泉州", "福州")), ("河南", ("郑州",)), ("湖北", ("武汉",)))
PROVINCE_WEIGHTS = (30, 20, 14, 10, 8, 5, 5, 4, 4)
FIRST = "恒鑫华永金瑞宏嘉天万盛富新汇佳百康海德众博锦顺立聚润美长凯优绿星通荣合远鼎福祥兴隆昌丰泰益信诚"
SECOND = "达源泰盛辉丰图禾成利民通美川纳润诚远程鑫发信泽青品宇和兴昌隆晟邦瑞旺业嘉力"
TRADES = (("food", "食品"), ("electronics", "电子"), ("appliances", "电器"), ("ecommerce", "电子商务"), ("pharma", "医药"),
          ("chemicals", "日化"), ("furniture", "家具"), ("agriculture", "农业"), ("machinery", "机械"), ("textiles", "服饰"))
FORMS = ("有限公司", "科技有限公司", "实业有限公司", "股份有限公司", "贸易有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦方"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰"
TITLES = ("采购经理", "采购专员", "总经理", "仓库主管", "财务", "生产经理", "包装工程师")
ROLES = ("decision_maker", "purchaser", "influencer", "user", "finance", "other")
SOURCES = ("website", "exhibition", "referral", "phone", "walk_in", "newspaper", "magazine")
KINDS = (("三层瓦楞纸箱", "B", 3), ("五层瓦楞纸箱", "BC", 5), ("七层重型纸箱", "BCB", 7), ("飞机盒", "E", 3), ("彩印礼品盒", "E", 3),
         ("刀卡", "B", 3), ("纸板", "C", 5), ("珍珠棉内衬", "", None))
CARRIERS = (("顺丰速运", "95338"), ("德邦物流", "95353"), ("中通快递", "95311"), ("安能物流", "4001-040-088"), ("自有车辆", "0571-86001234"))
CHANNELS = ("call", "wechat", "qq", "email", "visit", "call", "wechat")
SUMMARIES = ("电话沟通下月用量", "微信确认新包装尺寸", "上门拜访采购经理", "询问样品反馈", "沟通价格调整", "确认交期与库存", "节日问候")
NEXT = ("跟进下月订单", "发送新报价", "确认试单反馈", "约见采购经理", "寄送新样品")
STAGES = ("found", "contacted", "samples_sent", "quoting", "trial_order")
LOST_REASONS = ("price", "quality", "delivery", "competitor", "no_need", "no_response", "credit")
CANCEL_REASONS = ("客户取消订单", "客户产品停产", "价格未谈妥", "重复下单")
# Monday..Sunday and January..December shares of order entry (Spring Festival dip, autumn peak).
WEEKDAY = (1.10, 1.15, 1.10, 1.05, 1.00, 0.45, 0.08)
MONTH = (0.90, 0.50, 1.00, 1.00, 1.00, 1.05, 0.95, 1.05, 1.20, 1.25, 1.30, 1.10)
LINE_COUNTS = (1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6)  # mean 2.95
TERMS = (15, 30, 30, 30, 30, 45, 60)
# fmt: on


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 100k customers, 1M orders (default)"
    )
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--database-url", default="", help="overrides --engine's default bench database")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    p.add_argument(
        "--check",
        action="store_true",
        help="only check the derived columns of an existing database",
    )
    return p.parse_args(argv)


# --- formatting -------------------------------------------------------------------------


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def price4(p: int) -> str:
    return f"{p // 10000}.{p % 10000:04d}"


class Clock:
    """Datetimes written as Django stores them: naive UTC text on SQLite, with +00 on PostgreSQL."""

    def __init__(self, engine: str):
        self.suffix = "" if engine == "sqlite" else "+00"
        self.tz = dt.timezone(dt.timedelta(hours=8))

    def at(self, day: dt.date, minutes: int) -> str:
        """Local (Asia/Shanghai) `day` plus `minutes` after midnight, as UTC text."""
        local = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minutes)
        utc = local - dt.timedelta(hours=8)
        return utc.strftime("%Y-%m-%d %H:%M:%S") + self.suffix


# --- writing ----------------------------------------------------------------------------


class Loader:
    """Batched inserts into one table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, db, model, fields: list[str]):
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        self.db = db
        self.table = model._meta.db_table
        missing = [f for a, f in concrete.items() if a not in fields]
        consts = []
        for f in missing:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                consts.append(db.now)
            else:
                value = f.get_default()
                if f.get_internal_type() == "DecimalField" and value is not None:
                    value = str(value)
                consts.append(value)
        self.columns = [concrete[a].column for a in fields] + [f.column for f in missing]
        self.consts = tuple(consts)
        self.rows: list[tuple] = []
        self.count = 0
        self.seconds = 0.0

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.consts if self.consts else row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        started = time.perf_counter()
        self.db.write(self.table, self.columns, self.rows)
        self.seconds += time.perf_counter() - started
        self.count += len(self.rows)
        self.rows = []


class Database:
    def __init__(self, engine: str, now: str):
        from django.db import connection

        self.engine = engine
        self.connection = connection
        self.now = now
        self.loaders: dict[str, Loader] = {}
        self.dropped: list[tuple[str, str, str]] = []

    def raw(self):
        self.connection.ensure_connection()
        return self.connection.connection

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        raw = self.raw()
        cols = ", ".join(f'"{c}"' for c in columns)
        if self.engine == "sqlite":
            marks = ", ".join("?" * len(columns))
            raw.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
        else:
            with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

    def loader(self, model, fields: list[str]) -> Loader:
        loader = Loader(self, model, fields)
        self.loaders[loader.table] = loader
        return loader

    def execute(self, sql: str, params=()) -> list:
        raw = self.raw()
        if self.engine == "sqlite":
            return raw.execute(sql, params).fetchall()
        with raw.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    # Secondary indexes slow a bulk load several times over; they are created again after it.
    def drop_indexes(self, tables: list[str]) -> None:
        for table in tables:
            if self.engine == "sqlite":
                rows = self.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL",
                    (table,),
                )
            else:
                rows = self.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename=%s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conindid <> 0)",
                    (table,),
                )
            for name, sql in rows:
                self.execute(f'DROP INDEX "{name}"')
                self.dropped.append((table, name, sql))

    def create_indexes(self) -> float:
        started = time.perf_counter()
        for _table, _name, sql in self.dropped:
            self.execute(sql)
        self.dropped = []
        return time.perf_counter() - started


# --- the plan ---------------------------------------------------------------------------


def zipf_cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate((i + 1) ** -s for i in range(n)))


class Generator:
    def __init__(self, scale: float, seed: int, engine: str, today: dt.date):
        self.scale = scale
        self.rng = random.Random(seed)
        self.engine = engine
        self.today = today
        self.start = today.replace(year=today.year - YEARS)
        self.clock = Clock(engine)
        self.n_customers = max(50, round(FULL["customers"] * scale))
        self.n_sales = max(
            3, min(FULL["salespeople"], round(FULL["salespeople"] * max(scale, 0.1)))
        )
        self.n_products = max(40, round(FULL["products"] * scale))
        self.n_orders = max(200, round(FULL["orders"] * scale))
        self.n_followups = max(100, round(FULL["followups"] * scale))
        self.timings: list[tuple[str, int, float]] = []

    # Each order is placed on a day drawn from growth × weekday × season.
    def order_dates(self) -> list[dt.date]:
        days = (self.today - self.start).days + 1
        weights = []
        for i in range(days):
            day = self.start + dt.timedelta(days=i)
            growth = math.exp(math.log(2.5) * i / days)
            weights.append(growth * WEEKDAY[day.weekday()] * MONTH[day.month - 1])
        total = sum(weights)
        dates, carry = [], 0.0
        for i, w in enumerate(weights):
            exact = self.n_orders * w / total + carry
            count = int(exact)
            carry = exact - count
            dates.extend([self.start + dt.timedelta(days=i)] * count)
        while len(dates) < self.n_orders:
            dates.append(self.today)
        return dates[: self.n_orders]

    def run(self, db: Database) -> None:
        from salesdesk.accounts.models import User
        from salesdesk.catalog.models import Product
        from salesdesk.core.models import NumberSequence
        from salesdesk.customers.models import (
            Contact,
            Customer,
            FollowUp,
            Lead,
            LeadStageChange,
            Mailing,
        )
        from salesdesk.finance.models import Allocation, Payment, Receivable
        from salesdesk.orders.models import Order, OrderLine, PromiseChange, Shipment, ShipmentLine

        rng = self.rng
        today, clock = self.today, self.clock
        tables = [
            m._meta.db_table
            for m in (
                Customer,
                Contact,
                FollowUp,
                Lead,
                LeadStageChange,
                Mailing,
                Product,
                Order,
                OrderLine,
                PromiseChange,
                Shipment,
                ShipmentLine,
                Receivable,
                Payment,
                Allocation,
            )
        ]
        db.drop_indexes(tables)

        # Users ------------------------------------------------------------------------
        started = time.perf_counter()
        from django.contrib.auth.hashers import make_password

        password = make_password(USER_PASSWORD)
        staff = [
            ("bench-assistant", "assistant", "孙助理"),
            ("bench-director", "director", "周总监"),
            ("bench-finance", "finance", "钱会计"),
            ("bench-warehouse", "warehouse", "吴仓管"),
        ]
        staff += [
            (
                f"bench-sales{i + 1:02d}",
                "salesperson",
                f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i % len(GIVEN)]}",
            )
            for i in range(self.n_sales)
        ]
        users = User.objects.bulk_create(
            [
                User(username=u, role=r, display_name=n, password=password, is_active=True)
                for u, r, n in staff
            ]
        )
        by_name = {u.username: u.pk for u in User.objects.filter(username__startswith="bench-")}
        assistant, finance = by_name["bench-assistant"], by_name["bench-finance"]
        sales = [by_name[f"bench-sales{i + 1:02d}"] for i in range(self.n_sales)]
        self.timings.append(("users", len(users), time.perf_counter() - started))

        # Products ---------------------------------------------------------------------
        from salesdesk.customers.text import pinyin_of

        started = time.perf_counter()
        products = db.loader(
            Product,
            [
                "id",
                "code",
                "name",
                "name_pinyin",
                "name_initials",
                "length_mm",
                "width_mm",
                "height_mm",
                "flute",
                "ply",
                "material",
                "list_price",
                "created_at",
                "updated_at",
            ],
        )
        list_prices = []
        for i in range(self.n_products):
            kind, flute, ply = KINDS[i % len(KINDS)]
            length, width, height = (
                rng.randrange(150, 800, 10),
                rng.randrange(100, 600, 10),
                rng.randrange(50, 500, 10),
            )
            name = f"{FIRST[i % len(FIRST)]}{SECOND[(i // len(FIRST)) % len(SECOND)]}{kind}"
            full, initials = pinyin_of(name)
            price = rng.randrange(4000, 250000)  # ¥0.40 .. ¥25.00 in 1/10000 yuan
            list_prices.append(price)
            created = clock.at(self.start, 480)
            products.add(
                (
                    i + 1,
                    f"P{i + 1:05d}",
                    name,
                    full,
                    initials,
                    length,
                    width,
                    height,
                    flute,
                    ply,
                    "K=K" if ply else "EPE",
                    price4(price),
                    created,
                    created,
                )
            )
        products.flush()
        product_cum = zipf_cum(self.n_products, 1.0)
        rng.shuffle(list_prices)
        self.timings.append(("catalog_product", products.count, time.perf_counter() - started))

        # Customers: who buys, how much (Zipf) and since when -----------------------------
        started = time.perf_counter()
        n = self.n_customers
        n_buyers = int(n * 0.7)
        span = (today - self.start).days
        # Buyer rank r (0 = biggest) enters at start + span × u^1.6: most big accounts are old.
        entry = []
        for r in range(n_buyers):
            u = rng.random() ** 1.6
            if r < n_buyers // 100:
                u *= 0.2
            entry.append(self.start + dt.timedelta(days=int(span * u)))
        buyer_cum = zipf_cum(n_buyers, 0.8)
        dates = self.order_dates()
        picks: list[int] = []
        total = buyer_cum[-1]
        for day in dates:
            while True:
                r = bisect.bisect_left(buyer_cum, rng.random() * total)
                if entry[r] <= day:
                    break
            picks.append(r)
        # States: old orders are closed, shipped or cancelled; recent ones still moving.
        states = []
        for day in dates:
            age = (today - day).days
            x = rng.random()
            if x < 0.02:
                states.append("cancelled")
            elif age > 45:
                states.append("closed" if x < 0.85 else "shipped")
            elif age <= 2:
                states.append("draft" if x < 0.6 else "confirmed")
            elif age <= 10:
                states.append(
                    "confirmed" if x < 0.4 else "in_production" if x < 0.8 else "partly_shipped"
                )
            else:
                states.append(
                    "in_production" if x < 0.2 else "partly_shipped" if x < 0.4 else "shipped"
                )
        last_order: dict[int, dt.date] = {}
        first_order: dict[int, dt.date] = {}
        for r, day, state in zip(picks, dates, states, strict=True):
            first_order.setdefault(r, day)
            if state != "cancelled" and (r not in last_order or day > last_order[r]):
                last_order[r] = day
        plan_seconds = time.perf_counter() - started

        # Ranks become customer ids in shuffled order, so id order says nothing about size.
        ids = list(range(1, n + 1))
        rng.shuffle(ids)
        cust_id = ids[:n_buyers]
        customers = db.loader(
            Customer,
            [
                "id",
                "code",
                "name",
                "short_name",
                "name_pinyin",
                "name_initials",
                "credit_code",
                "type",
                "tier",
                "status",
                "source",
                "province",
                "city",
                "address",
                "industry",
                "owner_id",
                "payment_terms_days",
                "credit_limit",
                "invoice_title",
                "invoice_tax_number",
                "invoice_address",
                "invoice_phone",
                "invoice_bank",
                "invoice_account",
                "completeness",
                "last_order_date",
                "last_followup_at",
                "next_followup_on",
                "next_followup_kind",
                "next_followup_note",
                "created_at",
                "updated_at",
                "created_by_id",
            ],
        )
        contacts = db.loader(
            Contact,
            [
                "id",
                "customer_id",
                "name",
                "title",
                "mobile",
                "email",
                "decision_role",
                "is_primary",
                "created_at",
                "updated_at",
            ],
        )
        from stdnum.cn import uscc

        from salesdesk.customers import completeness

        class Row:  # what completeness.score reads
            __slots__ = (
                "short_name",
                "credit_code",
                "source",
                "province",
                "city",
                "address",
                "industry",
                "owner_id",
                "payment_terms_days",
                "credit_limit",
                "invoice_title",
                "invoice_tax_number",
                "invoice_address",
                "invoice_phone",
                "invoice_bank",
                "invoice_account",
            )

        class Person:
            __slots__ = ("mobile", "phone", "decision_role", "archived_at")

        # Follow-ups: shares follow order volume; the latest one of each customer sets its next step.
        rank_of_id = {cid: r for r, cid in enumerate(cust_id)}
        fu_weights = [1.0 / (i + 1) ** 0.6 for i in range(n)]  # over ids (buyers by rank first)
        fu_order = cust_id + ids[n_buyers:]
        fu_cum = list(itertools.accumulate(fu_weights))
        fu_by_customer: dict[int, int] = {}
        for _ in range(self.n_followups):
            k = bisect.bisect_left(fu_cum, rng.random() * fu_cum[-1])
            cid = fu_order[k]
            fu_by_customer[cid] = fu_by_customer.get(cid, 0) + 1

        sales_cum = zipf_cum(self.n_sales, 0.3)
        province_cum = list(itertools.accumulate(PROVINCE_WEIGHTS))
        customer_owner: dict[int, int | None] = {}
        customer_created: dict[int, dt.date] = {}
        customer_terms: dict[int, int] = {}
        customer_status: dict[int, str] = {}
        contact_ids: dict[int, int] = {}
        followups_plan: list[tuple] = []
        contact_pk = 0
        for k in range(n):
            cid = ids[k]
            is_buyer = k < n_buyers
            r = k if is_buyer else None
            if is_buyer:
                created = min(first_order.get(r, entry[r]), entry[r]) - dt.timedelta(
                    days=rng.randrange(0, 60)
                )
                created = max(created, self.start - dt.timedelta(days=30))
                last = last_order.get(r)
                status = (
                    "active"
                    if last and (today - last).days < 365
                    else ("dormant" if last else "prospect")
                )
                if status == "dormant" and rng.random() < 0.3:
                    status = "lost"
            else:
                created = self.start + dt.timedelta(days=int(span * rng.random() ** 0.5))
                status = "lead" if rng.random() < 0.5 else "prospect"
                last = None
            customer_status[cid] = status
            owner = sales[bisect.bisect_left(sales_cum, rng.random() * sales_cum[-1])]
            if not is_buyer and rng.random() < 0.03:
                owner = None
            customer_owner[cid] = owner
            customer_created[cid] = created
            p = bisect.bisect_left(province_cum, rng.random() * province_cum[-1])
            province, cities = PROVINCES[p]
            city = cities[rng.randrange(len(cities))]
            trade, trade_word = TRADES[rng.randrange(len(TRADES))]
            brand = FIRST[rng.randrange(len(FIRST))] + SECOND[rng.randrange(len(SECOND))]
            name = f"{city}{brand}{trade_word}{FORMS[rng.randrange(len(FORMS))]}"
            if k % 7 == 0:  # some names repeat across cities; codes keep them apart
                name = f"{city}{brand}{FIRST[k % len(FIRST)]}{trade_word}{FORMS[0]}"
            full, initials = pinyin_of(name)
            filled = rng.random() < (0.9 if is_buyer else 0.5)
            body = f"91{(330100 + p * 100 + k % 97):06d}{(k * 7919) % 10**9:09d}"[:17]
            row = Row()
            row.short_name = f"{brand}{trade_word}" if filled or rng.random() < 0.5 else ""
            row.credit_code = body + uscc.calc_check_digit(body) if filled else ""
            row.source = SOURCES[rng.randrange(len(SOURCES))] if rng.random() < 0.8 else ""
            row.province, row.city = province, city
            row.address = f"{city}市工业大道{rng.randrange(1, 999)}号" if filled else ""
            row.industry = trade
            row.owner_id = owner
            terms = TERMS[rng.randrange(len(TERMS))]
            customer_terms[cid] = terms
            row.payment_terms_days = terms if is_buyer else None
            row.credit_limit = (
                yuan(rng.randrange(50, 2000) * 1_000_000) if filled and is_buyer else None
            )
            row.invoice_title = name if filled else ""
            row.invoice_tax_number = row.credit_code
            row.invoice_address = row.address
            row.invoice_phone = f"0571-8{rng.randrange(1000000, 9999999)}" if filled else ""
            row.invoice_bank = "中国工商银行" if filled else ""
            row.invoice_account = f"1202{rng.randrange(10**14, 10**15)}" if filled else ""
            people = []
            for j in range(1 + (rng.random() < 0.7) + (rng.random() < 0.3)):
                contact_pk += 1
                person = Person()
                person.mobile = (
                    f"13{rng.randrange(100000000, 999999999)}" if rng.random() < 0.9 else ""
                )
                person.phone = ""
                person.decision_role = (
                    ROLES[0]
                    if j == 0 and rng.random() < 0.6
                    else ROLES[rng.randrange(1, len(ROLES))]
                )
                person.archived_at = None
                people.append(person)
                stamp = clock.at(created, 540 + j)
                contacts.add(
                    (
                        contact_pk,
                        cid,
                        SURNAMES[rng.randrange(len(SURNAMES))]
                        + GIVEN[rng.randrange(len(GIVEN))]
                        + ("" if rng.random() < 0.5 else GIVEN[rng.randrange(len(GIVEN))]),
                        TITLES[rng.randrange(len(TITLES))],
                        person.mobile,
                        f"buyer{contact_pk}@example.cn" if rng.random() < 0.4 else "",
                        person.decision_role,
                        j == 0,
                        stamp,
                        stamp,
                    )
                )
                if j == 0:
                    contact_ids[cid] = contact_pk
            score = completeness.score(row, people)
            # Follow-ups between creation and today, the latest deciding the next step.
            last_fu, next_on, next_kind, next_note = None, None, "", ""
            count = fu_by_customer.get(cid, 0)
            if count:
                first_day = max(created, self.start)
                fspan = max(1, (today - first_day).days)
                times = sorted(
                    (
                        first_day + dt.timedelta(days=int(fspan * rng.random() ** 0.7)),
                        480 + rng.randrange(600),
                    )
                    for _ in range(count)
                )
                for t, (day, minutes) in enumerate(times):
                    latest = t == count - 1
                    nxt = None
                    if latest and rng.random() < 0.6:
                        nxt = day + dt.timedelta(days=rng.randrange(3, 45))
                    elif not latest and rng.random() < 0.3:
                        nxt = day + dt.timedelta(days=rng.randrange(3, 30))
                    followups_plan.append((cid, day, minutes, nxt))
                    if latest:
                        last_fu = clock.at(day, minutes)
                        if nxt:
                            next_on, next_kind, next_note = (
                                nxt.isoformat(),
                                "follow_up",
                                NEXT[rng.randrange(len(NEXT))],
                            )
            tier = "key" if is_buyer and r < max(1, n_buyers // 100) else "ordinary"
            ctype = (
                "distributor"
                if rng.random() < 0.15
                else ("group" if tier == "key" and rng.random() < 0.3 else "end")
            )
            stamp = clock.at(created, 530)
            customers.add(
                (
                    cid,
                    f"C{cid:06d}",
                    name,
                    row.short_name,
                    full,
                    initials,
                    row.credit_code,
                    ctype,
                    tier,
                    status,
                    row.source,
                    province,
                    city,
                    row.address,
                    trade,
                    owner,
                    row.payment_terms_days,
                    row.credit_limit,
                    row.invoice_title,
                    row.invoice_tax_number,
                    row.invoice_address,
                    row.invoice_phone,
                    row.invoice_bank,
                    row.invoice_account,
                    score,
                    last.isoformat() if last else None,
                    last_fu,
                    next_on,
                    next_kind,
                    next_note,
                    stamp,
                    stamp,
                    assistant,
                )
            )
        customers.flush()
        contacts.flush()
        self.timings.append(
            (
                "customers_customer (incl. pinyin, plan)",
                customers.count,
                time.perf_counter() - started + plan_seconds,
            )
        )
        self.timings.append(("customers_contact", contacts.count, contacts.seconds))

        started = time.perf_counter()
        followups = db.loader(
            FollowUp,
            [
                "id",
                "customer_id",
                "contact_id",
                "channel",
                "kind",
                "occurred_at",
                "summary",
                "outcome",
                "next_date",
                "next_kind",
                "next_action",
                "created_at",
                "created_by_id",
            ],
        )
        followups_plan.sort(key=lambda f: (f[1], f[2]))
        for pk, (cid, day, minutes, nxt) in enumerate(followups_plan, 1):
            stamp = clock.at(day, minutes)
            followups.add(
                (
                    pk,
                    cid,
                    contact_ids.get(cid),
                    CHANNELS[pk % len(CHANNELS)],
                    "follow_up",
                    stamp,
                    SUMMARIES[pk % len(SUMMARIES)],
                    "",
                    nxt.isoformat() if nxt else None,
                    "follow_up" if nxt else "",
                    NEXT[pk % len(NEXT)] if nxt else "",
                    stamp,
                    customer_owner[cid] or assistant,
                )
            )
        followups.flush()
        del followups_plan
        self.timings.append(("customers_followup", followups.count, time.perf_counter() - started))

        # Leads: an open one for each lead/prospect file, won ones for a share of buyers, some lost.
        started = time.perf_counter()
        leads = db.loader(
            Lead,
            [
                "id",
                "customer_id",
                "stage",
                "lost_reason",
                "lost_note",
                "expected_value",
                "created_at",
                "created_by_id",
                "stage_changed_at",
                "closed_at",
            ],
        )
        changes = db.loader(
            LeadStageChange,
            ["id", "lead_id", "from_stage", "to_stage", "changed_at", "changed_by_id", "note"],
        )
        mailings = db.loader(
            Mailing,
            [
                "id",
                "customer_id",
                "lead_id",
                "kind",
                "items",
                "courier",
                "tracking_number",
                "sent_on",
                "feedback_due_on",
                "feedback_received_on",
                "feedback",
                "created_at",
                "created_by_id",
            ],
        )
        lead_pk = change_pk = mailing_pk = 0
        for cid in ids:
            status = customer_status[cid]
            rank = rank_of_id.get(cid)
            if status in ("lead", "prospect") and rank is None:
                outcome = "lost" if rng.random() < 0.25 else "open"
            elif rank is not None and rng.random() < 0.2:
                outcome = "won"
            else:
                continue
            lead_pk += 1
            created = customer_created[cid]
            steps = rng.randrange(1, 5)
            path = list(STAGES[: min(steps, len(STAGES))])
            if outcome == "won":
                path = list(STAGES[: rng.randrange(2, 6)]) + ["won"]
            elif outcome == "lost":
                path = path + ["lost"]
            day = created
            prev = ""
            horizon = max(1, (today - created).days)
            for stage in path:
                day = min(
                    today,
                    day
                    + dt.timedelta(days=rng.randrange(0, max(1, min(60, horizon // len(path))))),
                )
                change_pk += 1
                changes.add(
                    (
                        change_pk,
                        lead_pk,
                        prev,
                        stage,
                        clock.at(day, 600),
                        customer_owner[cid] or assistant,
                        "",
                    )
                )
                prev = stage
            closed = clock.at(day, 600) if outcome in ("won", "lost") else None
            leads.add(
                (
                    lead_pk,
                    cid,
                    prev,
                    LOST_REASONS[lead_pk % len(LOST_REASONS)] if prev == "lost" else "",
                    "",
                    yuan(rng.randrange(1, 500) * 1_000_000),
                    clock.at(created, 560),
                    customer_owner[cid] or assistant,
                    clock.at(day, 600),
                    closed,
                )
            )
            if "samples_sent" in path:
                mailing_pk += 1
                sent = created + dt.timedelta(days=rng.randrange(1, 20))
                sent = min(sent, today)
                received = (
                    sent + dt.timedelta(days=7)
                    if sent + dt.timedelta(days=7) <= today and rng.random() < 0.7
                    else None
                )
                mailings.add(
                    (
                        mailing_pk,
                        cid,
                        lead_pk,
                        "sample",
                        "三层瓦楞纸箱样品 2 只",
                        "顺丰速运",
                        f"SF{rng.randrange(10**11, 10**12)}",
                        sent.isoformat(),
                        (sent + dt.timedelta(days=10)).isoformat(),
                        received.isoformat() if received else None,
                        "样品已收到，准备试单" if received else "",
                        clock.at(sent, 600),
                        customer_owner[cid] or assistant,
                    )
                )
        for loader in (leads, changes, mailings):
            loader.flush()
        self.timings.append(
            (
                "customers_lead + stage changes + mailings",
                leads.count + changes.count + mailings.count,
                time.perf_counter() - started,
            )
        )

        # Orders and everything downstream, in date order ------------------------------------
        started = time.perf_counter()
        orders = db.loader(
            Order,
            [
                "id",
                "number",
                "customer_id",
                "salesperson_id",
                "channel",
                "order_date",
                "requested_date",
                "contract_number",
                "state",
                "promised_date",
                "promise_answered_at",
                "production_status",
                "total_amount",
                "shipped_amount",
                "invoiced_amount",
                "paid_amount",
                "last_shipped_on",
                "created_at",
                "created_by_id",
                "confirmed_at",
                "confirmed_by_id",
                "cancelled_at",
                "cancelled_by_id",
                "cancel_reason",
                "closed_at",
            ],
        )
        lines = db.loader(
            OrderLine,
            [
                "id",
                "order_id",
                "line_no",
                "product_id",
                "quantity",
                "unit_price",
                "amount",
                "shipped_quantity",
                "note",
            ],
        )
        promises = db.loader(
            PromiseChange,
            [
                "id",
                "order_id",
                "old_date",
                "new_date",
                "reason",
                "customer_accepted",
                "changed_at",
                "changed_by_id",
            ],
        )
        shipments = db.loader(
            Shipment,
            [
                "id",
                "number",
                "order_id",
                "customer_id",
                "ship_date",
                "carrier",
                "carrier_phone",
                "tracking_number",
                "amount",
                "notified_at",
                "received_at",
                "received_by_name",
                "created_at",
                "created_by_id",
            ],
        )
        ship_lines = db.loader(
            ShipmentLine,
            [
                "id",
                "shipment_id",
                "order_line_id",
                "quantity",
                "checked_quantity",
                "damaged_quantity",
                "amount",
            ],
        )
        receivables = db.loader(
            Receivable,
            [
                "id",
                "customer_id",
                "salesperson_id",
                "order_id",
                "shipment_id",
                "source",
                "invoice_number",
                "issued_on",
                "due_date",
                "amount",
                "allocated_amount",
                "is_open",
                "paid_on",
                "created_at",
                "created_by_id",
            ],
        )
        payments = db.loader(
            Payment,
            [
                "id",
                "customer_id",
                "salesperson_id",
                "received_on",
                "amount",
                "method",
                "reference",
                "allocated_amount",
                "created_at",
                "created_by_id",
            ],
        )
        allocations = db.loader(
            Allocation,
            ["id", "payment_id", "receivable_id", "amount", "allocated_at", "allocated_by_id"],
        )
        seq: dict[tuple[str, int], int] = {}

        def number(prefix: str, year: int) -> str:
            value = seq[(prefix, year)] = seq.get((prefix, year), 0) + 1
            return f"{prefix}{year}{value:06d}"

        pending_payments: list[
            tuple
        ] = []  # (received_on, customer, salesperson, fen, [(receivable, fen)], credit)
        line_pk = promise_pk = shipment_pk = ship_line_pk = receivable_pk = 0
        n_products_total = product_cum[-1]
        for order_pk, (r, day, state) in enumerate(zip(picks, dates, states, strict=True), 1):
            cid = cust_id[r]
            salesperson = customer_owner[cid]
            created = clock.at(day, 480 + order_pk % 600)
            requested = day + dt.timedelta(days=rng.randrange(7, 31))
            # Lines, distinct products by share.
            chosen = set()
            n_lines = LINE_COUNTS[rng.randrange(len(LINE_COUNTS))]
            while len(chosen) < n_lines:
                chosen.add(bisect.bisect_left(product_cum, rng.random() * n_products_total))
            order_lines = []
            total = 0
            for no, product in enumerate(sorted(chosen), 1):
                quantity = rng.randrange(2, 200) * 100
                price = list_prices[product] * rng.randrange(90, 111) // 100
                amount = (quantity * price + 50) // 100
                total += amount
                line_pk += 1
                order_lines.append([line_pk, no, product + 1, quantity, price, amount, 0])
            promised = None
            answered = confirmed_at = confirmed_by = None
            production = "not_scheduled"
            if state not in ("draft", "cancelled"):
                first = requested + dt.timedelta(days=rng.randrange(-2, 6))
                first = max(first, day)
                answered = confirmed_at = clock.at(day, 480 + order_pk % 600 + 90)
                confirmed_by = assistant
                promise_pk += 1
                promises.add(
                    (
                        promise_pk,
                        order_pk,
                        None,
                        first.isoformat(),
                        "",
                        True if rng.random() < 0.5 else None,
                        answered,
                        assistant,
                    )
                )
                promised = first
                if rng.random() < 0.08:
                    promised = first + dt.timedelta(days=rng.randrange(2, 10))
                    promise_pk += 1
                    promises.add(
                        (
                            promise_pk,
                            order_pk,
                            first.isoformat(),
                            promised.isoformat(),
                            "原纸供应延迟",
                            rng.random() < 0.8,
                            clock.at(day + dt.timedelta(days=2), 600),
                            assistant,
                        )
                    )
                production = {"confirmed": "scheduled", "in_production": "in_production"}.get(
                    state, "done"
                )
            # Shipments: one, or two for a share; partly shipped orders ship about half.
            shipped_total = 0
            last_shipped = None
            if state in ("partly_shipped", "shipped", "closed"):
                ship_day = promised + dt.timedelta(days=rng.randrange(-3, 4))
                ship_day = min(max(ship_day, day + dt.timedelta(days=1)), today)
                parts = (
                    [0.5]
                    if state == "partly_shipped"
                    else ([0.5, 1.0] if rng.random() < 0.1 else [1.0])
                )
                for part_no, part in enumerate(parts):
                    when = (
                        ship_day
                        if part_no == 0
                        else min(today, ship_day + dt.timedelta(days=rng.randrange(2, 8)))
                    )
                    shipment_pk += 1
                    ship_amount = 0
                    batch = []
                    for line in order_lines:
                        target = line[3] if part == 1.0 else max(1, line[3] // 2)
                        qty = target - line[6]
                        if qty <= 0:
                            continue
                        line[6] += qty
                        amount = (qty * line[4] + 50) // 100
                        ship_amount += amount
                        ship_line_pk += 1
                        batch.append(
                            (ship_line_pk, shipment_pk, line[0], qty, qty, 0, yuan(amount))
                        )
                    carrier, phone = CARRIERS[shipment_pk % len(CARRIERS)]
                    stamp = clock.at(when, 900)
                    received = clock.at(when + dt.timedelta(days=1 + shipment_pk % 3), 600)
                    received_ok = (today - when).days > 3
                    shipments.add(
                        (
                            shipment_pk,
                            number("FH", when.year),
                            order_pk,
                            cid,
                            when.isoformat(),
                            carrier,
                            phone,
                            f"{rng.randrange(10**11, 10**12)}",
                            yuan(ship_amount),
                            stamp,
                            received if received_ok else None,
                            "仓库" if received_ok else "",
                            stamp,
                            assistant,
                        )
                    )
                    for sl in batch:
                        ship_lines.add(sl)
                    shipped_total += ship_amount
                    last_shipped = when
                    # The receivable for the shipment and the money that settles it.
                    receivable_pk += 1
                    terms = customer_terms[cid]
                    due = when + dt.timedelta(days=terms)
                    x = rng.random()
                    delay = (
                        rng.randrange(-10, 15)
                        if x < 0.98
                        else rng.randrange(60, 400)
                        if x < 0.999
                        else 10**5
                    )
                    pay_day = due + dt.timedelta(days=delay)
                    split = rng.random() < 0.05
                    if pay_day <= today:
                        if split:
                            first_day = min(pay_day, max(when, pay_day - dt.timedelta(days=20)))
                            half = ship_amount // 2
                            pending_payments.append(
                                (first_day, cid, salesperson, half, receivable_pk)
                            )
                            pending_payments.append(
                                (pay_day, cid, salesperson, ship_amount - half, receivable_pk)
                            )
                        else:
                            pending_payments.append(
                                (pay_day, cid, salesperson, ship_amount, receivable_pk)
                            )
                        allocated, is_open, paid_on = ship_amount, False, pay_day.isoformat()
                    elif split and due <= today:
                        half = ship_amount // 2
                        pending_payments.append((due, cid, salesperson, half, receivable_pk))
                        allocated, is_open, paid_on = half, True, None
                    else:
                        allocated, is_open, paid_on = 0, True, None
                    receivables.add(
                        (
                            receivable_pk,
                            cid,
                            salesperson,
                            order_pk,
                            shipment_pk,
                            "shipment",
                            f"{44000000 + receivable_pk:08d}" if rng.random() < 0.8 else "",
                            when.isoformat(),
                            due.isoformat(),
                            yuan(ship_amount),
                            yuan(allocated),
                            is_open,
                            paid_on,
                            stamp,
                            finance,
                        )
                    )
            for line in order_lines:
                lines.add(
                    (
                        line[0],
                        order_pk,
                        line[1],
                        line[2],
                        line[3],
                        price4(line[4]),
                        yuan(line[5]),
                        line[6],
                        "",
                    )
                )
            cancelled = state == "cancelled"
            orders.add(
                (
                    order_pk,
                    number("SO", day.year),
                    cid,
                    salesperson,
                    "salesperson",
                    day.isoformat(),
                    requested.isoformat(),
                    "",
                    state,
                    promised.isoformat() if promised else None,
                    answered,
                    production,
                    yuan(total),
                    yuan(shipped_total),
                    "0.00",
                    "0.00",
                    last_shipped.isoformat() if last_shipped else None,
                    created,
                    salesperson,
                    confirmed_at,
                    confirmed_by,
                    clock.at(day, 1000) if cancelled else None,
                    assistant if cancelled else None,
                    CANCEL_REASONS[order_pk % len(CANCEL_REASONS)] if cancelled else "",
                    clock.at(min(today, last_shipped + dt.timedelta(days=7)), 600)
                    if state == "closed"
                    else None,
                )
            )
        for loader in (orders, lines, promises, shipments, ship_lines, receivables):
            loader.flush()
        order_seconds = time.perf_counter() - started
        self.timings.append(
            (
                "orders_order + lines, promises, shipments, receivables (generate+write)",
                orders.count,
                order_seconds,
            )
        )
        for loader in (lines, promises, shipments, ship_lines, receivables):
            self.timings.append((f"  {loader.table} (write only)", loader.count, loader.seconds))

        # Payments in the order they arrived; a few leave an unallocated credit.
        started = time.perf_counter()
        pending_payments.sort(key=lambda p: (p[0], p[4]))
        allocation_pk = 0
        methods = ("bank", "bank", "bank", "acceptance", "mobile", "cash")
        paid_by_receivable_order: dict[int, int] = {}
        for pk, (day, cid, salesperson, fen, receivable) in enumerate(pending_payments, 1):
            credit = rng.randrange(100, 100000) if rng.random() < 0.005 else 0
            stamp = clock.at(day, 620)
            payments.add(
                (
                    pk,
                    cid,
                    salesperson,
                    day.isoformat(),
                    yuan(fen + credit),
                    methods[pk % len(methods)],
                    f"B{pk:09d}",
                    yuan(fen),
                    stamp,
                    finance,
                )
            )
            allocation_pk += 1
            allocations.add((allocation_pk, pk, receivable, yuan(fen), stamp, finance))
            paid_by_receivable_order[receivable] = paid_by_receivable_order.get(receivable, 0) + fen
        payments.flush()
        allocations.flush()
        self.timings.append(
            (
                "finance_payment + allocations",
                payments.count + allocations.count,
                time.perf_counter() - started,
            )
        )
        self.n_payments = payments.count

        # Numbers continue after the bench data: the next real order gets a fresh number.
        NumberSequence.objects.bulk_create(
            [NumberSequence(prefix=p, year=y, last=v) for (p, y), v in seq.items()]
        )
        self.order_money_fixups(db)

    def order_money_fixups(self, db: Database) -> None:
        """Order.invoiced_amount (receivables with an invoice number) and paid_amount (allocations), as finance keeps them."""
        started = time.perf_counter()
        if self.engine == "sqlite":
            db.execute("CREATE INDEX bench_tmp_rcv_order ON finance_receivable (order_id)")
            db.execute("""
                UPDATE orders_order SET
                  invoiced_amount = COALESCE((SELECT SUM(CAST(ROUND(r.amount * 100) AS INTEGER))
                                              FROM finance_receivable r WHERE r.order_id = orders_order.id
                                              AND r.invoice_number <> ''), 0) / 100.0,
                  paid_amount = COALESCE((SELECT SUM(CAST(ROUND(r.allocated_amount * 100) AS INTEGER))
                                          FROM finance_receivable r WHERE r.order_id = orders_order.id), 0) / 100.0
                WHERE shipped_amount > 0""")
            db.execute("DROP INDEX bench_tmp_rcv_order")
        else:
            db.execute("""
                UPDATE orders_order o SET invoiced_amount = s.amount, paid_amount = s.allocated
                FROM (SELECT order_id, SUM(CASE WHEN invoice_number <> '' THEN amount ELSE 0 END) AS amount,
                      SUM(allocated_amount) AS allocated FROM finance_receivable GROUP BY order_id) s
                WHERE s.order_id = o.id""")
        self.timings.append(
            ("orders_order invoiced/paid amounts", 0, time.perf_counter() - started)
        )
        started = time.perf_counter()
        from salesdesk.orders.services.summaries import rebuild_monthly_sales

        n = rebuild_monthly_sales()
        self.timings.append(("orders_monthlysales", n, time.perf_counter() - started))


# --- the check --------------------------------------------------------------------------

CHECKS = {
    # name: SQL counting rows whose stored value differs from the rows it derives from.
    "order total = sum of line amounts": """
        SELECT COUNT(*) FROM orders_order o JOIN (SELECT order_id, SUM(ROUND(amount * 100)) AS fen
        FROM orders_orderline GROUP BY order_id) l ON l.order_id = o.id WHERE ROUND(o.total_amount * 100) <> l.fen""",
    "order shipped amount = sum of its shipments": """
        SELECT COUNT(*) FROM orders_order o LEFT JOIN (SELECT order_id, SUM(ROUND(amount * 100)) AS fen,
        MAX(ship_date) AS last FROM orders_shipment GROUP BY order_id) s ON s.order_id = o.id
        WHERE ROUND(o.shipped_amount * 100) <> COALESCE(s.fen, 0) OR o.last_shipped_on IS DISTINCT FROM s.last""",
    "shipment amount = sum of its lines": """
        SELECT COUNT(*) FROM orders_shipment s JOIN (SELECT shipment_id, SUM(ROUND(amount * 100)) AS fen
        FROM orders_shipmentline GROUP BY shipment_id) l ON l.shipment_id = s.id WHERE ROUND(s.amount * 100) <> l.fen""",
    "line shipped quantity = sum shipped": """
        SELECT COUNT(*) FROM orders_orderline ol LEFT JOIN (SELECT order_line_id, SUM(quantity) AS q
        FROM orders_shipmentline GROUP BY order_line_id) s ON s.order_line_id = ol.id
        WHERE ol.shipped_quantity <> COALESCE(s.q, 0)""",
    "customer last order date = newest order not cancelled": """
        SELECT COUNT(*) FROM customers_customer c LEFT JOIN (SELECT customer_id, MAX(order_date) AS d
        FROM orders_order WHERE state <> 'cancelled' GROUP BY customer_id) o ON o.customer_id = c.id
        WHERE c.last_order_date IS DISTINCT FROM o.d""",
    "customer last follow-up = newest follow-up": """
        SELECT COUNT(*) FROM customers_customer c LEFT JOIN (SELECT customer_id, MAX(occurred_at) AS t
        FROM customers_followup GROUP BY customer_id) f ON f.customer_id = c.id
        WHERE c.last_followup_at IS DISTINCT FROM f.t""",
    "receivable collected = sum of allocations, open iff not fully collected": """
        SELECT COUNT(*) FROM finance_receivable r LEFT JOIN (SELECT receivable_id, SUM(ROUND(amount * 100)) AS fen
        FROM finance_allocation GROUP BY receivable_id) a ON a.receivable_id = r.id
        WHERE ROUND(r.allocated_amount * 100) <> COALESCE(a.fen, 0)
           OR r.is_open <> (ROUND(r.allocated_amount * 100) < ROUND(r.amount * 100))""",
    "payment allocated = sum of its allocations": """
        SELECT COUNT(*) FROM finance_payment p LEFT JOIN (SELECT payment_id, SUM(ROUND(amount * 100)) AS fen
        FROM finance_allocation GROUP BY payment_id) a ON a.payment_id = p.id
        WHERE ROUND(p.allocated_amount * 100) <> COALESCE(a.fen, 0)""",
    "order invoiced amount = its receivables with an invoice number": """
        SELECT COUNT(*) FROM orders_order o LEFT JOIN (SELECT order_id, SUM(ROUND(amount * 100)) AS fen
        FROM finance_receivable WHERE invoice_number <> '' GROUP BY order_id) r ON r.order_id = o.id
        WHERE ROUND(o.invoiced_amount * 100) <> COALESCE(r.fen, 0)""",
    "order paid amount = collected on its receivables": """
        SELECT COUNT(*) FROM orders_order o LEFT JOIN (SELECT order_id, SUM(ROUND(allocated_amount * 100)) AS fen
        FROM finance_receivable GROUP BY order_id) r ON r.order_id = o.id
        WHERE ROUND(o.paid_amount * 100) <> COALESCE(r.fen, 0)""",
}


def check(db: Database) -> int:
    """Run every consistency check; print and return the number of failing ones."""
    failed = 0
    for name, sql in CHECKS.items():
        if db.engine == "sqlite":
            sql = sql.replace("IS DISTINCT FROM", "IS NOT")
        started = time.perf_counter()
        (bad,) = db.execute(sql)[0]
        print(
            f"  check {'ok ' if not bad else 'BAD'} {name}: {bad} rows differ ({time.perf_counter() - started:.1f} s)"
        )
        failed += bool(bad)
    from salesdesk.orders.selectors.sales import monthly_sales_drift

    started = time.perf_counter()
    drift = monthly_sales_drift()
    print(
        f"  check {'ok ' if not drift else 'BAD'} monthly sales summary = booked order rows: "
        f"{len(drift)} months differ ({time.perf_counter() - started:.1f} s)"
    )
    return failed + bool(drift)


def counts(db: Database) -> dict[str, int]:
    names = [
        "customers_customer",
        "customers_contact",
        "customers_followup",
        "catalog_product",
        "orders_order",
        "orders_orderline",
        "orders_shipment",
        "finance_receivable",
        "finance_payment",
    ]
    result = {name: db.execute(f"SELECT COUNT(*) FROM {name}")[0][0] for name in names}
    result["open receivables"] = db.execute(
        "SELECT COUNT(*) FROM finance_receivable WHERE is_open"
    )[0][0]
    return result


# --- main -------------------------------------------------------------------------------


def recreate(url: str) -> None:
    if engine_of(url) == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {
        k: v
        for k, v in {
            "host": cfg.get("HOST") or None,
            "port": cfg.get("PORT") or None,
            "user": cfg.get("USER") or None,
            "password": cfg.get("PASSWORD") or None,
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def stamp_of(scale: float, seed: int) -> dict:
    return {
        "scale": f"{scale:g}",
        "seed": str(seed),
        "migrations": migration_state(),
        "generator": GENERATOR_VERSION,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    url = database_url(args.engine, args.scale, args.database_url)
    engine = engine_of(url)
    if engine == "postgres" and not postgres_reachable(url):
        print(f"PostgreSQL at {url} is not reachable", file=sys.stderr)
        return 2
    if engine == "postgres":
        # A database that does not exist yet is created empty before Django connects.
        import dj_database_url
        import psycopg

        cfg = dj_database_url.parse(url)
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.OperationalError:
            recreate(url)
        del cfg
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    wanted = stamp_of(args.scale, args.seed)
    if args.check:
        db = Database(engine, "")
        return 1 if check(db) else 0
    from django.db import DatabaseError

    try:
        meta = read_meta()
        filled = bool(meta) or bool(connection.introspection.table_names())
    except DatabaseError:  # a build killed half-way (SQLite loads without a journal): start again
        meta, filled = {}, True
    if (
        not args.force
        and meta.get("complete") == "1"
        and all(meta.get(k) == v for k, v in wanted.items())
    ):
        print(
            f"bench database {url} matches scale {args.scale:g} (built {meta.get('built_at')}): reused"
        )
        return 0
    if filled:
        connection.close()
        recreate(url)
    print(f"building the bench database {url} at scale {args.scale:g} (seed {args.seed})")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - started
    now_utc = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    now = now_utc.strftime("%Y-%m-%d %H:%M:%S") + ("" if engine == "sqlite" else "+00")
    db = Database(engine, now)
    today = dt.date.today()
    gen = Generator(args.scale, args.seed, engine, today)
    from django.db import transaction

    raw = db.raw()
    if engine == "sqlite":
        # A bulk load needs no crash safety: the file is rebuilt if it fails. WAL comes back after.
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA journal_mode = OFF")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA cache_size = -1000000")
    else:
        # Rows are consistent by construction; FK triggers per row would double the load time.
        db.execute("SET session_replication_role = replica")
    with transaction.atomic():
        gen.run(db)
        index_seconds = db.create_indexes()
        db.execute(f"CREATE TABLE {META_TABLE} (key varchar(40) PRIMARY KEY, value varchar(200))")
    if engine == "sqlite":
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA foreign_keys = ON")
    else:
        db.execute("SET session_replication_role = DEFAULT")
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), _models()):
                cursor.execute(sql)
    started_analyze = time.perf_counter()
    if engine == "sqlite":
        raw.execute("ANALYZE")
    else:
        db.execute("VACUUM ANALYZE")
    analyze_seconds = time.perf_counter() - started_analyze
    total = time.perf_counter() - started
    print(f"  {'migrate':<72} {'':>10} {migrated:7.1f} s")
    for name, rows, seconds in gen.timings:
        print(f"  {name:<72} {rows:>10,} {seconds:7.1f} s")
    print(f"  {'secondary indexes created again':<72} {'':>10} {index_seconds:7.1f} s")
    print(f"  {'ANALYZE':<72} {'':>10} {analyze_seconds:7.1f} s")
    print(f"  {'total':<72} {'':>10} {total:7.1f} s")
    for name, value in counts(db).items():
        print(f"  rows {name:<30} {value:>10,}")
    failed = check(db)
    stamp = {
        **wanted,
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "today": today.isoformat(),
        "build_seconds": f"{total:.0f}",
        "engine": engine,
        "complete": "0" if failed else "1",
    }
    with transaction.atomic():
        for key, value in stamp.items():
            db.execute(
                f"INSERT INTO {META_TABLE} (key, value) VALUES ({_mark(engine)}, {_mark(engine)})",
                (key, value),
            )
    return 1 if failed else 0


def _mark(engine: str) -> str:
    return "?" if engine == "sqlite" else "%s"


def _models():
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "catalog", "core", "customers", "orders", "finance"}
    ]


if __name__ == "__main__":
    sys.exit(main())
