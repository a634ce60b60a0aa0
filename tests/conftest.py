"""Shared fixtures: isolated repositories per test, the sample taxonomy, users for every role, services."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
ROLES = ("anonymous", "contributor", "triager", "maintainer", "admin")


def _reachable(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return None
    except OSError as exc:
        return f"{parsed.hostname}:{parsed.port or default_port} not reachable ({exc})"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture
def repos(tmp_path, settings):
    """Fresh bare taxonomy and documents repositories for this test."""
    from taxonomy_app.repositories import get_documents_repository, get_taxonomy_repository

    settings.TAXONOMY_REPO = tmp_path / "repos" / "taxonomy.git"
    settings.DOCUMENTS_REPO = tmp_path / "repos" / "documents.git"
    settings.VAR_DIR = tmp_path / "var"
    return get_taxonomy_repository(), get_documents_repository()


@pytest.fixture
def sample_taxonomy(db, repos):
    """The sample taxonomy seeded and indexed, as on a fresh installation."""
    from labweb.bootstrap import seed_repositories

    seed_repositories()
    return repos[0]


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import User

    from labweb.roles import ensure_roles, user_assign_role

    def make(role: str, username: str | None = None):
        ensure_roles()
        user = User.objects.create_user(username=username or f"{role}-user", email=f"{role}@example.test",
                                        password="correct horse battery staple")
        user_assign_role(user=user, role=role)
        return user

    return make


@pytest.fixture
def client_for(client, make_user):
    """client_for(role) -> a Django test client logged in as that role (or anonymous)."""

    def for_role(role: str):
        if role != "anonymous":
            client.force_login(make_user(role))
        return client

    return for_role


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("LABWEB_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/labweb")
    reason = _reachable(url, 5432)
    if reason:
        pytest.skip(f"PostgreSQL: {reason}")
    return url


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("LABWEB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    reason = _reachable(url, 6379)
    if reason:
        pytest.skip(f"Redis: {reason}")
    return url


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests need it")
    return path
