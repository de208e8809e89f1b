"""Demo orders for the carton factory's sales department (core demo command).

About 1,500 orders over the last two years (x10 for --size large) for the customers the
customers' builder made, from the products the catalog's builder made: Zipf-like shares
(key accounts order most), busier before the Spring Festival and Double 11, contracts on a
share, promises with their changes and reasons, production status, partial shipments with
carriers, notices and receipts. Each order's whole life is planned first and then settled
at `ctx.now`, so recent orders stand in every open state, and today's lists have work:
drafts whose delivery date nobody answered, broken promises, orders at risk and orders
waiting for a sample approval. Derived columns (amounts, shipped quantities, promised date,
last shipped day, the customer's last order date, the number series) are computed as the
order services compute them; tests/test_demo_orders.py recomputes them from the rows.
"""

from .builder import OrdersBuilder


def build(ctx) -> None:
    """Orders, promises, production, shipments and notices for the demo department."""
    OrdersBuilder(ctx).run()
