from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for paging and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def yuan(value):
    """Money as a Chinese office writes it: ¥1,234.50."""
    if value is None or value == "":
        return ""
    return "¥" + number_format(Decimal(value), decimal_pos=2, force_grouping=True)
