"""The `salesdesk` command: serve, demo, manage."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from salesdesk import settings as project_settings
from salesdesk.__main__ import build_parser, main

SALESDESK = str(Path(sys.executable).with_name("salesdesk"))
STATIC_SOURCES = [project_settings.BASE_DIR / "static", Path(project_settings._vendor)]


# ---- the parser ---------------------------------------------------------------------------


def test_serve_defaults_to_localhost_8000():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.workers, args.access_log) == ("127.0.0.1", 8000, 0, False)
    args = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3"]
    )
    assert (args.host, args.port, args.workers) == ("0.0.0.0", 9000, 3)


def test_demo_options():
    args = build_parser().parse_args(["demo"])
    assert (args.size, args.seed, args.password, args.if_empty) == ("small", 2026, "", False)
    args = build_parser().parse_args(
        ["demo", "--size", "large", "--seed", "7", "--password", "pw", "--if-empty"]
    )
    assert (args.size, args.seed, args.password, args.if_empty) == ("large", 7, "pw", True)


@pytest.mark.parametrize(
    "argv", [[], ["demo", "--size", "huge"], ["demo", "--seed", "x"], ["nonsense"]]
)
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert "usage: salesdesk" in capsys.readouterr().err


def test_demo_passes_its_options_to_the_demo_command(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "django.core.management.call_command", lambda *a, **kw: calls.append((a, kw))
    )
    assert main(["demo", "--size", "large", "--seed", "7", "--password", "pw", "--if-empty"]) == 0
    assert main(["demo"]) == 0
    assert calls == [
        (("demo",), {"size": "large", "seed": 7, "password": "pw", "if_empty": True}),
        (("demo",), {"size": "small", "seed": 2026}),
    ]


def test_manage_hands_everything_after_it_to_django(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    assert main(["manage", "migrate", "--help"]) == 0
    assert seen == [["salesdesk manage", "migrate", "--help"]]


# ---- the installed command, in its own process ----------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "SALESDESK_SECRET_KEY": "test-secret-key-for-the-cli-tests-0123456789",
    }
    if "SALESDESK_VENDOR_DIR" in os.environ:
        env["SALESDESK_VENDOR_DIR"] = os.environ["SALESDESK_VENDOR_DIR"]
    return {**env, **extra}


def _salesdesk(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SALESDESK, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _collected_static_is_fresh(static_root: Path) -> bool:
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    return all(
        path.stat().st_mtime <= built
        for source in STATIC_SOURCES
        if source.exists()
        for path in source.rglob("*")
        if path.is_file()
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Environment for a production-like run: a migrated SQLite file and collected static files.

    `make setup` has already collected the static files into var/static; when that is missing
    or stale (pytest run by hand), they are collected into a temporary directory instead.
    """
    tmp = tmp_path_factory.mktemp("site")
    env = _env(DATABASE_URL=f"sqlite:///{tmp / 'site.sqlite3'}")
    if not _collected_static_is_fresh(Path(project_settings.STATIC_ROOT)):
        env["SALESDESK_VAR_DIR"] = str(tmp)
        result = _salesdesk("manage", "collectstatic", "--noinput", "-v", "0", env=env, timeout=300)
        assert result.returncode == 0, result.stderr
    result = _salesdesk("manage", "migrate", "--noinput", "-v", "0", env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_manage_check_runs():
    result = _salesdesk("manage", "check", env=_env(SALESDESK_INSECURE_DEV_KEY="1"))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_demo_fills_once_refuses_twice_and_if_empty_is_quiet(site):
    first = _salesdesk("demo", "--password", "demo-pass-cli", env=site)
    assert first.returncode == 0, first.stderr
    assert re.search(r"^\s+200\s+customers$", first.stdout, re.MULTILINE)
    assert re.search(r"^\s+sales1\s.*demo-pass-cli$", first.stdout, re.MULTILINE)

    second = _salesdesk("demo", env=site)
    assert second.returncode != 0
    assert "already holds customers" in second.stderr

    again = _salesdesk("demo", "--if-empty", env=site)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def test_serve_really_serves_with_debug_off(site, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [SALESDESK, "serve", "--port", str(port), "--workers", "1"],
        env=site,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 20
        status, body = None, ""
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"{base}/accounts/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                try:  # waiting on the process, not sleeping: a server that dies fails at once
                    server.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    continue
                log.seek(0)
                pytest.fail(f"salesdesk serve exited with {server.returncode}:\n{log.read()}")
        assert status == 200, body[:2000]
        assert 'lang="zh-hans"' in body

        # Static files come hashed from whitenoise, as with DEBUG off.
        css = re.search(r'href="(/static/salesdesk/salesdesk\.[0-9a-f]+\.css)"', body)
        assert css, "the stylesheet is not served from the manifest"
        assert _get(base + css.group(1))[0] == 200

        # DEBUG off: an unknown page is a plain 404, without Django's debug page.
        status, body = _get(f"{base}/no-such-page/")
        assert status == 404
        assert "URLconf" not in body and "Traceback" not in body
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
