"""Benchmark: entering orders of 3 lines through the service layer sustains ≥ 300 orders/s (issue 3).

Runs against a throw-away database, never your data: a SQLite file in a temporary directory by
default, or a fresh PostgreSQL database when DATABASE_URL is given (the database named in the
URL is dropped and created again, then dropped at the end unless --keep):

    .venv/bin/python bench/orders_throughput.py [--orders 2000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench_orders .venv/bin/python bench/orders_throughput.py

Each order goes through salesdesk.orders.services.orders.order_create in its own transaction,
as a clerk saving one order at a time would; the run fails (exit 1) under 300 orders/s.
PostgreSQL is reached as configured (TCP to 127.0.0.1 in `make bench`, not the Unix socket).

Besides the rate it prints the statements per order and the CPU time per order of this process
and, on PostgreSQL, of its server backend, with the load average: on a shared machine the rate
follows the load, the CPU times much less (docs/performance.md, "Order entry").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_PER_SECOND = 300.0


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000, help="orders to enter (default 2000)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary database and print where it is"
    )
    return parser.parse_args()


def _recreate_postgres(url: str) -> None:
    """Drop and create the database named in `url` through the server's maintenance database."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    conninfo = {
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')


def _backend_cpu(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (0 when not readable:
    SQLite, or a server on another machine)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SALESDESK_INSECURE_DEV_KEY", "1")
    os.environ["SALESDESK_DEBUG"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed():
    """A few customers, ten carton products, one salesperson and one commercial assistant."""
    from salesdesk.accounts.models import User
    from salesdesk.accounts.roles import Role
    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer

    sales = User.objects.create(username="sales1", role=Role.SALESPERSON, display_name="李业务")
    clerk = User.objects.create(username="commercial", role=Role.COMMERCIAL, display_name="赵商务")
    customers = [
        Customer.objects.create(code=f"C{i:05d}", name=f"杭州第{i}包装有限公司", owner=sales)
        for i in range(1, 6)
    ]
    products = [
        Product.objects.create(
            code=f"BX-{i:03d}",
            name=f"五层BC楞纸箱{i}号",
            length_mm=400 + i,
            width_mm=300,
            height_mm=250,
            list_price=Decimal("1.2345") + i,
        )
        for i in range(1, 11)
    ]
    return clerk, sales, customers, products


def main() -> int:
    args = parse_args()
    given = os.environ.get("DATABASE_URL", "")
    tmp = None
    if given.startswith(("postgres://", "postgresql://")):
        _recreate_postgres(given)
        url, where = given, given.rsplit("/", 1)[-1]
    else:
        tmp = tempfile.mkdtemp(prefix="salesdesk-bench-")
        db_path = Path(tmp) / "bench.sqlite3"
        url, where = f"sqlite:///{db_path}", str(db_path)
    setup_django(url)

    from django.db import connection

    from salesdesk.orders.choices import OrderChannel
    from salesdesk.orders.models import Order, OrderLine
    from salesdesk.orders.services.orders import order_create

    clerk, sales, customers, products = seed()
    n = args.orders
    start_day = dt.date(2026, 1, 1)
    plans = []
    for i in range(n):
        picked = [products[(i + k * 3) % len(products)] for k in range(3)]
        plans.append(
            {
                "customer": customers[i % len(customers)],
                "order_date": start_day + dt.timedelta(days=i % 300),
                "lines": [
                    {
                        "product": p,
                        "quantity": 100 + (i % 50) * 10 + k,
                        "unit_price": None if k == 2 else Decimal("0.8560") + k,
                    }
                    for k, p in enumerate(picked)
                ],
            }
        )
    print(f"{connection.vendor}: entering {n} orders of 3 lines through order_create ({where})")

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    load_before = os.getloadavg()[0]
    backend_before, cpu_before = _backend_cpu(connection), time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for plan in plans:
            order_create(
                by=clerk,
                customer=plan["customer"],
                salesperson=sales,
                channel=OrderChannel.PHONE,
                order_date=plan["order_date"],
                lines=plan["lines"],
            )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    backend = _backend_cpu(connection) - backend_before
    rate = n / elapsed

    assert Order.objects.count() == n and OrderLine.objects.count() == 3 * n
    assert OrderLine.history.count() == 3 * n and Order.history.count() == n
    numbers = list(Order.objects.order_by("number").values_list("number", flat=True)[:2])
    print(
        f"entered {n} orders ({3 * n} lines, with history) in {elapsed:.2f} s: {rate:.0f} orders/s"
    )
    print(f"first numbers: {', '.join(numbers)}")
    backend_note = f", server backend {backend / n * 1000:.2f} ms" if backend else ""
    print(
        f"per order: {statements[0] / n:.0f} statements through Django's cursor (COMMIT not counted), "
        f"CPU of this process {cpu / n * 1000:.2f} ms{backend_note}; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} cores)"
    )

    connection.close()
    if args.keep:
        print(f"database kept: {where}")
    elif tmp:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{where}{suffix}").unlink(missing_ok=True)
        os.rmdir(tmp)
    else:
        _drop_postgres(given)
    if rate < LIMIT_PER_SECOND:
        print(f"FAIL: {rate:.0f} orders/s is under {LIMIT_PER_SECOND:.0f}")
        return 1
    print(f"OK: at least {LIMIT_PER_SECOND:.0f} orders/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
