"""Order pages: list and export, fast entry, the order page with its actions, promises, contracts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.lists import export_response, posted, render_list
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required
from salesdesk.core.scoping import scope_by_customer
from salesdesk.customers.models import Customer

from ..choices import CANCELLABLE_STATES, OPEN_STATES, OrderState
from ..forms.orders import (
    ConfirmForm,
    ContractFilterForm,
    OrderFilterForm,
    OrderHeaderForm,
    ProductionForm,
    PromiseChangeForm,
    ReasonForm,
    line_formset,
)
from ..selectors import contracts as contract_selectors
from ..selectors import orders as selectors
from ..selectors.promises import PROMISE_LISTS, promise_history, promise_worklist_pages
from ..selectors.shipments import order_shipments
from ..services import orders as services
from ..services.production import NOT_FOR_PRODUCTION, production_update
from ..services.promises import promise_change

TABLE_ID = "order-table"
CONTRACT_TABLE_ID = "contract-table"


@role_required(roles.reads_orders)
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET, user=request.user)
    orders = selectors.order_list(user=request.user, **form.filters())
    page = paginate(request, selectors.for_list(orders))
    context = {
        "form": form,
        "page_obj": page,
        "table_id": TABLE_ID,
        "risk_labels": selectors.RISK_LABELS,
        "can_enter_orders": roles.edits_orders(request.user),
        "drill_down": form.drill_down(),
    }
    return render_list(
        request, context, page="orders/order_list.html", table="orders/_order_table.html"
    )


@role_required(roles.reads_orders)
@require_GET
def order_export(request):
    form = OrderFilterForm(request.GET, user=request.user)
    orders = selectors.order_list(user=request.user, **form.filters())
    return export_response(
        title=_("Orders"),
        filename=_("orders"),
        headers=selectors.order_export_headers(request.user),
        rows=selectors.order_export_rows(orders, request.user),
    )


def _product_search_url() -> str:
    try:
        return reverse("catalog:product-search")
    except NoReverseMatch:  # the catalog pages are not installed: type product codes
        return ""


def _entry_page(request, header, lines, order=None):
    context = {
        "form": header,
        "lines": lines,
        "order": order,
        "product_search_url": _product_search_url(),
    }
    return render(request, "orders/order_form.html", context)


def _save_order(request, header, lines, save):
    """Shared tail of entry and edit: call the service or show its messages on the forms."""
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        try:
            order = save(header.header_data(), lines.lines_data())
        except ValidationError as exc:
            lines.add_service_errors(exc, header)
        else:
            messages.success(request, _("Saved order %(number)s.") % {"number": order.number})
            return redirect("orders:detail", pk=order.pk)
    return None


@role_required(roles.edits_orders)
@require_http_methods(["GET", "POST"])
def order_create(request):
    header = OrderHeaderForm(posted(request), user=request.user)
    lines = line_formset(posted(request))
    done = _save_order(
        request,
        header,
        lines,
        lambda data, rows: services.order_create(by=request.user, lines=rows, **data),
    )
    return done or _entry_page(request, header, lines)


@role_required(roles.edits_orders)
@require_http_methods(["GET", "POST"])
def order_edit(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    if order.state != OrderState.DRAFT:
        messages.error(request, _("Only a draft order can be edited."))
        return redirect("orders:detail", pk=order.pk)
    header = OrderHeaderForm(posted(request), user=request.user, order=order)
    lines = line_formset(posted(request), order=order, lines=selectors.order_lines(order))
    done = _save_order(
        request,
        header,
        lines,
        lambda data, rows: services.order_update(order=order, by=request.user, lines=rows, **data),
    )
    return done or _entry_page(request, header, lines, order)


@role_required(roles.edits_orders)
@require_GET
def customer_search(request):
    """Customer suggestions for order entry: [{id, code, name}] within the person's scope."""
    text = (request.GET.get("q") or "").strip()
    qs = scope_by_customer(Customer.objects.filter(archived_at__isnull=True), request.user)
    if text:
        lowered = text.lower()
        condition = (
            Q(code__istartswith=text) | Q(name__icontains=text) | Q(short_name__icontains=text)
        )
        if lowered.isascii() and lowered.isalpha():
            condition |= Q(name_pinyin__contains=lowered) | Q(name_initials__contains=lowered)
        qs = qs.filter(condition)
    rows = qs.order_by("tier", "code").values("id", "code", "name")[:20]
    return JsonResponse(list(rows), safe=False)


