import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    assert "/api/v1/customers/" in text
    assert "/api/v1/imports/customers/" in text


@pytest.mark.django_db
def test_schema_is_served_and_documents_errors(api_for, assistant):
    response = api_for(assistant).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    schema = response.json()
    create = schema["paths"]["/api/v1/customers/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(create)
    assert create["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_token_endpoint(db, api_for, salesperson):
    response = api_for().post(
        "/api/v1/auth/token/", {"username": "sales1", "password": "pw-for-tests"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/customers/").status_code == 200
    bad = api_for().post("/api/v1/auth/token/", {"username": "sales1", "password": "wrong"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "non_field_errors"
    missing = api_for().post("/api/v1/auth/token/", {})
    assert {e["field"] for e in missing.json()["errors"]} == {"username", "password"}
