"""LABWEB_ENV=production refuses to start with unsafe settings; checked in a fresh interpreter each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-0123456789abcdefghij"  # 63 characters
SETUP = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, 'SECRET_KEY': s.SECRET_KEY, "
    "'SSL': s.SECURE_SSL_REDIRECT, 'HSTS': s.SECURE_HSTS_SECONDS, 'SESSION_SECURE': s.SESSION_COOKIE_SECURE, "
    "'CSRF_SECURE': s.CSRF_COOKIE_SECURE, 'EMAIL': s.EMAIL_BACKEND}))"
)
_CLEARED = ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "LABWEB_ENV", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
            "EMAIL_BACKEND", "LOG_LEVEL", "DOCUMENTS_REPO", "DOCUMENTS_REPO_URL", "TAXONOMY_REPO")


def run_setup(tmp_path: Path, script: str = SETUP, **overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in _CLEARED and not any(k == f"{name}_FILE" for name in _CLEARED)}
    env.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(tmp_path / "var"), **overrides)
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def assert_refused(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0, f"production started although it should not:\n{result.stdout}"
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert message in last_line, result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_setup(tmp_path, LABWEB_ENV="production", ALLOWED_HOSTS="labweb.example.org")
    assert_refused(result, "LABWEB_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE).")


def test_production_with_a_short_or_development_secret_key_refuses_to_start(tmp_path):
    result = run_setup(tmp_path, LABWEB_ENV="production", ALLOWED_HOSTS="labweb.example.org", SECRET_KEY="short")
    assert_refused(result, "SECRET_KEY must be a random string of at least 50 characters in production.")
    result = run_setup(tmp_path, LABWEB_ENV="production", ALLOWED_HOSTS="labweb.example.org",
                       SECRET_KEY="labweb-development-only-secret-key-do-not-use-in-production")
    assert_refused(result, "SECRET_KEY must be a random string of at least 50 characters in production.")


def test_production_with_debug_on_refuses_to_start(tmp_path):
    result = run_setup(tmp_path, LABWEB_ENV="production", ALLOWED_HOSTS="labweb.example.org",
                       SECRET_KEY=GOOD_KEY, DEBUG="true")
    assert_refused(result, "DEBUG must be off when LABWEB_ENV=production.")


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_without_allowed_hosts_refuses_to_start(tmp_path, hosts):
    extra = {} if hosts is None else {"ALLOWED_HOSTS": hosts}
    result = run_setup(tmp_path, LABWEB_ENV="production", SECRET_KEY=GOOD_KEY, **extra)
    assert_refused(result, "ALLOWED_HOSTS is required when LABWEB_ENV=production.")


def test_unparsable_values_stop_the_process_naming_the_variable(tmp_path):
    result = run_setup(tmp_path, DEBUG="perhaps")
    assert_refused(result, "DEBUG='perhaps' is not a boolean")
    result = run_setup(tmp_path, LABWEB_ENV="staging")
    assert_refused(result, "LABWEB_ENV='staging' must be one of development, production, test.")


def test_production_with_everything_set_starts_hardened(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n", encoding="utf-8")
    result = run_setup(tmp_path, LABWEB_ENV="production", SECRET_KEY_FILE=str(key_file),
                       ALLOWED_HOSTS="labweb.example.org, www.labweb.example.org")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECRET_KEY"] == GOOD_KEY  # read from the _FILE, stripped
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["labweb.example.org", "www.labweb.example.org"]
    assert values["SSL"] is True and values["SESSION_SECURE"] is True and values["CSRF_SECURE"] is True
    assert values["HSTS"] == 31536000
    assert values["EMAIL"] == "django.core.mail.backends.smtp.EmailBackend"


def test_secret_key_and_secret_key_file_together_refuse_to_start(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY, encoding="utf-8")
    result = run_setup(tmp_path, LABWEB_ENV="production", SECRET_KEY_FILE=str(key_file), SECRET_KEY=GOOD_KEY,
                       ALLOWED_HOSTS="labweb.example.org")
    assert_refused(result, "Set either SECRET_KEY or SECRET_KEY_FILE, not both.")


def test_development_defaults_need_nothing(tmp_path):
    result = run_setup(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is True
    assert "localhost" in values["ALLOWED_HOSTS"] and "127.0.0.1" in values["ALLOWED_HOSTS"]
    assert values["EMAIL"] == "django.core.mail.backends.console.EmailBackend"


def test_documents_repo_url_from_the_environment_is_used(tmp_path):
    """docs/configuration.md documents DOCUMENTS_REPO_URL; it must reach document.repo of knowledge leaves."""
    script = ("import django; django.setup(); from taxonomy_app.repositories import documents_repository_url as u; "
              "print(u())")
    result = run_setup(tmp_path, script, DOCUMENTS_REPO_URL="https://git.example.org/labweb/documents.git")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://git.example.org/labweb/documents.git"
    default = run_setup(tmp_path, script)
    assert default.stdout.strip() == (tmp_path / "var" / "repos" / "documents.git").resolve().as_uri()
