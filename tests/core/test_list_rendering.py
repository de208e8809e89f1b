"""The cheap rendering of list pages (docs/performance.md, "List page rendering") writes the
same markup as Django's templates: filter widgets, row URLs, dates, the cached header menu and
the customer and order rows written in Python."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation

from salesdesk.accounts import roles
from salesdesk.core import lists
from salesdesk.customers.forms.customers import CustomerFilterForm
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors import customers as customer_selectors
from salesdesk.orders.selectors import orders as order_selectors
from tests.factories import ContactFactory, CustomerFactory
from tests.orders.test_orders_helpers import place_order

LANGUAGES = ["zh-hans", "en"]


# --- filter widgets ---------------------------------------------------------------------------


class Tricky(forms.Form):
    """Every case the Python select and input writers handle: groups, selected values, escaping,
    boolean attributes, required and invalid fields, checkboxes, dates and hidden fields."""

    grouped = forms.ChoiceField(
        choices=[
            ("", "All"),
            ("Fruit & nuts", [("a<b", 'Apple "red"'), ("pear", "Pear & co")]),
            ("z", "Zeta"),
        ],
        required=False,
    )
    needed = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")])
    numbered = forms.TypedChoiceField(choices=[(1, 1234), (2, Decimal("5.5"))], coerce=int)
    off = forms.ChoiceField(choices=[("x", "X")], required=False, disabled=True)
    flagged = forms.BooleanField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": "Name's <code>"})
    )
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    amount = forms.DecimalField(required=False, help_text="Yuan")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grouped"].widget.attrs.update({"class": "form-select", "autofocus": True})
        self.fields["text"].widget.attrs["data-off"] = False


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"grouped": "a<b", "needed": "2", "numbered": "2", "flagged": "on", "day": "2026-02-03"},
        {"grouped": "bad", "needed": "", "text": '"quoted" & <b>', "hidden": "h&1", "amount": "x"},
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_widgets_written_in_python_are_djangos_markup(data, language):
    with translation.override(language):
        form = Tricky(data)
        if data is not None:
            form.is_valid()
        for field in form:
            assert lists.render_field(field) == str(field), field.name
        assert form.renderer is not None and not isinstance(form.renderer, lists.ListFormRenderer)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_filter_form_renders_as_before(language, assistant, salesperson):
    data = {"province": "浙江", "status": "active", "owner": str(salesperson.pk), "search": "杭"}
    with translation.override(language):
        form = CustomerFilterForm(data, user=assistant)
        html = [lists.render_field(field) for field in form]
        assert html == [str(field) for field in form]
        owner = html[[f.name for f in form].index("owner")]
        assert f'<option value="{salesperson.pk}" selected>' in owner


# --- row URLs and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["customers:detail", "orders:detail", "finance:receivable-detail", "catalog:product-detail"],
)
@pytest.mark.parametrize("pk", [1, 42, 1234567])
def test_pk_url_is_reverse(name, pk):
    assert lists.pk_url(pk, name) == reverse(name, args=[pk])


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/salesdesk/")
        assert lists.pk_url(7, "customers:detail") == "/salesdesk/customers/7/"
    finally:
        set_script_prefix("/")
    assert lists.pk_url(7, "customers:detail") == "/customers/7/"


DATE_VALUES = [
    dt.date(2026, 2, 3),
    dt.date(987, 1, 2),
    dt.datetime(2026, 2, 3, 23, 30, tzinfo=dt.UTC),  # 2026-02-04 in Shanghai
    dt.datetime(2026, 2, 3, 15, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 2, 3, 23, 30),
    None,
    "",
]


@pytest.mark.parametrize("value", DATE_VALUES)
def test_ymd_is_the_date_filter(value):
    reference = Template('{{ value|date:"Y-m-d" }}').render(Context({"value": value}))
    ours = Template("{% load lists %}{{ value|ymd }}").render(Context({"value": value}))
    assert ours == reference
    if isinstance(value, dt.datetime) and value.tzinfo:
        assert ours == timezone.localtime(value).date().isoformat()


@pytest.mark.parametrize("value", DATE_VALUES)
def test_ymd_hm_is_the_date_filter(value):
    ours = Template("{% load lists %}{{ value|ymd_hm }}").render(Context({"value": value}))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        assert ours == value.isoformat()  # a date has no time (|date would refuse "H:i")
        return
    reference = Template('{{ value|date:"Y-m-d H:i" }}').render(Context({"value": value}))
    assert ours == reference


# --- the header's cached menu -----------------------------------------------------------------


def test_fragment_is_rendered_once_per_language_and_key():
    template = Template(
        '{% load core i18n %}{% fragment "test-menu" flag %}{% translate "Customers" %}'
        "{% if flag %} {{ counter.next }}{% endif %}{% endfragment %}"
    )

    class Counter:
        n = 0

        def next(self):
            self.n += 1
            return self.n

    counter = Counter()
    with translation.override("en"):
        assert template.render(Context({"flag": True, "counter": counter})) == "Customers 1"
        assert template.render(Context({"flag": True, "counter": counter})) == "Customers 1"
        assert template.render(Context({"flag": False, "counter": counter})) == "Customers"
    with translation.override("zh-hans"):
        assert template.render(Context({"flag": True, "counter": counter})) == "客户 2"


@pytest.mark.django_db
@pytest.mark.parametrize("role_user", ["assistant", "salesperson", "finance", "warehouse"])
def test_header_menu_follows_each_role(role_user, request, client_for):
    """The menu is cached per role's rights: each person still sees only their sections."""
    user = request.getfixturevalue(role_user)
    client = client_for(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    html = page[page.index("<nav") : page.index("</nav>")]
    assert (f'href="{reverse("customers:list")}"' in html) == roles.reads_customers(user)
    assert (f'href="{reverse("orders:list")}"' in html) == roles.reads_orders(user)
    assert (f'href="{reverse("finance:receivables")}"' in html) == roles.reads_receivables(user)
    assert (f'href="{reverse("catalog:products")}"' in html) == roles.reads_products(user)


# --- rows written in Python -------------------------------------------------------------------

CUSTOMER_ROW = """{% load i18n lists %}{% for c in rows|choice_labels %}
        <tr{% if c.is_key_account %} class="key-account"{% endif %}>
          <td>{{ c.code }}</td>
          <td class="wrap">
            <a href="{% url 'customers:detail' c.pk %}">{{ c.name }}</a>
            {% if c.is_key_account %}<span class="badge badge-key">{% translate "Key account" %}</span>{% endif %}
            {% if c.is_archived %}<span class="badge text-bg-secondary">{% translate "Archived" %}</span>{% endif %}
            {% if c.short_name %}<div class="small text-body-secondary">{{ c.short_name }}</div>{% endif %}
          </td>
          <td>{{ c.owner|default:"—" }}</td>
          <td>{{ c.get_status_display }}</td>
          <td class="d-none d-md-table-cell">{{ c.get_province_display }}{% if c.city %} {{ c.city }}{% endif %}</td>
          <td class="d-none d-lg-table-cell">{{ c.get_industry_display }}</td>
          <td class="d-none d-md-table-cell">{% with p=c.live_contacts.0 %}{% if p %}{{ p.name }} <span class="text-body-secondary">{{ p.mobile|default:p.phone }}</span>{% endif %}{% endwith %}</td>
          <td><span class="{% if c.completeness < 60 %}text-danger{% elif c.completeness < 100 %}text-warning-emphasis{% else %}text-success{% endif %}">{{ c.completeness }}%</span></td>
          <td>{{ c.last_followup_at|date:"Y-m-d"|default:"—" }}</td>
          <td class="d-none d-lg-table-cell">{{ c.created_at|date:"Y-m-d" }}</td>
        </tr>
        {% endfor %}"""

ORDER_ROW = """{% load i18n core %}{% for o in rows %}
<tr{% if o.customer.is_key_account %} class="key-account"{% endif %}>
  <td><a href="{% url 'orders:detail' o.pk %}">{{ o.number }}</a>{% if o.contract_number %}<div class="small text-body-secondary">{{ o.contract_number }}</div>{% endif %}</td>
  <td class="wrap">{{ o.customer.name }}{% if o.customer.is_key_account %} <span class="badge badge-key">{% translate "Key account" %}</span>{% endif %}<div class="small text-body-secondary">{{ o.customer.code }}</div></td>
  <td class="d-none d-md-table-cell">{{ o.salesperson }}</td>
  <td>{{ o.order_date|date:"Y-m-d" }}</td>
  <td>{{ o.promised_date|date:"Y-m-d"|default:"—" }}</td>
  <td><span class="badge text-bg-{% if o.state == 'cancelled' %}secondary{% elif o.state == 'draft' %}light border{% elif o.state == 'closed' or o.state == 'shipped' %}success{% else %}primary{% endif %}">{{ o.get_state_display }}</span></td>
  <td class="d-none d-md-table-cell">{{ o.get_production_status_display }}</td>
  {% if sees_money %}<td class="text-end">{{ o.total_amount|yuan }}</td>{% endif %}
  <td>{% if o.risk_reason %}<span class="badge text-bg-danger" title="{{ o.production_note }}">{% for key, label in risk_labels.items %}{% if key == o.risk_reason %}{{ label }}{% endif %}{% endfor %}</span>{% endif %}</td>
</tr>
        {% endfor %}"""


@pytest.fixture
def customers(salesperson):
    """Files covering every branch of a customer row (some states set on the loaded rows)."""
    plain = CustomerFactory(owner=salesperson, short_name="")
    key = CustomerFactory(owner=salesperson, tier="key", name="A & B <包装>")
    CustomerFactory(owner=salesperson, city="", province="", industry="")
    ContactFactory(customer=plain, mobile="", phone="0571-88880001", name='王"经理"')
    ContactFactory(customer=key)


def _customer_rows():
    rows = list(customer_selectors.with_live_contacts(Customer.objects.order_by("pk")))
    plain, key, other = rows
    plain.completeness = 100
    key.completeness, key.last_followup_at = 80, dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    other.completeness, other.owner, other.archived_at = 10, None, timezone.now()
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.usefixtures("customers")
def test_customer_rows_are_the_template_rows(language):
    rows = _customer_rows()
    assert any(c.is_key_account for c in rows) and any(c.is_archived for c in rows)
    with translation.override(language):
        reference = Template(CUSTOMER_ROW).render(Context({"rows": rows}))
        ours = Template("{% load customer_rows %}{% customer_rows rows %}").render(
            Context({"rows": rows})
        )
    assert ours == reference
    assert "A &amp; B &lt;包装&gt;" in ours and "王&quot;经理&quot;" in ours


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("sees_money", [True, False])
def test_order_rows_are_the_template_rows(language, sees_money, salesperson):
    key = CustomerFactory(owner=salesperson, tier="key", name="Key & Co")
    plain = CustomerFactory(owner=salesperson)
    place_order(salesperson, plain, contract_number='HT-1 "a"')
    for _ in range(4):
        place_order(salesperson, key)
    rows = list(order_selectors.order_list(user=salesperson).order_by("pk"))
    assert len(rows) == 5
    # every badge colour and a risk, set on the loaded rows
    for row, state in zip(
        rows, ["draft", "cancelled", "shipped", "in_production", "closed"], strict=True
    ):
        row.state = state
    rows[1].promised_date, rows[1].production_note = dt.date(2026, 1, 2), "late <b>"
    rows[1].risk_reason = next(iter(order_selectors.RISK_LABELS))
    context = {
        "rows": rows,
        "sees_money": sees_money,
        "risk_labels": order_selectors.RISK_LABELS,
    }
    with translation.override(language):
        reference = Template(ORDER_ROW).render(Context(context))
        ours = Template("{% load order_rows %}{% order_rows rows %}").render(Context(context))
    assert ours == reference
    assert ("¥" in ours) == sees_money
    assert "late &lt;b&gt;" in ours


@pytest.mark.parametrize(
    "value", [0, 7, 12345678, -3, True, Decimal("1234.5"), 1.5, None, "<b>", dt.date(2026, 2, 3)]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cell_is_the_variable_tag(value, language):
    with translation.override(language):
        reference = Template("{{ value }}").render(Context({"value": value}))
        assert lists.cell(value) == reference
