"""The product list's rows written in Python (`{% load product_rows %}`).

See docs/performance.md, "List page rendering": under load the product list spent half its
time in the template's row loop. Tested by what the rows show (tests/catalog).
"""

from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from salesdesk.core.lists import cell, pk_url, with_choice_labels, ymd

register = template.Library()

_FOUR_PLACES = Decimal("0.0001")


def price(value) -> str:
    """`value|floatformat:"-4"`: four decimal places, none for a whole number."""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    return str(amount.quantize(_FOUR_PLACES))


def product_row(p, *, badges: dict, sees_money: bool) -> str:
    flags = "".join(badge for flag, badge in badges.items() if getattr(p, flag))
    money = f'<td class="text-end">{price(p.list_price)}</td>' if sees_money else ""
    return (
        "\n<tr>"
        f'<td><a href="{pk_url(p.pk, "catalog:product-detail")}">{cell(p.code)}</a></td>'
        f'<td class="wrap">{cell(p.name)}{flags}</td>'
        f'<td class="small">{cell(p.spec or "—")}</td>'
        f'<td class="d-none d-md-table-cell">{cell(p.unit_label)}</td>'
        f"{money}"
        f'<td class="text-end d-none d-md-table-cell">{cell(p.min_stock)}</td>'
        f"<td>{cell(p.revision)}</td>"
        f'<td class="d-none d-lg-table-cell">{ymd(p.updated_at)}</td>'
        "</tr>"
    )


@register.simple_tag(takes_context=True)
def product_rows(context, rows):
    """The <tr> of every product of the page."""
    badges = {
        "is_new": f' <span class="badge text-bg-info">{cell(gettext("New product"))}</span>',
        "needs_approval": (
            f' <span class="badge text-bg-warning">{cell(gettext("Needs approval"))}</span>'
        ),
        "archived_at": f' <span class="badge text-bg-secondary">{cell(gettext("Archived"))}</span>',
    }
    sees_money = bool(context.get("sees_money"))
    html = "".join(
        product_row(p, badges=badges, sees_money=sees_money) for p in with_choice_labels(rows)
    )
    return mark_safe(html)  # noqa: S308 - every cell escaped
