"""The SQL each benchmarked page fundamentally needs, written by hand (bench/run.py times it beside the page).

Each function gets a DB-API cursor (Django's, %s placeholders, both engines) and the run's context,
and runs what the page must read: the same filter, order, limit and aggregate, the total count a
paged list shows, and the related rows it displays (contacts, lines). Nothing more: no session,
no user, no template. Written for the schema as it is; a better plan the page could use (an index,
a stored aggregate) is named in docs/performance.md, not used here.

An HTML list page counts its rows up to SALESDESK_LIST_COUNT_CAP ("10,000+", core.pagination),
so its raw SQL counts the same way (`_capped_count`); the JSON API lists count exactly, and so
does theirs.

Money is summed as the pages must sum it (R-5, issue 4: exact to the fen, never through float):
each amount rounded to integer fen, `ROUND(x * 100)`. PostgreSQL's numeric adds those exactly;
on SQLite, where decimals are REAL, `_fetch` casts each rounded amount to an integer so that the
sum adds integers, as the pages' FenSum does.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

PAGE = 50


def _ids(rows, index=0) -> str:
    return ",".join(str(r[index]) for r in rows) or "0"


# ROUND(<amount expression> * 100), the expression with at most one level of parentheses.
_FEN = re.compile(r"ROUND\(((?:[^()]|\([^()]*\))+?) \* 100\)")


def exact_fen(sql: str, vendor: str) -> str:
    """On SQLite, every amount rounded to fen cast to an integer (see the module's docstring)."""
    if vendor != "sqlite":
        return sql
    return _FEN.sub(r"CAST(ROUND(\1 * 100) AS INTEGER)", sql)


def _fetch(cur, sql: str, params=()) -> list:
    cur.execute(exact_fen(sql, cur.db.vendor), params)
    return cur.fetchall()


def _capped_count(cur, source: str, params=(), *, reach: int = 0) -> list:
    """The count an HTML list page shows (core.pagination.capped_count): the rows of `source`
    (what follows FROM: tables and WHERE) read up to SALESDESK_LIST_COUNT_CAP, or up to `reach`
    (page number × page size: a deep page) when further, plus one row to tell "10,000+" from
    10,000. A cap of 0 counts every row, as the pages then do."""
    cap = settings.SALESDESK_LIST_COUNT_CAP
    if cap <= 0:
        return _fetch(cur, f"SELECT COUNT(*) FROM {source}", params)
    limit = max(cap, reach) + 1
    return _fetch(
        cur, f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} LIMIT {limit}) capped", params
    )


# --- customers ----------------------------------------------------------------------------

CUSTOMER_COLS = (
    "c.id, c.code, c.name, c.short_name, c.tier, c.status, c.province, c.city, c.completeness, "
    "c.last_order_date, c.last_followup_at, c.next_followup_on, u.display_name, u.username"
)


def customer_list(cur, ctx, *, where: str = "", params=(), page: int = 1) -> None:
    """One page of live customer files with their owner, key accounts first; the files counted
    up to the cap (or past the page asked for); the page's customers' live contacts."""
    sql_where = "c.archived_at IS NULL" + (f" AND {where}" if where else "")
    rows = _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS} FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        f"WHERE {sql_where} ORDER BY c.tier, c.name, c.id LIMIT {PAGE} OFFSET {(page - 1) * PAGE}",
        params,
    )
    _capped_count(cur, f"customers_customer c WHERE {sql_where}", params, reach=page * PAGE)
    _fetch(
        cur,
        "SELECT customer_id, name, title, mobile, phone FROM customers_contact WHERE archived_at IS NULL "
        f"AND customer_id IN ({_ids(rows)}) ORDER BY customer_id, is_primary DESC, name, id",
    )


def customers_unfiltered(cur, ctx):
    customer_list(cur, ctx)


def customers_filtered(cur, ctx):
    customer_list(cur, ctx, where="c.province = %s AND c.status = %s", params=("浙江", "active"))


def customers_deep(cur, ctx):
    customer_list(cur, ctx, page=ctx.deep_page)


def customers_pinyin(cur, ctx):
    like = f"%{ctx.pinyin}%"
    customer_list(
        cur, ctx, where="(c.name_pinyin LIKE %s OR c.name_initials LIKE %s)", params=(like, like)
    )


def customers_salesperson(cur, ctx):
    customer_list(cur, ctx, where="c.owner_id = %s", params=(ctx.salesperson_id,))


def customer_detail(cur, ctx):
    cid = ctx.customer_id
    _fetch(
        cur,
        "SELECT c.*, u.display_name FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        "WHERE c.id = %s",
        (cid,),
    )
    _fetch(
        cur,
        "SELECT * FROM customers_contact WHERE customer_id = %s ORDER BY is_primary DESC, name, id",
        (cid,),
    )
    _fetch(
        cur,
        "SELECT * FROM customers_followup WHERE customer_id = %s ORDER BY occurred_at DESC, id DESC LIMIT 11",
        (cid,),
    )
    leads = _fetch(
        cur,
        "SELECT id FROM customers_lead WHERE customer_id = %s ORDER BY stage_changed_at DESC, id "
        "LIMIT 1",
        (cid,),
    )
    if leads:
        _fetch(
            cur,
            "SELECT * FROM customers_leadstagechange WHERE lead_id = %s ORDER BY changed_at DESC, id DESC "
            "LIMIT 20",
            (leads[0][0],),
        )
    _fetch(
        cur,
        "SELECT * FROM customers_mailing WHERE customer_id = %s ORDER BY sent_on DESC, id DESC LIMIT 10",
        (cid,),
    )


