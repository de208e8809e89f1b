"""The reports JSON API: today, sales, ranking, targets."""

from . import sales, targets, today

_MODULES = (today, sales, targets)


def register(router) -> None:
    for module in _MODULES:
        module.register(router)


def extra_urls() -> list:
    return [url for module in _MODULES for url in module.extra_urls()]
