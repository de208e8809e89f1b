"""How complete a customer file is against the standard template (R-1.2).

Pure functions over one customer and its contacts, so the score can be stored at write
time (for the gaps worklist) and explained on the page (the list of gaps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import DecisionRole


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passes: Callable[[object, list], bool]
    # The file's fields the check reads (a list reading only some columns must keep these).
    fields: tuple[str, ...] = ()


def _filled(key: str, label, field: str = "") -> Check:
    """The check that `field` (default: the key) of the file is filled in."""
    field = field or key
    attname = f"{field}_id" if field == "owner" else field
    return Check(key, label, lambda c, contacts: getattr(c, attname) not in (None, ""), (field,))


CHECKS: tuple[Check, ...] = (
    _filled("short_name", _("short name")),
    _filled("credit_code", _("unified social credit code")),
    _filled("source", _("source")),
    _filled("province", _("province")),
    _filled("city", _("city")),
    _filled("address", _("address")),
    _filled("industry", _("industry")),
    _filled("owner", _("owner")),
    _filled("payment_terms_days", _("payment terms (days)")),
    _filled("credit_limit", _("credit limit")),
    _filled("invoice_title", _("invoice title")),
    _filled("invoice_tax_number", _("taxpayer number")),
    Check(
        "invoice_address",
        _("invoice address and phone"),
        lambda c, contacts: bool(c.invoice_address and c.invoice_phone),
        ("invoice_address", "invoice_phone"),
    ),
    Check(
        "invoice_bank",
        _("bank and account"),
        lambda c, contacts: bool(c.invoice_bank and c.invoice_account),
        ("invoice_bank", "invoice_account"),
    ),
    Check("contact", _("at least one contact"), lambda c, contacts: bool(contacts)),
    Check(
        "contact_phone",
        _("a contact with a mobile or phone number"),
        lambda c, contacts: any(p.mobile or p.phone for p in contacts),
    ),
    Check(
        "decision_maker",
        _("the decision maker among the contacts"),
        lambda c, contacts: any(p.decision_role == DecisionRole.DECISION_MAKER for p in contacts),
    ),
)
# Every field of the file that the checks read, in CHECKS order.
CHECKED_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for c in CHECKS for f in c.fields))


def gaps(customer, contacts: Iterable) -> list[Check]:
    """The template items this file is missing; archived contacts do not count."""
    live = [p for p in contacts if getattr(p, "archived_at", None) is None]
    return [check for check in CHECKS if not check.passes(customer, live)]


def score(customer, contacts: Iterable) -> int:
    """Percentage of template items filled, 0..100."""
    missing = len(gaps(customer, contacts))
    return round(100 * (len(CHECKS) - missing) / len(CHECKS))
