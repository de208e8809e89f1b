"""Product import (R-4.1, C-2): good sheet, errors by row and column, all or nothing,
re-import updates by code; the pages upload → preview → confirm and the template."""

import io
import uuid
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.catalog.models import Product
from salesdesk.catalog.services.imports import import_template, product_import
from salesdesk.core.models import ImportUpload

from .factories import ProductFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def book(rows, sheet="产品") -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    headers = list(dict.fromkeys(h for row in rows for h in row))
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            value = row.get(h, "")
            if value != "":
                ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


def row(n, **extra):
    return {
        "产品编码": f"IM-{n:03d}", "产品名称": f"三层纸箱{n}号", "长(mm)": 300, "宽(mm)": 200, "高(mm)": 150,
        "楞型": "B楞", "层数": "三层", "材质": "K=K", "单位": "个", "单价": "1.2345", "最低库存": 100, **extra,
    }  # fmt: skip


def test_good_sheet_imports(assistant):
    result = product_import(by=assistant, content=book([row(1), row(2, 新品="是")]), dry_run=False)
    assert result.valid and result.applied and (result.created, result.updated) == (2, 0)
    first = Product.objects.get(code="IM-001")
    assert (first.flute, first.ply, first.unit, first.list_price) == (
        "B",
        3,
        "piece",
        Decimal("1.2345"),
    )
    assert first.name_initials == "sczx1h" and not first.needs_approval
    assert Product.objects.get(code="IM-002").needs_approval
    assert first.history.get().history_user == assistant


def test_dry_run_writes_nothing(assistant):
    result = product_import(by=assistant, content=book([row(1)]), dry_run=True)
    assert result.valid and result.created == 1 and not Product.objects.exists()


def test_errors_by_row_and_column_and_nothing_written(assistant):
    ProductFactory(code="ARCH", archived_at="2026-01-01T00:00:00Z")
    rows = [
        row(1),
        row(2, **{"长(mm)": 0}),
        row(3, 单价="-1"),
        row(4, 单价="0.12345"),
        row(5, 层数="四层"),
        row(6, **{"产品编码": "IM-001"}),
        row(7, **{"宽(mm)": ""}),
        {"产品编码": "NEW-X", "长(mm)": 1, "宽(mm)": 1, "高(mm)": 1},
        row(9, 产品编码="ARCH"),
    ]
    result = product_import(by=assistant, content=book(rows), dry_run=False)
    assert not result.valid and not result.applied
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "长(mm)"),
        (4, "单价"),
        (5, "单价"),
        (6, "层数"),
        (2, "产品编码"),
        (7, "产品编码"),
        (8, "宽(mm)"),
        (9, "产品名称"),
        (10, "产品编码"),
    } <= found
    assert Product.objects.count() == 1 and result.created == 0


def test_reimport_updates_by_code_and_bumps_revision_on_spec_change(assistant):
    product_import(by=assistant, content=book([row(1), row(2)]), dry_run=False)
    changed = [row(1, **{"长(mm)": 310}), {"产品编码": "IM-002", "单价": "2.5"}, row(3)]
    result = product_import(by=assistant, content=book(changed), dry_run=False)
    assert (result.created, result.updated) == (1, 2)
    one, two = Product.objects.get(code="IM-001"), Product.objects.get(code="IM-002")
    assert (one.length_mm, one.revision, one.needs_approval) == (310, 2, True)
    assert (two.list_price, two.revision, two.needs_approval, two.name) == (
        Decimal("2.5"),
        1,
        False,
        "三层纸箱2号",
    )
    assert Product.objects.count() == 3
    again = product_import(by=assistant, content=book(changed), dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_template_imports_cleanly(assistant):
    content = import_template()
    names = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    assert names[0] == "产品"
    result = product_import(by=assistant, content=content, dry_run=False)
    assert result.valid, result.error_dicts()
    product = Product.objects.get(code="EX-0001")
    assert (product.flute, product.ply, product.list_price, product.needs_approval) == (
        "BC",
        5,
        Decimal("3.8560"),
        True,
    )


# ----------------------------------------------------------------------------- pages


def post_upload(client, content, name="产品.xlsx"):
    return client.post(
        reverse("catalog:product-import"),
        {"file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def test_anonymous_goes_to_login(client):
    for url in (reverse("catalog:product-import"), reverse("catalog:product-import-template")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    response = client.post(reverse("catalog:product-import-confirm", args=[uuid.uuid4()]))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["salesperson", "director", "finance", "warehouse"])
def test_non_editors_get_403(request, persona, client_for, assistant):
    upload = ImportUpload.objects.create(
        kind="products", filename="a.xlsx", content=book([row(1)]), created_by=assistant
    )
    client = client_for(request.getfixturevalue(persona))
    assert post_upload(client, book([row(1)])).status_code == 403
    assert (
        client.get(reverse("catalog:product-import-preview", args=[upload.pk])).status_code == 403
    )
    assert (
        client.post(reverse("catalog:product-import-confirm", args=[upload.pk])).status_code == 403
    )
    assert ImportUpload.objects.count() == 1 and not Product.objects.exists()


def test_wrong_methods_get_405(client_for, assistant):
    client = client_for(assistant)
    upload = ImportUpload.objects.create(
        kind="products", filename="a.xlsx", content=book([row(1)]), created_by=assistant
    )
    assert (
        client.get(reverse("catalog:product-import-confirm", args=[upload.pk])).status_code == 405
    )
    assert (
        client.post(reverse("catalog:product-import-preview", args=[upload.pk])).status_code == 405
    )
    assert client.post(reverse("catalog:product-import-template")).status_code == 405


def test_someone_elses_upload_is_404(client_for, assistant, commercial):
    upload = ImportUpload.objects.create(
        kind="products", filename="a.xlsx", content=book([row(1)]), created_by=assistant
    )
    client = client_for(commercial)
    assert (
        client.get(reverse("catalog:product-import-preview", args=[upload.pk])).status_code == 404
    )
    assert (
        client.post(reverse("catalog:product-import-confirm", args=[upload.pk])).status_code == 404
    )
    assert not Product.objects.exists()


def test_upload_preview_confirm(client_for, assistant):
    client = client_for(assistant)
    response = post_upload(client, book([row(1), row(2)]))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "IM-002" in preview.content.decode()
    assert not Product.objects.exists()
    upload = ImportUpload.objects.get()
    done = client.post(reverse("catalog:product-import-confirm", args=[upload.pk]))
    assert done.status_code == 302 and Product.objects.count() == 2
    again = client.post(reverse("catalog:product-import-confirm", args=[upload.pk]))
    assert again.status_code == 302 and Product.objects.count() == 2


def test_bad_file_and_bad_rows(client_for, assistant):
    client = client_for(assistant)
    response = post_upload(client, b"not a workbook", "x.xlsx")
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not post_upload(client, b"").status_code == 302
    response = post_upload(client, book([row(1, 单价="abc")]))
    preview = client.get(response["Location"])
    assert "单价" in preview.content.decode()
    errors = client.get(response["Location"], {"export": "errors"})
    table = (
        CalamineWorkbook.from_filelike(io.BytesIO(errors.content)).get_sheet_by_index(0).to_python()
    )
    assert table[1][1] == 2 and table[1][2] == "单价"
    upload = ImportUpload.objects.get()
    assert (
        client.post(reverse("catalog:product-import-confirm", args=[upload.pk])).status_code == 400
    )
    assert not Product.objects.exists()
