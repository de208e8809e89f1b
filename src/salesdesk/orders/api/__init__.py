"""The orders app's JSON API: orders, promises, shipments and notices."""

from . import orders, shipments


def register(router) -> None:
    orders.register(router)
    shipments.register(router)


def extra_urls() -> list:
    return [*orders.extra_urls(), *shipments.extra_urls()]
