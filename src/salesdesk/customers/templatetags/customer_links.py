"""A customer's name linked to its page, and the key-account badge (`{% load customer_links %}`).

Written in Python rather than included templates: lists show them on every row, and an
`{% include … with %}` per row cost the review pack 60 ms for a few hundred rows.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from salesdesk.core import lists
from salesdesk.core.lists import pk_url

register = template.Library()


@register.filter
def key_badge(customer) -> str:
    """`{{ customer|key_badge }}`: " <badge>Key account</badge>" for a key account, else ""."""
    if customer is None or not customer.is_key_account:
        return ""
    return mark_safe(lists.key_badge())  # noqa: S308 - escaped


def link_html(pk: int, name: str, is_key: bool) -> str:
    """A customer's name linked to its page, with the badge for a key account (escaped HTML):
    for rows read as values (customers/templatetags/review_rows.py) as for model instances."""
    badge = lists.key_badge() if is_key else ""
    return f'<a href="{pk_url(pk, "customers:detail")}">{conditional_escape(name)}</a>{badge}'


@register.simple_tag
def customer_link(customer) -> str:
    """`{% customer_link customer %}`: the name linked to the customer's page, with the badge."""
    return mark_safe(link_html(customer.pk, customer.name, customer.is_key_account))  # noqa: S308
