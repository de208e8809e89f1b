"""Template helpers of the Today page."""

from django import template

from ..selectors.today import count_label

register = template.Library()


@register.filter(name="count_label")
def count_label_filter(value):
    """A Today count as shown: "999+" once a section (or the total) is past the cap."""
    return count_label(value)
