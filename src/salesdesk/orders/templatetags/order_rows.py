"""The order list's rows written in Python (`{% load order_rows %}`).

See docs/performance.md, "List page rendering": 50 rows through the template engine cost ~4 ms
of a page whose budget is ~8 ms. The markup is the template's, byte for byte
(tests/core/test_list_rendering.py renders both and compares them); change both together.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from salesdesk.core.lists import cell, pk_url, with_choice_labels, ymd
from salesdesk.core.templatetags.core import yuan

register = template.Library()

_KEY_CLASS = ' class="key-account"'

_STATE_BADGE = {
    "cancelled": "secondary",
    "draft": "light border",
    "closed": "success",
    "shipped": "success",
}


def order_row(o, *, key_badge: str, sees_money: bool, risk_labels: dict) -> str:
    customer = o.customer
    key = customer.is_key_account
    contract = (
        f'<div class="small text-body-secondary">{cell(o.contract_number)}</div>'
        if o.contract_number
        else ""
    )
    risk = ""
    if o.risk_reason:
        label = "".join(cell(label) for k, label in risk_labels.items() if k == o.risk_reason)
        risk = (
            f'<span class="badge text-bg-danger" title="{cell(o.production_note)}">{label}</span>'
        )
    money = f'<td class="text-end">{cell(yuan(o.total_amount))}</td>' if sees_money else ""
    return (
        f"\n<tr{_KEY_CLASS if key else ''}>"
        f'\n  <td><a href="{pk_url(o.pk, "orders:detail")}">{cell(o.number)}</a>{contract}</td>'
        f'\n  <td class="wrap">{cell(customer.name)}{key_badge if key else ""}'
        f'<div class="small text-body-secondary">{cell(customer.code)}</div></td>'
        f'\n  <td class="d-none d-md-table-cell">{cell(o.salesperson)}</td>'
        f"\n  <td>{ymd(o.order_date)}</td>"
        f"\n  <td>{ymd(o.promised_date) or '—'}</td>"
        f'\n  <td><span class="badge text-bg-{_STATE_BADGE.get(o.state, "primary")}">'
        f"{cell(o.state_label)}</span></td>"
        f'\n  <td class="d-none d-md-table-cell">{cell(o.production_status_label)}</td>'
        f"\n  {money}"
        f"\n  <td>{risk}</td>"
        "\n</tr>\n        "
    )


@register.simple_tag(takes_context=True)
def order_rows(context, rows):
    """The <tr> of every order of the page (orders.selectors: customer and salesperson joined)."""
    key_badge = f' <span class="badge badge-key">{cell(gettext("Key account"))}</span>'
    options = {
        "key_badge": key_badge,
        "sees_money": bool(context.get("sees_money")),
        "risk_labels": context.get("risk_labels") or {},
    }
    return mark_safe("".join(order_row(o, **options) for o in with_choice_labels(rows)))