def customer_gaps(cur, ctx):
    """Live files below 100 % complete, key accounts and the least complete first, counted up to
    the cap; the page's customers' live contacts (what the gaps are worked out from)."""
    rows = _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS} FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        "WHERE c.archived_at IS NULL AND c.completeness < 100 "
        f"ORDER BY c.tier, c.completeness, c.name, c.id LIMIT {PAGE}",
    )
    _capped_count(cur, "customers_customer WHERE archived_at IS NULL AND completeness < 100")
    _fetch(
        cur,
        "SELECT customer_id, name, mobile FROM customers_contact WHERE archived_at IS NULL "
        f"AND customer_id IN ({_ids(rows)})",
    )


def followups_due(cur, ctx):
    """Live files whose next follow-up is due by today with the last follow-up's summary, key
    accounts first then the earliest date; counted up to the cap."""
    where = "c.archived_at IS NULL AND c.next_followup_on <= %s"
    _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS}, (SELECT f.summary FROM customers_followup f WHERE f.customer_id = c.id "
        "ORDER BY f.occurred_at DESC, f.id DESC LIMIT 1) FROM customers_customer c "
        f"LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE {where} "
        f"ORDER BY c.tier, c.next_followup_on, c.name, c.id LIMIT {PAGE}",
        (ctx.today_s,),
    )
    _capped_count(cur, f"customers_customer c WHERE {where}", (ctx.today_s,))


def pipeline(cur, ctx):
    stages = _fetch(
        cur, "SELECT stage, COUNT(*) FROM customers_lead WHERE closed_at IS NULL GROUP BY stage"
    )
    for stage, _n in stages:
        _fetch(
            cur,
            "SELECT l.*, c.name, c.tier, u.display_name FROM customers_lead l "
            "JOIN customers_customer c ON c.id = l.customer_id LEFT JOIN accounts_user u ON u.id = c.owner_id "
            "WHERE l.closed_at IS NULL AND l.stage = %s ORDER BY c.tier, l.stage_changed_at, l.id LIMIT 100",
            (stage,),
        )


def mailings(cur, ctx):
    _fetch(
        cur,
        "SELECT m.*, c.name, c.tier FROM customers_mailing m JOIN customers_customer c ON c.id = m.customer_id "
        f"ORDER BY m.sent_on DESC, m.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM customers_mailing")


def new_customers(cur, ctx):
    low, high = ctx.period_bounds
    where = "c.created_at >= %s AND c.created_at < %s"
    _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS}, c.source, (SELECT l.stage FROM customers_lead l WHERE l.customer_id = c.id "
        "ORDER BY l.created_at DESC, l.id DESC LIMIT 1) FROM customers_customer c "
        f"LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE {where} "
        f"ORDER BY c.tier, c.created_at, c.id LIMIT {PAGE}",
        (low, high),
    )
    _fetch(cur, f"SELECT COUNT(*) FROM customers_customer c WHERE {where}", (low, high))


def win_loss(cur, ctx):
    low, high = ctx.period_bounds
    closed = (
        "FROM customers_lead l JOIN customers_customer c ON c.id = l.customer_id "
        "WHERE l.closed_at >= %s AND l.closed_at < %s AND l.stage IN ('won', 'lost')"
    )
    counts = "SUM(CASE WHEN l.stage = 'won' THEN 1 ELSE 0 END), SUM(CASE WHEN l.stage = 'lost' THEN 1 ELSE 0 END)"
    _fetch(cur, f"SELECT c.source, {counts} {closed} GROUP BY c.source", (low, high))
    _fetch(
        cur,
        f"SELECT c.owner_id, u.display_name, {counts} {closed.replace('WHERE', 'LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE')} "
        "GROUP BY c.owner_id, u.display_name",
        (low, high),
    )
    _fetch(
        cur,
        f"SELECT l.lost_reason, COUNT(*) {closed} AND l.stage = 'lost' GROUP BY l.lost_reason",
        (low, high),
    )


def review(cur, ctx):
    low, high = ctx.review_bounds
    _fetch(
        cur,
        "SELECT s.*, l.stage, c.name, c.tier FROM customers_leadstagechange s "
        "JOIN customers_lead l ON l.id = s.lead_id JOIN customers_customer c ON c.id = l.customer_id "
        "WHERE s.changed_at >= %s AND s.changed_at < %s AND s.from_stage <> '' "
        "AND s.to_stage NOT IN ('won', 'lost') AND s.id = (SELECT s2.id FROM customers_leadstagechange s2 "
        "WHERE s2.lead_id = s.lead_id AND s2.changed_at >= %s AND s2.changed_at < %s AND s2.from_stage <> '' "
        "ORDER BY s2.changed_at DESC, s2.id DESC LIMIT 1) ORDER BY c.tier, s.changed_at DESC, s.id DESC",
        (low, high, low, high),
    )
    lead = (
        "SELECT l.*, c.name, c.tier, u.display_name FROM customers_lead l JOIN customers_customer c "
        "ON c.id = l.customer_id LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE "
    )
    _fetch(
        cur,
        lead + "l.closed_at >= %s AND l.closed_at < %s AND l.stage IN ('won', 'lost') "
        "ORDER BY c.tier, l.closed_at DESC, l.id DESC",
        (low, high),
    )
    _fetch(
        cur,
        lead
        + "l.closed_at IS NULL AND l.stage_changed_at < %s ORDER BY c.tier, l.stage_changed_at, l.id LIMIT 50",
        (low,),
    )
    # Stalled leads are shown as counts per stage plus the 50 above.
    _fetch(
        cur,
        "SELECT l.stage, COUNT(*) FROM customers_lead l WHERE l.closed_at IS NULL "
        "AND l.stage_changed_at < %s GROUP BY l.stage",
        (low,),
    )
    _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS} FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        "WHERE c.created_at >= %s AND c.created_at < %s ORDER BY c.tier, c.created_at, c.id",
        (low, high),
    )


