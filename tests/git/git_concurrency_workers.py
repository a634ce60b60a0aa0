"""Entry points for processes spawned by test_git_concurrency.py.

Kept apart from the test module so each spawned interpreter imports only the git layer, not pytest.
"""

from __future__ import annotations

import sys
import traceback

from taxonomy_app.git import Author, TaxonomyRepository

WRITER = Author("Writer", "writer@example.org")


def commit_to_own_branch(repo_path, index, parent, start):
    try:
        start.wait(timeout=60)
        TaxonomyRepository(repo_path).commit_files(
            ref=f"contrib/{index}-leaf",
            parent=parent,
            changes={f"knowledge/leaf{index}/qna.yaml": b"seed\n"},
            message=f"Contribution {index}",
            author=WRITER,
        )
    except BaseException:
        traceback.print_exc()
        sys.exit(1)


def commit_to_main(repo_path, index, start):
    try:
        start.wait(timeout=60)
        TaxonomyRepository(repo_path).commit_files(
            ref="main",
            changes={f"main/file{index}.txt": f"{index}\n".encode()},
            message=f"Main writer {index}",
            author=WRITER,
        )
    except BaseException:
        traceback.print_exc()
        sys.exit(1)


def hold_lock(repo_path, acquired, release):
    with TaxonomyRepository(repo_path).lock(timeout=10):
        acquired.set()
        release.wait(timeout=60)
