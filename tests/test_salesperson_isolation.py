"""No path lets a salesperson read another salesperson's customer (issue 2, done-when).

One customer of sales2's, with a contact, a lead, a mailing and a follow-up; sales1 tries
every way in: pages, search by each key, exports, the API and the import.
"""

import io

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.customers.choices import Stage
from salesdesk.customers.models import Customer

from .factories import ContactFactory, CustomerFactory, FollowUpFactory, LeadFactory, MailingFactory

SECRET = "宁波秘密纸业有限公司"


@pytest.fixture
def theirs(other_salesperson, salesperson):
    customer = CustomerFactory(
        name=SECRET,
        short_name="秘密纸业",
        code="S99999",
        owner=other_salesperson,
        next_followup_on="2020-01-01",
    )
    contact = ContactFactory(
        customer=customer, name="欧阳秘", mobile="13912345678", phone="0574-87654321"
    )
    lead = LeadFactory(customer=customer, stage=Stage.QUOTING)
    mailing = MailingFactory(customer=customer)
    followup = FollowUpFactory(customer=customer, summary="秘密的跟进内容")
    CustomerFactory(name="李业务自己的客户", owner=salesperson)
    return {
        "customer": customer,
        "contact": contact,
        "lead": lead,
        "mailing": mailing,
        "followup": followup,
    }


def _xlsx_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return "\n".join(
        " ".join(str(c) for c in row)
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [SECRET, "mimizhiye", "nbmmzy", "S99999", "欧阳秘", "13912345678", "87654321"]
)
def test_search_never_finds_it(client_for, salesperson, theirs, query):
    client = client_for(salesperson)
    # The table itself (the search box and links repeat what was typed).
    table = client.get(
        reverse("customers:list"),
        {"search": query},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-table",
    ).content.decode()
    rows = table[table.index("<tbody") : table.index("</tbody>")]
    assert SECRET not in rows and "S99999" not in rows
    export = client.get(reverse("customers:export"), {"search": query})
    assert SECRET not in _xlsx_text(export.content)
    api = client.get("/api/v1/customers/", {"search": query}).json()
    assert api["count"] == 0


@pytest.mark.django_db
def test_pages_of_it_are_404(client_for, salesperson, theirs):
    client = client_for(salesperson)
    c = theirs["customer"]
    for url in [
        reverse("customers:detail", args=[c.pk]),
        reverse("customers:edit", args=[c.pk]),
        reverse("customers:contact-create", args=[c.pk]),
        reverse("customers:contact-edit", args=[theirs["contact"].pk]),
        reverse("customers:followup-log", args=[c.pk]),
        reverse("customers:lead-detail", args=[theirs["lead"].pk]),
        reverse("customers:mailing-feedback", args=[theirs["mailing"].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("customers:archive", args=[c.pk]),
        reverse("customers:return-visit", args=[c.pk]),
        reverse("customers:lead-move", args=[theirs["lead"].pk]),
        reverse("customers:contact-archive", args=[theirs["contact"].pk]),
    ]:
        assert client.post(url, {"stage": "won", "on": "2030-01-01"}).status_code == 404, url
    c.refresh_from_db()
    assert c.archived_at is None


@pytest.mark.django_db
def test_lists_and_reports_leave_it_out(client_for, salesperson, theirs):
    client = client_for(salesperson)
    for name in [
        "customers:list",
        "customers:gaps",
        "customers:leads",
        "customers:mailings",
        "customers:followups-due",
        "customers:new-customers",
        "customers:win-loss",
        "customers:review",
    ]:
        page = client.get(reverse(name)).content.decode()
        assert SECRET not in page, name
    for name in ["customers:new-customers", "customers:win-loss", "customers:review"]:
        export = client.get(reverse(name), {"format": "xlsx"})
        assert export.status_code == 200
        assert SECRET not in _xlsx_text(export.content), name


@pytest.mark.django_db
def test_api_never_shows_it(api_for, salesperson, theirs):
    api = api_for(salesperson)
    c = theirs["customer"]
    for url in [
        "/api/v1/customers/",
        "/api/v1/contacts/",
        "/api/v1/leads/",
        "/api/v1/mailings/",
        "/api/v1/followups/",
    ]:
        body = api.get(url).content.decode()
        assert SECRET not in body and "欧阳秘" not in body and "秘密的跟进内容" not in body, url
    assert api.get(f"/api/v1/customers/{c.pk}/").status_code == 404
    assert api.get(f"/api/v1/contacts/{theirs['contact'].pk}/").status_code == 404
    assert api.get(f"/api/v1/leads/{theirs['lead'].pk}/").status_code == 404
    assert api.patch(f"/api/v1/customers/{c.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert api.get("/api/v1/contacts/", {"customer": c.pk}).json()["count"] == 0


@pytest.mark.django_db
def test_import_neither_updates_nor_reveals_it(api_for, salesperson, other_salesperson, theirs):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, ["客户编码", "客户全称"])
    sheet.write_row(1, 0, ["S99999", "改名有限公司"])
    book.close()
    buffer.seek(0)
    buffer.name = "import.xlsx"
    response = api_for(salesperson).post(
        "/api/v1/imports/customers/", {"file": buffer, "dry_run": "false"}, format="multipart"
    )
    body = response.content.decode()
    assert response.json()["valid"] is False
    assert SECRET not in body and other_salesperson.display_name not in body
    assert Customer.objects.get(code="S99999").name == SECRET


@pytest.mark.django_db
def test_the_same_search_finds_own_customers(client_for, salesperson, theirs):
    table = (
        client_for(salesperson)
        .get(
            reverse("customers:list"),
            {"search": "李业务自己"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="customer-table",
        )
        .content.decode()
    )
    assert "李业务自己的客户" in table[table.index("<tbody") : table.index("</tbody>")]
