"""The settings module: safe by default outside development.

Each case loads ``operant/settings.py`` afresh with a given environment (``runpy``), so the
running test settings are untouched; one case runs the installed command to see the message a
user meets.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

import operant.settings
from operant.core import security
from operant.core.security import require_secret_key

SETTINGS_FILE = operant.settings.__file__
OPERANT = str(Path(sys.executable).with_name("operant"))
KEY = "k" * 10 + "a-real-secret-key-for-these-tests-0123456789"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in list(os.environ):
        if name.startswith("OPERANT_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_without_debug_a_missing_key_stays_empty(monkeypatch) -> None:
    assert load(monkeypatch)["SECRET_KEY"] == ""
    assert load(monkeypatch, OPERANT_SECRET_KEY="  ")["SECRET_KEY"] == ""


def test_the_public_development_key_is_no_key_without_debug(monkeypatch) -> None:
    development_key = operant.settings.DEVELOPMENT_SECRET_KEY
    assert load(monkeypatch, OPERANT_SECRET_KEY=development_key)["SECRET_KEY"] == ""


def test_serving_refuses_an_empty_key(monkeypatch) -> None:
    # Django itself refuses to even hold an empty key in overridden settings: stand in for them.
    monkeypatch.setattr(security, "settings", SimpleNamespace(SECRET_KEY=""))
    with pytest.raises(ImproperlyConfigured, match="OPERANT_SECRET_KEY_FILE"):
        require_secret_key()
    monkeypatch.setattr(security, "settings", SimpleNamespace(SECRET_KEY=KEY))
    require_secret_key()  # a real key: nothing to say


def test_debug_runs_on_the_development_key(monkeypatch) -> None:
    config = load(monkeypatch, OPERANT_DEBUG="true")
    assert config["SECRET_KEY"] == operant.settings.DEVELOPMENT_SECRET_KEY


def test_the_key_may_come_from_a_file(monkeypatch, tmp_path) -> None:
    (tmp_path / "key").write_text(KEY + "\n")
    config = load(monkeypatch, OPERANT_SECRET_KEY_FILE=str(tmp_path / "key"))
    assert config["SECRET_KEY"] == KEY


def without_key(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPERANT_SECRET_KEY")}
    env.update(OPERANT_DATA_DIR=str(tmp_path), OPERANT_DEBUG="false")
    return env


@pytest.mark.parametrize("command", [["worker", "--once"], ["web", "--bind", "127.0.0.1:0"]])
def test_a_serving_command_says_so_in_one_line(tmp_path, command) -> None:
    result = subprocess.run(
        [OPERANT, *command], env=without_key(tmp_path), capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "OPERANT_SECRET_KEY" in line
    assert "Traceback" not in result.stderr


def test_tools_that_sign_nothing_run_without_a_key(tmp_path) -> None:
    result = subprocess.run(
        [OPERANT, "policy", "check", str(operant.settings.SHIPPED_POLICY)],
        env=without_key(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


PRODUCTION = {
    "OPERANT_SECRET_KEY": KEY,
    "OPERANT_ALLOWED_HOSTS": "desk.operant.example",
    "OPERANT_SECURE_COOKIES": "true",
    "OPERANT_HSTS_SECONDS": "31536000",
    "OPERANT_HSTS_INCLUDE_SUBDOMAINS": "true",
    "OPERANT_HSTS_PRELOAD": "true",
    "OPERANT_SSL_REDIRECT": "true",
    "OPERANT_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Only this test's settings: the browser fixture's DJANGO_ALLOW_ASYNC_UNSAFE (set while a
    # browser runs) is itself a deployment error.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPERANT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(OPERANT_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [OPERANT, "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path) -> None:
    result = deploy_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them(tmp_path) -> None:
    result = deploy_check(tmp_path, OPERANT_SECRET_KEY=KEY)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_the_https_settings_come_from_the_environment(monkeypatch) -> None:
    config = load(monkeypatch, **PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] is config["CSRF_COOKIE_SECURE"] is True
    assert config["SECURE_HSTS_SECONDS"] == 31536000
    assert config["SECURE_SSL_REDIRECT"] is True
    assert config["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    custom = load(monkeypatch, OPERANT_SECRET_KEY=KEY, OPERANT_PROXY_SSL_HEADER="X-Scheme: on")
    assert custom["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_SCHEME", "on")
    with pytest.raises(ImproperlyConfigured, match="OPERANT_PROXY_SSL_HEADER"):
        load(monkeypatch, OPERANT_SECRET_KEY=KEY, OPERANT_PROXY_SSL_HEADER="X Forwarded")
    with pytest.raises(ImproperlyConfigured, match="OPERANT_HSTS_SECONDS"):
        load(monkeypatch, OPERANT_SECRET_KEY=KEY, OPERANT_HSTS_SECONDS="a year")