# --- orders -------------------------------------------------------------------------------

ORDER_COLS = (
    "o.id, o.number, o.order_date, o.state, o.promised_date, o.production_status, o.total_amount, "
    "o.shipped_amount, c.id, c.name, c.tier, u.display_name"
)
ORDER_FROM = (
    "FROM orders_order o JOIN customers_customer c ON c.id = o.customer_id "
    "JOIN accounts_user u ON u.id = o.salesperson_id"
)


def order_list(cur, ctx, *, where: str = "", params=(), page: int = 1) -> None:
    """One page of orders, newest first, with customer and salesperson; the orders counted up
    to the cap (or past the page asked for)."""
    w = f"WHERE {where}" if where else ""
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} {w} ORDER BY o.order_date DESC, o.id DESC "
        f"LIMIT {PAGE} OFFSET {(page - 1) * PAGE}",
        params,
    )
    _capped_count(cur, f"orders_order o {w}", params, reach=page * PAGE)


def orders_unfiltered(cur, ctx):
    order_list(cur, ctx)


def orders_deep(cur, ctx):
    order_list(cur, ctx, page=ctx.deep_page)


def orders_salesperson(cur, ctx):
    """The order list of a salesperson: page 1 of the orders of own customers (scoped by the
    customer's owner, as scope_orders does), counted up to the cap."""
    w = "c.owner_id = %s"
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} WHERE {w} ORDER BY o.order_date DESC, o.id DESC LIMIT {PAGE}",
        (ctx.salesperson_id,),
    )
    _capped_count(
        cur,
        f"orders_order o JOIN customers_customer c ON c.id = o.customer_id WHERE {w}",
        (ctx.salesperson_id,),
    )


def orders_open_state(cur, ctx):
    order_list(cur, ctx, where="o.state = %s", params=("in_production",))


def order_detail(cur, ctx):
    oid = ctx.order_id
    _fetch(cur, f"SELECT o.*, c.name, c.tier, u.display_name {ORDER_FROM} WHERE o.id = %s", (oid,))
    _fetch(
        cur,
        "SELECT l.*, p.code, p.name FROM orders_orderline l JOIN catalog_product p ON p.id = l.product_id "
        "WHERE l.order_id = %s ORDER BY l.line_no",
        (oid,),
    )
    _fetch(
        cur,
        "SELECT * FROM orders_promisechange WHERE order_id = %s ORDER BY changed_at, id",
        (oid,),
    )
    ships = _fetch(
        cur,
        "SELECT * FROM orders_shipment WHERE order_id = %s ORDER BY ship_date DESC, id DESC",
        (oid,),
    )
    _fetch(cur, f"SELECT * FROM orders_shipmentline WHERE shipment_id IN ({_ids(ships)})")


def promises(cur, ctx):
    base = f"SELECT {ORDER_COLS} {ORDER_FROM} WHERE "
    _fetch(
        cur,
        base
        + "o.state = 'draft' AND o.created_at < %s ORDER BY c.tier, o.created_at, o.id LIMIT 50",
        (ctx.answer_cutoff,),
    )
    _fetch(
        cur,
        base + f"o.promise_answered_at >= %s AND o.promise_answered_at > {ctx.created_plus_24h} "
        "ORDER BY c.tier, o.promise_answered_at DESC, o.id DESC LIMIT 50",
        (ctx.late_cutoff,),
    )
    _fetch(
        cur,
        base
        + "o.state IN ('confirmed', 'in_production', 'partly_shipped') AND o.promised_date < %s "
        "ORDER BY c.tier, o.promised_date, o.id LIMIT 50",
        (ctx.today_s,),
    )


def contracts(cur, ctx):
    """Open orders (the page's default), newest first, counted up to the cap."""
    open_states = "o.state IN ('confirmed', 'in_production', 'partly_shipped')"
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} WHERE {open_states} "
        f"ORDER BY o.order_date DESC, o.id DESC LIMIT {PAGE}",
    )
    _capped_count(cur, f"orders_order o WHERE {open_states}")


def shipments(cur, ctx):
    """Every shipment, newest first, counted up to the cap; the page's shipment lines with their
    product (the goods column)."""
    rows = _fetch(
        cur,
        "SELECT s.id, s.number, s.ship_date, s.carrier, s.amount, s.notified_at, s.received_at, "
        "o.number, c.name, c.tier, u.display_name FROM orders_shipment s "
        "JOIN orders_order o ON o.id = s.order_id JOIN customers_customer c ON c.id = s.customer_id "
        "JOIN accounts_user u ON u.id = o.salesperson_id "
        f"ORDER BY s.ship_date DESC, s.id DESC LIMIT {PAGE}",
    )
    _capped_count(cur, "orders_shipment")
    _fetch(
        cur,
        "SELECT sl.*, ol.line_no, p.code, p.name FROM orders_shipmentline sl "
        "JOIN orders_orderline ol ON ol.id = sl.order_line_id JOIN catalog_product p ON p.id = ol.product_id "
        f"WHERE sl.shipment_id IN ({_ids(rows)})",
    )


