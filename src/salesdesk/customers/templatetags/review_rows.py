"""The biweekly review pack's rows written in Python (`{% load review_rows %}`).

The page lists ~650 rows at full scale (docs/performance.md): through the template engine,
with a model instance per lead, customer and owner, they cost more than the page's SQL. The
rows are the dicts of `customers.selectors.reviews.review_page`; what repeats (labels, owners'
names, the badge) is made once per table, links and dates by core.lists (pk_url, ymd) and the
customer link by customer_links.link_html. The markup is the former template loops', byte for
byte (tests/customers/test_reviews_views.py renders those loops over `review_pack` beside
these): change both together.
"""

from django import template
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe

from salesdesk.core.lists import cell, choice_labels, key_badge, pk_url, ymd

from ..choices import Tier
from ..models import Customer, Lead, LeadStageChange
from .customer_links import link_html

register = template.Library()

_KEY_CLASS = ' class="key-account"'


class _Labels(dict):
    """{stored value: escaped label} of a choice field: `{{ row.<field>_label }}`
    (core.lists.with_choice_labels), a value without a label written as itself."""

    def __init__(self, model, field: str):
        super().__init__(
            (value, cell(label)) for value, label in choice_labels(model, field).items()
        )

    def __missing__(self, value) -> str:
        return cell(force_str(value))


class _Cells:
    """The cells every section writes the same way."""

    def __init__(self):
        self.badge = key_badge()
        self.owners: dict = {}

    @staticmethod
    def tr(row) -> str:
        return f"<tr{_KEY_CLASS if row['customer_tier'] == Tier.KEY else ''}>"

    def key_badge(self, row) -> str:
        """`{{ customer|key_badge }}`."""
        return self.badge if row["customer_tier"] == Tier.KEY else ""

    @staticmethod
    def customer_link(row) -> str:
        """`{% customer_link customer %}` (customers/templatetags/customer_links.py)."""
        return link_html(row["customer_pk"], row["customer_name"], row["customer_tier"] == Tier.KEY)

    def owner(self, row) -> str:
        """`{{ customer.owner|default:"—" }}`."""
        name = row["owner"]
        if name is None:
            return "—"
        html = self.owners.get(name)
        if html is None:
            html = self.owners[name] = cell(name)
        return html


@register.simple_tag
def review_moved_rows(rows):
    """The <tr> of every lead that moved."""
    c = _Cells()
    from_labels = _Labels(LeadStageChange, "from_stage")
    to_labels = _Labels(LeadStageChange, "to_stage")
    return mark_safe(  # noqa: S308 - every value escaped by cell()
        "".join(
            f"{c.tr(m)}\n      <td>{c.customer_link(m)}</td><td>{c.owner(m)}</td>"
            f"\n      <td>{from_labels[m['from_stage']]}</td><td>{to_labels[m['to_stage']]}</td>"
            f'<td>{ymd(m["changed_at"])}</td><td class="wrap">{cell(m["note"])}</td></tr>\n    '
            for m in rows
        )
    )


@register.simple_tag
def review_won_rows(rows):
    """The <tr> of every lead won."""
    c = _Cells()
    stages = _Labels(Lead, "stage")
    return mark_safe(  # noqa: S308 - every value escaped by cell()
        "".join(
            f"{c.tr(lead)}\n      <td>{c.customer_link(lead)}</td><td>{c.owner(lead)}</td>"
            f'\n      <td><span class="badge text-bg-success">{stages[lead["stage"]]}</span></td>'
            f"<td>{ymd(lead['closed_at'])}</td><td></td></tr>"
            for lead in rows
        )
    )


@register.simple_tag
def review_lost_rows(rows):
    """The <tr> of every lead lost, with its reason and note."""
    c = _Cells()
    stages = _Labels(Lead, "stage")
    reasons = _Labels(Lead, "lost_reason")
    return mark_safe(  # noqa: S308 - every value escaped by cell()
        "".join(
            f"{c.tr(lead)}\n      <td>{c.customer_link(lead)}</td><td>{c.owner(lead)}</td>"
            f'\n      <td><span class="badge text-bg-danger">{stages[lead["stage"]]}</span></td>'
            f'<td>{ymd(lead["closed_at"])}</td><td class="wrap">{reasons[lead["lost_reason"]]}'
            f"{' · ' + cell(lead['lost_note']) if lead['lost_note'] else ''}</td></tr>"
            for lead in rows
        )
    )


@register.simple_tag
def review_stalled_rows(rows):
    """The <tr> of every stalled lead shown, linked to the lead."""
    c = _Cells()
    stages = _Labels(Lead, "stage")
    return mark_safe(  # noqa: S308 - every value escaped by cell()
        "".join(
            f'{c.tr(lead)}\n      <td><a href="{pk_url(lead["id"], "customers:lead-detail")}">'
            f"{cell(lead['customer_name'])}</a>{c.key_badge(lead)}</td><td>{c.owner(lead)}</td>"
            f"\n      <td>{stages[lead['stage']]}</td><td>{ymd(lead['stage_changed_at'])}</td>"
            f'<td class="text-end">{cell(lead["days_in_stage"])}</td></tr>\n    '
            for lead in rows
        )
    )


@register.simple_tag
def review_new_customer_rows(rows):
    """The <tr> of every new customer."""
    c = _Cells()
    sources = _Labels(Customer, "source")
    return mark_safe(  # noqa: S308 - every value escaped by cell()
        "".join(
            f"{c.tr(row)}\n      <td>{c.customer_link(row)}</td>"
            f"<td>{sources[row['source']] or '—'}</td><td>{c.owner(row)}</td>"
            f"<td>{ymd(row['created_at'])}</td></tr>\n    "
            for row in rows
        )
    )
