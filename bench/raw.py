"""The SQL each benchmarked page fundamentally needs, written by hand (bench/run.py times it beside the page).

Each function gets a DB-API cursor (Django's, %s placeholders, both engines) and the run's context,
and runs what the page must read: the same filter, order, limit and aggregate, the total count a
paged list shows, and the related rows it displays (contacts, lines). Nothing more: no session,
no user, no template. Written for the schema as it is; a better plan the page could use (an index,
a stored aggregate) is named in docs/performance.md, not used here.
"""

from __future__ import annotations

import datetime as dt

PAGE = 50


def _ids(rows, index=0) -> str:
    return ",".join(str(r[index]) for r in rows) or "0"


def _fetch(cur, sql: str, params=()) -> list:
    cur.execute(sql, params)
    return cur.fetchall()


# --- customers ----------------------------------------------------------------------------

CUSTOMER_COLS = (
    "c.id, c.code, c.name, c.short_name, c.tier, c.status, c.province, c.city, c.completeness, "
    "c.last_order_date, c.last_followup_at, c.next_followup_on, u.display_name, u.username"
)


def customer_list(cur, ctx, *, where: str = "", params=(), page: int = 1) -> None:
    sql_where = "c.archived_at IS NULL" + (f" AND {where}" if where else "")
    rows = _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS} FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        f"WHERE {sql_where} ORDER BY c.tier, c.name, c.id LIMIT {PAGE} OFFSET {(page - 1) * PAGE}",
        params,
    )
    _fetch(cur, f"SELECT COUNT(*) FROM customers_customer c WHERE {sql_where}", params)
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
    rows = _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS} FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        "WHERE c.archived_at IS NULL AND c.completeness < 100 "
        f"ORDER BY c.tier, c.completeness, c.name, c.id LIMIT {PAGE}",
    )
    _fetch(
        cur,
        "SELECT COUNT(*) FROM customers_customer WHERE archived_at IS NULL AND completeness < 100",
    )
    _fetch(
        cur,
        "SELECT customer_id, name, mobile FROM customers_contact WHERE archived_at IS NULL "
        f"AND customer_id IN ({_ids(rows)})",
    )


def followups_due(cur, ctx):
    where = "c.archived_at IS NULL AND c.next_followup_on <= %s"
    _fetch(
        cur,
        f"SELECT {CUSTOMER_COLS}, (SELECT f.summary FROM customers_followup f WHERE f.customer_id = c.id "
        "ORDER BY f.occurred_at DESC, f.id DESC LIMIT 1) FROM customers_customer c "
        f"LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE {where} "
        f"ORDER BY c.tier, c.next_followup_on, c.name, c.id LIMIT {PAGE}",
        (ctx.today_s,),
    )
    _fetch(cur, f"SELECT COUNT(*) FROM customers_customer c WHERE {where}", (ctx.today_s,))


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
    w = f"WHERE {where}" if where else ""
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} {w} ORDER BY o.order_date DESC, o.id DESC "
        f"LIMIT {PAGE} OFFSET {(page - 1) * PAGE}",
        params,
    )
    _fetch(cur, f"SELECT COUNT(*) FROM orders_order o {w}", params)


def orders_unfiltered(cur, ctx):
    order_list(cur, ctx)


def orders_deep(cur, ctx):
    order_list(cur, ctx, page=ctx.deep_page)


