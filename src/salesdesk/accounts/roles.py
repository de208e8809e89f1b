"""Roles and what each may see and do. The single place that answers "may this person...?"."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ASSISTANT = "assistant", _("Sales assistant")
    COMMERCIAL = "commercial", _("Commercial assistant")
    SALESPERSON = "salesperson", _("Salesperson")
    DIRECTOR = "director", _("Sales director")
    FINANCE = "finance", _("Finance")
    WAREHOUSE = "warehouse", _("Warehouse")
    ADMIN = "admin", _("Administrator")


# Who reads every customer file (and what hangs off it). A salesperson reads own ones only;
# the warehouse reads none (it works on stock and shipments).
SEES_ALL_CUSTOMERS = frozenset(
    {Role.ASSISTANT, Role.COMMERCIAL, Role.DIRECTOR, Role.FINANCE, Role.ADMIN}
)
READS_CUSTOMERS = SEES_ALL_CUSTOMERS | {Role.SALESPERSON}
# Who writes customer files, contacts, leads, mailings and follow-ups.
EDITS_CUSTOMERS = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.SALESPERSON, Role.ADMIN})
# Who may give a customer to another salesperson (业务分配) and import for others.
ASSIGNS_OWNERS = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.ADMIN})
# Who owns customers.
OWNS_CUSTOMERS = frozenset({Role.SALESPERSON})


# Orders, promises and shipments (R-4). Salespeople work on their own customers' orders;
# the warehouse reads orders to ship them and records shipments, but sees no money.
READS_ORDERS = READS_CUSTOMERS | {Role.WAREHOUSE}
EDITS_ORDERS = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.SALESPERSON, Role.ADMIN})
UPDATES_PRODUCTION = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.WAREHOUSE, Role.ADMIN})
RECORDS_SHIPMENTS = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.WAREHOUSE, Role.ADMIN})
# Products: everyone signed in reads them; the sales office keeps them.
EDITS_PRODUCTS = frozenset({Role.ASSISTANT, Role.COMMERCIAL, Role.ADMIN})
# Receivables and payments: read by those who read the customer (scoped the same way);
# payments are recorded and reconciled by finance and the sales assistant.
RECORDS_PAYMENTS = frozenset({Role.FINANCE, Role.ASSISTANT, Role.ADMIN})
RECONCILES = frozenset({Role.FINANCE, Role.ASSISTANT, Role.ADMIN})
# Reports: every role but the warehouse reads sales figures; a salesperson's are their
# own. The whole team sees the ranking; its amounts only where RANKING_AMOUNT_ROLES says.
READS_REPORTS = frozenset(set(Role) - {Role.WAREHOUSE})
SEES_TEAM_FIGURES = frozenset(
    {Role.ASSISTANT, Role.COMMERCIAL, Role.DIRECTOR, Role.FINANCE, Role.ADMIN}
)
EDITS_TARGETS = frozenset({Role.ASSISTANT, Role.DIRECTOR, Role.ADMIN})
# Money fields (prices, amounts) are shown to every role but the warehouse.
SEES_MONEY = frozenset(set(Role) - {Role.WAREHOUSE})


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def sees_all_customers(user) -> bool:
    return role_of(user) in SEES_ALL_CUSTOMERS


def reads_customers(user) -> bool:
    return role_of(user) in READS_CUSTOMERS


def edits_customers(user) -> bool:
    return role_of(user) in EDITS_CUSTOMERS


def assigns_owners(user) -> bool:
    return role_of(user) in ASSIGNS_OWNERS


def reads_orders(user) -> bool:
    return role_of(user) in READS_ORDERS


def edits_orders(user) -> bool:
    return role_of(user) in EDITS_ORDERS


def updates_production(user) -> bool:
    return role_of(user) in UPDATES_PRODUCTION


def records_shipments(user) -> bool:
    return role_of(user) in RECORDS_SHIPMENTS


def reads_products(user) -> bool:
    return role_of(user) is not None


def edits_products(user) -> bool:
    return role_of(user) in EDITS_PRODUCTS


def sees_money(user) -> bool:
    return role_of(user) in SEES_MONEY


def reads_receivables(user) -> bool:
    return role_of(user) in READS_CUSTOMERS


def records_payments(user) -> bool:
    return role_of(user) in RECORDS_PAYMENTS


def reconciles(user) -> bool:
    return role_of(user) in RECONCILES


def reads_reports(user) -> bool:
    return role_of(user) in READS_REPORTS


def sees_team_figures(user) -> bool:
    return role_of(user) in SEES_TEAM_FIGURES


def edits_targets(user) -> bool:
    return role_of(user) in EDITS_TARGETS


def sees_ranking_amounts(user) -> bool:
    """Whether the ranking shows this person the team's amounts (settings.RANKING_AMOUNT_ROLES)."""
    from django.conf import settings

    return role_of(user) in settings.RANKING_AMOUNT_ROLES


# Today: the sections of the Today page that are each role's work (the keys are
# reports.selectors.today's). A salesperson's items are own customers' (the selectors scope
# them); the warehouse gets shipping work without money or customer files; finance the money.
_TODAY_SALES_WORK = (
    "answer",
    "at_risk",
    "week",
    "notice",
    "receipt",
    "followups",
    "quiet",
    "samples",
    "approvals",
    "receivables",
)
_TODAY_OFFICE_WORK = (*_TODAY_SALES_WORK, "ready")
TODAY_SECTIONS = {
    Role.ASSISTANT: _TODAY_OFFICE_WORK,
    Role.COMMERCIAL: _TODAY_OFFICE_WORK,
    Role.DIRECTOR: _TODAY_OFFICE_WORK,
    Role.ADMIN: _TODAY_OFFICE_WORK,
    Role.SALESPERSON: _TODAY_SALES_WORK,
    Role.FINANCE: ("receivables",),
    Role.WAREHOUSE: ("ready", "receipt"),
}


def today_sections(user) -> tuple[str, ...]:
    """The Today sections this person works on (none when signed out or inactive)."""
    return TODAY_SECTIONS.get(role_of(user), ())
