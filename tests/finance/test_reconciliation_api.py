"""The reconciliations and disputes API: run by multipart upload, 400 naming `mapping` with the
detected headers, remembered mapping, resolve/correct, disputes scoped and their status rules."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from salesdesk.customers.choices import Tier
from salesdesk.finance.models import Dispute, Reconciliation
from tests.factories import CustomerFactory

from .factories_reconciliation import PLANTED, dispute, ledger_xlsx, month_scenario

pytestmark = pytest.mark.django_db
URL = "/api/v1/reconciliations/"
DISPUTES = "/api/v1/disputes/"
MAPPING = {
    "date": "日期",
    "number": "发票号",
    "customer": "客户名称",
    "debit": "借方",
    "credit": "贷方",
    "quantity": "数量",
    "unit_price": "单价",
}


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def customers(salesperson, other_salesperson):
    a = CustomerFactory(name="杭州明发包装有限公司", owner=salesperson, tier=Tier.KEY)
    b = CustomerFactory(name="宁波华丰纸业有限公司", owner=other_salesperson)
    return a, b


def post_ledger(api, rows, **data):
    file = SimpleUploadedFile("ledger.xlsx", ledger_xlsx(rows))
    return api.post(URL, {"file": file, **data}, format="multipart")


def test_run_returns_differences_as_json(api_for, finance, customers):
    rows, _made = month_scenario(*customers, planted=PLANTED)
    api = api_for(finance)
    response = post_ledger(api, rows, mapping=json.dumps(MAPPING, ensure_ascii=False))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(d["kind"] for d in body["differences"]) == sorted(PLANTED)
    assert body["counts"] == {k: 1 for k in PLANTED} and body["open_count"] == 5
    assert (body["period_start"], body["period_end"]) == ("2026-03-02", "2026-03-24")
    missing = [d for d in body["differences"] if d["kind"] == "missing_in_salesdesk"][0]
    assert (missing["ledger_amount"], missing["ledger_kind"], missing["invoice_number"]) == (
        "777.00",
        "sale",
        "00012399",
    )

    listed = api.get(URL).json()
    assert listed["count"] == 1 and listed["results"][0]["counts"]["price_differs"] == 1
    detail = api.get(f"{URL}{body['id']}/").json()
    assert len(detail["differences"]) == 5


def test_without_mapping_400_names_mapping_and_lists_headers_then_remembers(
    api_for, finance, customers
):
    rows, _made = month_scenario(*customers, planted=["date_differs"])
    api = api_for(finance)
    response = post_ledger(api, rows)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert (
        errors[0]["field"] == "mapping"
        and "发票号" in errors[0]["message"]
        and "贷方" in errors[0]["message"]
    )
    assert post_ledger(api, rows, mapping=json.dumps(MAPPING)).status_code == 201
    again = post_ledger(api, rows)
    assert again.status_code == 201
    assert [d["kind"] for d in again.json()["differences"]] == ["date_differs"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"mapping": "{not json"}, "mapping"),
        ({"mapping": "[1, 2]"}, "mapping"),
        ({"mapping": json.dumps({"number": "发票号"})}, "mapping"),
        (
            {
                "mapping": json.dumps(MAPPING),
                "period_start": "2026-03-31",
                "period_end": "2026-03-01",
            },
            "period_end",
        ),
        ({"mapping": json.dumps(MAPPING), "period_start": "yesterday"}, "period_start"),
    ],
)
def test_bad_input_400_and_nothing_saved(api_for, finance, customers, data, field):
    rows, _made = month_scenario(*customers)
    response = post_ledger(api_for(finance), rows, **data)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Reconciliation.objects.count() == 0


def test_no_file_and_not_xlsx(api_for, finance):
    api = api_for(finance)
    assert api.post(URL, {}, format="multipart").json()["errors"][0]["field"] == "file"
    response = api.post(URL, {"file": SimpleUploadedFile("a.txt", b"hello")}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"


def test_period_narrowing(api_for, finance, customers):
    rows, _made = month_scenario(*customers, planted=PLANTED)
    response = post_ledger(
        api_for(finance),
        rows,
        mapping=json.dumps(MAPPING),
        period_start="2026-03-01",
        period_end="2026-03-10",
    )
    assert sorted(d["kind"] for d in response.json()["differences"]) == [
        "amount_differs",
        "date_differs",
    ]


def test_resolve_and_correct(api_for, finance, customers):
    rows, _made = month_scenario(*customers, planted=["amount_differs", "missing_in_salesdesk"])
    api = api_for(finance)
    run = post_ledger(api, rows, mapping=json.dumps(MAPPING)).json()
    by_kind = {d["kind"]: d["id"] for d in run["differences"]}
    url = f"{URL}{run['id']}/differences/{by_kind['amount_differs']}/resolve/"
    response = api.post(url, {"note": ""}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    response = api.post(url, {"note": "运费"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert api.post(url, {"note": "again"}, format="json").json()["errors"][0]["field"] == "status"
    url = f"{URL}{run['id']}/differences/{by_kind['missing_in_salesdesk']}/correct/"
    assert (
        api.post(url, {"note": "补录", "customer": "NOPE"}, format="json").json()["errors"][0][
            "field"
        ]
        == "customer"
    )
    response = api.post(url, {"note": "补录"}, format="json")
    assert (
        response.status_code == 200
        and response.json()["status"] == "corrected"
        and response.json()["receivable"]
    )
    assert (
        api.post(
            f"{URL}{run['id']}/differences/999999/resolve/", {"note": "x"}, format="json"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "persona,code",
    [
        ("salesperson", 403),
        ("director", 403),
        ("warehouse", 403),
        ("assistant", 200),
        ("admin_user", 200),
    ],
)
def test_reconciliation_api_permissions(request, api_for, persona, code):
    assert api_for(request.getfixturevalue(persona)).get(URL).status_code == code


def test_anonymous_401(api_for):
    assert api_for().get(URL).status_code in (401, 403)
    assert api_for().get(DISPUTES).status_code in (401, 403)


# --- disputes ---------------------------------------------------------------------------------


def test_disputes_scoped_and_created(api_for, finance, salesperson, customers):
    a, b = customers
    mine, theirs = dispute(a, finance), dispute(b, finance)
    listed = api_for(salesperson).get(DISPUTES).json()
    assert [d["id"] for d in listed["results"]] == [mine.pk]
    assert api_for(salesperson).get(f"{DISPUTES}{theirs.pk}/").status_code == 404
    assert api_for(salesperson).post(DISPUTES, {}, format="json").status_code == 403
    api = api_for(finance)
    assert [d["id"] for d in api.get(DISPUTES).json()["results"]] == [
        mine.pk,
        theirs.pk,
    ]  # key account first
    data = {
        "customer": a.pk,
        "title": "2021年尾款",
        "kind": "missing_documents",
        "amount": "5600.00",
        "owner": finance.pk,
    }
    for field, bad in (("amount", "-1"), ("kind", "x"), ("customer", 999999), ("title", "")):
        response = api.post(DISPUTES, {**data, field: bad}, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field
    response = api.post(DISPUTES, data, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    assert Dispute.objects.count() == 3


def test_dispute_status_and_documents(api_for, finance, customers):
    d = dispute(customers[0], finance)
    api = api_for(finance)
    url = f"{DISPUTES}{d.pk}/status/"
    response = api.post(url, {"status": "written_off"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    response = api.post(url, {"status": "written_off", "note": "金额小，核销"}, format="json")
    body = response.json()
    assert (body["status"], body["resolution"]) == ("written_off", "金额小，核销")
    assert [h["status_to"] for h in body["history"]] == ["open", "written_off"]
    response = api.post(
        f"{DISPUTES}{d.pk}/documents/",
        {"file": SimpleUploadedFile("函.pdf", b"%PDF")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["url"].endswith(
        f"/documents/{response.json()['id']}/"
    )
    assert (
        api.post(f"{DISPUTES}{d.pk}/documents/", {}, format="multipart").json()["errors"][0][
            "field"
        ]
        == "file"
    )
    assert len(api.get(f"{DISPUTES}{d.pk}/").json()["documents"]) == 1
