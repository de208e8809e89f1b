"""Pages for the new-customer pipeline, mailings and the pipeline reports (R-2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.excel import Sheet, xlsx_response
from salesdesk.core.lists import with_choice_labels
from salesdesk.core.pagination import paginate
from salesdesk.core.permissions import role_required

from ..choices import Stage
from ..forms.pipeline import (
    AsOfForm,
    LeadMoveForm,
    LeadStartForm,
    MailingFeedbackForm,
    MailingFilterForm,
    MailingForm,
    OwnerFilterForm,
    PeriodForm,
    add_service_errors,
)
from ..selectors.followups import customer_choices, customer_get
from ..selectors.key_first import KeyAccountsFirst
from ..selectors.leads import lead_get, lead_stage_changes, pipeline_board
from ..selectors.mailings import mailing_get, mailing_list
from ..selectors.reviews import new_customer_table, review_pack, review_page, win_loss
from ..services.leads import lead_move, lead_start, may_edit_customer
from ..services.mailings import mailing_record_feedback, mailing_send
from .followups import done, from_activity, render_activity, safe_next


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def board(request):
    form = OwnerFilterForm(request.GET or None, user=request.user)
    columns = pipeline_board(user=request.user, **form.filters())
    for column in columns:  # up to 400 cards: the label made here, not by a template tag each
        for lead in column["leads"]:
            days = lead.days_in_stage
            lead.days_label = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
    template = "customers/_pipeline_board.html" if request.htmx else "customers/pipeline.html"
    return render(
        request, template, {"form": form, "columns": columns, "today": timezone.localdate()}
    )


@require_http_methods(["POST"])
@role_required(roles.edits_customers)
def lead_start_view(request, pk):
    customer = customer_get(user=request.user, pk=pk)
    form = LeadStartForm(request.POST)
    if form.is_valid():
        try:
            lead = lead_start(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return done(request, customer, _("Lead started."), fallback=lead_url(lead))
    if from_activity(request):
        return render_activity(request, customer, lead_start_form=form)
    return render(
        request,
        "customers/lead_start.html",
        {"form": form, "customer": customer, "next": safe_next(request) or ""},
    )


def lead_url(lead) -> str:
    return reverse("customers:lead-detail", args=[lead.pk])


def _lead_context(request, lead, form=None) -> dict:
    return {
        "lead": lead,
        "changes": lead_stage_changes(lead=lead),
        "mailings": lead.mailings.order_by("-sent_on", "-id"),
        "move_form": form or (LeadMoveForm(lead=lead) if lead.is_open else None),
        "may_edit": may_edit_customer(customer=lead.customer, user=request.user),
    }


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def lead_detail(request, pk):
    lead = lead_get(user=request.user, pk=pk)
    return render(request, "customers/lead_detail.html", _lead_context(request, lead))


@require_http_methods(["POST"])
@role_required(roles.edits_customers)
def lead_move_view(request, pk):
    lead = lead_get(user=request.user, pk=pk)
    form = LeadMoveForm(request.POST, lead=lead)
    if form.is_valid():
        try:
            lead_move(lead=lead, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx and not from_activity(request):
                return render(request, "customers/_lead_panel.html", _lead_context(request, lead))
            return done(request, lead.customer, _("Lead moved."), fallback=lead_url(lead))
    if from_activity(request):
        return render_activity(request, lead.customer, lead_move_form=form)
    template = "customers/_lead_panel.html" if request.htmx else "customers/lead_detail.html"
    return render(request, template, _lead_context(request, lead, form))


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def mailings(request):
    form = MailingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = mailing_list(
        user=request.user,
        awaiting=data.get("awaiting", False),
        overdue=data.get("overdue", False),
        search=data.get("q", ""),
    )
    template = "customers/_mailing_table.html" if request.htmx else "customers/mailing_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": paginate(request, KeyAccountsFirst(qs)),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(roles.edits_customers)
def mailing_create(request):
    preset = (
        customer_get(user=request.user, pk=request.GET["customer"])
        if request.GET.get("customer", "").isdigit()
        else None
    )
    choices = customer_choices(user=request.user)
    form = MailingForm(
        request.POST or None,
        customers=choices,
        initial={"customer": preset.code if preset else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            mailing = mailing_send(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return done(request, mailing.customer, _("Mailing recorded."), fallback=_mailings_url())
    context = {
        "form": form,
        "preset": preset,
        "code_choices": choices[:200],
        "next": safe_next(request) or "",
    }
    return render(request, "customers/mailing_form.html", context)


def _mailings_url() -> str:
    return reverse("customers:mailings")


@require_http_methods(["GET", "POST"])
@role_required(roles.edits_customers)
def mailing_feedback(request, pk):
    mailing = mailing_get(user=request.user, pk=pk)
    form = MailingFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mailing_record_feedback(mailing=mailing, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return done(
                request, mailing.customer, _("Feedback recorded."), fallback=_mailings_url()
            )
    context = {"form": form, "mailing": mailing, "next": safe_next(request) or ""}
    return render(request, "customers/mailing_feedback.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def new_customers(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "customers/new_customers.html", {"form": form})
    period = form.period()
    rows = new_customer_table(user=request.user, **period)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_("new-customers"), [new_customers_sheet(rows)])
    page = paginate(request, rows)
    page.object_list = with_choice_labels(page.object_list)
    for customer in page.object_list:
        customer.lead_stage_label = _stage_label(customer.lead_stage)
    context = {"form": form, "page_obj": page, **period}
    return render(request, "customers/new_customers.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def win_loss_view(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "customers/win_loss.html", {"form": form})
    period = form.period()
    report = win_loss(user=request.user, **period)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_("win-loss"), win_loss_sheets(report))
    return render(request, "customers/win_loss.html", {"form": form, "report": report})


@require_http_methods(["GET"])
@role_required(roles.reads_customers)
def review(request):
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return render(request, "customers/review.html", {"form": form})
    as_of = form.cleaned_data["as_of"]
    if request.GET.get("format") == "xlsx":  # every stalled lead, not the page's first 50
        pack = review_pack(user=request.user, as_of=as_of, stalled_limit=None)
        return xlsx_response(_("biweekly-review"), review_sheets(pack))
    pack = review_page(user=request.user, as_of=as_of)
    return render(request, "customers/review.html", {"form": form, "pack": pack})


urlpatterns = [
    path("leads/", board, name="leads"),
    path("<int:pk>/leads/start/", lead_start_view, name="lead-start"),
    path("leads/<int:pk>/", lead_detail, name="lead-detail"),
    path("leads/<int:pk>/move/", lead_move_view, name="lead-move"),
    path("mailings/", mailings, name="mailings"),
    path("mailings/new/", mailing_create, name="mailing-create"),
    path("mailings/<int:pk>/feedback/", mailing_feedback, name="mailing-feedback"),
    path("reports/new-customers/", new_customers, name="new-customers"),
    path("reports/win-loss/", win_loss_view, name="win-loss"),
    path("reports/review/", review, name="review"),
]


# Excel sheets: the same columns the pages show, headers in the reader's language.


def _stage_label(value) -> str:
    return str(Stage(value).label) if value in Stage.values else ""


def _key(customer) -> str:
    return _("Key account") if customer.is_key_account else ""


def _owner(customer) -> str:
    return str(customer.owner) if customer.owner_id else ""


def new_customers_sheet(rows, title=None) -> Sheet:
    headers = [
        _("Customer code"),
        _("Customer"),
        _("Key account"),
        _("Source"),
        _("Status"),
        _("Stage"),
        _("Owner"),
        _("Created"),
    ]
    data = (
        [
            c.code,
            c.name,
            _key(c),
            c.get_source_display(),
            c.get_status_display(),
            _stage_label(c.lead_stage),
            _owner(c),
            c.created_at,
        ]
        for c in rows
    )
    return Sheet(title or _("New customers"), headers, data)


def win_loss_sheets(report) -> list[Sheet]:
    def rate(value):
        return float(value) if value is not None else None

    counted = [_("Won"), pgettext("lead stage", "Lost"), _("Closed"), _("Win rate %")]
    return [
        Sheet(
            _("By source"),
            [_("Source"), *counted],
            [
                [r["label"], r["won"], r["lost"], r["total"], rate(r["win_rate"])]
                for r in report["by_source"]
            ],
        ),
        Sheet(
            _("By owner"),
            [_("Owner"), *counted],
            [
                [r["label"], r["won"], r["lost"], r["total"], rate(r["win_rate"])]
                for r in report["by_owner"]
            ],
        ),
        Sheet(
            _("By lost reason"),
            [_("Lost reason"), pgettext("lead stage", "Lost"), _("Share %")],
            [[r["label"], r["lost"], rate(r["share"])] for r in report["by_reason"]],
        ),
    ]


def review_sheets(pack) -> list[Sheet]:
    customer_cols = [_("Customer code"), _("Customer"), _("Key account"), _("Owner")]

    def who(c):
        return [c.code, c.name, _key(c), _owner(c)]

    moved = Sheet(
        _("Moved"),
        [*customer_cols, _("From stage"), _("To stage"), _("Moved at"), _("Moved by"), _("Note")],
        [
            [
                *who(m.lead.customer),
                m.get_from_stage_display(),
                m.get_to_stage_display(),
                m.changed_at,
                str(m.changed_by or ""),
                m.note,
            ]
            for m in pack["moved"]
        ],
    )
    closed = Sheet(
        _("Won and lost"),
        [*customer_cols, _("Result"), _("Closed at"), _("Lost reason"), _("Note")],
        [
            [
                *who(lead.customer),
                lead.get_stage_display(),
                lead.closed_at,
                lead.get_lost_reason_display(),
                lead.lost_note,
            ]
            for lead in [*pack["won"], *pack["lost"]]
        ],
    )
    stalled = Sheet(
        _("Stalled"),
        [*customer_cols, _("Stage"), _("In stage since"), _("Days in stage")],
        [
            [
                *who(lead.customer),
                lead.get_stage_display(),
                lead.stage_changed_at,
                lead.days_in_stage,
            ]
            for lead in pack["stalled"]
        ],
    )
    return [moved, closed, stalled, new_customers_sheet(pack["new_customers"])]
