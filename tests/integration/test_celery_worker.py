"""A real Celery worker process consumes index_sync from the broker and updates a real (file or server) database.

The worker, `manage.py` and the test share one database that this module creates: a SQLite file in a temporary
LABWEB_VAR_DIR, or, when DATABASE_URL points at PostgreSQL (the second pass of scripts/run-tests), a database
labweb_it_<random> on that server that is dropped afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 60
pytestmark = pytest.mark.slow

_INHERITED_SETTINGS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TAXONOMY_REPO", "DOCUMENTS_REPO",
                       "LABWEB_VAR_DIR", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE", "TAXONOMY_MAIN_BRANCH")


class Installation:
    """A LabWeb installation in a temporary directory: its environment, database and taxonomy repository."""

    def __init__(self, var_dir: Path, database_url: str | None) -> None:
        self.var_dir = var_dir
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items()
                    if k not in _INHERITED_SETTINGS and not k.endswith("_FILE")}
        self.env.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(var_dir),
                        LABWEB_ENV="development", PYTHONUNBUFFERED="1", LOG_LEVEL="info")
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *args: str, timeout: int = 180, **extra_env: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env={**self.env, **extra_env},
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(_libpq_url(self.database_url)) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.var_dir / "labweb.sqlite3", timeout=20) as conn:
            return conn.execute(sql, params).fetchall()

    @property
    def taxonomy(self):
        from taxonomy_app.git import TaxonomyRepository

        return TaxonomyRepository(self.var_dir / "repos" / "taxonomy.git")


def _libpq_url(url: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(scheme="postgresql"))


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """migrate + bootstrap --no-demo-accounts in subprocesses, against a database of our own."""
    var_dir = tmp_path_factory.mktemp("it-var")
    database_url = None
    env_url = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if env_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg

        name = f"labweb_it_{uuid.uuid4().hex[:10]}"
        admin_url = _libpq_url(urlparse(env_url)._replace(path="/postgres").geturl())
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = urlparse(env_url)._replace(path=f"/{name}").geturl()
    try:
        setup = Installation(var_dir, database_url)
        setup.manage("migrate", "--no-input", "-v", "0")
        output = setup.manage("bootstrap", "--no-demo-accounts")
        assert "taxonomy repository seeded" in output and "index built: 10 topics" in output
        yield setup
    finally:
        if admin_url and database_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(database_url).path[1:]}" WITH (FORCE)')


def run_worker_round_trip(setup: Installation, broker_url: str, leaf: str, tmp_path: Path, leaf_files) -> None:
    from taxonomy_app.git import Author

    log_path = tmp_path / "worker.log"
    env = {**setup.env, "CELERY_BROKER_URL": broker_url}
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "labweb", "worker", "-Q", "default,gpu", "--concurrency", "1",
             "--pool", "solo", "--loglevel", "INFO", "--hostname", f"it-{uuid.uuid4().hex[:8]}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert setup.query("SELECT path FROM taxonomy_app_taxonomynode WHERE path = ?", (leaf,)) == []
        head = setup.taxonomy.commit_files(ref="main", changes=leaf_files(leaf, n=6), message=f"Add {leaf}",
                                           author=Author("Worker Test", "worker@example.test"))
        setup.manage("shell", "-c", "from taxonomy_app.tasks import index_sync; index_sync.delay()",
                     CELERY_BROKER_URL=broker_url)
        deadline = time.monotonic() + POLL_SECONDS
        rows: list[tuple] = []
        while time.monotonic() < deadline:
            rows = setup.query("SELECT kind, leaf_type, seed_count FROM taxonomy_app_taxonomynode WHERE path = ?",
                               (leaf,))
            if rows or worker.poll() is not None:
                break
            time.sleep(0.5)
        log_text = log_path.read_text(errors="replace")
        assert worker.poll() is None, f"the worker exited early:\n{log_text}"
        assert rows == [("leaf", "freeform_skill", 6)], f"the worker did not index {leaf}:\n{log_text}"
        assert setup.query("SELECT commit_sha FROM taxonomy_app_indexstate WHERE ref = 'main'") == [(head,)]
        parent = leaf.rsplit("/", 1)[0]
        assert setup.query("SELECT leaf_count FROM taxonomy_app_taxonomynode WHERE path = ?", (parent,))[0][0] >= 1
        assert "taxonomy_app.tasks.index_sync" in log_text and "succeeded" in log_text
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)


def test_worker_on_the_sqlite_file_broker(installation, tmp_path, leaf_files):
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    run_worker_round_trip(installation, broker, "compositional_skills/worker_test/sqlite_broker", tmp_path,
                          leaf_files)
    assert (tmp_path / "broker.sqlite3").exists()


@pytest.mark.redis
def test_worker_on_redis(installation, tmp_path, leaf_files, redis_url):
    run_worker_round_trip(installation, redis_url, "compositional_skills/worker_test/redis_broker", tmp_path,
                          leaf_files)
