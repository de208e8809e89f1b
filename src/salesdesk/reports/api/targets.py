"""targets API."""


def register(router) -> None:
    pass


def extra_urls() -> list:
    return []
