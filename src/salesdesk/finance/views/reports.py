"""Money report pages (R-5.2, R-5.3): aging, the chase list (催款) and the collection rate
(回款率), each with its Excel export (?format=xlsx)."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesdesk.accounts import roles
from salesdesk.core.excel import Sheet, xlsx_response
from salesdesk.core.lists import pk_url
from salesdesk.core.pagination import page_window, paginate
from salesdesk.core.permissions import role_required
from salesdesk.core.views import render_report

from ..forms.reports import AgingForm, AsOfForm, CollectionRateForm
from ..selectors.reports import (
    BUCKETS,
    chase_figures,
    chase_list,
    chase_rows,
    collection_report,
    receivables_aging,
)


@require_http_methods(["GET"])
@role_required(roles.reads_receivables)
def aging(request):
    form = AgingForm(request.GET)
    if not form.is_valid():
        return render_report(
            request, "finance/aging.html", "finance/_aging_report.html", {"form": form}
        )
    if request.GET.get("format") == "xlsx":
        report = receivables_aging(user=request.user, **form.cleaned_data)  # every row
        return xlsx_response(_("aging"), [aging_sheet(report)])
    # One query: the totals of every row and the rows of the page asked for.
    report = receivables_aging(user=request.user, page=page_window(request), **form.cleaned_data)
    page = paginate(request, report["rows"])
    report["rows"] = page.object_list  # written by {% aging_rows %} (templatetags/money_rows.py)
    return render_report(
        request,
        "finance/aging.html",
        "finance/_aging_report.html",
        {"form": form, "report": report, "page_obj": page},
    )


@require_http_methods(["GET"])
@role_required(roles.reads_receivables)
def chase(request):
    form = AsOfForm(request.GET)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    if as_of and request.GET.get("format") == "xlsx":
        return xlsx_response(
            _("chase-list"), [chase_sheet(chase_list(user=request.user, as_of=as_of))]
        )
    rows = page = None
    can_log = roles.edits_customers(request.user)
    if as_of:
        figures = chase_figures(user=request.user, as_of=as_of, page=page_window(request))
        page = paginate(request, figures)
        rows = page.object_list = chase_rows(page.object_list, user=request.user, as_of=as_of)
        link_chase_rows(rows, request.get_full_path() if can_log else None)
    context = {"form": form, "rows": rows, "page_obj": page, "can_log": can_log}
    return render_report(request, "finance/chase.html", "finance/chase_report.html", context)


@require_http_methods(["GET"])
@role_required(roles.reads_receivables)
def collection_rate_view(request):
    form = CollectionRateForm(request.GET)
    if not form.is_valid():
        return render_report(
            request,
            "finance/collection_rate.html",
            "finance/collection_report.html",
            {"form": form},
        )
    report = collection_report(user=request.user, **form.params())
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_("collection-rate"), collection_sheets(report))
    return render_report(
        request,
        "finance/collection_rate.html",
        "finance/collection_report.html",
        {"form": form, "report": report},
    )


urlpatterns = [
    path("aging/", aging, name="aging"),
    path("chase/", chase, name="chase"),
    path("collection-rate/", collection_rate_view, name="collection-rate"),
]


def link_chase_rows(rows, here: str | None) -> None:
    """Give each chase row the URL of its customer and, when the reader may log a call
    (`here` given: this page, to come back to), the URL of the follow-up form."""
    back = quote(here or "", safe="/")
    for row in rows:
        row.url = pk_url(row.customer.pk, "customers:detail")
        row.log_url = (
            f"{pk_url(row.customer.pk, 'customers:followup-log')}?next={back}"
            if here is not None
            else None
        )


# Excel sheets: the columns the pages show, headers in the reader's language.


def _bucket_headers() -> list[str]:
    return [str(label) for _key, label in BUCKETS]


def aging_sheet(report: dict) -> Sheet:
    keys = [key for key, _label in BUCKETS]
    if report["by"] == "customer":
        head = [_("Customer code"), _("Customer"), _("Key account")]

        def who(r):
            return [r["code"], r["name"], _("Key account") if r["is_key"] else ""]
    else:
        head = [_("Salesperson")]

        def who(r):
            return [r["name"]]

    rows = [[*who(r), *(r[k] for k in keys), r["total"]] for r in report["rows"]]
    totals = report["totals"]
    rows.append(
        [_("Total"), *([""] * (len(head) - 1)), *(totals[k] for k in keys), totals["total"]]
    )
    title = f"{_('Aging')} {report['as_of']:%Y-%m-%d}"
    return Sheet(title, [*head, *_bucket_headers(), _("Total")], rows)


def chase_sheet(rows) -> Sheet:
    headers = [
        _("Customer code"),
        _("Customer"),
        _("Key account"),
        _("Owner"),
        _("Overdue amount"),
        _("Open in total"),
        _("Oldest due date"),
        _("Days overdue"),
        _("Last follow-up"),
        _("Latest follow-up"),
        _("Next follow-up"),
        _("Next step"),
    ]
    data = [
        [
            r.customer.code,
            r.customer.name,
            _("Key account") if r.is_key else "",
            str(r.customer.owner or ""),
            r.overdue,
            r.open_total,
            r.oldest_due,
            r.days,
            timezone.localtime(r.customer.last_followup_at).date()
            if r.customer.last_followup_at
            else None,
            r.last_summary or "",
            r.customer.next_followup_on,
            r.customer.next_followup_note,
        ]
        for r in rows
    ]
    return Sheet(_("Chase list"), headers, data)


def _rate(value):
    return float(value) if value is not None else None


def collection_sheets(report: dict) -> list[Sheet]:
    heading = {"month": _("Month"), "customer": _("Customer"), "salesperson": _("Salesperson")}
    headers = [heading[report["by"]], _("Due"), _("Collected"), _("Collection rate %")]
    rows = [[r["label"], r["due"], r["collected"], _rate(r["rate"])] for r in report["rows"]]
    totals = report["totals"]
    rows.append([_("Total"), totals["due"], totals["collected"], _rate(totals["rate"])])
    period = f"{report['start']:%Y-%m-%d} – {report['end']:%Y-%m-%d}"
    definition = Sheet(
        _("Definition"),
        [_("Collection rate"), _("Period")],
        [[str(report["definition"]), period]],
        widths=[100, 26],
    )
    return [Sheet(_("Collection rate"), headers, rows), definition]