def shipment_detail(cur, ctx):
    sid = ctx.shipment_id
    _fetch(
        cur,
        "SELECT s.*, o.number, c.name FROM orders_shipment s JOIN orders_order o ON o.id = s.order_id "
        "JOIN customers_customer c ON c.id = s.customer_id WHERE s.id = %s",
        (sid,),
    )
    _fetch(
        cur,
        "SELECT sl.*, ol.line_no, ol.quantity, p.code, p.name FROM orders_shipmentline sl "
        "JOIN orders_orderline ol ON ol.id = sl.order_line_id JOIN catalog_product p ON p.id = ol.product_id "
        "WHERE sl.shipment_id = %s",
        (sid,),
    )
    _fetch(cur, "SELECT * FROM orders_shipmentnotice WHERE shipment_id = %s", (sid,))


_LIVE_PRODUCTS = "catalog_product WHERE archived_at IS NULL"


def products(cur, ctx):
    """Live products in code order, counted up to the cap."""
    _fetch(cur, f"SELECT * FROM {_LIVE_PRODUCTS} ORDER BY code LIMIT {PAGE}")
    _capped_count(cur, _LIVE_PRODUCTS)


def approvals(cur, ctx):
    """A page of sample approvals with customer and product, counted up to the cap."""
    _fetch(
        cur,
        "SELECT a.*, c.name, p.code FROM catalog_approval a JOIN customers_customer c ON c.id = a.customer_id "
        f"JOIN catalog_product p ON p.id = a.product_id ORDER BY a.created_at DESC, a.id DESC LIMIT {PAGE}",
    )
    _capped_count(cur, "catalog_approval")


# --- API lists: the same reads, no contacts ---------------------------------------------------


def api_customers(cur, ctx):
    _fetch(
        cur,
        f"SELECT c.* FROM customers_customer c WHERE c.archived_at IS NULL ORDER BY c.tier, c.name, c.id "
        f"LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM customers_customer WHERE archived_at IS NULL")


def api_orders(cur, ctx):
    rows = _fetch(
        cur, f"SELECT o.* FROM orders_order o ORDER BY o.order_date DESC, o.id DESC LIMIT {PAGE}"
    )
    _fetch(cur, "SELECT COUNT(*) FROM orders_order")
    _fetch(cur, f"SELECT * FROM orders_orderline WHERE order_id IN ({_ids(rows)})")


def api_shipments(cur, ctx):
    rows = _fetch(
        cur,
        "SELECT s.* FROM orders_shipment s JOIN customers_customer c ON c.id = s.customer_id "
        f"ORDER BY s.ship_date DESC, s.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM orders_shipment")
    _fetch(cur, f"SELECT * FROM orders_shipmentline WHERE shipment_id IN ({_ids(rows)})")


def api_products(cur, ctx):
    _fetch(cur, f"SELECT * FROM {_LIVE_PRODUCTS} ORDER BY code LIMIT {PAGE}")
    _fetch(cur, f"SELECT COUNT(*) FROM {_LIVE_PRODUCTS}")


def api_followups(cur, ctx):
    _fetch(
        cur,
        f"SELECT f.* FROM customers_followup f ORDER BY f.occurred_at DESC, f.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM customers_followup")


def api_leads(cur, ctx):
    _fetch(
        cur, f"SELECT l.* FROM customers_lead l ORDER BY l.stage_changed_at DESC, l.id LIMIT {PAGE}"
    )
    _fetch(cur, "SELECT COUNT(*) FROM customers_lead")


def api_contacts(cur, ctx):
    _fetch(
        cur,
        "SELECT p.* FROM customers_contact p JOIN customers_customer c ON c.id = p.customer_id "
        f"WHERE p.archived_at IS NULL ORDER BY c.tier, c.name, p.is_primary DESC, p.name, p.id LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM customers_contact WHERE archived_at IS NULL")


# --- finance (issue 4) ------------------------------------------------------------------------

RECEIVABLE_COLS = (
    "r.id, r.invoice_number, r.issued_on, r.due_date, r.amount, r.allocated_amount, c.name, c.tier, "
    "u.display_name"
)
RECEIVABLE_FROM = (
    "FROM finance_receivable r JOIN customers_customer c ON c.id = r.customer_id "
    "LEFT JOIN accounts_user u ON u.id = r.salesperson_id"
)


def receivables(cur, ctx, where: str = "", params=()):
    """The whole ledger newest due date first; open items key accounts first, then by due date.
    A filtered page shows the count and totals of the filter (one exact aggregate); the whole
    ledger of every year shows its rows counted up to the cap and what is open (summed over the
    open items only)."""
    w = f"WHERE {where}" if where else ""
    order = "c.tier, r.due_date, r.issued_on, r.id" if where else "r.due_date DESC, r.id DESC"
    _fetch(
        cur,
        f"SELECT {RECEIVABLE_COLS}, o.number, s.number {RECEIVABLE_FROM} "
        "LEFT JOIN orders_order o ON o.id = r.order_id LEFT JOIN orders_shipment s ON s.id = r.shipment_id "
        f"{w} ORDER BY {order} LIMIT {PAGE}",
        params,
    )
    if not where:
        _capped_count(cur, "finance_receivable")
        _fetch(
            cur,
            "SELECT SUM(ROUND(r.amount * 100)) - SUM(ROUND(r.allocated_amount * 100)) "
            "FROM finance_receivable r WHERE r.is_open",
        )
        return
    _fetch(
        cur,
        "SELECT COUNT(*), SUM(ROUND(r.amount * 100)), SUM(ROUND(r.allocated_amount * 100)) "
        f"FROM finance_receivable r {w}",
        params,
    )