def orders_salesperson(cur, ctx):
    # Scoped by the customer's owner, as scope_orders does.
    w = "c.owner_id = %s"
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} WHERE {w} ORDER BY o.order_date DESC, o.id DESC LIMIT {PAGE}",
        (ctx.salesperson_id,),
    )
    _fetch(
        cur,
        f"SELECT COUNT(*) FROM orders_order o JOIN customers_customer c ON c.id = o.customer_id WHERE {w}",
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
    """Open orders (the page's default), newest first."""
    open_states = "o.state IN ('confirmed', 'in_production', 'partly_shipped')"
    _fetch(
        cur,
        f"SELECT {ORDER_COLS} {ORDER_FROM} WHERE {open_states} "
        f"ORDER BY o.order_date DESC, o.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, f"SELECT COUNT(*) FROM orders_order o WHERE {open_states}")


def shipments(cur, ctx):
    rows = _fetch(
        cur,
        "SELECT s.id, s.number, s.ship_date, s.carrier, s.amount, s.notified_at, s.received_at, "
        "o.number, c.name, c.tier, u.display_name FROM orders_shipment s "
        "JOIN orders_order o ON o.id = s.order_id JOIN customers_customer c ON c.id = s.customer_id "
        "JOIN accounts_user u ON u.id = o.salesperson_id "
        f"ORDER BY s.ship_date DESC, s.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM orders_shipment")
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


def products(cur, ctx):
    _fetch(
        cur, f"SELECT * FROM catalog_product WHERE archived_at IS NULL ORDER BY code LIMIT {PAGE}"
    )
    _fetch(cur, "SELECT COUNT(*) FROM catalog_product WHERE archived_at IS NULL")


def approvals(cur, ctx):
    _fetch(
        cur,
        "SELECT a.*, c.name, p.code FROM catalog_approval a JOIN customers_customer c ON c.id = a.customer_id "
        f"JOIN catalog_product p ON p.id = a.product_id ORDER BY a.created_at DESC, a.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM catalog_approval")


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
    products(cur, ctx)


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
    The page also shows the totals of the whole filter."""
    w = f"WHERE {where}" if where else ""
    order = "c.tier, r.due_date, r.issued_on, r.id" if where else "r.due_date DESC, r.id DESC"
    _fetch(
        cur,
        f"SELECT {RECEIVABLE_COLS}, o.number, s.number {RECEIVABLE_FROM} "
        "LEFT JOIN orders_order o ON o.id = r.order_id LEFT JOIN orders_shipment s ON s.id = r.shipment_id "
        f"{w} ORDER BY {order} LIMIT {PAGE}",
        params,
    )
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
    _fetch(
        cur,
        "SELECT p.*, c.name, c.tier, u.display_name FROM finance_payment p "
        "JOIN customers_customer c ON c.id = p.customer_id LEFT JOIN accounts_user u ON u.id = p.salesperson_id "
        f"ORDER BY p.received_on DESC, p.id DESC LIMIT {PAGE}",
    )
    _fetch(
        cur,
        "SELECT COUNT(*), SUM(ROUND(amount * 100)), SUM(ROUND(allocated_amount * 100)) FROM finance_payment",
    )


def api_payments(cur, ctx):
    _fetch(
        cur,
        f"SELECT p.* FROM finance_payment p ORDER BY p.received_on DESC, p.id DESC LIMIT {PAGE}",
    )
    _fetch(cur, "SELECT COUNT(*) FROM finance_payment")


def statement(cur, ctx):
    """One customer's statement over 12 months: opening balance, then every document in the period."""
    cid, start, end = ctx.customer_id, ctx.period_start, ctx.today_s
    _fetch(cur, "SELECT * FROM customers_customer WHERE id = %s", (cid,))
    for table, column in (("finance_receivable", "issued_on"), ("finance_payment", "received_on")):
        _fetch(
            cur,
            f"SELECT SUM(CASE WHEN {column} < %s THEN ROUND(amount * 100) ELSE 0 END), "
            f"SUM(CASE WHEN {column} >= %s THEN ROUND(amount * 100) ELSE 0 END) FROM {table} "
            f"WHERE customer_id = %s AND {column} <= %s",
            (start, start, cid, end),
        )
    _fetch(
        cur,
        "SELECT r.*, o.number, s.number FROM finance_receivable r LEFT JOIN orders_order o ON o.id = r.order_id "
        "LEFT JOIN orders_shipment s ON s.id = r.shipment_id WHERE r.customer_id = %s AND r.issued_on >= %s "
        "AND r.issued_on <= %s ORDER BY r.issued_on, r.id",
        (cid, start, end),
    )
    _fetch(
        cur,
        "SELECT * FROM finance_payment WHERE customer_id = %s AND received_on >= %s AND received_on <= %s "
        "ORDER BY received_on, id",
        (cid, start, end),
    )


def _bucket_sql(ctx) -> str:
    t = ctx.today_s
    return (
        f"CASE WHEN r.due_date >= '{t}' THEN 'current' WHEN r.due_date >= '{ctx.days_ago(30)}' THEN '1-30' "
        f"WHEN r.due_date >= '{ctx.days_ago(60)}' THEN '31-60' WHEN r.due_date >= '{ctx.days_ago(90)}' THEN '61-90' "
        "ELSE '90+' END"
    )


def aging(cur, ctx):
    # Open amounts per customer and bucket, in fen: every open receivable is read once.
    _fetch(
        cur,
        f"SELECT r.customer_id, {_bucket_sql(ctx)} AS b, "
        "SUM(ROUND(r.amount * 100) - ROUND(r.allocated_amount * 100)) "
        "FROM finance_receivable r WHERE r.is_open GROUP BY r.customer_id, b",
    )


def chase(cur, ctx):
    _fetch(
        cur,
        "SELECT r.customer_id, c.name, c.tier, MIN(r.due_date), "
        "SUM(ROUND(r.amount * 100) - ROUND(r.allocated_amount * 100)) FROM finance_receivable r "
        "JOIN customers_customer c ON c.id = r.customer_id WHERE r.is_open AND r.due_date < %s "
        "GROUP BY r.customer_id, c.name, c.tier ORDER BY c.tier, MIN(r.due_date) LIMIT 50",
        (ctx.today_s,),
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
    """What a stored monthly summary (one row per month × salesperson) costs to read."""
    _fetch(cur, "SELECT month, SUM(fen) FROM bench_monthly_summary GROUP BY month ORDER BY month")


def days(n: int, today: dt.date) -> str:
    return (today - dt.timedelta(days=n)).isoformat()
