"""The order and shipment lists' rows written in Python (`{% load order_rows %}`).

See docs/performance.md, "List page rendering": 50 rows through the template engine cost ~4 ms
of a page whose budget is ~8 ms (the shipments: 11 ms). The order rows' markup is the
template's, byte for byte (tests/core/test_list_rendering.py renders both and compares them);
change both together. The shipment rows are tested by what they show
(tests/orders/test_shipments_views.py).
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from salesdesk.core.lists import cell, pk_url, with_choice_labels, ymd
from salesdesk.core.lists import key_badge as lists_key_badge
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
    key_badge = lists_key_badge()
    options = {
        "key_badge": key_badge,
        "sees_money": bool(context.get("sees_money")),
        "risk_labels": context.get("risk_labels") or {},
    }
    return mark_safe("".join(order_row(o, **options) for o in with_choice_labels(rows)))


def _local(moment, fmt: str) -> str:
    return timezone.localtime(moment).strftime(fmt)


def shipment_row(s, *, key_badge: str, sees_money: bool, labels: dict) -> str:
    customer = s.customer
    key = customer.is_key_account
    goods = "; ".join(f"{cell(code)} ×{cell(quantity)}" for code, quantity in s.goods)
    money = f'<td class="text-end">{cell(yuan(s.amount))}</td>' if sees_money else ""
    if s.notified_at:
        notified = _local(s.notified_at, "%m-%d %H:%M")
    else:
        notified = f'<span class="badge text-bg-warning">{labels["not_notified"]}</span>'
    if s.received_at:
        received = f"{_local(s.received_at, '%m-%d')} {cell(s.received_by_name)}"
    else:
        received = '<span class="text-body-secondary">—</span>'
    return (
        f"\n<tr{_KEY_CLASS if key else ''}>"
        f'<td><a href="{pk_url(s.pk, "orders:shipment-detail")}">{cell(s.number)}</a></td>'
        f"<td>{ymd(s.ship_date)}</td>"
        f'<td class="wrap">{cell(customer.name)}{key_badge if key else ""}</td>'
        f"<td>{cell(s.order.number)}</td>"
        f'<td class="wrap d-none d-md-table-cell small">{goods}</td>'
        f"<td>{cell(s.carrier)}</td>"
        f'<td class="d-none d-md-table-cell">{cell(s.tracking_number or "—")}</td>'
        f"{money}<td>{notified}</td><td>{received}</td></tr>"
    )


@register.simple_tag(takes_context=True)
def shipment_rows(context, rows):
    """The <tr> of every shipment of the page (orders.selectors.shipments: for_list, goods
    attached by attach_goods)."""
    options = {
        "key_badge": lists_key_badge(),
        "sees_money": bool(context.get("sees_money")),
        "labels": {"not_notified": cell(gettext("Not notified"))},
    }
    return mark_safe("".join(shipment_row(s, **options) for s in rows))  # noqa: S308 - cells escaped
