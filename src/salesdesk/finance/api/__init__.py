"""The finance JSON API: receivables, payments, aging and collection reports, reconciliations, disputes."""

from . import disputes, receivables, reconciliation


def register(router) -> None:
    receivables.register(router)
    reconciliation.register(router)
    disputes.register(router)


def extra_urls() -> list:
    return [*receivables.extra_urls(), *reconciliation.extra_urls(), *disputes.extra_urls()]