def receivables_open(cur, ctx):
    # `r.is_open` as written, not `= %s`: only then may the planner use the partial index on open items.
    receivables(cur, ctx, "r.is_open")


def api_receivables(cur, ctx):
    _fetch(
        cur,
        f"SELECT r.* FROM finance_receivable r ORDER BY r.due_date DESC, r.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM finance_receivable")


def payments(cur, ctx):
    """Every payment of every year newest first with customer and salesperson: counted up to
    the cap, and the credit left summed over the payments with some."""
    _fetch(
        cur,
        "SELECT p.*, c.name, c.tier, u.display_name FROM finance_payment p "
        "JOIN customers_customer c ON c.id = p.customer_id LEFT JOIN accounts_user u ON u.id = p.salesperson_id "
        f"ORDER BY p.received_on DESC, p.id DESC LIMIT {PAGE}",
    )
    _capped_count(cur, "finance_payment")
    _fetch(
        cur,
        "SELECT SUM(ROUND(amount * 100)) - SUM(ROUND(allocated_amount * 100)) FROM finance_payment "
        "WHERE allocated_amount < amount",
    )


def api_payments(cur, ctx):
    _fetch(
        cur,
        f"SELECT p.* FROM finance_payment p ORDER BY p.received_on DESC, p.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM finance_payment")


def statement(cur, ctx):
    """One customer's statement over 12 months, one page on screen: the opening balance (every
    document before the period), the period's documents as (date, id, amount) for the totals and
    the running balance, and the documents of the first page (at most 100 lines)."""
    cid, start, end = ctx.customer_id, ctx.period_start, ctx.today_s
    _fetch(cur, "SELECT * FROM customers_customer WHERE id = %s", (cid,))
    for table, column in (("finance_receivable", "issued_on"), ("finance_payment", "received_on")):
        _fetch(
            cur,
            f"SELECT SUM(ROUND(amount * 100)) FROM {table} WHERE customer_id = %s AND {column} < %s",
            (cid, start),
        )
        _fetch(
            cur,
            f"SELECT {column}, id, amount FROM {table} WHERE customer_id = %s AND {column} >= %s "
            f"AND {column} <= %s",
            (cid, start, end),
        )
    _fetch(
        cur,
        "SELECT r.*, o.number, s.number FROM finance_receivable r LEFT JOIN orders_order o ON o.id = r.order_id "
        "LEFT JOIN orders_shipment s ON s.id = r.shipment_id WHERE r.customer_id = %s AND r.issued_on >= %s "
        "AND r.issued_on <= %s ORDER BY r.issued_on, r.id LIMIT 100",
        (cid, start, end),
    )
    _fetch(
        cur,
        "SELECT * FROM finance_payment WHERE customer_id = %s AND received_on >= %s AND received_on <= %s "
        "ORDER BY received_on, id LIMIT 100",
        (cid, start, end),
    )


def _owing(ctx) -> str:
    """Open items issued by today that still owe something (what the money pages count). The
    unary + keeps SQLite's planner off the issued-on range, whose index reads a customer's
    whole history; PostgreSQL needs no hint."""
    plus = "+" if ctx.engine == "sqlite" else ""
    return f"r.is_open AND {plus}r.issued_on <= %s AND r.allocated_amount < r.amount"


_OPEN_FEN = "ROUND((r.amount - r.allocated_amount) * 100)"


def aging(cur, ctx):
    """The aging page (by customer, page 1) in one statement: every open item read once into
    per-customer bucket sums in fen (the CTE); from it the number of customers and the totals,
    and the page's 50 customers in the page's order (key accounts first, then name), each
    joined to its customer row for tier and name (the page shows names and orders by them)."""
    t, d30, d60, d90 = ctx.today_s, ctx.days_ago(30), ctx.days_ago(60), ctx.days_ago(90)
    buckets = [
        ("r.due_date >= %s", (t,)),
        ("r.due_date < %s AND r.due_date >= %s", (t, d30)),
        ("r.due_date < %s AND r.due_date >= %s", (d30, d60)),
        ("r.due_date < %s AND r.due_date >= %s", (d60, d90)),
        ("r.due_date < %s", (d90,)),
    ]
    sums = ", ".join(
        f"SUM({_OPEN_FEN}) FILTER (WHERE {cond}) AS b{i}" for i, (cond, _p) in enumerate(buckets)
    )
    params = tuple(p for _cond, ps in buckets for p in ps) + (t,)
    _fetch(
        cur,
        f"WITH g AS (SELECT r.customer_id, {sums} FROM finance_receivable r WHERE {_owing(ctx)} "
        "GROUP BY r.customer_id) "
        "SELECT 0, COUNT(*), NULL, NULL, SUM(b0), SUM(b1), SUM(b2), SUM(b3), SUM(b4) FROM g "
        "UNION ALL SELECT * FROM (SELECT 1, g.customer_id, c.tier, c.name, g.b0, g.b1, g.b2, "
        "g.b3, g.b4 FROM g JOIN customers_customer c ON c.id = g.customer_id "
        f"ORDER BY c.tier, c.name, c.id LIMIT {PAGE}) p ORDER BY 1, 3, 4, 2",
        params,
    )


