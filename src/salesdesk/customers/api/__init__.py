"""The customers app's JSON API: customers, contacts, leads, mailings, follow-ups, imports."""

from . import customers, imports, pipeline


def register(router) -> None:
    customers.register(router)
    pipeline.register(router)
    imports.register(router)


def extra_urls() -> list:
    return [*customers.extra_urls(), *pipeline.extra_urls(), *imports.extra_urls()]
