"""GET/PUT/POST /api/v1/reports/targets/ (R-8.4): the page's figures, scoped as the page;
setting targets checked as on the page."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from salesdesk.reports.models import SalesTarget
from tests.helpers import EVERYONE, as_persona

from .test_targets import booked, target

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/reports/targets/"
TODAY = dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def plan(salesperson, other_salesperson, assistant):
    target(2026, "1200000")
    target(2026, "100000", month=3)
    target(2026, "600000", salesperson=salesperson)
    target(2026, "50000", month=3, salesperson=salesperson)
    target(2026, "777777", salesperson=other_salesperson)
    booked(salesperson, dt.date(2026, 3, 2), "60000.50", by=assistant)
    booked(other_salesperson, dt.date(2026, 3, 3), "4321.00", by=assistant)


def test_the_route_is_the_named_one():
    assert reverse("report-targets") == API


def test_anonymous_and_warehouse_are_refused(api_for, warehouse):
    assert api_for().get(API).status_code == 401
    assert api_for().put(API, {}, format="json").status_code == 401
    refused = api_for(warehouse).get(API)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "non_field_errors"


def test_figures_are_exact_strings(api_for, assistant, salesperson, plan):
    data = api_for(assistant).get(API, {"year": 2026}).json()
    assert {k: data[k] for k in ("year", "as_of", "month", "elapsed")} == {
        "year": 2026,
        "as_of": "2026-03-31",
        "month": 3,
        "elapsed": "24.7",
    }
    assert (data["remaining_months"], data["remaining_working_days"]) == (10, 190)
    sales1 = next(r for r in data["people"] if r["username"] == "sales1")
    assert sales1 == {
        "salesperson": salesperson.pk,
        "username": "sales1",
        "name": "李业务",
        "target_year": "600000.00",
        "booked_year": "60000.50",
        "share": "10.0",
        "target_month": "50000.00",
        "booked_month": "60000.50",
        "month_share": "120.0",
        "remaining": "539999.50",
        "needed_per_month": "53999.95",
        "needed_per_working_day": "2842.11",
        "on_track": False,
    }
    assert data["department"]["booked_year"] == "64321.50"
    assert data["department"]["salesperson"] is None
    assert {"salesperson": None, "month": 3, "amount": "100000.00"} in data["targets"]


@pytest.mark.parametrize("persona", [p for p in EVERYONE if p != "warehouse"])
def test_api_equals_the_page(request, client_for, api_for, persona, plan):
    user = request.getfixturevalue(persona)
    page = as_persona(request, client_for, persona).get(reverse("reports:targets"))
    data = api_for(user).get(API).json()
    progress = page.context["progress"]

    def money(value):
        return None if value is None else f"{value:.2f}"

    assert data["elapsed"] == str(progress.elapsed)
    assert [r["salesperson"] for r in [data["department"], *data["people"]]] == [
        r.salesperson_id for r in progress.rows
    ]
    for got, row in zip([data["department"], *data["people"]], progress.rows, strict=True):
        assert got["booked_year"] == money(row.booked_year)
        assert got["target_year"] == money(row.target_year)
        assert got["needed_per_month"] == money(row.needed_per_month)
        assert got["needed_per_working_day"] == money(row.needed_per_working_day)
        assert got["share"] == (None if row.share is None else str(row.share))


def test_salesperson_sees_own_and_the_department(api_for, salesperson, other_salesperson, plan):
    data = api_for(salesperson).get(API).json()
    assert [r["username"] for r in data["people"]] == ["sales1"]
    assert {t["salesperson"] for t in data["targets"]} == {None, salesperson.pk}
    assert "777777.00" not in str(data)


def test_bad_parameters_are_named(api_for, assistant):
    response = api_for(assistant).get(API, {"year": "next", "as_of": "yesterday"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"year", "as_of"}


# ------------------------------------------------------------------------------ writes


@pytest.mark.parametrize("method", ["put", "post"])
def test_editors_set_targets(api_for, director, salesperson, plan, method):
    body = {
        "year": 2026,
        "targets": [
            {"salesperson": None, "month": None, "amount": "1300000.00"},
            {"salesperson": "sales1", "month": 4, "amount": "70000"},
            {"salesperson": salesperson.pk, "month": 3, "amount": None},
        ],
    }
    response = getattr(api_for(director), method)(API, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["department"]["target_year"] == "1300000.00"
    targets = {(t.salesperson_id, t.month): t.amount for t in SalesTarget.objects.all()}
    assert targets[(salesperson.pk, 4)] == D("70000.00")
    assert (salesperson.pk, 3) not in targets
    assert targets[(None, 3)] == D("100000.00")  # not given, left alone


def test_bad_entries_are_named_and_nothing_is_saved(api_for, assistant, plan):
    body = {
        "year": 2026,
        "targets": [
            {"salesperson": None, "month": None, "amount": "1"},
            {"salesperson": "ghost", "month": 1, "amount": "1"},
            {"salesperson": None, "month": 0, "amount": "1"},
            {"salesperson": None, "month": 2, "amount": "-1"},
            {"salesperson": None, "month": 5, "amount": 0.1 + 0.2},
            {"salesperson": True, "month": 6, "amount": "1"},
            {"month": 7},
            "8",
        ],
    }
    response = api_for(assistant).put(API, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"targets.6.amount", "targets.7"}  # the shape is checked first
    del body["targets"][6:]
    response = api_for(assistant).put(API, body, format="json")
    errors = {e["field"] for e in response.json()["errors"]}
    assert errors == {
        "targets.1.salesperson",
        "targets.2.month",
        "targets.3.amount",
        "targets.4.amount",
        "targets.5.salesperson",
    }
    assert SalesTarget.objects.get(salesperson=None, month=None).amount == D("1200000.00")


def test_bad_bodies(api_for, assistant):
    api = api_for(assistant)
    assert api.put(API, {"year": 2026, "targets": []}, format="json").status_code == 400
    assert api.put(API, [1], format="json").json()["errors"][0]["field"] == "non_field_errors"
    response = api.put(
        API, {"year": "20x6", "targets": [{"amount": "1", "salesperson": None}]}, format="json"
    )
    assert [e["field"] for e in response.json()["errors"]] == ["year"]


@pytest.mark.parametrize("persona", ["salesperson", "commercial", "finance", "warehouse"])
def test_only_editors_write(request, api_for, persona):
    user = request.getfixturevalue(persona)
    body = {"year": 2026, "targets": [{"salesperson": None, "month": None, "amount": "1"}]}
    assert api_for(user).put(API, body, format="json").status_code == 403
    assert api_for(user).post(API, body, format="json").status_code == 403
    assert not SalesTarget.objects.exists()
