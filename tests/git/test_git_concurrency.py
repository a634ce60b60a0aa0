"""Many processes writing one repository at once: the file lock serialises them, CAS keeps refs consistent."""

from __future__ import annotations

import multiprocessing

import pytest
from git_concurrency_workers import WRITER, commit_to_main, commit_to_own_branch, hold_lock

from taxonomy_app.git import RepositoryLocked, TaxonomyRepository

BRANCH_WRITERS = 20
MAIN_WRITERS = 10


@pytest.mark.slow
def test_concurrent_writers_to_branches_and_main(bare_repo, assert_no_working_tree):
    root = bare_repo.commit_files(ref="main", changes={"README.md": b"root\n"}, message="Root", author=WRITER)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(BRANCH_WRITERS + MAIN_WRITERS)
    processes = [
        context.Process(target=commit_to_own_branch, args=(str(bare_repo.path), index, root, start))
        for index in range(BRANCH_WRITERS)
    ] + [
        context.Process(target=commit_to_main, args=(str(bare_repo.path), index, start))
        for index in range(MAIN_WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)

    assert [process.exitcode for process in processes] == [0] * len(processes)
    branches = bare_repo.branches("contrib/")
    assert sorted(branches) == sorted(f"contrib/{index}-leaf" for index in range(BRANCH_WRITERS))
    for name, sha in branches.items():
        info = bare_repo.commit_info(sha)
        assert info.parents == (root,)
        index = name.split("/")[1].split("-")[0]
        assert [e.path for e in bare_repo.walk_files(sha, "knowledge")] == [f"knowledge/leaf{index}/qna.yaml"]

    files = {e.path for e in bare_repo.walk_files("main")}
    assert files == {"README.md"} | {f"main/file{index}.txt" for index in range(MAIN_WRITERS)}
    history = bare_repo.log("main", max_count=100)
    assert len(history) == MAIN_WRITERS + 1 and history[-1].sha == root
    for newer, older in zip(history, history[1:], strict=False):
        assert newer.parents == (older.sha,)
        assert bare_repo.is_ancestor(older.sha, newer.sha)
    assert_no_working_tree(bare_repo)


def test_lock_timeout_raises_repository_locked_and_writes_nothing(bare_repo):
    root = bare_repo.commit_files(ref="main", changes={"README.md": b"root\n"}, message="Root", author=WRITER)
    context = multiprocessing.get_context("spawn")
    acquired, release = context.Event(), context.Event()
    holder = context.Process(target=hold_lock, args=(str(bare_repo.path), acquired, release))
    holder.start()
    try:
        assert acquired.wait(timeout=60)
        impatient = TaxonomyRepository(bare_repo.path, lock_timeout=0.2)

        with pytest.raises(RepositoryLocked, match="locked by another writer"), bare_repo.lock(timeout=0.2):
            pass
        with pytest.raises(RepositoryLocked):
            impatient.commit_files(ref="main", changes={"x.txt": b"x"}, message="m", author=WRITER)
        with pytest.raises(TimeoutError):
            impatient.create_branch("blocked", root)
        assert bare_repo.resolve("main") == root
        assert bare_repo.branches() == {"main": root}
    finally:
        release.set()
        holder.join(timeout=60)
    assert holder.exitcode == 0
    with bare_repo.lock(timeout=5):
        pass


def test_lock_is_reentrant_so_callers_can_group_reads_and_writes(bare_repo):
    with bare_repo.lock(timeout=1):
        head = bare_repo.resolve("main")
        first = bare_repo.commit_files(
            ref="main", expected_old=head, changes={"a.txt": b"a"}, message="a", author=WRITER
        )
        with TaxonomyRepository(bare_repo.path).lock(timeout=1):
            bare_repo.create_branch("snapshot", first)

    assert bare_repo.branches() == {"main": first, "snapshot": first}
