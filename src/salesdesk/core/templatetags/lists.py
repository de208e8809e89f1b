"""Template helpers of the list pages (`{% load lists %}`)."""

from django import template

from salesdesk.core.lists import with_choice_labels

register = template.Library()


@register.filter
def choice_labels(rows):
    """The page's rows with `<field>_label` set for each choice field (core.lists)."""
    return with_choice_labels(rows)
