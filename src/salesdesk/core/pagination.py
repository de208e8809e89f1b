"""Pagination for list pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator


def paginate(request, queryset, per_page: int | None = None, *, count: int | None = None):
    """Return the requested page of `queryset`; a bad or too-large page number gives the last page.
    `count`: the row count when it is already known (e.g. from a totals query), so the list is
    not counted a second time."""
    paginator = Paginator(queryset, per_page or settings.SALESDESK_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
