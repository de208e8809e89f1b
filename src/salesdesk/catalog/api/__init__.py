"""The catalog's JSON API: products and sample approvals."""

from . import approvals, products


def register(router) -> None:
    products.register(router)
    approvals.register(router)


def extra_urls() -> list:
    return [*products.extra_urls(), *approvals.extra_urls()]
