"""Time every page and API list against the SQL it fundamentally needs, then load the main pages.

    .venv/bin/python bench/run.py --scale 0.1                     # SQLite bench database of that scale
    .venv/bin/python bench/run.py --scale 0.1 --engine postgres
    .venv/bin/python bench/run.py --scale 0.01 --no-load --only customers

The bench database must exist (bench/generate.py builds it; `make bench` does both). For each page
of every module that exists (URL names discovered with django.urls; a missing one is named and
skipped) the page is fetched in-process with django.test.Client, signed in as the sales assistant
(or a salesperson for the scoped lists): median ms over the runs after a warm-up, and the number
of queries (CaptureQueriesContext). Beside it runs the hand-written SQL of bench/raw.py. Then
gunicorn (`salesdesk serve`) serves the same database and wrk (or a Python load generator) drives
each main page with 16 connections for 10 s.

Budgets (issue 5): interactive pages ≤ 2× raw and ≤ 10 queries whatever the page number; reports
≤ 1.3× raw; a page whose raw SQL is cheaper than the floor (--floor-ms, default 15 ms: the fixed
cost of session, user and template) is compared against the floor instead; the 10-year monthly
sales report < 200 ms; list pages ≥ 200 req/s with p99 < 100 ms under load. The whole table is
printed first; the exit status is 1 when any budget fails, and each shortfall is named.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, ROOT, database_url, engine_of, read_meta, scale_tag, setup_django  # noqa: E402

INTERACTIVE_RATIO = 2.0
REPORT_RATIO = 1.3
MAX_QUERIES = 10
MONTHLY_REPORT_MS = 200.0
LOAD_RPS = 200.0
LOAD_P99_MS = 100.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--database-url", default="")
    p.add_argument(
        "--runs", type=int, default=7, help="timed runs per page after one warm-up (default 7)"
    )
    p.add_argument("--floor-ms", type=float, default=15.0)
    p.add_argument(
        "--only", default="", help="only cases whose label contains one of these (comma-separated)"
    )
    p.add_argument("--no-load", action="store_true", help="skip the gunicorn load run")
    p.add_argument("--load-seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: salesdesk serve's)"
    )
    return p.parse_args(argv)


@dataclass
class Case:
    label: str
    url_name: str
    raw: str = ""  # function name in raw.py
    args: tuple = ()
    query: dict = field(default_factory=dict)
    user: str = "assistant"
    kind: str = "interactive"  # or "report"
    load: bool = False  # part of the load run
    is_list: bool = False  # load budget applies
    limit_ms: float | None = None  # an absolute budget besides the ratio


@dataclass
class Result:
    case: Case
    status: str = ""
    page_ms: float | None = None
    raw_ms: float | None = None
    queries: int | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    load_verdict: str = ""


def cases(ctx) -> list[Case]:
    deep = {"page": str(ctx.deep_page)}
    period = {"start": ctx.period_start, "end": ctx.today_s}
    return [
        Case("customer list", "customers:list", "customers_unfiltered", load=True, is_list=True),
        Case(
            "customer list filtered (province, status)",
            "customers:list",
            "customers_filtered",
            query={"province": "浙江", "status": "active"},
            load=True,
            is_list=True,
        ),
        Case(f"customer list page {ctx.deep_page}", "customers:list", "customers_deep", query=deep),
        Case(
            f"customer search by pinyin '{ctx.pinyin}'",
            "customers:list",
            "customers_pinyin",
            query={"search": ctx.pinyin},
            load=True,
            is_list=True,
        ),
        Case(
            "customer list (salesperson)",
            "customers:list",
            "customers_salesperson",
            user="salesperson",
        ),
        Case(
            "customer detail (biggest customer)",
            "customers:detail",
            "customer_detail",
            args=(ctx.customer_id,),
            load=True,
        ),
        Case("customer file gaps", "customers:gaps", "customer_gaps"),
        Case("follow-ups due", "customers:followups-due", "followups_due", load=True, is_list=True),
        Case("pipeline board", "customers:leads", "pipeline"),
        Case("mailings", "customers:mailings", "mailings"),
        Case(
            "new customers (12 months)",
            "customers:new-customers",
            "new_customers",
            query=period,
            kind="report",
        ),
        Case("win/loss (12 months)", "customers:win-loss", "win_loss", query=period, kind="report"),
        Case("review pack (14 days)", "customers:review", "review", kind="report"),
        Case("order list", "orders:list", "orders_unfiltered", load=True, is_list=True),
        Case(
            "order list state=in_production",
            "orders:list",
            "orders_open_state",
            query={"state": "in_production"},
        ),
        Case(f"order list page {ctx.deep_page}", "orders:list", "orders_deep", query=deep),
        Case("order list (salesperson)", "orders:list", "orders_salesperson", user="salesperson"),
        Case("order page", "orders:detail", "order_detail", args=(ctx.order_id,), load=True),
        Case("promise worklist", "orders:promises", "promises"),
        Case("contract execution", "orders:contracts", "contracts"),
        Case("shipments list", "orders:shipments", "shipments", load=True, is_list=True),
        Case("shipment page", "orders:shipment-detail", "shipment_detail", args=(ctx.shipment_id,)),
        Case("products list", "catalog:products", "products", load=True, is_list=True),
        Case("sample approvals", "catalog:approvals", "approvals"),
        Case(
            "receivables list (all)", "finance:receivables", "receivables", load=True, is_list=True
        ),
        Case(
            "receivables list open",
            "finance:receivables",
            "receivables_open",
            query={"status": "open"},
        ),
        Case("payments list", "finance:payments", "payments", load=True, is_list=True),
        # A document page (one page of lines with the balance brought forward), not an
        # aggregate report: the interactive budget (≤ 2× raw, ≤ 10 queries) applies.
        Case(
            "customer statement (biggest customer, 12 months)",
            "finance:statement",
            "statement",
            query={"customer": ctx.customer_code, "start": ctx.period_start, "end": ctx.today_s},
        ),
        Case("aging", "finance:aging", "aging", kind="report"),
        Case("API aging", "report-aging", "aging", kind="report"),
        Case("chase list", "finance:chase", "chase"),
        Case("today (Today page)", "reports:today", "today", load=True),
        Case("today (salesperson)", "reports:today", "today_salesperson", user="salesperson"),
        Case("API today", "api-today", "today"),
        Case(
            "collection rate (12 months by month)",
            "finance:collection-rate",
            "collection_rate",
            kind="report",
            query={"from": ctx.period_start, "to": ctx.today_s, "by": "month"},
        ),
        Case(
            "10-year monthly sales report (by salesperson)",
            "reports:sales",
            "sales_monthly_ten_years",
            query={
                "period": "month",
                "date_from": ctx.ten_years_ago,
                "date_to": ctx.today_s,
                "by": "salesperson",
            },
            kind="report",
            limit_ms=MONTHLY_REPORT_MS,
        ),
        Case(
            "sales report (12 months by customer)",
            "reports:sales",
            "sales_by_customer",
            query={"period": "month", "by": "customer"},
            kind="report",
        ),
        Case(
            "sales report (12 weeks by region)",
            "reports:sales",
            "sales_weeks_by_region",
            query={"period": "week", "by": "region"},
            kind="report",
        ),
        Case("salesperson ranking (month)", "reports:ranking", "ranking_month", kind="report"),
        Case(
            "new-product promotion (12 months)",
            "reports:new-products",
            "new_products",
            kind="report",
        ),
        Case("API customers", "customer-list", "api_customers"),
        Case("API contacts", "contact-list", "api_contacts"),
        Case("API follow-ups", "followup-list", "api_followups"),
        Case("API leads", "lead-list", "api_leads"),
        Case("API orders", "order-list", "api_orders"),
        Case("API shipments", "shipment-list", "api_shipments"),
        Case("API products", "product-list", "api_products"),
        Case("API receivables", "receivable-list", "api_receivables"),
        Case("API payments", "payment-list", "api_payments"),
    ]


# Finance URL names are not settled while issue 4 is built: the first one that exists is used.
ALIASES = {
    "finance:receivables": ["finance:receivables", "finance:receivable-list", "finance:list"],
    "finance:payments": ["finance:payments", "finance:payment-list"],
    "finance:aging": ["finance:aging", "finance:receivables-aging", "finance:aging-report"],
    "finance:chase": ["finance:chase", "finance:chase-list", "finance:overdue"],
    "finance:collection-rate": [
        "finance:collection-rate",
        "finance:collection",
        "finance:collections",
    ],
    "receivable-list": ["receivable-list"],
    "payment-list": ["payment-list"],
}


class Ctx:
    def __init__(self, engine: str, scale: float, today: dt.date):
        from django.db import connection

        self.engine, self.scale, self.today = engine, scale, today
        self.today_s = today.isoformat()
        self.deep_page = max(2, round(1000 * scale))
        self.period_start = (today - dt.timedelta(days=365)).isoformat()
        self.ten_years_ago = today.replace(year=today.year - 10).isoformat()
        self.period_bounds = (
            self.utc(today - dt.timedelta(days=365)),
            self.utc(today + dt.timedelta(days=1)),
        )
        self.review_bounds = (
            self.utc(today - dt.timedelta(days=13)),
            self.utc(today + dt.timedelta(days=1)),
        )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        self.answer_cutoff = self.stamp(now - dt.timedelta(hours=24))
        self.late_cutoff = self.stamp(now - dt.timedelta(days=30))
        self.created_plus_24h = (
            "datetime(o.created_at, '+24 hours')"
            if engine == "sqlite"
            else "o.created_at + interval '24 hours'"
        )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT customer_id FROM orders_order GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 1"
            )
            self.customer_id = cur.fetchone()[0]
            cur.execute(
                "SELECT order_id FROM orders_shipment GROUP BY order_id HAVING COUNT(*) > 1 "
                "ORDER BY order_id DESC LIMIT 1"
            )
            row = cur.fetchone()
            cur.execute("SELECT MAX(order_id) FROM orders_shipment")
            self.order_id = row[0] if row else cur.fetchone()[0]
            cur.execute("SELECT MAX(id) FROM orders_shipment")
            self.shipment_id = cur.fetchone()[0]
            cur.execute(
                "SELECT name_initials, code FROM customers_customer WHERE id = %s",
                (self.customer_id,),
            )
            initials, self.customer_code = cur.fetchone()
            self.pinyin = initials[:4]
            cur.execute("SELECT id FROM accounts_user WHERE username = 'bench-sales01'")
            self.salesperson_id = cur.fetchone()[0]

    def utc(self, day: dt.date) -> str:
        """Local midnight of `day` (Asia/Shanghai) as the UTC text the engine compares with."""
        return self.stamp(dt.datetime(day.year, day.month, day.day) - dt.timedelta(hours=8))

    def stamp(self, value: dt.datetime) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S") + ("" if self.engine == "sqlite" else "+00")

    def days_ago(self, n: int) -> str:
        return (self.today - dt.timedelta(days=n)).isoformat()


# --- in-process timing ------------------------------------------------------------------------


def timed(fn, runs: int) -> list[float]:
    return timed_pair(fn, None, runs)[0]


def timed_pair(fn, other, runs: int) -> tuple[list[float], list[float]]:
    """Times of `fn` and of `other` (None: `fn` alone) after a warm-up of each, run in turns:
    a page and its raw SQL then meet the same moments of a shared machine (this VM drifts by
    ±20 % over a minute), so their ratio does not depend on which ran first."""
    fns = [fn] if other is None else [fn, other]
    for f in fns:
        f()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    budget_end = time.perf_counter() + 20 * len(fns)
    for i in range(runs):
        for f, spent in zip(fns, times, strict=True):
            started = time.perf_counter()
            f()
            spent.append((time.perf_counter() - started) * 1000)
        if i >= 2 and time.perf_counter() > budget_end:
            break
    return times[0], times[1] if other is not None else []


def resolve(name: str, args: tuple):
    from django.urls import NoReverseMatch, reverse

    for candidate in ALIASES.get(name, [name]):
        try:
            return candidate, reverse(candidate, args=args)
        except NoReverseMatch:
            continue
    return None, None


def measure(case: Case, ctx, clients: dict, runs: int, floor: float) -> Result:
    import raw
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(case)
    name, url = resolve(case.url_name, case.args)
    if url is None:
        result.status = "missing"
        result.verdict = "skipped: page missing"
        return result
    if case.query:
        url += "?" + urllib.parse.urlencode(case.query)
    client = clients[case.user]

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018 - rendered

    try:
        with CaptureQueriesContext(connection) as captured:
            page()
        result.queries = len(captured.captured_queries)
    except Exception as exc:  # a page that cannot run at scale is a finding, not a crash
        result.status = "error"
        result.verdict = f"FAIL: {exc}"[:120]
        return result
    result.status = "ok"
    raw_run = None
    if case.raw:
        fn = getattr(raw, case.raw)

        def raw_run():
            with connection.cursor() as cur:
                fn(cur, ctx)

        try:
            raw_run()
        except Exception as exc:
            result.notes.append(f"raw SQL failed: {exc}"[:100])
            raw_run = None
    try:
        page_times, raw_times = timed_pair(page, raw_run, runs)
    except Exception as exc:
        result.status = "error"
        result.verdict = f"FAIL: {exc}"[:120]
        return result
    result.page_ms = statistics.median(page_times)
    if raw_times:
        result.raw_ms = statistics.median(raw_times)
    problems = []
    # A case with an absolute budget (the 10-year monthly report: 200 ms over 3M lines) is held
    # to it; its raw SQL (reading the summary) is shown for reference.
    if result.raw_ms is not None and case.limit_ms is None:
        limit = INTERACTIVE_RATIO if case.kind == "interactive" else REPORT_RATIO
        if result.page_ms > limit * max(result.raw_ms, floor):
            problems.append(f"{result.page_ms / max(result.raw_ms, 0.001):.1f}× raw > {limit}×")
    if case.kind == "interactive" and result.queries > MAX_QUERIES:
        problems.append(f"{result.queries} queries > {MAX_QUERIES}")
    if case.limit_ms is not None and result.page_ms > case.limit_ms:
        problems.append(f"{result.page_ms:.0f} ms > {case.limit_ms:.0f} ms")
    result.verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
    return result


def monthly_report(ctx, runs: int) -> list[Result]:
    """What the 10-year monthly sales figures cost three ways, beside the page's own case
    (informational: why the page reads the monthly summary)."""
    import raw
    from django.db import connection

    results = []
    for label, fn in (
        ("monthly sales, raw over all order lines", raw.monthly_sales_lines),
        ("monthly sales, raw over stored order totals", raw.monthly_sales_orders),
        ("monthly sales, raw over the monthly summary table", raw.monthly_sales_summary),
    ):
        case = Case(label, "reports:sales", kind="report")
        result = Result(case, status="raw")

        def run_raw(fn=fn):
            with connection.cursor() as cur:
                fn(cur, ctx)

        result.raw_ms = statistics.median(timed(run_raw, max(3, runs // 2)))
        # Informational: the budget binds the page; these say which way of answering can meet it.
        result.verdict = (
            "fits 200 ms"
            if result.raw_ms < MONTHLY_REPORT_MS
            else f"info: {result.raw_ms:.0f} ms, a page summing these rows cannot meet 200 ms"
        )
        results.append(result)
    # The page itself is the case "10-year monthly sales report" (200 ms budget).
    return results


def unbenched_pages(covered: set[str]) -> list[str]:
    """GET pages without arguments that no case covers (to keep the case list honest)."""
    from django.urls import get_resolver

    found = []

    def walk(resolver, ns):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif p.name and not p.pattern.regex.groups:
                found.append(ns + p.name)

    walk(get_resolver(), "")
    skip = re.compile(
        r"(create|new|import|export|template|token|schema|login|logout|set_language|api-root|"
        r"search|confirm|home|^admin:)"
    )
    return sorted({n for n in found if n not in covered and not skip.search(n)})


# --- load run -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    env = dict(os.environ)
    env.update(
        {"DATABASE_URL": url, "SALESDESK_DEBUG": "", "DJANGO_SETTINGS_MODULE": "salesdesk.settings"}
    )
    env.pop("SALESDESK_INSECURE_DEV_KEY", None)
    cmd = [
        str(ROOT / ".venv" / "bin" / "salesdesk"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if workers:
        cmd += ["--workers", str(workers)]
    log = Path(tempfile.mkstemp(prefix="sd-bench-gunicorn-", suffix=".log")[1])
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.3)
    time.sleep(1.5)  # let every worker boot
    return proc, port, log


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (
        sum(int(g) for g in errors.groups()) if errors else 0
    )
    if not re.search(r"\s50%\s", out) or rps == 0:
        raise RuntimeError("no request answered within 10 s")
    return rps, p50, p99, failed


def python_load(
    url: str, cookie: str, seconds: int, connections: int
) -> tuple[float, float, float, int]:
    """Threads with keep-alive connections: the fallback when wrk is not installed."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local = []
        while time.perf_counter() < end:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            local.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                bad[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return (
        len(latencies) / seconds,
        latencies[len(latencies) // 2],
        latencies[int(len(latencies) * 0.99)],
        bad[0],
    )


def drain(port: int, limit: float = 120.0) -> None:
    """Wait until the server answers a cheap page quickly: requests queued by the previous page
    (wrk stops, gunicorn's sync workers still serve what they accepted) must not slow the next."""
    import http.client

    end = time.time() + limit
    while time.time() < end:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(0.5)


def load_run(url: str, results: list[Result], cookie: str, args) -> None:
    from django.urls import reverse  # noqa: F401

    proc, port, log = start_server(url, args.workers)
    runner = wrk if shutil.which("wrk") else python_load
    print(
        f"\nload run: gunicorn on 127.0.0.1:{port}, {runner.__name__}, {args.connections} connections, "
        f"{args.load_seconds} s per page",
        flush=True,
    )
    try:
        for result in results:
            if not result.case.load or result.status != "ok":
                continue
            name, path = resolve(result.case.url_name, result.case.args)
            if result.case.query:
                path += "?" + urllib.parse.urlencode(result.case.query)
            drain(port)
            try:
                rps, p50, p99, bad = runner(
                    f"http://127.0.0.1:{port}{path}", cookie, args.load_seconds, args.connections
                )
            except Exception as exc:
                result.load_verdict = f"FAIL: load run failed: {exc}"[:120]
                continue
            result.rps, result.p50, result.p99 = rps, p50, p99
            problems = []
            if bad:
                problems.append(f"{bad} requests failed (non-200 or timeout)")
            if result.case.is_list and rps < LOAD_RPS:
                problems.append(f"{rps:.0f} req/s < {LOAD_RPS:.0f}")
            if result.case.is_list and p99 >= LOAD_P99_MS:
                problems.append(f"p99 {p99:.0f} ms ≥ {LOAD_P99_MS:.0f}")
            result.load_verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
            print(
                f"  {result.case.label:<45} {rps:8.0f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
                f"{result.load_verdict}",
                flush=True,
            )
    finally:
        stop_server(proc)
        log.unlink(missing_ok=True)


# --- output -----------------------------------------------------------------------------------


def fmt(value, pattern="{:.1f}") -> str:
    return "—" if value is None else pattern.format(value)


def budget_text(case: Case) -> str:
    if case.label.startswith("monthly sales") or case.label.startswith("10-year"):
        return "< 200 ms"
    if case.kind == "report":
        return "≤ 1.3× raw"
    return f"≤ 2× raw, ≤ {MAX_QUERIES} q"


def print_table(results: list[Result], engine: str, scale: float) -> None:
    print("\n| page | engine | scale | median ms | raw ms | ratio | queries | budget | verdict |")
    print("|---|---|---|---:|---:|---:|---:|---|---|")
    for r in results:
        ratio = None
        if r.page_ms is not None and r.raw_ms:
            ratio = r.page_ms / r.raw_ms
        print(
            f"| {r.case.label} | {engine} | {scale:g} | {fmt(r.page_ms)} | {fmt(r.raw_ms)} | "
            f"{fmt(ratio, '{:.2f}')} | {fmt(r.queries, '{}')} | {budget_text(r.case)} | {r.verdict} |"
        )
    loaded = [r for r in results if r.rps is not None or r.load_verdict]
    if loaded:
        print(
            "\n| page under load (16 connections) | engine | scale | req/s | p50 ms | p99 ms | budget | verdict |"
        )
        print("|---|---|---|---:|---:|---:|---|---|")
        for r in loaded:
            budget = "≥ 200 req/s, p99 < 100 ms" if r.case.is_list else "(detail page: reported)"
            print(
                f"| {r.case.label} | {engine} | {scale:g} | {fmt(r.rps, '{:.0f}')} | {fmt(r.p50)} | {fmt(r.p99)} | "
                f"{budget} | {r.load_verdict} |"
            )


def main(argv=None) -> int:
    args = parse_args(argv)
    url = database_url(args.engine, args.scale, args.database_url)
    engine = engine_of(url)
    # One secret for this process and the gunicorn it starts, so the session cookie is valid there.
    os.environ.setdefault("SALESDESK_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SALESDESK_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    # Pages render with the production static storage (manifest): collect this checkout's files
    # under var/bench/static, never touching var/static.
    os.environ["SALESDESK_VAR_DIR"] = str(BENCH_DIR)
    setup_django(url)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    meta = read_meta()
    if not meta:
        print(
            f"{url} is not a bench database: run bench/generate.py --scale {args.scale:g} first",
            file=sys.stderr,
        )
        return 2
    scale = float(meta["scale"])
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    clients = {}
    for key, username in (("assistant", "bench-assistant"), ("salesperson", "bench-sales01")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[key] = client
    ctx = Ctx(engine, scale, dt.date.today())
    print(
        f"bench run on {engine} ({url}), scale {scale:g}, data built {meta.get('built_at')}, "
        f"{args.runs} runs per page",
        flush=True,
    )
    results = []
    all_cases = cases(ctx)
    for case in all_cases:
        if args.only and not any(part.strip() in case.label for part in args.only.split(",")):
            continue
        result = measure(case, ctx, clients, args.runs, args.floor_ms)
        results.append(result)
        print(
            f"  {case.label:<50} {fmt(result.page_ms):>9} ms  raw {fmt(result.raw_ms):>8} ms  "
            f"{fmt(result.queries, '{}'):>3} q  {result.verdict}",
            flush=True,
        )
    if not args.only or "monthly" in args.only:
        results.extend(monthly_report(ctx, args.runs))
    covered = {c.url_name for c in all_cases} | {n for names in ALIASES.values() for n in names}
    missing_cases = unbenched_pages(covered)
    if not args.no_load:
        load_run(url, results, clients["assistant"].cookies["sessionid"].value, args)
    print_table(results, engine, scale)
    skipped = [r.case.label for r in results if r.status == "missing"]
    if skipped:
        print(f"\nskipped (page not there yet): {', '.join(skipped)}")
    if missing_cases:
        print(f"pages without a bench case: {', '.join(missing_cases)}")
    shortfalls = [(r.case.label, r.verdict) for r in results if r.verdict.startswith("FAIL")]
    shortfalls += [
        (f"{r.case.label} (load)", r.load_verdict)
        for r in results
        if r.load_verdict.startswith("FAIL")
    ]
    out = BENCH_DIR / f"results-{engine}-{scale_tag(scale)}.json"
    out.write_text(
        json.dumps(
            [
                {
                    "page": r.case.label,
                    "url_name": r.case.url_name,
                    "kind": r.case.kind,
                    "status": r.status,
                    "median_ms": r.page_ms,
                    "raw_ms": r.raw_ms,
                    "queries": r.queries,
                    "verdict": r.verdict,
                    "rps": r.rps,
                    "p50_ms": r.p50,
                    "p99_ms": r.p99,
                    "load_verdict": r.load_verdict,
                }
                for r in results
            ],
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"results written to {out.relative_to(ROOT)}")
    if shortfalls:
        print(f"\n{len(shortfalls)} shortfall(s) on {engine} at scale {scale:g}:")
        for label, verdict in shortfalls:
            print(f"  - {label}: {verdict.removeprefix('FAIL: ')}")
        return 1
    print(f"\nevery budget met on {engine} at scale {scale:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
