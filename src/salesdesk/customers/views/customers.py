"""Customer file pages: list and search, export, detail with history, create/edit, archive, contacts, gaps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.lists import export_response, posted, render_list
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..completeness import gaps
from ..forms.customers import (
    ContactForm,
    CustomerCreateForm,
    CustomerFilterForm,
    CustomerForm,
    GapsFilterForm,
)
from ..selectors import customers as selectors
from ..selectors.activity import customer_activity
from ..services import customers as services

TABLE_ID = "customer-table"


@role_required(roles.reads_customers)
@require_GET
def customer_list(request):
    form = CustomerFilterForm(request.GET, user=request.user)
    customers = selectors.customer_list(user=request.user, **form.filters())
    page = paginate(request, selectors.for_list(customers))
    context = {"form": form, "page_obj": page, "sorts": selectors.SORTS, "table_id": TABLE_ID}
    return render_list(
        request,
        context,
        page="customers/customer_list.html",
        table="customers/_customer_table.html",
    )


@role_required(roles.reads_customers)
@require_GET
def customer_export(request):
    form = CustomerFilterForm(request.GET, user=request.user)
    customers = selectors.customer_list(user=request.user, **form.filters())
    return export_response(
        title=_("Customers"),
        filename=_("customers"),
        headers=selectors.customer_export_headers(),
        rows=selectors.customer_export_rows(customers),
    )


@role_required(roles.reads_customers)
@require_GET
def customer_detail(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk)
    contacts, archived_contacts = selectors.customer_contacts_split(customer)  # one query for both
    context = {
        "customer": customer,
        "contacts": contacts,
        "archived_contacts": archived_contacts,
        "gap_list": gaps(customer, contacts),
        "history": selectors.customer_history(customer),
        **customer_activity(customer=customer, user=request.user, contacts=contacts),
    }
    return render(request, "customers/customer_detail.html", context)


def _save_customer_form(request, form, save, template: str, context: dict):
    """Shared tail of create and edit: call the service, or show its messages on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            customer = save(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved %(customer)s.") % {"customer": customer})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, template, {"form": form, **context})


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerCreateForm(posted(request), user=request.user)

    def save(form):
        return services.customer_create(
            by=request.user,
            data=form.customer_data(),
            contacts=form.contacts_data(),
            confirm_duplicate=form.cleaned_data["confirm_duplicate"],
        )

    return _save_customer_form(request, form, save, "customers/customer_form.html", {})


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = CustomerForm(posted(request), user=request.user, customer=customer)

    def save(form):
        return services.customer_update(
            customer=customer,
            by=request.user,
            data=form.customer_data(),
            confirm_duplicate=form.cleaned_data["confirm_duplicate"],
        )

    return _save_customer_form(
        request, form, save, "customers/customer_form.html", {"customer": customer}
    )


def _archive_action(service, done_message: str):
    @role_required(roles.edits_customers)
    @require_POST
    def view(request, pk: int):
        customer = selectors.customer_get(user=request.user, pk=pk)
        try:
            service(customer=customer, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done_message % {"customer": customer})
        return redirect("customers:detail", pk=customer.pk)

    return view


customer_archive = _archive_action(
    services.customer_archive, gettext_lazy("Archived %(customer)s.")
)
customer_restore = _archive_action(
    services.customer_restore, gettext_lazy("Restored %(customer)s.")
)


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def contact_create(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = ContactForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(customer=customer, by=request.user, data=form.contact_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer})


@role_required(roles.edits_customers)
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = ContactForm(posted(request), instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, by=request.user, data=form.contact_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:detail", pk=contact.customer_id)
    context = {"form": form, "customer": contact.customer, "contact": contact}
    return render(request, "customers/contact_form.html", context)


@role_required(roles.edits_customers)
@require_POST
def contact_archive(request, pk: int):
    contact = selectors.contact_get(user=request.user, pk=pk)
    try:
        services.contact_archive(contact=contact, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Archived contact %(name)s.") % {"name": contact.name})
    return redirect("customers:detail", pk=contact.customer_id)


@role_required(roles.reads_customers)
@require_GET
def customer_gaps(request):
    form = GapsFilterForm(request.GET, user=request.user)
    page = paginate(request, selectors.customer_gaps(user=request.user, **form.filters()))
    page.object_list = selectors.with_gaps(page.object_list)
    return render(request, "customers/customer_gaps.html", {"form": form, "page_obj": page})


urlpatterns = [
    path("", customer_list, name="list"),
    path("export/", customer_export, name="export"),
    path("new/", customer_create, name="create"),
    path("gaps/", customer_gaps, name="gaps"),
    path("<int:pk>/", customer_detail, name="detail"),
    path("<int:pk>/edit/", customer_edit, name="edit"),
    path("<int:pk>/archive/", customer_archive, name="archive"),
    path("<int:pk>/restore/", customer_restore, name="restore"),
    path("<int:pk>/contacts/new/", contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/archive/", contact_archive, name="contact-archive"),
]