def chase(cur, ctx):
    """The chase list, page 1: the customers with overdue open items (overdue fen, oldest due
    date) counted and cut in the page's order (key accounts first, largest overdue, oldest due,
    name) in one statement; then the page's 50 customers with their owner, last follow-up and
    what they owe in total (overdue or not), as the page shows them."""
    t = ctx.today_s
    rows = _fetch(
        cur,
        f"WITH g AS (SELECT r.customer_id, SUM({_OPEN_FEN}) AS fen, MIN(r.due_date) AS oldest "
        f"FROM finance_receivable r WHERE {_owing(ctx)} AND r.due_date < %s "
        "GROUP BY r.customer_id) "
        "SELECT 0, COUNT(*), NULL, NULL, NULL, NULL FROM g UNION ALL SELECT * FROM ("
        "SELECT 1, g.customer_id, c.tier, c.name, g.fen, g.oldest FROM g "
        "JOIN customers_customer c ON c.id = g.customer_id "
        f"ORDER BY c.tier, g.fen DESC, g.oldest, c.name, c.id LIMIT {PAGE}) p "
        "ORDER BY 1, 3, 5 DESC, 6, 4, 2",
        (t, t),
    )
    _fetch(
        cur,
        "SELECT c.id, c.code, c.name, c.tier, c.last_followup_at, c.next_followup_on, "
        "c.next_followup_note, u.display_name, u.username, "
        "(SELECT f.summary FROM customers_followup f WHERE f.customer_id = c.id "
        "ORDER BY f.occurred_at DESC, f.id DESC LIMIT 1), "
        f"(SELECT SUM({_OPEN_FEN}) FROM finance_receivable r WHERE {_owing(ctx)} "
        "AND r.customer_id = c.id) "
        "FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        f"WHERE c.id IN ({_ids(rows[1:], 1)})",
        (t,),
    )


def collection_rate(cur, ctx):
    # Per month over 12 months: what fell due, and what of it was collected by the end of the period.
    start, end = ctx.period_start, ctx.today_s
    month = (
        "substr(r.due_date, 1, 7)" if ctx.engine == "sqlite" else "to_char(r.due_date, 'YYYY-MM')"
    )
    _fetch(
        cur,
        f"SELECT {month} AS m, SUM(ROUND(r.amount * 100)) FROM finance_receivable r "
        "WHERE r.due_date >= %s AND r.due_date <= %s GROUP BY m",
        (start, end),
    )
    _fetch(
        cur,
        f"SELECT {month} AS m, SUM(ROUND(a.amount * 100)) FROM finance_allocation a "
        "JOIN finance_receivable r ON r.id = a.receivable_id JOIN finance_payment p ON p.id = a.payment_id "
        "WHERE r.due_date >= %s AND r.due_date <= %s AND p.received_on <= %s GROUP BY m",
        (start, end, end),
    )


# --- the monthly sales report (10 years) ----------------------------------------------------


def monthly_sales_lines(cur, ctx):
    """Ten years of monthly sales summed over every order line (what a naive report does)."""
    month = (
        "substr(o.order_date, 1, 7)"
        if ctx.engine == "sqlite"
        else "to_char(o.order_date, 'YYYY-MM')"
    )
    _fetch(
        cur,
        f"SELECT {month} AS m, SUM(ROUND(l.amount * 100)) FROM orders_orderline l "
        "JOIN orders_order o ON o.id = l.order_id WHERE o.state <> 'cancelled' AND o.order_date >= %s "
        "GROUP BY m ORDER BY m",
        (ctx.ten_years_ago,),
    )


def monthly_sales_orders(cur, ctx):
    """The same from the stored order totals (one row per order, not per line)."""
    month = (
        "substr(o.order_date, 1, 7)"
        if ctx.engine == "sqlite"
        else "to_char(o.order_date, 'YYYY-MM')"
    )
    _fetch(
        cur,
        f"SELECT {month} AS m, SUM(ROUND(o.total_amount * 100)) FROM orders_order o "
        "WHERE o.state <> 'cancelled' AND o.order_date >= %s GROUP BY m ORDER BY m",
        (ctx.ten_years_ago,),
    )


def monthly_sales_summary(cur, ctx):
    """What the stored monthly summary (one row per month × salesperson) costs to read."""
    _fetch(
        cur,
        "SELECT month, SUM(amount_fen) FROM orders_monthlysales WHERE month >= %s "
        "GROUP BY month ORDER BY month",
        (ctx.ten_years_ago,),
    )


# --- sales reports (R-8.2, R-8.3, R-8.5) -----------------------------------------------------

_BOOKED = "('confirmed', 'in_production', 'partly_shipped', 'shipped', 'closed')"


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _summary_by_month(cur, start: dt.date, stop: dt.date) -> None:
    _fetch(
        cur,
        "SELECT month, SUM(amount_fen), SUM(orders) FROM orders_monthlysales "
        "WHERE month >= %s AND month < %s GROUP BY month",
        (start.isoformat(), stop.isoformat()),
    )


def _trend(cur, start: dt.date, stop: dt.date) -> None:
    """A months report: the months, the same months a year before, the per-person split."""
    _summary_by_month(cur, start, stop)
    _summary_by_month(cur, start.replace(year=start.year - 1), stop.replace(year=stop.year - 1))
    _fetch(
        cur,
        "SELECT month, salesperson_id, SUM(amount_fen) FROM orders_monthlysales "
        "WHERE month >= %s AND month < %s GROUP BY month, salesperson_id",
        (start.isoformat(), stop.isoformat()),
    )


