"""Every page and API endpoint turns away people who should not be there.

Walks the URL configuration, so a page added later is covered without a new test:
anonymous people are sent to sign in (pages) or get 401 (API); the warehouse, which works
on stock and shipments only, gets 403 from every customer page and endpoint.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SKIP_NAMES = {"api-token", "api-schema", "api-root"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from _walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def _kwargs(pattern: URLPattern) -> dict:
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        kwargs[name] = (
            uuid.uuid4() if kind == "UUIDConverter" else (999999 if kind == "IntConverter" else "x")
        )
    return kwargs


def _pages(prefixes):
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(prefixes):
            yield pytest.param(name, _kwargs(pattern), id=name)


def _api_endpoints():
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in SKIP_NAMES or name.startswith(
            ("customers:", "orders:", "catalog:", "finance:", "accounts:", "admin:")
        ):
            continue
        if name in {"home", "set_language"}:
            continue
        try:
            url = reverse(name, kwargs=_kwargs(pattern))
        except Exception:  # format-suffix variants and the like
            continue
        if url.startswith("/api/v1/"):
            yield pytest.param(url, id=name)


# Customer files and money: the warehouse has no business there.
CUSTOMER_PAGES = list(_pages(("customers:", "finance:")))
ALL_PAGES = list(_pages(("customers:", "orders:", "catalog:", "finance:")))
API_ENDPOINTS = list(_api_endpoints())
# The warehouse works on stock and shipments: customer files and what hangs off them are closed.
CUSTOMER_API = (
    "/api/v1/customers/",
    "/api/v1/contacts/",
    "/api/v1/leads/",
    "/api/v1/mailings/",
    "/api/v1/followups/",
    "/api/v1/imports/",
    "/api/v1/approvals/",
    "/api/v1/receivables/",
    "/api/v1/payments/",
    "/api/v1/reports/",
    "/api/v1/reconciliations/",
    "/api/v1/disputes/",
)


def test_the_walk_finds_the_pages_and_endpoints():
    names = {p.values[0] for p in ALL_PAGES}
    assert {
        "customers:list",
        "customers:detail",
        "customers:leads",
        "orders:list",
        "orders:detail",
        "orders:shipments",
        "catalog:products",
        "catalog:approvals",
        "finance:receivables",
        "finance:aging",
        "finance:reconciliations",
        "finance:disputes",
    } <= names
    assert any("/api/v1/customers/" in p.values[0] for p in API_ENDPOINTS)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), ALL_PAGES)
def test_anonymous_is_sent_to_sign_in(client, name, kwargs):
    # A method the page does not take may be answered 405 before sign-in is asked for.
    responses = [getattr(client, m)(reverse(name, kwargs=kwargs)) for m in ("get", "post")]
    assert {r.status_code for r in responses} <= {302, 405}, [r.status_code for r in responses]
    redirects = [r for r in responses if r.status_code == 302]
    assert redirects, name
    for response in redirects:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), CUSTOMER_PAGES)
def test_warehouse_is_refused_customer_pages(client_for, warehouse, name, kwargs):
    client = client_for(warehouse)
    for method in ("get", "post"):
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code in (403, 405), (method, name, response.status_code)
    # at least one of the two methods is allowed, and that one must say 403
    statuses = {
        getattr(client, m)(reverse(name, kwargs=kwargs)).status_code for m in ("get", "post")
    }
    assert 403 in statuses


@pytest.mark.django_db
@pytest.mark.parametrize("url", API_ENDPOINTS)
def test_api_refuses_anonymous(api_for, url):
    assert api_for().get(url).status_code == 401
    assert api_for().post(url, {}).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("url", [p for p in API_ENDPOINTS if p.values[0].startswith(CUSTOMER_API)])
def test_customer_api_refuses_the_warehouse(api_for, warehouse, url):
    api = api_for(warehouse)
    responses = [api.get(url), api.post(url, {})]
    assert {r.status_code for r in responses} <= {403, 405}, [r.status_code for r in responses]
    refused = [r for r in responses if r.status_code == 403]
    assert refused, "warehouse must be refused, not just shown a wrong method"
    assert refused[0].json()["errors"][0]["field"] == "non_field_errors"
