"""Importing sales targets from Excel (R-8.4, C-2): the template, the rules by row and column,
all or nothing, and the pages (upload → preview → confirm)."""

import io
import uuid
from decimal import Decimal

import pytest
import xlsxwriter
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from salesdesk.core.models import ImportUpload
from salesdesk.reports.models import SalesTarget
from salesdesk.reports.services.targets import targets_import
from tests.factories import UserFactory
from tests.helpers import assert_goes_to_login

pytestmark = pytest.mark.django_db
D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["年份", "月份", "业务员", "目标金额(元)"]


def book(rows, headers=HEADERS, sheet="销售目标") -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


def check(by, content):
    with translation.override("en"):
        return targets_import(by=by, content=content, dry_run=True)


def test_a_good_sheet_creates_and_updates_with_history(assistant, salesperson, other_salesperson):
    SalesTarget.objects.create(year=2026, month=None, salesperson=None, amount=D("1"))
    content = book(
        [
            [2026, None, None, 12000000],
            [2026, "3月", None, "1,000,000.50"],
            ["2026年", None, "sales1", 4000000],
            [2026, 1, "张业务", 330000.25],
            [2027, 1, "sales2", 0],
        ]
    )
    result = check(assistant, content)
    assert result.valid, result.error_dicts()
    assert (result.created, result.updated, result.unchanged) == (4, 1, 0)
    assert not SalesTarget.objects.filter(year=2027).exists()  # a dry run writes nothing

    result = targets_import(by=assistant, content=content, dry_run=False)
    assert result.applied
    targets = {(t.year, t.month, t.salesperson_id): t for t in SalesTarget.objects.all()}
    assert targets[(2026, None, None)].amount == D("12000000.00")
    assert targets[(2026, 3, None)].amount == D("1000000.50")
    assert targets[(2026, None, salesperson.pk)].amount == D("4000000.00")
    assert targets[(2026, 1, other_salesperson.pk)].amount == D("330000.25")
    assert targets[(2027, 1, other_salesperson.pk)].amount == D("0.00")
    assert all(t.updated_by == assistant for t in targets.values())
    history = SalesTarget.history.filter(year=2026, month=None, salesperson=None)
    assert [(h.history_type, h.amount) for h in history.order_by("history_id")] == [
        ("+", D("1.00")),
        ("~", D("12000000.00")),
    ]
    assert history.order_by("history_id").last().history_user == assistant

    again = check(assistant, content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(
    assistant, salesperson, warehouse
):
    UserFactory(username="sales8", role="salesperson", display_name="李业务")  # a second 李业务
    content = book(
        [
            [2026, None, None, -5],  # row 2: negative
            [2026, 13, None, 100],  # row 3: month
            [2026, 2, "nobody", 100],  # row 4: unknown salesperson
            [2026, 2, "warehouse", 100],  # row 5: not a salesperson
            [2026, 2, "李业务", 100],  # row 6: two people of that name
            [2026, 4, "sales1", "1.005"],  # row 7: three decimals
            [2026, 5, "sales1", None],  # row 8: no amount
            [2026, 6, "sales1", "1000"],  # rows 9 and 10: the same target twice
            [2026, 6, "sales1", "2000"],
            ["明年", None, None, "abc"],  # row 11: year and amount
            [2026, 7, "sales1", 100],  # row 12: fine on its own
        ]
    )
    result = check(assistant, content)
    assert not result.valid
    errors = [(e["row"], e["column"], e["message"]) for e in result.error_dicts()]
    assert errors == [
        (2, "目标金额(元)", "A target cannot be negative."),
        (3, "月份", "Must be at most 12."),
        (4, "业务员", "“nobody” is not a salesperson."),
        (5, "业务员", "“warehouse” is not a salesperson."),
        (6, "业务员", "Several salespeople are called “李业务”; give the username instead."),
        (7, "目标金额(元)", "A target has at most 2 decimal places (fen)."),
        (8, "目标金额(元)", "This cell is required."),
        (9, "目标金额(元)", "The same target is also on rows 10."),
        (10, "目标金额(元)", "The same target is also on rows 9."),
        (11, "年份", "“明年” is not a whole number."),
        (11, "目标金额(元)", "“abc” is not an amount (e.g. 1234.50)."),
    ]
    result = targets_import(by=assistant, content=content, dry_run=False)
    assert not result.applied
    assert not SalesTarget.objects.exists()


def test_missing_columns_and_other_files(assistant):
    result = check(assistant, book([[2026, 100]], headers=["年份", "金额x"]))
    assert [e["message"] for e in result.error_dicts()] == [
        "Required columns are missing: 目标金额(元)."
    ]
    assert (
        check(assistant, b"not a workbook")
        .error_dicts()[0]["message"]
        .startswith("This is not an Excel .xlsx file.")
    )


def test_english_headers_and_sheet_name(assistant):
    content = book([[2026, "", "", "500"]], headers=["Year", "Month", "Salesperson", "Amount"])
    assert check(assistant, book([[2026, None, None, 5]], sheet="Targets")).valid
    assert check(assistant, content).valid


def test_only_target_editors_import(salesperson, commercial, finance):
    from django.core.exceptions import PermissionDenied

    for user in (salesperson, commercial, finance):
        with pytest.raises(PermissionDenied):
            targets_import(by=user, content=book([[2026, None, None, 5]]))


# ------------------------------------------------------------------------------ pages


def upload(client, content, name="目标.xlsx"):
    return client.post(
        reverse("reports:targets-import"),
        {"file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def test_anonymous_and_readers_are_kept_out(client, client_for, salesperson, finance, warehouse):
    assert_goes_to_login(client.get(reverse("reports:targets-import")))
    assert_goes_to_login(client.get(reverse("reports:targets-import-template")))
    for user in (salesperson, finance, warehouse):
        c = client_for(user)
        assert c.get(reverse("reports:targets-import")).status_code == 403
        assert c.get(reverse("reports:targets-import-template")).status_code == 403
        assert (
            c.post(reverse("reports:targets-import-confirm", args=[uuid.uuid4()])).status_code
            == 403
        )


def test_upload_preview_confirm(client_for, assistant, salesperson):
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, book([[2026, None, "sales1", 100], [2026, 1, "sales1", 10]]))
    assert response.status_code == 302
    upload_row = ImportUpload.objects.get()
    assert upload_row.kind == "sales-targets"
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Confirming will add 2 targets and change 0" in body
    assert not SalesTarget.objects.exists()
    done = client.post(reverse("reports:targets-import-confirm", args=[upload_row.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("reports:targets")
    assert SalesTarget.objects.filter(salesperson=salesperson).count() == 2
    again = client.post(reverse("reports:targets-import-confirm", args=[upload_row.pk]))
    assert again.status_code == 302  # already imported: back to the preview with a message
    assert SalesTarget.objects.count() == 2


def test_preview_lists_errors_and_confirm_writes_nothing(client_for, assistant):
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, book([[2026, None, "ghost", 100], [2026, 1, None, -1]]))
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "The file has 2 problems." in body and "“ghost” is not a salesperson." in body
    pk = ImportUpload.objects.get().pk
    refused = client.post(reverse("reports:targets-import-confirm", args=[pk]))
    assert refused.status_code == 400
    assert not SalesTarget.objects.exists()


def test_someone_elses_upload_is_not_found(client_for, assistant, director):
    response = upload(client_for(assistant), book([[2026, None, None, 5]]))
    pk = ImportUpload.objects.get().pk
    other = client_for(director)
    assert other.get(reverse("reports:targets-import-preview", args=[pk])).status_code == 404
    assert other.post(reverse("reports:targets-import-confirm", args=[pk])).status_code == 404
    assert response.status_code == 302


def test_template_downloads_and_imports_as_it_is(client_for, assistant, salesperson):
    response = client_for(assistant).get(reverse("reports:targets-import-template"))
    assert response.status_code == 200
    content = response.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("销售目标")
    rows = sheet.to_python()
    assert rows[0] == ["年份*", "月份", "业务员", "目标金额(元)*"]
    assert rows[3][2] == "sales1"  # a real salesperson's username
    result = check(assistant, content)
    assert result.valid and result.created == 4, result.error_dicts()
