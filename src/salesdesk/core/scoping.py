"""Row scoping: every read a person triggers passes through here.

A salesperson reads own customers and everything hanging off them; the assistant,
commercial assistant, director, finance and admin read all; others read none.
"""

from __future__ import annotations

from django.db.models import QuerySet

from salesdesk.accounts.roles import (
    Role,
    reads_customers,
    reads_orders,
    role_of,
    sees_all_customers,
)


def scope_by_customer(
    qs: QuerySet, user, customer_path: str = "", *, whole_team: bool = False
) -> QuerySet:
    """Keep the rows of `qs` whose customer (reached by `customer_path`) the user may read.

    `customer_path` is "" for the Customer model itself, "customer__" for rows with a
    customer foreign key, and so on. `whole_team` keeps every row: only for per-salesperson
    figures that the whole team sees and that name no customer (the ranking, R-8.3).
    """
    if whole_team:
        return qs
    if not reads_customers(user):
        return qs.none()
    if sees_all_customers(user):
        return qs
    return qs.filter(**{f"{customer_path}owner": user})


def scope_orders(qs: QuerySet, user, customer_path: str = "customer__") -> QuerySet:
    """Orders and shipments: as customers, plus the warehouse, which ships every order."""
    if not reads_orders(user):
        return qs.none()
    if role_of(user) == Role.WAREHOUSE:
        return qs
    return scope_by_customer(qs, user, customer_path)
