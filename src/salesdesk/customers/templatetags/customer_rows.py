"""The customer list's rows written in Python (`{% load customer_rows %}`).

The list is the busiest page of the department (docs/performance.md, "List page rendering"):
its 50 rows × 10 cells cost ~6.5 ms through the template engine, ~1 ms here. The markup is the
template's, byte for byte (tests/core/test_list_rendering.py renders both and compares them);
change both together.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from salesdesk.core.lists import cell, pk_url, with_choice_labels, ymd

register = template.Library()

_KEY_CLASS = ' class="key-account"'


def _completeness_class(value: int) -> str:
    if value < 60:
        return "text-danger"
    return "text-warning-emphasis" if value < 100 else "text-success"


def customer_row(c, key_badge: str, archived_badge: str) -> str:
    key = c.is_key_account
    contacts = c.live_contacts
    p = contacts[0] if contacts else None
    contact = ""
    if p:
        contact = (
            f'{cell(p.name)} <span class="text-body-secondary">{cell(p.mobile or p.phone)}</span>'
        )
    short = (
        f'<div class="small text-body-secondary">{cell(c.short_name)}</div>' if c.short_name else ""
    )
    city = " " + cell(c.city) if c.city else ""
    owner = cell(c.owner) if c.owner else "—"
    return (
        f"\n        <tr{_KEY_CLASS if key else ''}>"
        f"\n          <td>{cell(c.code)}</td>"
        f'\n          <td class="wrap">'
        f'\n            <a href="{pk_url(c.pk, "customers:detail")}">{cell(c.name)}</a>'
        f"\n            {key_badge if key else ''}"
        f"\n            {archived_badge if c.is_archived else ''}"
        f"\n            {short}"
        "\n          </td>"
        f"\n          <td>{owner}</td>"
        f"\n          <td>{cell(c.status_label)}</td>"
        f'\n          <td class="d-none d-md-table-cell">{cell(c.province_label)}{city}</td>'
        f'\n          <td class="d-none d-lg-table-cell">{cell(c.industry_label)}</td>'
        f'\n          <td class="d-none d-md-table-cell">{contact}</td>'
        f'\n          <td><span class="{_completeness_class(c.completeness)}">'
        f"{cell(c.completeness)}%</span></td>"
        f"\n          <td>{ymd(c.last_followup_at) or '—'}</td>"
        f'\n          <td class="d-none d-lg-table-cell">{ymd(c.created_at)}</td>'
        "\n        </tr>\n        "
    )


@register.simple_tag
def customer_rows(rows):
    """The <tr> of every customer of the page (rows from customers.selectors.with_live_contacts)."""
    key_badge = f'<span class="badge badge-key">{cell(gettext("Key account"))}</span>'
    archived_badge = f'<span class="badge text-bg-secondary">{cell(gettext("Archived"))}</span>'
    return mark_safe(
        "".join(customer_row(c, key_badge, archived_badge) for c in with_choice_labels(rows))
    )