def _detail_context(request, order, **forms) -> dict:
    user = request.user
    lines = list(selectors.order_lines(order))
    return {
        "order": order,
        "lines": lines,
        "promises": list(promise_history(order)),
        "execution": contract_selectors.execution_of(order),
        "behind_schedule": contract_selectors.is_behind_schedule(order),
        "risk_label": selectors.RISK_LABELS.get(getattr(order, "risk_reason", ""), ""),
        "can_edit": roles.edits_orders(user),
        "can_production": roles.updates_production(user) and order.state not in NOT_FOR_PRODUCTION,
        "can_promise": roles.edits_orders(user) and order.state in OPEN_STATES,
        "can_cancel": roles.edits_orders(user) and order.state in CANCELLABLE_STATES,
        "can_close": roles.edits_orders(user)
        and order.state in (OrderState.SHIPPED, OrderState.PARTLY_SHIPPED),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(prefix="confirm"),
        "promise_form": forms.get("promise_form") or PromiseChangeForm(prefix="promise"),
        "production_form": forms.get("production_form")
        or ProductionForm(
            prefix="production",
            initial={"status": order.production_status, "note": order.production_note},
        ),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        "close_form": forms.get("close_form") or ReasonForm(prefix="close"),
        **(order_shipments(order=order, user=user) or {}),
    }


@role_required(roles.reads_orders)
@require_GET
def order_detail(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    return render(request, "orders/order_detail.html", _detail_context(request, order))


def _action(check, form_class, form_name: str, call, done: str, prefix: str | None = None):
    """A POST action on the order page: success → back to the page; bad input → the page with messages."""

    @role_required(check)
    @require_POST
    def view(request, pk: int):
        order = selectors.order_get(user=request.user, pk=pk)
        form = form_class(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                call(order=order, by=request.user, **form.service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, str(done) % {"number": order.number})
                return redirect("orders:detail", pk=order.pk)
        order = selectors.order_get(user=request.user, pk=pk)
        context = _detail_context(request, order, **{form_name: form})
        return render(request, "orders/order_detail.html", context)

    return view


order_confirm = _action(
    roles.edits_orders,
    ConfirmForm,
    "confirm_form",
    services.order_confirm,
    gettext_lazy("Order %(number)s confirmed."),
    "confirm",
)
order_promise_change = _action(
    roles.edits_orders,
    PromiseChangeForm,
    "promise_form",
    promise_change,
    gettext_lazy("Promised date of %(number)s changed."),
    "promise",
)
order_production = _action(
    roles.updates_production,
    ProductionForm,
    "production_form",
    production_update,
    gettext_lazy("Production status of %(number)s saved."),
    "production",
)
order_cancel = _action(
    roles.edits_orders,
    ReasonForm,
    "cancel_form",
    services.order_cancel,
    gettext_lazy("Order %(number)s cancelled."),
    "cancel",
)
order_close = _action(
    roles.edits_orders,
    ReasonForm,
    "close_form",
    services.order_close,
    gettext_lazy("Order %(number)s closed."),
    "close",
)


@role_required(roles.reads_orders)
@require_GET
def promise_list(request):
    pages = {key: request.GET.get(f"{key}_page") for key in PROMISE_LISTS}
    context = {"lists": promise_worklist_pages(user=request.user, pages=pages)}
    return render(request, "orders/promise_worklist.html", context)


@role_required(roles.reads_orders)
@require_GET
def contract_list(request):
    form = ContractFilterForm(request.GET)
    filters = form.filters()
    contracts = contract_selectors.contract_execution(user=request.user, **filters)
    page = paginate(request, contract_selectors.for_list(contracts))
    page.object_list = contract_selectors.with_execution(page.object_list)
    context = {
        "form": form,
        "page_obj": page,
        "table_id": CONTRACT_TABLE_ID,
        "include_closed": filters.get("include_closed", False),
    }
    return render_list(
        request, context, page="orders/contract_list.html", table="orders/_contract_table.html"
    )


urlpatterns = [
    path("", order_list, name="list"),
    path("export/", order_export, name="export"),
    path("new/", order_create, name="create"),
    path("customers/search/", customer_search, name="customer-search"),
    path("promises/", promise_list, name="promises"),
    path("contracts/", contract_list, name="contracts"),
    path("<int:pk>/", order_detail, name="detail"),
    path("<int:pk>/edit/", order_edit, name="edit"),
    path("<int:pk>/confirm/", order_confirm, name="confirm"),
    path("<int:pk>/promise/", order_promise_change, name="promise-change"),
    path("<int:pk>/production/", order_production, name="production"),
    path("<int:pk>/cancel/", order_cancel, name="cancel"),
    path("<int:pk>/close/", order_close, name="close"),
]
