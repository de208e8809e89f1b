"""Receivable and payment markup written in Python (`{% load money_rows %}`): a receivable's
label and status badge, and the rows of the receivables and payments lists and of the aging
report.

See docs/performance.md, "List page rendering": the two lists are among the pages timed under
load, and their 50 rows through the template engine (with an include per cell) cost most of
the page. Tested by what they show (tests/finance/test_receivables_views.py).
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from salesdesk.core.lists import cell, key_badge, pk_url, with_choice_labels, ymd
from salesdesk.core.templatetags.core import yuan

from ..selectors.reports import BUCKET_KEYS

register = template.Library()


@register.filter
def receivable_label(r) -> str:
    """What a receivable is called: its invoice number, else its shipment's, else its number."""
    if r.invoice_number:
        return cell(r.invoice_number)
    if r.shipment_id:
        return cell(r.shipment.number)
    return cell(gettext("Receivable %(pk)s") % {"pk": r.pk})


@register.filter
def receivable_status(r) -> str:
    """Paid in full, days overdue (`days_overdue` from the list's selector) or open, as a badge."""
    if not r.is_open:
        return mark_safe(
            f'<span class="badge text-bg-success">{cell(gettext("Paid in full"))}</span>'
        )
    days = getattr(r, "days_overdue", 0)
    if days:
        text = ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}
        return mark_safe(f'<span class="badge text-bg-danger">{cell(text)}</span>')
    return mark_safe(f'<span class="badge text-bg-primary">{cell(gettext("Open"))}</span>')


def _customer_cell(customer, badge_html: str) -> str:
    badge = badge_html if customer.is_key_account else ""
    return (
        f'<td class="wrap">{cell(customer.name)}{badge}'
        f'<div class="small text-body-secondary">{cell(customer.code)}</div></td>'
    )


def _tr(customer) -> str:
    return '\n<tr class="key-account">' if customer.is_key_account else "\n<tr>"


@register.simple_tag
def receivable_rows(rows) -> str:
    """The <tr> of every receivable of the page (finance.selectors.receivables)."""
    badge = key_badge()
    out = []
    for r in rows:
        refs = cell(r.order.number) if r.order_id else ""
        if r.shipment_id and r.invoice_number:
            refs += f" · {cell(r.shipment.number)}"
        out.append(
            f"{_tr(r.customer)}{_customer_cell(r.customer, badge)}"
            f'<td><a href="{pk_url(r.pk, "finance:receivable-detail")}">{receivable_label(r)}</a>'
            f'<div class="small text-body-secondary">{refs}</div></td>'
            f'<td class="d-none d-md-table-cell">{cell(r.salesperson or "—")}</td>'
            f"<td>{ymd(r.issued_on)}</td><td>{ymd(r.due_date)}</td>"
            f'<td class="text-end">{cell(yuan(r.amount))}</td>'
            f'<td class="text-end d-none d-md-table-cell">{cell(yuan(r.allocated_amount))}</td>'
            f'<td class="text-end">{cell(yuan(r.open_amount))}</td>'
            f"<td>{receivable_status(r)}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every cell escaped


@register.simple_tag
def payment_rows(rows) -> str:
    """The <tr> of every payment of the page (finance.selectors.receivables)."""
    badge = key_badge()
    out = []
    for p in with_choice_labels(rows):
        unallocated = p.unallocated_amount
        rest = (
            f'<span class="text-warning-emphasis fw-semibold">{cell(yuan(unallocated))}</span>'
            if unallocated
            else "—"
        )
        out.append(
            f"{_tr(p.customer)}"
            f'<td><a href="{pk_url(p.pk, "finance:payment-detail")}">{ymd(p.received_on)}</a></td>'
            f"{_customer_cell(p.customer, badge)}"
            f"<td>{cell(p.method_label)}</td>"
            f'<td class="d-none d-md-table-cell">{cell(p.reference or "—")}</td>'
            f'<td class="text-end">{cell(yuan(p.amount))}</td>'
            f'<td class="text-end d-none d-md-table-cell">{cell(yuan(p.allocated_amount))}</td>'
            f'<td class="text-end">{rest}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every cell escaped


def _receivables_url() -> str | None:
    try:
        return reverse("finance:receivables")
    except NoReverseMatch:  # the receivables pages are another module; keep working without them
        return None


_NOTHING = '<td class="text-end"><span class="text-body-secondary">–</span></td>'
# Not yet due and 0–30 days plain, overdue beyond 30 days in red.
_BUCKET_CELLS = ['<td class="text-end">{}</td>'] * 2 + [
    '<td class="text-end text-danger">{}</td>'
] * 3


@register.simple_tag
def aging_rows(report) -> str:
    """The <tr> of every aging row of the page (finance.selectors.reports.receivables_aging):
    each name links to its open receivables (the customer page as a fallback), key accounts
    marked, an empty bucket as a dash (5 × 50 cells cost the template more than the rest of
    the page)."""
    base = _receivables_url()
    by_customer = report["by"] == "customer"
    if base:
        param = "customer" if by_customer else "salesperson"
        link = f"{base}?{param}={{}}&amp;status=open".format
    elif by_customer:
        link = lambda pk: pk_url(pk, "customers:detail")  # noqa: E731
    else:
        link = None
    badge = key_badge()
    out = []
    for row in report["rows"]:
        name = cell(row["name"])
        if row["id"] is not None and link is not None:
            name = f'<a href="{link(row["id"])}">{name}</a>'
        cells = "".join(
            fmt.format(yuan(row[key])) if row[key] else _NOTHING
            for fmt, key in zip(_BUCKET_CELLS, BUCKET_KEYS, strict=True)
        )
        out.append(
            (f'<tr class="key-account"><td>{name}{badge}' if row["is_key"] else f"<tr><td>{name}")
            + f'</td>{cells}<td class="text-end fw-semibold">{yuan(row["total"])}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - names escaped, amounts digits
