"""Pages for follow-ups and return visits (R-3.1, R-3.3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.followups import DueFilterForm, FollowUpForm, ReturnVisitForm
from ..forms.pipeline import add_service_errors
from ..selectors.activity import customer_activity, customer_url
from ..selectors.followups import customer_get, followups_due, for_due_list
from ..services.followups import followup_log, return_visit_schedule

ACTIVITY_TARGET = "customer-activity"


def safe_next(request) -> str | None:
    """The `next` the form carried, if it points back into this site."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def from_activity(request) -> bool:
    """An htmx post from the customer page's activity panel: answer with the panel."""
    return bool(request.htmx) and request.htmx.target == ACTIVITY_TARGET


def render_activity(request, customer, **forms):
    """The activity panel, fresh, with any bound forms that carry errors left in place."""
    context = customer_activity(customer=customer, user=request.user)
    context["activity"].update(forms)
    return render(request, "customers/_customer_activity.html", context)


def done(request, customer, message, fallback=None):
    """After a write: the panel for the customer page's htmx, else redirect back."""
    if from_activity(request):
        return render_activity(request, customer)
    messages.success(request, message)
    return redirect(safe_next(request) or fallback or customer_url(customer))


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def due(request):
    form = DueFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = paginate(request, for_due_list(followups_due(user=request.user, **filters)))
    template = (
        "customers/_followups_due_table.html" if request.htmx else "customers/followups_due.html"
    )
    return render(
        request,
        template,
        {"form": form, "page_obj": page, "until": filters["until"], "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@role_required(roles.edits_customers)
def log(request, pk):
    customer = customer_get(user=request.user, pk=pk)
    form = FollowUpForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            followup_log(customer=customer, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return done(request, customer, _("Follow-up logged."))
    if request.method == "POST" and from_activity(request):
        return render_activity(request, customer, followup_form=form)
    context = {"form": form, "customer": customer, "next": safe_next(request) or ""}
    return render(request, "customers/followup_form.html", context)


@require_http_methods(["POST"])
@role_required(roles.edits_customers)
def return_visit(request, pk):
    customer = customer_get(user=request.user, pk=pk)
    form = ReturnVisitForm(request.POST)
    if form.is_valid():
        try:
            return_visit_schedule(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return done(request, customer, _("Return visit scheduled."))
    if from_activity(request):
        return render_activity(request, customer, return_visit_form=form)
    context = {"form": form, "customer": customer, "next": safe_next(request) or ""}
    return render(request, "customers/followup_return_visit.html", context)


urlpatterns = [
    path("followups/due/", due, name="followups-due"),
    path("<int:pk>/followups/log/", log, name="followup-log"),
    path("<int:pk>/return-visit/", return_visit, name="return-visit"),
]
