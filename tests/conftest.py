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


# --- Helpers shared by tests/labweb, tests/taxonomy, tests/e2e and tests/integration ----------------------

TEST_AUTHOR_NAME, TEST_AUTHOR_EMAIL = "Test Author", "test.author@example.test"
ATTRIBUTION = (b"Title of work: Test leaf\nLink to work: https://example.test/work\nRevision: 1\n"
               b"License of the work: CC-BY-4.0\nCreator names: Test Author\n")


def skill_qna(task: str = "Answer a short question about greetings.", *, questions: list[str] | None = None,
              answers: list[str] | None = None, contexts: list[str] | None = None, n: int = 5,
              created_by: str = "tester") -> bytes:
    """A qna.yaml for a freeform skill (a grounded one when contexts are given) that passes the CI rules."""
    import yaml

    questions = questions or [f"Question number {i} about greetings?" for i in range(1, n + 1)]
    seeds = []
    for i, question in enumerate(questions):
        seed = {}
        if contexts:
            seed["context"] = contexts[i % len(contexts)]
        seed["question"] = question
        seed["answer"] = (answers[i % len(answers)] if answers else f"Answer number {i + 1} about greetings.")
        seeds.append(seed)
    data = {"version": 3, "created_by": created_by, "task_description": task, "seed_examples": seeds}
    return yaml.safe_dump(data, sort_keys=False, width=80, allow_unicode=True).encode()


@pytest.fixture(params=ROLES)
def role(request) -> str:
    """Parametrizes a test over every role of conftest.ROLES (anonymous included)."""
    return request.param


@pytest.fixture
def leaf_files():
    """leaf_files(dir, qna_bytes=None) -> the {path: bytes} changes adding a leaf (qna.yaml + attribution.txt)."""

    def files(leaf_dir: str, qna: bytes | None = None, **skill_kwargs) -> dict[str, bytes]:
        return {f"{leaf_dir}/qna.yaml": qna if qna is not None else skill_qna(**skill_kwargs),
                f"{leaf_dir}/attribution.txt": ATTRIBUTION}

    return files


@pytest.fixture
def commit_main(settings):
    """commit_main(repo, changes, message=...) -> the new head of main (changes: path -> bytes or None)."""
    from taxonomy_app.git import Author

    def commit(repo, changes: dict, message: str = "Test change") -> str:
        return repo.commit_files(ref=settings.TAXONOMY_MAIN_BRANCH, changes=changes, message=message,
                                 author=Author(TEST_AUTHOR_NAME, TEST_AUTHOR_EMAIL))

    return commit


@pytest.fixture
def index_snapshot():
    """index_snapshot() -> {path: (kind, leaf_type, leaf_count, seed_count, qna_pair_count, blob_sha, parent)}."""

    def snapshot() -> dict[str, tuple]:
        from taxonomy_app.models import TaxonomyNode

        return {
            n.path: (n.kind, n.leaf_type, n.leaf_count, n.seed_count, n.qna_pair_count, n.blob_sha,
                     n.parent.path if n.parent_id else None)
            for n in TaxonomyNode.objects.select_related("parent")
        }

    return snapshot


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process, as the admin's "Refresh index" would with a worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    return settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """PBKDF2 with Django's default iterations costs ~0.3 s per hash on a small machine; tests need no strength."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server"))
    if uses_db:
        request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def canned_responses(db):
    """The default canned responses. A data migration creates them, but every transactional test (live
    server, races) flushes the tables afterwards, so tests that need them ask for them."""
    import importlib

    from django.apps import apps

    importlib.import_module("taxonomy_app.migrations.0008_canned_responses").add_responses(apps, None)
