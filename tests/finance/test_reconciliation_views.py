"""Reconciliation pages: permission matrix, the wizard (upload → mapping → run), the result page
with its filters, resolve/correct (htmx and plain post), bad input, Excel export, query counts."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.core.models import ImportUpload
from salesdesk.finance.models import Difference, LedgerMapping, Reconciliation
from salesdesk.finance.services.reconciliation import reconciliation_run
from tests.factories import CustomerFactory

from .factories_reconciliation import (
    PLANTED,
    ledger_xlsx,
    march,
    month_scenario,
    receivable,
    split_row,
)

pytestmark = pytest.mark.django_db

RECONCILERS = ["finance", "assistant", "admin_user"]
OTHERS = ["salesperson", "commercial", "director", "warehouse"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def customers(salesperson, other_salesperson):
    a = CustomerFactory(name="杭州明发包装有限公司", owner=salesperson)
    b = CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)
    return a, b


@pytest.fixture
def done(finance, customers):
    rows, _made = month_scenario(*customers, planted=PLANTED)
    return reconciliation_run(
        by=finance,
        content=ledger_xlsx(rows),
        filename="3月.xlsx",
        mapping={
            "date": 0,
            "number": 2,
            "customer": 3,
            "debit": 7,
            "credit": 8,
            "quantity": 5,
            "unit_price": 6,
        },
    )


def upload(name="3月应收.xlsx", content=None, rows=None):
    return SimpleUploadedFile(
        name, content if content is not None else ledger_xlsx(rows or []), XLSX
    )


def pages(run):
    diff = run.differences.first()
    return {
        "list": ("get", reverse("finance:reconciliations")),
        "new": ("get", reverse("finance:reconciliation-new")),
        "detail": ("get", reverse("finance:reconciliation-detail", args=[run.pk])),
        "resolve": ("post", reverse("finance:difference-resolve", args=[run.pk, diff.pk])),
        "correct": ("post", reverse("finance:difference-correct", args=[run.pk, diff.pk])),
    }


@pytest.mark.parametrize("name", ["list", "new", "detail", "resolve", "correct"])
def test_anonymous_goes_to_login(client, done, name):
    method, url = pages(done)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", OTHERS)
@pytest.mark.parametrize("name", ["list", "new", "detail", "resolve", "correct"])
def test_other_roles_get_403(request, client_for, done, persona, name):
    method, url = pages(done)[name]
    assert (
        getattr(client_for(request.getfixturevalue(persona)), method)(
            url, {"note": "x"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", RECONCILERS)
@pytest.mark.parametrize("name", ["list", "new", "detail"])
def test_reconcilers_read(request, client_for, done, persona, name):
    _method, url = pages(done)[name]
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == 200


@pytest.mark.parametrize(
    "name,method", [("list", "post"), ("detail", "post"), ("resolve", "get"), ("correct", "get")]
)
def test_wrong_method(client_for, finance, done, name, method):
    _m, url = pages(done)[name]
    assert getattr(client_for(finance), method)(url).status_code == 405


def test_unknown_run_and_difference_404(client_for, finance, done):
    client = client_for(finance)
    import uuid

    assert (
        client.get(reverse("finance:reconciliation-detail", args=[uuid.uuid4()])).status_code == 404
    )
    url = reverse("finance:difference-resolve", args=[done.pk, 999999])
    assert client.post(url, {"note": "x"}).status_code == 404


def test_wizard_upload_map_run_and_mapping_remembered(client_for, finance, customers):
    rows, _made = month_scenario(*customers, planted=["amount_differs"])
    content = ledger_xlsx(rows, title="2026年3月 应收账款明细账", merged_header=True)
    client = client_for(finance)
    response = client.post(reverse("finance:reconciliation-new"), {"file": upload(content=content)})
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Mapping proposed from the headers" in html
        or "根据表头" in html
        or page.context["remembered"] is False
    )
    assert page.context["header_row"] == 3 and page.context["headers"][2] == "发票号"
    assert page.context["form"]["map_number"].initial == "2"  # 发票号, not the voucher number
    assert len(page.context["preview"]) == len(rows)
    data = {f"map_{k}": str(v) for k, v in page.context["mapping"].items()}
    response = client.post(mapping_url, data)
    assert response.status_code == 302
    run = Reconciliation.objects.get()
    assert response["Location"] == reverse("finance:reconciliation-detail", args=[run.pk])
    assert list(run.differences.values_list("kind", flat=True)) == ["amount_differs"]
    assert ImportUpload.objects.get().is_confirmed
    assert (
        client.post(mapping_url, data).status_code == 302 and Reconciliation.objects.count() == 1
    )  # not twice

    # Next month's sheet with the same headers: the mapping is proposed from memory.
    LedgerMapping.objects.update(mapping={**LedgerMapping.objects.get().mapping, "summary": 4})
    response = client.post(reverse("finance:reconciliation-new"), {"file": upload(content=content)})
    page = client.get(response["Location"])
    assert page.context["remembered"] is True and page.context["mapping"]["summary"] == 4


def test_mapping_step_bad_input_names_the_problem_and_writes_nothing(
    client_for, finance, customers
):
    rows, _made = month_scenario(*customers)
    client = client_for(finance)
    mapping_url = client.post(reverse("finance:reconciliation-new"), {"file": upload(rows=rows)})[
        "Location"
    ]
    response = client.post(mapping_url, {"map_number": "2", "map_debit": "7"})  # no date column
    assert response.status_code == 400
    assert any("日期" in str(e) for e in response.context["form"].non_field_errors())
    response = client.post(
        mapping_url,
        {
            "map_date": "0",
            "map_number": "2",
            "map_debit": "7",
            "period_start": "2026-03-20",
            "period_end": "2026-03-01",
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["period_end"]
    response = client.post(mapping_url, {"map_date": "0", "map_number": "99"})
    assert response.status_code == 400 and response.context["form"].errors["map_number"]
    assert Reconciliation.objects.count() == 0 and LedgerMapping.objects.count() == 0


def test_upload_bad_files(client_for, finance):
    client = client_for(finance)
    url = reverse("finance:reconciliation-new")
    for file in (
        upload("x.pdf", content=b"%PDF-1.4 not a workbook"),
        upload(content=ledger_xlsx([["a", "b"]], headers=["甲", "乙"])),  # no header row
    ):
        response = client.post(url, {"file": file})
        assert response.status_code == 400 and response.context["form"].errors["file"]
    response = client.post(url, {})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    assert ImportUpload.objects.count() == 0


def test_someone_elses_upload_is_404(client_for, finance, assistant, customers):
    rows, _made = month_scenario(*customers)
    mapping_url = client_for(finance).post(
        reverse("finance:reconciliation-new"), {"file": upload(rows=rows)}
    )["Location"]
    assert client_for(assistant).get(mapping_url).status_code == 404


def test_detail_groups_counts_and_filters(client_for, finance, done):
    client = client_for(finance)
    url = reverse("finance:reconciliation-detail", args=[done.pk])
    response = client.get(url)
    groups = response.context["groups"]
    assert sorted(g["kind"] for g in groups) == sorted(PLANTED)
    assert {c["kind"]: c["count"] for c in response.context["counts"]} == {k: 1 for k in PLANTED}
    response = client.get(url, {"kind": "price_differs"})
    assert [g["kind"] for g in response.context["groups"]] == ["price_differs"]
    diff = done.differences.get(kind="date_differs")
    client.post(
        reverse("finance:difference-resolve", args=[done.pk, diff.pk]), {"note": "开票晚了6天"}
    )
    assert len(client.get(url).context["page_obj"].object_list) == 4  # open only by default
    closed = client.get(url, {"status": "closed"}).context["page_obj"].object_list
    assert [d.pk for d in closed] == [diff.pk]
    assert len(client.get(url, {"status": "all"}).context["page_obj"].object_list) == 5


def test_resolve_plain_post_and_htmx(client_for, finance, done):
    client = client_for(finance)
    diff = done.differences.get(kind="amount_differs")
    url = reverse("finance:difference-resolve", args=[done.pk, diff.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400
    assert (
        "note"
        in [d for d in response.context["page_obj"].object_list if d.pk == diff.pk][0].form.errors
    )
    diff.refresh_from_db()
    assert diff.status == "open"
    response = client.post(url, {"note": "运费差额"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="difference-{diff.pk}"' in response.content.decode()
    diff.refresh_from_db()
    assert (diff.status, diff.note) == ("resolved", "运费差额")
    other = done.differences.get(kind="date_differs")
    response = client.post(
        reverse("finance:difference-resolve", args=[done.pk, other.pk]), {"note": "ok"}
    )
    assert response.status_code == 302


def test_correct_missing_sale_creates_receivable_and_bad_customer_code(client_for, finance, done):
    client = client_for(finance)
    diff = done.differences.get(kind="missing_in_salesdesk")
    url = reverse("finance:difference-correct", args=[done.pk, diff.pk])
    response = client.post(url, {"note": "补录", "customer": "NOPE"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    diff.refresh_from_db()
    assert diff.status == "open" and diff.receivable is None
    assert client.post(url, {"note": "补录发票"}).status_code == 302
    diff.refresh_from_db()
    assert diff.status == "corrected" and diff.receivable.invoice_number == "00012399"


def test_excel_export_opens_with_calamine(client_for, finance, done):
    response = client_for(finance).get(
        reverse("finance:reconciliation-detail", args=[done.pk]), {"format": "xlsx"}
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary, details = (book.get_sheet_by_name(n).to_python() for n in book.sheet_names)
    assert len(details) == 1 + 5
    assert sum(row[1] for row in summary[1:6]) == 5
    amount_row = [r for r in details[1:] if r[3] == "00012360"][0]
    assert (amount_row[7], amount_row[8], amount_row[9]) == (2100.0, 2000.0, 100.0)


def test_query_counts_do_not_grow_with_differences(
    client_for, finance, customers, django_assert_max_num_queries
):
    a, _b = customers
    rows = [
        split_row(march(1 + i % 28), f"M{i:04d}", a.name, debit=f"{100 + i}.00") for i in range(30)
    ]
    for i in range(30):
        receivable(a, f"{50 + i}.00", march(1 + i % 28), invoice_number=f"F{i:04d}")
    run = reconciliation_run(
        by=finance,
        content=ledger_xlsx(rows),
        filename="x.xlsx",
        mapping={"date": 0, "number": 2, "customer": 3, "debit": 7, "credit": 8},
    )
    assert run.differences.count() == 60
    client = client_for(finance)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:reconciliation-detail", args=[run.pk]))
    assert len(response.context["page_obj"].object_list) == 60
    with django_assert_max_num_queries(10):
        client.get(reverse("finance:reconciliations"))
    assert Difference.objects.count() == 60