def sales_monthly_ten_years(cur, ctx):
    start = dt.date.fromisoformat(ctx.ten_years_ago).replace(day=1)
    stop = _month_start(ctx.today, -1)
    _trend(cur, start, stop)
    _fetch(
        cur,
        "SELECT s.salesperson_id, u.display_name, SUM(s.amount_fen), SUM(s.orders) "
        "FROM orders_monthlysales s JOIN accounts_user u ON u.id = s.salesperson_id "
        "WHERE s.month >= %s AND s.month < %s GROUP BY s.salesperson_id, u.display_name",
        (start.isoformat(), stop.isoformat()),
    )


def sales_by_customer(cur, ctx):
    start, stop = _month_start(ctx.today, 11), _month_start(ctx.today, -1)
    _trend(cur, start, stop)
    _fetch(
        cur,
        "SELECT o.customer_id, MAX(c.name), MAX(c.code), MAX(c.tier), "
        "SUM(ROUND(o.total_amount * 100)), COUNT(*) FROM orders_order o "
        "JOIN customers_customer c ON c.id = o.customer_id "
        f"WHERE o.state IN {_BOOKED} AND o.order_date >= %s AND o.order_date < %s "
        "GROUP BY o.customer_id",
        (start.isoformat(), stop.isoformat()),
    )


def sales_weeks_by_region(cur, ctx):
    monday = ctx.today - dt.timedelta(days=ctx.today.weekday())
    start, stop = monday - dt.timedelta(weeks=11), monday + dt.timedelta(days=7)
    week = (
        "date(o.order_date, 'weekday 0', '-6 days')"
        if ctx.engine == "sqlite"
        else "date_trunc('week', o.order_date)::date"
    )
    for first, last in (
        (start, stop),
        (start - dt.timedelta(weeks=52), stop - dt.timedelta(weeks=52)),
    ):
        _fetch(
            cur,
            f"SELECT {week} AS w, SUM(ROUND(o.total_amount * 100)), COUNT(*) FROM orders_order o "
            f"WHERE o.state IN {_BOOKED} AND o.order_date >= %s AND o.order_date < %s GROUP BY w",
            (first.isoformat(), last.isoformat()),
        )
    _fetch(
        cur,
        f"SELECT {week} AS w, o.salesperson_id, SUM(ROUND(o.total_amount * 100)) FROM orders_order o "
        f"WHERE o.state IN {_BOOKED} AND o.order_date >= %s AND o.order_date < %s GROUP BY w, o.salesperson_id",
        (start.isoformat(), stop.isoformat()),
    )
    _fetch(
        cur,
        "SELECT c.province, SUM(ROUND(o.total_amount * 100)), COUNT(*) FROM orders_order o "
        "JOIN customers_customer c ON c.id = o.customer_id "
        f"WHERE o.state IN {_BOOKED} AND o.order_date >= %s AND o.order_date < %s GROUP BY c.province",
        (start.isoformat(), stop.isoformat()),
    )


def ranking_month(cur, ctx):
    start, stop = _month_start(ctx.today), _month_start(ctx.today, -1)
    params = (start.isoformat(), stop.isoformat())
    _fetch(
        cur,
        "SELECT salesperson_id, SUM(ROUND(total_amount * 100)) FROM orders_order "
        f"WHERE state IN {_BOOKED} AND order_date >= %s AND order_date < %s GROUP BY salesperson_id",
        params,
    )
    _fetch(
        cur,
        "SELECT year, month, salesperson_id, amount FROM reports_salestarget WHERE year = %s",
        (start.year,),
    )
    stamps = (ctx.utc(start), ctx.utc(stop))
    _fetch(
        cur,
        "SELECT owner_id, COUNT(*) FROM customers_customer WHERE created_at >= %s AND created_at < %s "
        "AND owner_id IS NOT NULL GROUP BY owner_id",
        stamps,
    )
    _fetch(
        cur,
        "SELECT created_by_id, COUNT(*) FROM customers_followup WHERE occurred_at >= %s AND occurred_at < %s "
        "AND created_by_id IS NOT NULL GROUP BY created_by_id",
        stamps,
    )
    _fetch(
        cur,
        "SELECT salesperson_id, SUM(ROUND(amount * 100)) FROM finance_receivable "
        "WHERE due_date >= %s AND due_date < %s GROUP BY salesperson_id",
        params,
    )
    _fetch(
        cur,
        "SELECT r.salesperson_id, SUM(ROUND(a.amount * 100)) FROM finance_allocation a "
        "JOIN finance_receivable r ON r.id = a.receivable_id JOIN finance_payment p ON p.id = a.payment_id "
        "WHERE r.due_date >= %s AND r.due_date < %s AND p.received_on < %s GROUP BY r.salesperson_id",
        (*params, stop.isoformat()),
    )


def new_products(cur, ctx):
    start = _month_start(ctx.today, 11)
    params = (start.isoformat(), ctx.today_s)
    lines = (
        "FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
        "JOIN catalog_product p ON p.id = l.product_id JOIN customers_customer c ON c.id = o.customer_id "
        f"WHERE p.is_new AND o.state IN {_BOOKED} AND o.order_date >= %s AND o.order_date <= %s"
    )
    for key in ("c.province", "c.industry", "c.type"):
        _fetch(
            cur,
            f"SELECT {key}, SUM(ROUND(l.amount * 100)), COUNT(DISTINCT l.order_id) {lines} GROUP BY {key}",
            params,
        )
    _fetch(
        cur,
        f"SELECT l.product_id, MAX(p.name), SUM(ROUND(l.amount * 100)), COUNT(DISTINCT l.order_id) {lines} "
        "GROUP BY l.product_id",
        params,
    )
    _fetch(cur, f"SELECT COUNT(DISTINCT l.order_id) {lines}", params)


