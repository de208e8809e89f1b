"""Template helpers of the list pages (`{% load lists %}`): cheap per-row work.

See docs/performance.md, "List page rendering": a 50-row page renders each of these ~50–150
times, and Django's general tools (get_FOO_display, {% url %}, |date, widget templates) cost
tens of microseconds a call.
"""

from django import template
from django.utils.safestring import mark_safe

from salesdesk.core import lists

register = template.Library()


@register.filter
def choice_labels(rows):
    """The page's rows with `<field>_label` set for each choice field (core.lists)."""
    return lists.with_choice_labels(rows)


@register.filter
def pk_url(pk, name):
    """`{{ c.pk|pk_url:"customers:detail" }}` = `{% url "customers:detail" c.pk %}`."""
    return mark_safe(lists.pk_url(pk, name))


@register.filter(expects_localtime=False)
def ymd(value):
    """`{{ value|ymd }}` = `{{ value|date:"Y-m-d" }}`."""
    return lists.ymd(value)


@register.filter(expects_localtime=False)
def ymd_hm(value):
    """`{{ value|ymd_hm }}` = `{{ value|date:"Y-m-d H:i" }}`."""
    return lists.ymd_hm(value)


@register.filter
def widget(bound_field):
    """`{{ field|widget }}` = `{{ field }}`, select options written without templates."""
    return mark_safe(lists.render_field(bound_field))
