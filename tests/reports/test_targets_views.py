"""The targets page (R-8.4): who sees it and what, saving the grid all or nothing, the Excel
export, Chinese and English."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from salesdesk.reports.models import SalesTarget
from tests.helpers import EVERYONE, as_persona, assert_goes_to_login
from tests.test_i18n import ALLOWED_CJK, ALLOWED_LATIN, visible_text

from .test_targets import booked, target

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("reports:targets")
TODAY = dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def plan(salesperson, other_salesperson, assistant):
    target(2026, "1200000")
    target(2026, "600000", salesperson=salesperson)
    target(2026, "50000", month=3, salesperson=salesperson)
    target(2026, "777777", salesperson=other_salesperson)
    booked(salesperson, dt.date(2026, 3, 2), "60000.50", by=assistant)
    booked(other_salesperson, dt.date(2026, 3, 3), "4321.00", by=assistant)


def page(client, **params):
    return client.get(URL, params)


# ----------------------------------------------------------------------------- access


def test_anonymous_is_sent_to_login(client):
    for url in (URL, reverse("reports:targets-export"), reverse("reports:targets-import")):
        assert_goes_to_login(client.get(url))
    assert_goes_to_login(client.post(URL, {"dept_year": "1"}))


@pytest.mark.parametrize("persona", [p for p in EVERYONE if p != "warehouse"])
def test_every_report_reader_opens_the_page(request, client_for, persona, plan):
    response = page(as_persona(request, client_for, persona))
    assert response.status_code == 200
    assert response.context["progress"].year == 2026


def test_warehouse_is_refused(client_for, warehouse):
    client = client_for(warehouse)
    assert page(client).status_code == 403
    assert client.get(reverse("reports:targets-export")).status_code == 403
    assert client.post(URL, {"dept_year": "1"}).status_code == 403


def test_wrong_method_is_refused(client_for, assistant):
    client = client_for(assistant)
    assert client.put(URL).status_code == 405
    assert client.post(reverse("reports:targets-export")).status_code == 405


def test_salesperson_sees_own_and_the_department_and_cannot_edit(client_for, salesperson, plan):
    response = page(client_for(salesperson))
    body = response.content.decode()
    assert response.context["form"] is None
    assert [r.salesperson for r in response.context["progress"].rows] == [None, salesperson]
    assert "张业务" not in body and "777,777" not in body and "¥4,321.00" not in body
    assert "¥600,000.00" in body and "¥1,200,000.00" in body
    assert 'name="dept_year"' not in body
    assert reverse("reports:targets-import") not in body
    # The department's booked sales include everyone's.
    assert response.context["progress"].department.booked_year == D("64321.50")


def test_salesperson_cannot_post_targets(client_for, salesperson, plan):
    response = client_for(salesperson).post(f"{URL}?year=2026", {"u1_year": "1", "dept_year": "9"})
    assert response.status_code == 403
    assert SalesTarget.objects.get(year=2026, salesperson=None, month=None).amount == D(
        "1200000.00"
    )


def test_other_readers_see_the_grid_but_no_form(client_for, director, finance, commercial, plan):
    for user in (finance, commercial):
        response = page(client_for(user))
        assert response.context["form"] is None
        assert 'name="dept_year"' not in response.content.decode()
        assert client_for(user).post(URL, {"dept_year": "1"}).status_code == 403
    response = page(client_for(director))
    assert response.context["form"] is not None


def test_page_shows_progress_bars_and_run_rate(client_for, assistant, salesperson, plan):
    body = page(client_for(assistant)).content.decode()
    assert 'id="target-progress-people"' in body
    assert "10.0%" in body  # 60,000.50 of 600,000
    assert "24.7%" in body  # 31 March: day 90 of 365
    assert "¥53,999.95" in body  # (600,000 − 60,000.50) ÷ 10 months
    assert "¥2,842.11" in body  # … ÷ 190 working days, rounded up
    assert 'style="width:10.0%"' in body
    assert 'style="left:24.7%"' in body


# ------------------------------------------------------------------------------ saving


def grid_data(response) -> dict:
    """The grid's fields as the page filled them in."""
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_assistant_saves_the_grid(client_for, assistant, salesperson, plan):
    client = client_for(assistant)
    data = grid_data(page(client))
    assert data["dept_year"] == "1200000.00"
    key = f"u{salesperson.pk}"
    data.update({"dept_m1": "100,000", f"{key}_year": "650000", f"{key}_m3": ""})
    response = client.post(f"{URL}?year=2026", data)
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2026"
    targets = {(t.salesperson_id, t.month): t.amount for t in SalesTarget.objects.all()}
    assert targets[(None, 1)] == D("100000.00")
    assert targets[(salesperson.pk, None)] == D("650000.00")
    assert (salesperson.pk, 3) not in targets  # cleared
    assert targets[(None, None)] == D("1200000.00")
    last = SalesTarget.history.filter(salesperson=salesperson, month=None).first()
    assert last.history_user == assistant


