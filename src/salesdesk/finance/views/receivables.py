"""Receivable and payment pages: lists with totals and export, receivable detail and invoice
number, fast payment entry, payment detail with allocation of credit, the customer statement."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.excel import Sheet, xlsx_response
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.receivables import (
    AllocateForm,
    InvoiceForm,
    PaymentFilterForm,
    PaymentForm,
    ReceivableFilterForm,
    StatementForm,
)
from ..selectors import receivables as selectors
from ..selectors import statements as statement_selectors
from ..services import payments as payment_services
from ..services import receivables as services
from . import reports

TABLE_ID = "receivable-table"
PAYMENT_TABLE_ID = "payment-table"
ENTRY_ID = "payment-entry"
OPEN_ID = "open-receivables"


def _htmx_target(request, target: str) -> bool:
    return bool(request.htmx) and request.htmx.target == target


# --- receivables ----------------------------------------------------------------------------


@role_required(roles.reads_receivables)
@require_GET
def receivable_list(request):
    form = ReceivableFilterForm(request.GET, user=request.user)
    filters = form.filters()
    receivables = selectors.receivable_list(user=request.user, **filters)
    if request.GET.get("format") == "xlsx":  # every row: the totals of every row too
        totals = selectors.receivable_totals(receivables)
        rows = [*selectors.receivable_export_rows(receivables), _total_row(totals)]
        sheet = Sheet(
            title=_("Receivables"), headers=selectors.receivable_export_headers(), rows=rows
        )
        return xlsx_response(_("receivables"), [sheet])
    totals = selectors.receivable_totals(
        receivables, whole_history=selectors.whole_receivable_history(**filters)
    )
    context = {
        "form": form,
        "page_obj": paginate(
            request, selectors.for_receivable_list(receivables), count=totals.count
        ),
        "totals": totals,
        "table_id": TABLE_ID,
        "can_record": roles.records_payments(request.user),
    }
    if _htmx_target(request, TABLE_ID):
        return render(request, "finance/_receivable_table.html", context)
    return render(request, "finance/receivable_list.html", context)


def _total_row(totals) -> list:
    return [
        _("Total"),
        "",
        "",
        "",
        "",
        "",
        "",
        None,
        None,
        totals.amount,
        totals.collected,
        totals.open,
    ]


def _receivable_context(request, receivable, invoice_form=None) -> dict:
    return {
        "receivable": receivable,
        "can_record": roles.records_payments(request.user),
        "invoice_form": invoice_form
        or InvoiceForm(initial={"invoice_number": receivable.invoice_number}),
    }


@role_required(roles.reads_receivables)
@require_GET
def receivable_detail(request, pk: int):
    receivable = selectors.receivable_get(user=request.user, pk=pk)
    return render(
        request, "finance/receivable_detail.html", _receivable_context(request, receivable)
    )


@role_required(roles.records_payments)
@require_POST
def receivable_invoice(request, pk: int):
    receivable = selectors.receivable_get(user=request.user, pk=pk)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            services.receivable_set_invoice(
                receivable=receivable, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Invoice number saved."))
            if not request.htmx:
                return redirect("finance:receivable-detail", pk=pk)
            form = None
    receivable = selectors.receivable_get(user=request.user, pk=pk)
    template = (
        "finance/_receivable_summary.html" if request.htmx else "finance/receivable_detail.html"
    )
    return render(request, template, _receivable_context(request, receivable, form))


# --- payments -------------------------------------------------------------------------------


@role_required(roles.reads_receivables)
@require_GET
def payment_list(request):
    form = PaymentFilterForm(request.GET)
    filters = form.filters()
    payments = selectors.payment_list(user=request.user, **filters)
    totals = selectors.payment_totals(
        payments, whole_history=selectors.whole_payment_history(**filters)
    )
    context = {
        "form": form,
        "page_obj": paginate(request, selectors.for_payment_list(payments), count=totals.count),
        "totals": totals,
        "table_id": PAYMENT_TABLE_ID,
        "can_record": roles.records_payments(request.user),
    }
    if _htmx_target(request, PAYMENT_TABLE_ID):
        return render(request, "finance/_payment_table.html", context)
    return render(request, "finance/payment_list.html", context)


def _open_for(request, data) -> list:
    """The open receivables to allocate by hand: only when asked and the customer is known."""
    if not data.get("manual"):
        return []
    customer = selectors.customer_find(user=request.user, text=data.get("customer", ""))
    return selectors.open_receivables(customer=customer) if customer else []


def _last_payment(request):
    pk = request.GET.get("last", "")
    return selectors.payment_get(user=request.user, pk=int(pk)) if pk.isdigit() else None


def _entry_context(request, form, last) -> dict:
    return {"form": form, "last": last, "entry_id": ENTRY_ID, "open_id": OPEN_ID}


def _fresh_form(request, last):
    initial = {"received_on": last.received_on, "method": last.method} if last else {}
    return PaymentForm(user=request.user, initial=initial)


@role_required(roles.records_payments)
@require_http_methods(["GET", "POST"])
def payment_create(request):
    if request.method == "GET":
        if _htmx_target(request, OPEN_ID):  # the manual toggle or the customer changed
            form = PaymentForm(
                user=request.user,
                initial={"manual": bool(request.GET.get("manual"))},
                receivables=_open_for(request, request.GET),
            )
            return render(
                request,
                "finance/_payment_open_receivables.html",
                {"form": form, "open_id": OPEN_ID},
            )
        last = _last_payment(request)
        return render(
            request,
            "finance/payment_form.html",
            _entry_context(request, _fresh_form(request, last), last),
        )
    form = PaymentForm(
        request.POST, user=request.user, receivables=_open_for(request, request.POST)
    )
    payment = _save_payment(request, form)
    if payment is not None and not request.htmx:
        return redirect(f"{request.path}?last={payment.pk}")
    last = selectors.payment_get(user=request.user, pk=payment.pk) if payment else None
    context = _entry_context(request, _fresh_form(request, last) if payment else form, last)
    template = "finance/_payment_entry.html" if request.htmx else "finance/payment_form.html"
    return render(request, template, context)


def _save_payment(request, form):
    if not form.is_valid():
        return None
    if form.cleaned_data.get("manual") and not form.cleaned_data.get("allocation_shown"):
        form.add_error(
            None, _("Enter the amounts to allocate to the receivables below, then save again.")
        )
        return None
    try:
        payment = payment_services.payment_record(by=request.user, **form.service_data())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    messages.success(
        request,
        _("Payment of %(amount)s from %(customer)s saved.")
        % {"amount": f"¥{payment.amount:,}", "customer": payment.customer.name},
    )
    return payment


def _payment_context(request, payment, allocate_form=None) -> dict:
    can_allocate = roles.records_payments(request.user) and payment.unallocated_amount > 0
    if can_allocate and allocate_form is None:
        allocate_form = AllocateForm(
            receivables=selectors.open_receivables(customer=payment.customer)
        )
    return {"payment": payment, "can_allocate": can_allocate, "allocate_form": allocate_form}


@role_required(roles.reads_receivables)
@require_GET
def payment_detail(request, pk: int):
    payment = selectors.payment_get(user=request.user, pk=pk)
    return render(request, "finance/payment_detail.html", _payment_context(request, payment))


@role_required(roles.records_payments)
@require_POST
def payment_allocate(request, pk: int):
    payment = selectors.payment_get(user=request.user, pk=pk)
    form = AllocateForm(
        request.POST, receivables=selectors.open_receivables(customer=payment.customer)
    )
    if form.is_valid():
        try:
            payment_services.payment_allocate(
                payment=payment, by=request.user, **form.service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Credit allocated."))
            return redirect("finance:payment-detail", pk=pk)
    payment = selectors.payment_get(user=request.user, pk=pk)
    return render(request, "finance/payment_detail.html", _payment_context(request, payment, form))


# --- customers and the statement ------------------------------------------------------------


@role_required(roles.reads_receivables)
@require_GET
def customer_search(request):
    """Suggestions for the customer inputs: <option> elements for a datalist, within scope."""
    text = request.GET.get("q") or request.GET.get("customer") or ""
    customers = selectors.customer_suggestions(user=request.user, text=text)
    return render(request, "finance/_payment_customer_options.html", {"customers": customers})


@role_required(roles.reads_receivables)
@require_GET
def statement(request):
    form = StatementForm(request.GET if "customer" in request.GET else None, user=request.user)
    result = None
    if form.is_bound and form.is_valid():
        if request.GET.get("format") == "xlsx":  # every line
            return _statement_xlsx(
                statement_selectors.customer_statement(user=request.user, **form.cleaned_data)
            )
        result = statement_selectors.customer_statement(
            user=request.user, **form.cleaned_data, page=request.GET.get("page") or 1
        )
    context = {"form": form, "statement": result, "page_obj": result and result.page_obj}
    return render(request, "finance/statement.html", context)


def _statement_xlsx(result):
    title = _("Statement")
    sheet = Sheet(
        title=title,
        headers=statement_selectors.statement_sheet_headers(),
        rows=statement_selectors.statement_sheet_rows(result),
        widths=[12, 12, 20, 36, 12, 14, 14, 14],
    )
    name = f"{title}-{result.customer.code}-{result.start:%Y%m%d}-{result.end:%Y%m%d}"
    return xlsx_response(name, [sheet])


urlpatterns = [
    path("receivables/", receivable_list, name="receivables"),
    path("receivables/<int:pk>/", receivable_detail, name="receivable-detail"),
    path("receivables/<int:pk>/invoice/", receivable_invoice, name="receivable-invoice"),
    path("payments/", payment_list, name="payments"),
    path("payments/new/", payment_create, name="payment-create"),
    path("payments/<int:pk>/", payment_detail, name="payment-detail"),
    path("payments/<int:pk>/allocate/", payment_allocate, name="payment-allocate"),
    path("statement/", statement, name="statement"),
    path("customers/search/", customer_search, name="customer-search"),
    *reports.urlpatterns,
]
