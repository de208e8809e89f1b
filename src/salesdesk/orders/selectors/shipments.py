"""Shipments as the order page shows them.

Interface (owned by the shipments work): order_shipments(*, order, user) -> dict rendered by
templates/orders/_order_shipments.html inside the order page.
"""


def order_shipments(*, order, user) -> dict:
    return {}
