"""Concurrent submits on one repository: none lost, none doubled, main untouched.

On PostgreSQL the threads run in this process against the test database (transactional: every thread has its
own connection and sees the others' commits). The SQLite test database is in memory with a shared cache, whose
table locks fail at once instead of waiting, unlike a real installation's file database in WAL mode; on SQLite
the scenario therefore runs in a subprocess against a fresh file database (migrate + sample taxonomy).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from submissions_concurrency import make_drafts, state, submit_concurrently

HERE = Path(__file__).resolve().parent
SUBMITTERS = 50
DOUBLE_CLICKS = 6
_INHERITED_SETTINGS = ("DATABASE_URL", "TAXONOMY_REPO", "DOCUMENTS_REPO", "LABWEB_VAR_DIR", "CELERY_BROKER_URL",
                       "REDIS_URL", "TAXONOMY_MAIN_BRANCH")


def _in_subprocess(tmp_path: Path, scenario: str, count: int) -> dict:
    (tmp_path / "var").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED_SETTINGS and not k.endswith("_FILE")}
    env.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(tmp_path / "var"),
               LABWEB_ENV="development", LOG_LEVEL="warning")
    result = subprocess.run([sys.executable, str(HERE / "submissions_concurrency.py"), scenario, str(count)],
                            env=env, capture_output=True, text=True, timeout=180, cwd=HERE.parents[1], check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _run(scenario: str, count: int, tmp_path: Path) -> dict:
    if connection.vendor == "postgresql":
        before = state()
        drafts = make_drafts(2 if scenario == "double" else count)
        drafts = [drafts[0]] * count if scenario == "double" else drafts
        return {"before": before, "outcomes": submit_concurrently(drafts), "after": state()}
    if connection.vendor != "sqlite":
        pytest.skip(f"concurrent submits are tested on PostgreSQL and SQLite, not {connection.vendor}")
    print(f"SQLite: running the {scenario} scenario in a subprocess on a file database (WAL)")
    return _in_subprocess(tmp_path, scenario, count)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_make_fifty_branches_and_lose_none(sample_taxonomy, tmp_path):
    result = _run("many", SUBMITTERS, tmp_path)
    before, after = result["before"], result["after"]

    kinds = Counter(outcome.split(":")[0] for _, outcome in result["outcomes"])
    assert kinds == {"ok": SUBMITTERS}, [o for o in result["outcomes"] if not o[1].startswith("ok")][:5]
    assert after["main"] == before["main"] and after["main_log"] == before["main_log"]
    submissions = after["submissions"]
    assert len(submissions) == SUBMITTERS
    assert {s["status"] for s in submissions} == {"open"}
    assert {s["base_commit"] for s in submissions} == {before["main"]}
    assert {s["branch"]: s["head_commit"] for s in submissions} == after["branches"]
    assert len(after["branches"]) == SUBMITTERS
    assert all(parents == [before["main"]] for parents in after["branch_parents"].values())
    assert sorted((sub, number) for sub, number, _ in after["revisions"]) == sorted(
        (s["pk"], 1) for s in submissions)
    assert {sha for _, _, sha in after["revisions"]} == set(after["branches"].values())
    assert {status for _, status, _ in after["contributions"]} == {"submitted"}
    assert sorted(sub for _, _, sub in after["contributions"]) == sorted(s["pk"] for s in submissions)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_of_one_draft_make_one_submission(sample_taxonomy, tmp_path):
    result = _run("double", DOUBLE_CLICKS, tmp_path)
    after = result["after"]

    outcomes = [outcome for _, outcome in result["outcomes"]]
    assert sum(o.startswith("ok:") for o in outcomes) == 1, outcomes
    assert all(o.startswith("ok:") or o == "refused:C6-already-submitted" for o in outcomes), outcomes
    assert len(after["submissions"]) == 1 and after["submissions"][0]["status"] == "open"
    assert list(after["branches"]) == [after["submissions"][0]["branch"]]
    assert len(after["revisions"]) == 1
    assert after["main"] == result["before"]["main"]