def days(n: int, today: dt.date) -> str:
    return (today - dt.timedelta(days=n)).isoformat()


# --- Today (R-8.1) --------------------------------------------------------------------------

_OPEN = "('confirmed', 'in_production', 'partly_shipped')"


def _today_sections(ctx, owner_id=None) -> list[tuple[str, str, str, tuple]]:
    """(from + where, order, columns, params) of each Today section, as the sales office sees it
    (owner_id: a salesperson's own customers only)."""
    today = ctx.today
    monday = today - dt.timedelta(days=today.weekday())
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    quiet_cutoff = ctx.stamp(now - dt.timedelta(days=30))
    own = " AND c.owner_id = %s" if owner_id else ""
    own_p = (owner_id,) if owner_id else ()
    orders = "orders_order o JOIN customers_customer c ON c.id = o.customer_id WHERE "
    ships = "orders_shipment s JOIN customers_customer c ON c.id = s.customer_id WHERE "
    o_cols, s_cols = "o.id, o.number, c.name, c.tier", "s.id, s.number, c.name, c.tier"
    return [
        (
            orders + "o.state = 'draft' AND o.created_at < %s" + own,
            "c.tier, o.created_at, o.id",
            o_cols,
            (ctx.answer_cutoff, *own_p),
        ),
        (
            orders
            + f"o.state IN {_OPEN} AND (o.production_status = 'delayed' OR (o.promised_date <= %s "
            "AND o.production_status <> 'done') OR o.promised_date < %s)" + own,
            "c.tier, o.promised_date, o.id",
            o_cols,
            ((today + dt.timedelta(days=3)).isoformat(), ctx.today_s, *own_p),
        ),
        (
            orders + f"o.state IN {_OPEN} AND o.promised_date BETWEEN %s AND %s" + own,
            "c.tier, o.promised_date, o.id",
            o_cols,
            (monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), *own_p),
        ),
        (
            orders + f"o.state IN {_OPEN} AND o.production_status = 'done'" + own,
            "c.tier, o.promised_date, o.id",
            o_cols,
            own_p,
        ),
        (ships + "s.notified_at IS NULL" + own, "c.tier, s.ship_date, s.id", s_cols, own_p),
        (
            ships + "s.received_at IS NULL AND s.ship_date <= %s" + own,
            "c.tier, s.ship_date, s.id",
            s_cols,
            (ctx.days_ago(3), *own_p),
        ),
        (
            "customers_customer c WHERE c.archived_at IS NULL AND c.next_followup_on <= %s" + own,
            "c.tier, c.next_followup_on, c.id",
            "c.id, c.code, c.name, c.tier",
            (ctx.today_s, *own_p),
        ),
        (
            "customers_lead l JOIN customers_customer c ON c.id = l.customer_id WHERE l.closed_at IS NULL "
            "AND l.stage_changed_at < %s AND (c.last_followup_at IS NULL OR c.last_followup_at < %s)"
            + own,
            "c.tier, c.last_followup_at NULLS FIRST, l.id",
            "l.id, l.stage, c.name, c.tier",
            (quiet_cutoff, quiet_cutoff, *own_p),
        ),
        (
            "customers_mailing m JOIN customers_customer c ON c.id = m.customer_id WHERE "
            "m.feedback_received_on IS NULL AND m.feedback_due_on <= %s" + own,
            "c.tier, m.feedback_due_on, m.id",
            "m.id, m.items, c.name, c.tier",
            (ctx.today_s, *own_p),
        ),
        (
            "catalog_approval a JOIN customers_customer c ON c.id = a.customer_id WHERE "
            "a.status = 'pending'" + own,
            "c.tier, a.created_at, a.id",
            "a.id, a.product_id, c.name, c.tier",
            own_p,
        ),
    ]


def today_for(cur, ctx, owner_id=None):
    """Every Today section: its count and its first 10 rows, then the overdue customers to chase."""
    for source, order, cols, params in _today_sections(ctx, owner_id):
        _fetch(cur, f"SELECT COUNT(*) FROM {source}", params)
        _fetch(cur, f"SELECT {cols} FROM {source} ORDER BY {order} LIMIT 10", params)
    own = " AND c.owner_id = %s" if owner_id else ""
    params = (ctx.today_s, ctx.today_s, *((owner_id,) if owner_id else ()))
    overdue = (
        "FROM finance_receivable r JOIN customers_customer c ON c.id = r.customer_id "
        f"WHERE r.is_open AND r.issued_on <= %s AND r.due_date < %s{own}"
    )
    _fetch(cur, f"SELECT COUNT(DISTINCT r.customer_id) {overdue}", params)
    _fetch(
        cur,
        "SELECT r.customer_id, c.name, c.tier, MIN(r.due_date), "
        f"SUM(ROUND(r.amount * 100) - ROUND(r.allocated_amount * 100)) AS fen {overdue} "
        "GROUP BY r.customer_id, c.name, c.tier ORDER BY c.tier, fen DESC, MIN(r.due_date) LIMIT 10",
        params,
    )


def today(cur, ctx):
    today_for(cur, ctx)


def today_salesperson(cur, ctx):
    today_for(cur, ctx, ctx.salesperson_id)
