from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from salesdesk.accounts import roles


@login_required
def home(request):
    """The first page after sign-in: Today (R-8.1), each role's due work."""
    if roles.today_sections(request.user):
        return redirect("reports:today")
    return render(request, "core/home.html")


def render_report(request, full: str, fragment: str, context: dict):
    """A report page, or only its report part when htmx asks (the filter form swaps it)."""
    return render(request, fragment if request.htmx else full, context)