def test_bad_cells_are_named_and_nothing_is_saved(client_for, assistant, salesperson, plan):
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = grid_data(page(client))
    key = f"u{salesperson.pk}"
    data.update(
        {"dept_m1": "100000", f"{key}_year": "-5", f"{key}_m2": "1.234", f"{key}_m4": "lots"}
    )
    response = client.post(f"{URL}?year=2026", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        f"{key}_year": ["A target cannot be negative."],
        f"{key}_m2": ["A target has at most 2 decimal places (fen)."],
        f"{key}_m4": ["“lots” is not an amount (e.g. 1234.50)."],
    }
    body = response.content.decode()
    assert "李业务, annual: A target cannot be negative." in body
    assert 'value="lots"' in body and "is-invalid" in body
    assert not SalesTarget.objects.filter(month=1).exists()
    assert SalesTarget.objects.get(salesperson=salesperson, month=None).amount == D("600000.00")


def test_a_bad_year_is_a_message_not_an_error(client_for, assistant):
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = page(client, year="20x6")
    assert response.status_code == 400
    assert "Enter a year such as 2026." in response.content.decode()
    assert page(client, year="1999").status_code == 400


def test_another_year_and_an_empty_one(client_for, assistant, plan):
    response = page(client_for(assistant), year="2025")
    assert response.status_code == 200
    assert response.context["grid"].department.annual is None
    assert "No target" in response.content.decode() or "未设目标" in response.content.decode()


# ------------------------------------------------------------------------------ export


def test_export_has_the_targets_grid_and_progress_scoped(client_for, salesperson, plan):
    response = client_for(salesperson).get(reverse("reports:targets-export"), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["销售目标", "分月目标", "完成进度"]
    rows = book.get_sheet_by_name("销售目标").to_python()
    assert rows[0] == ["年份", "月份", "业务员", "目标金额(元)", "业务员姓名"]
    assert sorted(rows[1:], key=str) == sorted(
        [
            [2026.0, "", "", 1200000.0, "部门"],
            [2026.0, "", "sales1", 600000.0, "李业务"],
            [2026.0, 3.0, "sales1", 50000.0, "李业务"],
        ],
        key=str,
    )
    progress = book.get_sheet_by_name("完成进度").to_python()
    assert [r[0] for r in progress[1:]] == ["部门", "李业务"]
    assert progress[2][1:4] == [600000.0, 60000.5, 10.0]
    text = str([book.get_sheet_by_name(n).to_python() for n in book.sheet_names])
    assert "张业务" not in text and "777777" not in text


def test_the_export_imports_again(client_for, assistant, plan):
    from salesdesk.reports.services.targets import targets_import

    client = client_for(assistant)
    content = client.get(reverse("reports:targets-export"), {"year": 2026}).content
    result = targets_import(by=assistant, content=content, dry_run=True)
    assert result.valid, result.error_dicts()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)


# ------------------------------------------------------------------------ both languages


def test_chinese_page_has_no_untranslated_english(client_for, assistant, plan):
    for url in (URL, reverse("reports:targets-import")):
        response = client_for(assistant).get(url)
        assert response.status_code == 200
        words = set(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", visible_text(response.content.decode())))
        assert words - ALLOWED_LATIN == set(), url
    body = page(client_for(assistant)).content.decode()
    assert "销售目标" in body and "每月需完成" in body and "一月" in body


def test_english_page_has_no_chinese_chrome(
    client_for, assistant, salesperson, other_salesperson, plan
):
    for user, name in ((assistant, "Wang"), (salesperson, "Li"), (other_salesperson, "Zhang")):
        user.display_name = name
        user.save()
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (URL, reverse("reports:targets-import")):
        response = client.get(url)
        assert response.status_code == 200
        text = visible_text(response.content.decode()).replace("“销售目标”", "")
        for allowed in ALLOWED_CJK:
            text = text.replace(allowed, "")
        assert re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text) == [], url
    body = page(client).content.decode()
    assert "Needed per working day" in body and "Jan" in body
