"""The Today page (今日待办, R-8.1): each person's due work, one section's full list, the header count."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from salesdesk.accounts import roles
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..selectors import today as selectors


def has_today(user) -> bool:
    return bool(roles.today_sections(user))


@role_required(has_today)
@require_GET
def today(request):
    page = selectors.today_page(user=request.user)
    return render(request, "reports/today.html", {"today": page, "as_of": page.moment.today})


@role_required(has_today)
@require_GET
def today_section(request, key: str):
    section = selectors.section_for(request.user, key)
    if section is None:
        raise Http404
    # Exact: the badge above the list shows the section's whole count.
    page = paginate(
        request, selectors.section_rows(user=request.user, section=section), capped=False
    )
    context = {
        "section": section,
        "page_obj": page,
        "items": selectors.section_items(user=request.user, section=section, rows=page),
        "worklist_url": section.worklist(request.user),
        "as_of": timezone.localdate(),
    }
    return render(request, "reports/today_section.html", context)


@role_required(has_today)
@require_GET
def today_badge(request):
    """The header's count, fetched by htmx when the cache had none for this person."""
    total = selectors.badge_total(request.user)
    return render(request, "reports/_today_badge.html", {"nav_today_total": total})


urlpatterns = [
    path("today/", today, name="today"),
    path("today/badge/", today_badge, name="today-badge"),
    path("today/<slug:key>/", today_section, name="today-section"),
]
