"""Settings come from the environment with safe defaults (docs/configuration.md).

Each case runs in a fresh interpreter with a clean environment: settings are read once at
import, and the test process itself counts as "testing" (which relaxes the secret key rule).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

DUMP = """
import json, salesdesk.settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "DB": {k: str(v) for k, v in s.DATABASES["default"].items() if k in ("ENGINE", "NAME", "HOST", "PORT", "USER", "CONN_MAX_AGE")},
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "TIME_ZONE": s.TIME_ZONE,
    "PAGE_SIZE": s.SALESDESK_PAGE_SIZE,
    "API_PAGE_SIZE": s.REST_FRAMEWORK["PAGE_SIZE"],
    "IMPORT_MAX_ROWS": s.SALESDESK_IMPORT_MAX_ROWS,
    "BROWSABLE_API": "rest_framework.renderers.BrowsableAPIRenderer" in s.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
    "EMAIL": [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL],
    "LOG_LEVEL": s.LOGGING["root"]["level"],
}))
"""


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "salesdesk.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env: str) -> dict:
    result = run_python(DUMP, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def var_dir(tmp_path):
    return str(tmp_path)


def test_defaults_are_safe(var_dir):
    s = settings_with(
        SALESDESK_SECRET_KEY="a-long-random-production-key", SALESDESK_VAR_DIR=var_dir
    )
    assert s["DEBUG"] is False
    assert s["SECRET_KEY"] == "a-long-random-production-key"
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert s["CSRF_TRUSTED_ORIGINS"] == []
    assert s["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["BROWSABLE_API"] is False
    assert s["TIME_ZONE"] == "Asia/Shanghai"
    assert (s["PAGE_SIZE"], s["API_PAGE_SIZE"], s["IMPORT_MAX_ROWS"]) == (50, 50, 200_000)
    assert s["EMAIL"] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "localhost",
        25,
        False,
        "salesdesk@localhost",
    ]
    assert s["LOG_LEVEL"] == "WARNING"
    assert s["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("on", True), ("0", False), ("no", False), ("", False)],
)
def test_debug_switch(value, expected, var_dir):
    s = settings_with(SALESDESK_DEBUG=value, SALESDESK_SECRET_KEY="k", SALESDESK_VAR_DIR=var_dir)
    assert s["DEBUG"] is expected
    assert s["BROWSABLE_API"] is expected


def test_secret_key_is_required_when_debug_is_off():
    result = run_python("import salesdesk.settings", {})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SALESDESK_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    "override", ["SALESDESK_DEBUG", "SALESDESK_INSECURE_DEV_KEY", "SALESDESK_TESTING"]
)
def test_development_overrides_allow_a_missing_secret_key(override, var_dir):
    s = settings_with(**{override: "1", "SALESDESK_VAR_DIR": var_dir})
    assert s["SECRET_KEY"].startswith("insecure-")


def test_hosts_origins_and_cookies_can_be_set(var_dir):
    s = settings_with(
        SALESDESK_SECRET_KEY="k",
        SALESDESK_VAR_DIR=var_dir,
        SALESDESK_ALLOWED_HOSTS=" sales.example.cn , 10.0.0.5,",
        SALESDESK_CSRF_TRUSTED_ORIGINS="https://sales.example.cn",
        SALESDESK_SECURE_COOKIES="1",
        SALESDESK_TIME_ZONE="UTC",
        SALESDESK_PAGE_SIZE="100",
        SALESDESK_LOG_LEVEL="INFO",
        EMAIL_HOST="smtp.example.cn",
        EMAIL_PORT="465",
        EMAIL_USE_TLS="true",
    )
    assert s["ALLOWED_HOSTS"] == ["sales.example.cn", "10.0.0.5"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://sales.example.cn"]
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["TIME_ZONE"] == "UTC"
    assert (s["PAGE_SIZE"], s["API_PAGE_SIZE"]) == (100, 100)
    assert s["LOG_LEVEL"] == "INFO"
    assert s["EMAIL"][1:4] == ["smtp.example.cn", 465, True]


def test_a_number_setting_that_is_not_a_number_names_the_variable(var_dir):
    result = run_python(
        DUMP,
        {"SALESDESK_SECRET_KEY": "k", "SALESDESK_VAR_DIR": var_dir, "SALESDESK_PAGE_SIZE": "fifty"},
    )
    assert result.returncode != 0
    assert "SALESDESK_PAGE_SIZE must be a whole number" in result.stderr


def test_sqlite_file_in_the_var_dir_by_default(var_dir):
    s = settings_with(SALESDESK_SECRET_KEY="k", SALESDESK_VAR_DIR=var_dir)
    assert s["DB"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DB"]["NAME"] == os.path.join(var_dir, "salesdesk.sqlite3")
    # Kept for reuse like PostgreSQL's: opening one and its pragmas costs more than the query.
    assert s["DB"]["CONN_MAX_AGE"] == "60"


def test_database_url_selects_postgresql(var_dir):
    s = settings_with(
        SALESDESK_SECRET_KEY="k",
        SALESDESK_VAR_DIR=var_dir,
        DATABASE_URL="postgres://sales:pw@db.example.cn:5433/salesdesk",
    )
    assert s["DB"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "salesdesk",
        "HOST": "db.example.cn",
        "PORT": "5433",
        "USER": "sales",
        "CONN_MAX_AGE": "60",
    }
    s = settings_with(
        SALESDESK_SECRET_KEY="k",
        SALESDESK_VAR_DIR=var_dir,
        DATABASE_URL="postgres://sales@db.example.cn/salesdesk",
        SALESDESK_DB_CONN_MAX_AGE="0",
    )
    assert s["DB"]["CONN_MAX_AGE"] == "0"


def test_sqlite_runs_in_wal_mode_with_normal_sync(tmp_path):
    code = """
from django.db import connection
with connection.cursor() as c:
    c.execute("CREATE TABLE t (x integer)")
    c.execute("PRAGMA journal_mode"); journal = c.fetchone()[0]
    c.execute("PRAGMA synchronous"); sync = c.fetchone()[0]
    c.execute("PRAGMA busy_timeout"); busy = c.fetchone()[0]
print(journal, sync, busy)
"""
    result = run_python(code, {"SALESDESK_SECRET_KEY": "k", "SALESDESK_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1", "5000"]  # synchronous 1 = NORMAL
    # WAL is a property of the file: any later connection, even without our pragmas, sees it.
    with closing(sqlite3.connect(tmp_path / "salesdesk.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_postgresql_connections_run_without_jit_unless_asked(var_dir):
    code = (
        "import salesdesk.settings as s; "
        "print(s.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    env = {
        "SALESDESK_SECRET_KEY": "k",
        "SALESDESK_VAR_DIR": var_dir,
        "DATABASE_URL": "postgres://sales@db.example.cn/salesdesk",
    }
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"
    result = run_python(code, {**env, "SALESDESK_PG_JIT": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.django_db
def test_the_postgresql_connection_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
