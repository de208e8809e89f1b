"""Shared by the bench scripts: where the bench databases live and how Django is set up on one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/sd_bench"
META_TABLE = "bench_meta"
USER_PASSWORD = "bench-password"  # every bench user signs in with it (bench data only)


def scale_tag(scale: float) -> str:
    return f"s{scale:g}".replace(".", "_")


def database_url(engine: str, scale: float, url: str = "") -> str:
    """The bench database of one engine and scale: one file / database per scale, so 0.1 and 1 coexist."""
    if url:
        return url
    if engine == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{BENCH_DIR / f'bench-{scale_tag(scale)}.sqlite3'}"
    base = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
    return f"{base}_{scale_tag(scale)}"


def engine_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def setup_django(url: str) -> None:
    """Point SalesDesk at `url` (production settings: DEBUG off) and set Django up."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SALESDESK_INSECURE_DEV_KEY", "1")
    os.environ["SALESDESK_DEBUG"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    os.environ.setdefault("SALESDESK_VENDOR_DIR", str(ROOT / "var" / "vendor"))
    import django

    django.setup()


def read_meta() -> dict:
    """The bench database's stamp (scale, seed, migrations, today), {} when it has none."""
    from django.db import connection

    if META_TABLE not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")
        return dict(cursor.fetchall())


def migration_state() -> str:
    """A short fingerprint of the migrations on disk: a new migration means rebuilding."""
    import hashlib

    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    return hashlib.sha1("\n".join(names).encode()).hexdigest()[:12]
