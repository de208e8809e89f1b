"""Personas every view test uses (style.md): one user per role."""

import pytest

from salesdesk.accounts.roles import Role

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path_factory):
    """Files the app writes (the demo's ledger sheet) go to a temporary folder, not var/."""
    settings.VAR_DIR = tmp_path_factory.mktemp("var")


@pytest.fixture(autouse=True)
def _fast_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def assistant(db):
    return UserFactory(username="assistant", role=Role.ASSISTANT, display_name="王助理")


@pytest.fixture
def commercial(db):
    return UserFactory(username="commercial", role=Role.COMMERCIAL, display_name="赵商务")


@pytest.fixture
def salesperson(db):
    return UserFactory(username="sales1", role=Role.SALESPERSON, display_name="李业务")


@pytest.fixture
def other_salesperson(db):
    return UserFactory(username="sales2", role=Role.SALESPERSON, display_name="张业务")


@pytest.fixture
def director(db):
    return UserFactory(username="director", role=Role.DIRECTOR, display_name="陈总监")


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", role=Role.FINANCE, display_name="刘财务")


@pytest.fixture
def warehouse(db):
    return UserFactory(username="warehouse", role=Role.WAREHOUSE, display_name="孙仓管")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_for():
    """api_for(user) → a DRF APIClient authenticated as that user (None: anonymous)."""
    from rest_framework.test import APIClient

    def _make(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return _make
