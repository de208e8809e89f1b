"""Customer import pages (upload → preview → confirm, template) and POST /api/v1/imports/customers/."""

import io
import uuid

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.core.models import ImportUpload
from salesdesk.customers.models import Contact, Customer
from tests.factories import CustomerFactory, make_credit_code
from tests.helpers import as_persona

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
API = "/api/v1/imports/customers/"


def book(customers, contacts=None) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in (("客户", customers), ("联系人", contacts)):
        if rows is None:
            continue
        ws = wb.add_worksheet(name)
        headers = list(dict.fromkeys(h for row in rows for h in row))
        ws.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, [row.get(h, "") for h in headers])
    wb.close()
    return buffer.getvalue()


def row(n, **extra):
    return {
        "客户编码": "",
        "客户名称": f"温州第{n}印刷有限公司",
        "统一社会信用代码": make_credit_code(600_000 + n),
        **extra,
    }


def upload_file(content, name="客户.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def post_upload(client, content, name="客户.xlsx"):
    return client.post(reverse("customers:import"), {"file": upload_file(content, name)})


# ----------------------------------------------------------------------------- pages


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("customers:import"), reverse("customers:import-template")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    response = client.post(reverse("customers:import-confirm", args=[uuid.uuid4()]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_roles_that_do_not_edit_customers_get_403(persona, request, client_for, salesperson):
    upload = ImportUpload.objects.create(
        kind="customers", filename="a.xlsx", content=book([row(1)]), created_by=salesperson
    )
    client = as_persona(request, client_for, persona)
    assert client.get(reverse("customers:import")).status_code == 403
    assert post_upload(client, book([row(1)])).status_code == 403
    assert client.get(reverse("customers:import-template")).status_code == 403
    assert client.get(reverse("customers:import-preview", args=[upload.pk])).status_code == 403
    assert client.post(reverse("customers:import-confirm", args=[upload.pk])).status_code == 403
    assert ImportUpload.objects.count() == 1 and not Customer.objects.exists()


def test_wrong_methods_get_405(client_for, salesperson):
    client = client_for(salesperson)
    upload = ImportUpload.objects.create(
        kind="customers", filename="a.xlsx", content=book([row(1)]), created_by=salesperson
    )
    assert client.get(reverse("customers:import-confirm", args=[upload.pk])).status_code == 405
    assert client.post(reverse("customers:import-preview", args=[upload.pk])).status_code == 405
    assert client.post(reverse("customers:import-template")).status_code == 405
    assert client.delete(reverse("customers:import")).status_code == 405
    assert not Customer.objects.exists()


def test_upload_page_shows_the_form_and_template_link(client_for, salesperson):
    response = client_for(salesperson).get(reverse("customers:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("customers:import-template") in html and 'type="file"' in html


def test_template_download(client_for, assistant):
    response = client_for(assistant).get(reverse("customers:import-template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert wb.sheet_names == ["客户", "联系人", "可选值"]


@pytest.mark.parametrize("content", [b"", b"a,b\n1,2\n", b"PK\x03\x04broken"])
def test_upload_that_is_not_an_xlsx_names_the_file_field(content, client_for, salesperson):
    response = post_upload(client_for(salesperson), content, "客户.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportUpload.objects.exists()


def test_upload_preview_confirm_happy_path(client_for, salesperson):
    client = client_for(salesperson)
    content = book([row(1), row(2)])
    response = post_upload(client, content)
    upload = ImportUpload.objects.get()
    assert upload.created_by == salesperson and bytes(upload.content) == content
    assert response.status_code == 302 and response.url == reverse(
        "customers:import-preview", args=[upload.pk]
    )

    response = client.get(response.url)
    assert response.status_code == 200
    assert response.context["result"].valid and response.context["result"].created == 2
    html = response.content.decode()
    assert reverse("customers:import-confirm", args=[upload.pk]) in html
    assert "温州第1印刷有限公司" in html and 'id="import-preview"' in html
    assert not Customer.objects.exists()  # the preview writes nothing

    response = client.post(reverse("customers:import-confirm", args=[upload.pk]))
    assert response.status_code == 302 and response.url == reverse("customers:list")
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales1"}
    assert Customer.objects.count() == 2

    # A confirmed upload cannot be applied twice.
    response = client.post(reverse("customers:import-confirm", args=[upload.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "customers:import-preview", args=[upload.pk]
    )
    assert Customer.objects.count() == 2
    page = client.get(response.url)
    assert page.status_code == 200 and "import-errors" not in page.content.decode()


def test_preview_lists_every_error_by_row_and_column(client_for, assistant):
    client = client_for(assistant)
    content = book([row(1, 统一社会信用代码="bad"), row(2, 客户名称=""), row(3, 客户等级="金牌")])
    response = client.get(post_upload(client, content).url)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [
        (2, "统一社会信用代码"),
        (3, "客户名称"),
        (4, "客户等级"),
    ]
    html = response.content.decode()
    assert 'id="import-errors"' in html and "金牌" in html
    upload = ImportUpload.objects.get()
    assert reverse("customers:import-confirm", args=[upload.pk]) not in html  # no confirm button
    export = client.get(reverse("customers:import-preview", args=[upload.pk]), {"export": "errors"})
    assert export.status_code == 200 and export["Content-Type"] == XLSX


def test_confirm_of_an_invalid_upload_writes_nothing(client_for, assistant):
    client = client_for(assistant)
    post_upload(client, book([row(1), row(2, 客户名称="")]))
    upload = ImportUpload.objects.get()
    response = client.post(reverse("customers:import-confirm", args=[upload.pk]))
    assert response.status_code == 400
    assert response.context["errors"][0].row == 3
    assert not Customer.objects.exists()
    upload.refresh_from_db()
    assert upload.confirmed_at is None


def test_confirm_rechecks_against_the_current_database(client_for, assistant):
    client = client_for(assistant)
    post_upload(client, book([row(1)]))
    upload = ImportUpload.objects.get()
    CustomerFactory(name="温州第1印刷有限公司")  # someone created it meanwhile
    response = client.post(reverse("customers:import-confirm", args=[upload.pk]))
    assert response.status_code == 400 and Customer.objects.count() == 1


def test_another_persons_upload_is_404(client_for, salesperson, other_salesperson, assistant):
    upload = ImportUpload.objects.create(
        kind="customers", filename="a.xlsx", content=book([row(1)]), created_by=salesperson
    )
    for user in (other_salesperson, assistant):
        client = client_for(user)
        assert client.get(reverse("customers:import-preview", args=[upload.pk])).status_code == 404
        assert client.post(reverse("customers:import-confirm", args=[upload.pk])).status_code == 404
    assert not Customer.objects.exists()
    upload.refresh_from_db()
    assert upload.confirmed_at is None


def test_salesperson_cannot_update_or_discover_sales2s_customer_through_the_page(
    client_for, salesperson, other_salesperson
):
    CustomerFactory(code="C000099", name="丽水机密纸品有限公司", owner=other_salesperson)
    client = client_for(salesperson)
    response = client.get(
        post_upload(client, book([{"客户编码": "C000099", "客户名称": "改个名字有限公司"}])).url
    )
    html = response.content.decode()
    assert not response.context["result"].valid
    assert "丽水机密纸品有限公司" not in html and "张业务" not in html and "sales2" not in html
    response = client.post(
        reverse("customers:import-confirm", args=[ImportUpload.objects.get().pk])
    )
    assert response.status_code == 400
    assert Customer.objects.get(code="C000099").name == "丽水机密纸品有限公司"


def test_preview_query_count_does_not_grow_with_rows(
    client_for, assistant, django_assert_max_num_queries
):
    client = client_for(assistant)
    CustomerFactory.create_batch(20)
    post_upload(client, book([row(n) for n in range(200)]))
    upload = ImportUpload.objects.get()
    with django_assert_max_num_queries(15):
        response = client.get(reverse("customers:import-preview", args=[upload.pk]))
    assert response.status_code == 200 and response.context["result"].created == 200


# ------------------------------------------------------------------------------- API


def test_api_anonymous_is_401_and_wrong_roles_403(api_for, director, finance, warehouse):
    assert (
        api_for().post(API, {"file": upload_file(book([row(1)]))}, format="multipart").status_code
        == 401
    )
    for user in (director, finance, warehouse):
        response = api_for(user).post(
            API, {"file": upload_file(book([row(1)]))}, format="multipart"
        )
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "non_field_errors"
    assert not Customer.objects.exists()


def test_api_get_is_405(api_for, salesperson):
    assert api_for(salesperson).get(API).status_code == 405


def test_api_dry_run_is_the_default(api_for, salesperson):
    response = api_for(salesperson).post(
        API, {"file": upload_file(book([row(1), row(2)]))}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "valid": True,
        "errors": [],
        "created": 2,
        "updated": 0,
        "contacts_created": 0,
        "contacts_updated": 0,
    }
    assert not Customer.objects.exists()


def test_api_real_run_imports_and_reimport_updates(api_for, salesperson):
    api = api_for(salesperson)
    content = book(
        [row(1, 客户编码="K1")], [{"客户编码": "K1", "姓名": "周经理", "手机": "13712345678"}]
    )
    response = api.post(API, {"file": upload_file(content), "dry_run": "false"}, format="multipart")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert Customer.objects.get(code="K1").owner == salesperson
    assert Contact.objects.get().mobile == "13712345678"
    again = book([row(1, 客户编码="K1", 城市="温州")])
    response = api.post(API, {"file": upload_file(again), "dry_run": "false"}, format="multipart")
    assert response.json()["updated"] == 1 and Customer.objects.count() == 1
    assert Customer.objects.get().city == "温州"


def test_api_errors_are_listed_and_nothing_written(api_for, assistant):
    content = book([row(1), row(2, 统一社会信用代码="123")], [{"客户编码": "NOPE", "姓名": "甲"}])
    response = api_for(assistant).post(
        API, {"file": upload_file(content), "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["created"] == body["updated"] == 0
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "统一社会信用代码"),
        (2, "客户编码"),
    ]
    assert {"row", "column", "message"} <= set(body["errors"][0])
    assert not Customer.objects.exists()


def test_api_missing_file_or_not_xlsx_is_400_naming_the_field(api_for, salesperson):
    api = api_for(salesperson)
    response = api.post(API, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    response = api.post(
        API,
        {"file": SimpleUploadedFile("a.csv", b"a,b\n", content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    response = api.post(
        API, {"file": upload_file(book([row(1)])), "dry_run": "perhaps"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "dry_run"
    assert not Customer.objects.exists()


def test_api_salesperson_cannot_update_or_discover_sales2s_customer(
    api_for, salesperson, other_salesperson
):
    CustomerFactory(code="C000098", name="衢州保密箱业有限公司", owner=other_salesperson)
    content = book(
        [{"客户编码": "C000098", "客户名称": "新名字有限公司"}],
        [{"客户编码": "C000098", "姓名": "探子"}],
    )
    response = api_for(salesperson).post(
        API, {"file": upload_file(content), "dry_run": "false"}, format="multipart"
    )
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    text = str(body)
    assert "衢州保密箱业有限公司" not in text and "张业务" not in text and "sales2" not in text
    assert Customer.objects.get(code="C000098").name == "衢州保密箱业有限公司"
    assert not Contact.objects.exists()


def test_api_is_in_the_openapi_schema():
    from django.urls import path
    from drf_spectacular.generators import SchemaGenerator

    from salesdesk.customers.api.imports import CustomerImportView

    generator = SchemaGenerator(
        patterns=[path("api/v1/imports/customers/", CustomerImportView.as_view())]
    )
    operation = generator.get_schema(request=None, public=True)["paths"][API]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
