"""SalesDesk settings. Every value comes from the environment; see docs/configuration.md."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("SALESDESK_DEBUG", False)
TESTING = env_bool("SALESDESK_TESTING", False) or "pytest" in sys.modules

SECRET_KEY = env_str("SALESDESK_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING or env_bool("SALESDESK_INSECURE_DEV_KEY", False):
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SALESDESK_SECRET_KEY is required when SALESDESK_DEBUG is off. "
            "Set it to a long random string (see docs/configuration.md)."
        )

ALLOWED_HOSTS = env_list("SALESDESK_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("SALESDESK_CSRF_TRUSTED_ORIGINS", "")

VAR_DIR = Path(env_str("SALESDESK_VAR_DIR", str(PROJECT_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "simple_history",
    "salesdesk.core",
    "salesdesk.accounts",
    "salesdesk.customers",
    "salesdesk.catalog",
    "salesdesk.orders",
    "salesdesk.finance",
    "salesdesk.reports",
    "salesdesk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "salesdesk.urls"
WSGI_APPLICATION = "salesdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesdesk.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands via DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'salesdesk.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_sqlite,
        # Tests close connections: a live-server thread holding one blocks dropping the test DB.
        conn_max_age=0 if TESTING else env_int("SALESDESK_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL with NORMAL sync: about 3x the write rate of Django's default journal,
    # still safe against application crashes (see pitfalls in docs/adr/0001).
    # Persistent connections pay off on SQLite too: opening one and running the pragmas cost
    # 14-20 ms a request on the 10-year bench database (docs/performance.md).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; "
            "PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

# PostgreSQL's JIT compiler starts on statements it estimates as costly, and the pages' worklist
# and report statements over ten years of rows are estimated so: compiling them cost 600 ms of
# the Today page's 900 ms, for statements that run in 40-300 ms (docs/performance.md). Off for
# SalesDesk's connections unless asked for; the server's own setting is left alone.
PG_JIT = env_bool("SALESDESK_PG_JIT", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not PG_JIT:
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()

# PostgreSQL: the order entry statements run prepared on the server (core/prepared.py); off
# behind a transaction-pooling PgBouncer older than 1.21, which loses prepared statements.
DB_PREPARED_STATEMENTS = env_bool("SALESDESK_DB_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Language: Chinese first, English on request (header switch or Accept-Language).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SALESDESK_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
_vendor = Path(env_str("SALESDESK_VENDOR_DIR", str(PROJECT_DIR / "var" / "vendor")))
STATICFILES_DIRS = (
    [BASE_DIR / "static", ("vendor", _vendor)] if _vendor.exists() else [BASE_DIR / "static"]
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Uploads: an import sheet is read in memory; 20 MiB holds well over 100k rows.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
SALESDESK_PAGE_SIZE = env_int("SALESDESK_PAGE_SIZE", 50)
# List pages count at most this many rows (shown "10,000+"): counting ten years of rows on every
# page view costs more than the page itself. 0: always count exactly.
SALESDESK_LIST_COUNT_CAP = env_int("SALESDESK_LIST_COUNT_CAP", 10_000)
SALESDESK_IMPORT_MAX_ROWS = env_int("SALESDESK_IMPORT_MAX_ROWS", 200_000)
# An open order is at risk when its promised date is this many days away and production is
# not done; a draft not answered with a promise within this many hours is "unanswered".
SALESDESK_AT_RISK_DAYS = env_int("SALESDESK_AT_RISK_DAYS", 3)
SALESDESK_PROMISE_ANSWER_HOURS = env_int("SALESDESK_PROMISE_ANSWER_HOURS", 24)

# Reports: who sees the team's amounts in the salesperson ranking (everyone sees the
# order and the share of target), and how long a lead may stay without a follow-up.
RANKING_AMOUNT_ROLES = frozenset(
    env_list("SALESDESK_RANKING_AMOUNT_ROLES", "assistant,commercial,director,finance,admin")
)
SALESDESK_QUIET_LEAD_DAYS = env_int("SALESDESK_QUIET_LEAD_DAYS", 30)
# The monthly pack's PDF embeds this font (a subset) so Chinese prints on any PC; empty: the
# Noto Sans CJK file of Debian's fonts-noto-cjk or another usual place (reports/pdf.py).
SALESDESK_PDF_FONT = env_str("SALESDESK_PDF_FONT", "")
SALESDESK_IMPORT_MAX_BYTES = env_int("SALESDESK_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SALESDESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "salesdesk.api.pagination.Pagination",
    "PAGE_SIZE": SALESDESK_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "salesdesk.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "salesdesk.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if not DEBUG else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesDesk API",
    "DESCRIPTION": "The same operations as the SalesDesk pages, scoped the same way.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a "kind"; name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "FollowUpKindEnum": "salesdesk.customers.choices.FollowUpKind",
        "MailingKindEnum": "salesdesk.customers.choices.MailingKind",
        "LeadStageEnum": "salesdesk.customers.choices.Stage",
        "CustomerStatusEnum": "salesdesk.customers.choices.CustomerStatus",
        "FollowUpChannelEnum": "salesdesk.customers.choices.Channel",
        "OrderChannelEnum": "salesdesk.orders.choices.OrderChannel",
        "OrderStateEnum": "salesdesk.orders.choices.OrderState",
        "ProductionStatusEnum": "salesdesk.orders.choices.ProductionStatus",
        "NoticeChannelEnum": "salesdesk.orders.choices.NoticeChannel",
        "ApprovalStatusEnum": "salesdesk.catalog.choices.ApprovalStatus",
        "PaymentMethodEnum": "salesdesk.finance.choices.PaymentMethod",
        "DifferenceKindEnum": "salesdesk.finance.choices.DifferenceKind",
        "DifferenceStatusEnum": "salesdesk.finance.choices.DifferenceStatus",
        "DisputeKindEnum": "salesdesk.finance.choices.DisputeKind",
        "DisputeStatusEnum": "salesdesk.finance.choices.DisputeStatus",
        "ReceivableSourceEnum": "salesdesk.finance.choices.ReceivableSource",
    },
}

EMAIL_BACKEND = env_str("SALESDESK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "salesdesk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SALESDESK_LOG_LEVEL", "WARNING")},
}
