"""Shipment pages: list, record a shipment for an order, detail, notify the customer, record receipt."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.accounts import roles
from salesdesk.core.lists import render_list
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..forms.shipments import NoticeForm, ReceiveForm, ShipmentFilterForm, ShipmentForm
from ..selectors import shipments as selectors
from ..services import notices
from ..services import shipments as services

TABLE_ID = "shipment-table"


def notifies(user) -> bool:
    return roles.records_shipments(user) or roles.edits_orders(user)


@role_required(roles.reads_orders)
@require_GET
def shipment_list(request):
    form = ShipmentFilterForm(request.GET)
    shipments = selectors.shipment_list(user=request.user, **form.filters())
    page = paginate(request, selectors.for_list(shipments))
    page.object_list = selectors.attach_goods(page.object_list)
    context = {"form": form, "page_obj": page, "table_id": TABLE_ID}
    return render_list(
        request, context, page="orders/shipment_list.html", table="orders/_shipment_table.html"
    )


def _order_pk(request) -> int:
    value = request.POST.get("order") or request.GET.get("order") or ""
    if not value.isdigit():
        raise Http404
    return int(value)


@role_required(roles.records_shipments)
@require_http_methods(["GET", "POST"])
def shipment_create(request):
    order = selectors.order_for_shipping(user=request.user, pk=_order_pk(request))
    form = ShipmentForm(
        request.POST if request.method == "POST" else None, lines=selectors.open_lines(order=order)
    )
    if request.method == "POST" and form.is_valid():
        try:
            shipment = services.shipment_record(
                order=order, by=request.user, lines=form.lines_data(), **form.header()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Shipment %(number)s recorded.") % {"number": shipment.number}
            )
            return redirect("orders:shipment-detail", pk=shipment.pk)
    return render(request, "orders/shipment_form.html", {"form": form, "order": order})


def _card_context(request, shipment, **forms) -> dict:
    return {
        **selectors.shipment_card(shipment=shipment, user=request.user),
        "notice_form": forms.get("notice_form") or NoticeForm(auto_id=f"id_n{shipment.pk}_%s"),
        "receive_form": forms.get("receive_form") or ReceiveForm(auto_id=f"id_r{shipment.pk}_%s"),
        "next": request.POST.get("next", ""),
    }


@role_required(roles.reads_orders)
@require_GET
def shipment_detail(request, pk: int):
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    return render(request, "orders/shipment_detail.html", _card_context(request, shipment))


def _after_action(request, pk: int, done: bool, **forms):
    """htmx: the shipment's card again; plain post: back where it came from, or the page with errors."""
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    if request.htmx:
        return render(
            request, "orders/_shipment_card.html", _card_context(request, shipment, **forms)
        )
    target = request.POST.get("next", "")
    if done and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    if done:
        return redirect("orders:shipment-detail", pk=pk)
    return render(request, "orders/shipment_detail.html", _card_context(request, shipment, **forms))


def _run(request, form, call, done_message: str) -> bool:
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, done_message)
    return True


@role_required(notifies)
@require_POST
def shipment_notify(request, pk: int):
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    form = NoticeForm(request.POST, auto_id=f"id_n{pk}_%s")
    done = _run(
        request,
        form,
        lambda data: notices.shipment_notify(shipment=shipment, by=request.user, **data),
        _("Customer notified of %(number)s.") % {"number": shipment.number},
    )
    return _after_action(request, pk, done, notice_form=form)


@role_required(roles.records_shipments)
@require_POST
def shipment_receive(request, pk: int):
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    form = ReceiveForm(request.POST, auto_id=f"id_r{pk}_%s")
    done = _run(
        request,
        form,
        lambda data: services.shipment_receive(shipment=shipment, by=request.user, **data),
        _("Receipt of %(number)s recorded.") % {"number": shipment.number},
    )
    return _after_action(request, pk, done, receive_form=form)


urlpatterns = [
    path("shipments/", shipment_list, name="shipments"),
    path("shipments/new/", shipment_create, name="shipment-create"),
    path("shipments/<int:pk>/", shipment_detail, name="shipment-detail"),
    path("shipments/<int:pk>/notify/", shipment_notify, name="shipment-notify"),
    path("shipments/<int:pk>/receive/", shipment_receive, name="shipment-receive"),
]
