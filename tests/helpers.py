"""Helpers of the pages' permission-matrix tests, shared by the modules' view tests."""

from django.urls import reverse

# Every persona of the root conftest: each signs in and reads something.
EVERYONE = [
    "assistant",
    "commercial",
    "salesperson",
    "director",
    "finance",
    "warehouse",
    "admin_user",
]


def as_persona(request, client_for, persona: str):
    """A test client signed in as the persona fixture named `persona` (for parametrized tests)."""
    return client_for(request.getfixturevalue(persona))


def assert_goes_to_login(response) -> None:
    """An anonymous request is sent to the login page, not answered."""
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
