from django import template

from salesdesk.core.money import to_money

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
    amount = to_money(value)
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"
