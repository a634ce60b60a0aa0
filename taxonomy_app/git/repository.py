"""TaxonomyRepository: reads and writes a bare git repository through git plumbing.

Nothing here checks out a working tree. Reads go through ls-tree / cat-file / log / diff-tree; writes go
blob (hash-object) -> trees (mktree, only the changed directories) -> commit (commit-tree) -> compare-and-swap
ref update (update-ref <ref> <new> <old>), with a cross-process file lock serialising writers of one
repository.
"""

from __future__ import annotations

import os
import posixpath
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import EllipsisType

import filelock
import git as gitpython

from ._process import DEFAULT_TIMEOUT_S, MktreeSession, command_failed, git_command, run_git
from ._trees import Entry, TreeEditor
from .errors import (
    GitError,
    PathNotFound,
    PathRejected,
    RefConflict,
    RefNameRejected,
    RepositoryLocked,
    RevisionNotFound,
)
from .records import Author, CommitInfo, FileChange, TreeEntry
from .validation import (
    full_ref,
    is_plausible_revision,
    normalize_read_path,
    validate_object_id,
    validate_path,
)

LOCK_FILE_NAME = "labweb.lock"
IMPORT_REF_PREFIX = "refs/labweb/imports/"

_DIRECT_LOOKUP_LIMIT = 32
_LOG_FIELDS = ("%H", "%h", "%P", "%an", "%ae", "%aI", "%cn", "%cI", "%B")
_LOG_FORMAT = "%x00".join(_LOG_FIELDS)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


class TaxonomyRepository:
    """A bare git repository on local disk. Cheap to construct; safe to use from several processes."""

    def __init__(self, path: str | Path, *, lock_timeout: float = 30.0) -> None:
        candidate = Path(path).expanduser().absolute()
        if not candidate.is_dir():
            raise GitError(f"no git repository at {candidate}: the directory does not exist")
        try:
            opened = gitpython.Repo(candidate)
        except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError):
            raise GitError(f"{candidate} is not a git repository") from None
        try:
            if not opened.bare:
                raise GitError(f"{candidate} is not a bare repository (LabWeb never uses a working tree)")
            self.path = Path(opened.git_dir).absolute()
        finally:
            opened.close()
        self.lock_timeout = lock_timeout
        # One lock object per lock file and process: re-entrant within a thread, exclusive across threads
        # (thread-local state) and across processes (flock).
        self._file_lock = filelock.FileLock(str(self.path / LOCK_FILE_NAME), is_singleton=True)
        self._empty_tree: str | None = None

    def __repr__(self) -> str:
        return f"TaxonomyRepository({str(self.path)!r})"

    @classmethod
    def init_bare(
        cls, path: str | Path, *, default_branch: str = "main", lock_timeout: float = 30.0
    ) -> TaxonomyRepository:
        """Open the bare repository at `path`, creating it (HEAD -> `default_branch`) if it is missing."""
        target = Path(path).expanduser().absolute()
        branch_ref = full_ref(default_branch)
        if not branch_ref.startswith("refs/heads/"):
            raise RefNameRejected(f"default branch {default_branch!r} must be a branch name")
        if target.is_dir() and any(target.iterdir()):
            return cls(target, lock_timeout=lock_timeout)
        target.mkdir(parents=True, exist_ok=True)
        run_git(
            None,
            [
                "init",
                "--bare",
                "--quiet",
                f"--initial-branch={branch_ref[len('refs/heads/') :]}",
                "--",
                str(target),
            ],
            cwd=target,
        )
        return cls(target, lock_timeout=lock_timeout)

    # ----------------------------------------------------------------------------------------------- plumbing

    def _git(self, *args: str, **kwargs) -> bytes:
        return run_git(self.path, args, **kwargs).stdout

    def _empty_tree_id(self) -> str:
        # git knows the empty tree without it being stored; asking keeps this right for sha256 repositories.
        if self._empty_tree is None:
            self._empty_tree = _decode(self._git("hash-object", "-t", "tree", "--stdin", input=b"")).strip()
        return self._empty_tree

    def _rev_parse(self, rev: str, *, lenient: bool = False) -> str | None:
        """Object id for `rev`, None if it names nothing. `lenient` also maps git's hard errors to None,
        which suits user-supplied revisions (e.g. "main@{upstream}" dies instead of answering "no such")."""
        result = run_git(
            self.path, ["rev-parse", "--verify", "--quiet", "--end-of-options", rev], check=False
        )
        if result.returncode == 0:
            return _decode(result.stdout).strip()
        if result.returncode == 1 or lenient:
            return None
        raise command_failed(git_command(self.path, ["rev-parse"]), result)

    def _read_ref(self, ref: str) -> str | None:
        """The raw value of a full ref, or None when it does not exist."""
        return self._rev_parse(ref)

    def _commit(self, rev: str) -> str:
        sha = self.resolve(rev)
        if sha is None:
            raise RevisionNotFound(f"unknown revision {rev!r}")
        return sha

    # -------------------------------------------------------------------------------------------------- reads

    def resolve(self, ref: str = "main") -> str | None:
        """Full commit id for a branch name, full ref, or (abbreviated) commit id; None if there is none."""
        if not isinstance(ref, str):
            raise TypeError(f"ref must be a string, not {type(ref).__name__}")
        if not is_plausible_revision(ref):
            return None
        # A bare name means a branch first, so a tag or an odd file in the git dir cannot shadow it.
        candidates = [ref] if ref.startswith("refs/") else [f"refs/heads/{ref}", ref]
        for candidate in candidates:
            sha = self._rev_parse(f"{candidate}^{{commit}}", lenient=True)
            if sha is not None:
                return sha
        return None

    def branches(self, prefix: str = "") -> dict[str, str]:
        """Branch name (without refs/heads/) -> commit id, for branches whose name starts with `prefix`."""
        out = self._git("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/")
        result = {}
        for line in _decode(out).splitlines():
            sha, ref = line.split(" ", 1)
            name = ref[len("refs/heads/") :]
            if name.startswith(prefix):
                result[name] = sha
        return result

    def _tree_spec(self, commit: str, path: str) -> tuple[str, str]:
        sha = self._commit(commit)
        directory = normalize_read_path(path)
        return directory, f"{sha}:{directory}" if directory else f"{sha}^{{tree}}"

    def list_tree(self, commit: str, path: str = "") -> list[TreeEntry]:
        """The entries of one directory (not recursive), in git's order. Submodule links are left out."""
        directory, spec = self._tree_spec(commit, path)
        return list(self._ls_tree(spec, directory, recursive=False))

    def walk_files(self, commit: str, prefix: str = "") -> Iterator[TreeEntry]:
        """Every file under the directory `prefix` (default: the whole tree), from one `git ls-tree -r`."""
        directory, spec = self._tree_spec(commit, prefix)
        return iter(self._ls_tree(spec, directory, recursive=True))

    def _ls_tree(self, spec: str, directory: str, *, recursive: bool) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", *(["-r"] if recursive else []), "--end-of-options", spec]
        result = run_git(self.path, args, check=False)
        if result.returncode != 0:
            raise PathNotFound(f"{directory or '/'!r} is not a directory at {spec.split(':')[0][:12]}")
        entries = []
        for record in result.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_name = record.partition(b"\t")
            _mode, kind, sha, size = meta.decode("ascii").split(maxsplit=3)
            if kind not in ("blob", "tree"):
                continue
            relative = _decode(raw_name)
            entries.append(
                TreeEntry(
                    path=_join(directory, relative),
                    name=relative.rsplit("/", 1)[-1],
                    kind=kind,
                    sha=sha,
                    size=int(size) if kind == "blob" else None,
                )
            )
        return entries

    def read_blob(self, commit: str, path: str) -> bytes:
        """The content of the file at `path`; PathNotFound if it is missing or a directory."""
        return self.read_blobs(commit, [path])[path]

    def read_blobs(self, commit: str, paths: list[str]) -> dict[str, bytes]:
        """Contents of many files at one commit through a single `git cat-file --batch`. Keys are as given."""
        sha = self._commit(commit)
        wanted = {path: normalize_read_path(path) for path in paths}
        for path, normalized in wanted.items():
            if not normalized:
                raise PathNotFound(f"{path!r} is the root directory, not a file")
        if not wanted:
            return {}
        order = list(wanted)
        # Each "<commit>:<path>" lookup re-reads every tree on the way down, which is quadratic for a big flat
        # directory; for many paths, one ls-tree of their common directory turns them into object ids first.
        known = self._blob_ids(sha, set(wanted.values())) if len(order) > _DIRECT_LOOKUP_LIMIT else {}
        request = b"".join(
            _encode(known.get(wanted[path]) or f"{sha}:{wanted[path]}") + b"\n" for path in order
        )
        out = self._git("cat-file", "--batch", "--buffer", input=request)
        contents: dict[str, bytes] = {}
        position = 0
        for path in order:
            end = out.index(b"\n", position)
            header = out[position:end].split(b" ")
            if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
                raise PathNotFound(f"{path!r} does not exist at {sha[:12]}")
            _object, kind, size = header
            start = end + 1
            position = start + int(size) + 1
            if kind != b"blob":
                raise PathNotFound(f"{path!r} is a {kind.decode('ascii')}, not a file, at {sha[:12]}")
            contents[path] = out[start : start + int(size)]
        return contents

    def _blob_ids(self, commit: str, paths: set[str]) -> dict[str, str]:
        common = posixpath.commonpath([posixpath.dirname(path) for path in paths])
        result = run_git(
            self.path, ["ls-tree", "-r", "-z", "--end-of-options", f"{commit}:{common}"], check=False
        )
        if result.returncode != 0:
            return {}
        ids = {}
        for record in result.stdout.split(b"\0"):
            meta, _, name = record.partition(b"\t")
            path = _join(common, _decode(name))
            if path in paths:
                _mode, kind, blob = meta.decode("ascii").split(" ")
                if kind == "blob":
                    ids[path] = blob
        return ids

    def exists(self, commit: str, path: str) -> bool:
        """Whether a file or directory exists at `path` ('' is the root and always exists)."""
        sha = self._commit(commit)
        normalized = normalize_read_path(path)
        if not normalized:
            return True
        result = run_git(self.path, ["cat-file", "-e", f"{sha}:{normalized}"], check=False)
        return result.returncode == 0

    def _log(self, args: list[str]) -> list[CommitInfo]:
        out = self._git(
            "log", "-z", "--no-color", "--no-mailmap", "--encoding=UTF-8", f"--format={_LOG_FORMAT}", *args
        )
        fields = out.split(b"\0")
        if len(fields) % len(_LOG_FIELDS) == 1:
            fields.pop()  # -z also terminates the last record
        commits = []
        for start in range(0, len(fields) - len(_LOG_FIELDS) + 1, len(_LOG_FIELDS)):
            sha, short, parents, a_name, a_email, a_date, c_name, c_date, body = (
                value.decode("utf-8", "replace") for value in fields[start : start + len(_LOG_FIELDS)]
            )
            message = body.rstrip("\n")
            commits.append(
                CommitInfo(
                    sha=sha,
                    short_sha=short,
                    summary=message.split("\n", 1)[0],
                    message=message,
                    author_name=a_name,
                    author_email=a_email,
                    authored_at=datetime.fromisoformat(a_date),
                    committer_name=c_name,
                    committed_at=datetime.fromisoformat(c_date),
                    parents=tuple(parents.split()),
                )
            )
        return commits

    @staticmethod
    def _count(max_count: int) -> str:
        if not isinstance(max_count, int) or max_count < 1:
            raise ValueError(f"max_count must be a positive integer, got {max_count!r}")
        return f"--max-count={max_count}"

    def log(self, ref: str = "main", max_count: int = 50) -> list[CommitInfo]:
        """Commits reachable from `ref`, newest first; [] when the ref does not exist (e.g. an empty repo)."""
        sha = self.resolve(ref)
        return [] if sha is None else self._log([self._count(max_count), sha])

    def file_history(self, path: str, ref: str = "main", *, max_count: int = 50) -> list[CommitInfo]:
        """Commits reachable from `ref` that touched `path` (a file or a directory), newest first."""
        normalized = normalize_read_path(path)
        sha = self.resolve(ref)
        if sha is None:
            return []
        return self._log([self._count(max_count), sha, "--", *([normalized] if normalized else [])])

    def commit_info(self, sha: str) -> CommitInfo:
        return self._log(["--max-count=1", self._commit(sha)])[0]

    def changed_files(self, old: str | None, new: str) -> list[FileChange]:
        """Files that differ from `old` to `new`, renames detected; old=None lists all of new as added."""
        old_tree = self._commit(old) if old is not None else self._empty_tree_id()
        out = self._git(
            "diff-tree",
            "-r",
            "-M",
            "--no-commit-id",
            "--name-status",
            "-z",
            "--end-of-options",
            old_tree,
            self._commit(new),
        )
        tokens = [_decode(token) for token in out.split(b"\0")]
        changes = []
        index = 0
        while index < len(tokens) and tokens[index]:
            status = tokens[index]
            if status.startswith("R"):  # "R<similarity>", old path, new path
                changes.append(FileChange("R", tokens[index + 2], tokens[index + 1]))
                index += 3
            else:
                path = tokens[index + 1]
                index += 2
                changes.append(
                    FileChange("M" if status == "T" else status, path, None)
                )  # T: file <-> symlink
        return changes

    def diff_text(self, old: str | None, new: str, paths: list[str] | None = None) -> str:
        """Unified diff from `old` (None: the empty tree) to `new`, optionally limited to `paths`."""
        old_tree = self._commit(old) if old is not None else self._empty_tree_id()
        limits = [normalize_read_path(path) for path in paths or []]
        out = self._git(
            "diff-tree",
            "-p",
            "-M",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--end-of-options",
            old_tree,
            self._commit(new),
            "--",
            *limits,
        )
        return out.decode("utf-8", "replace")

    def merge_base(self, a: str, b: str) -> str | None:
        result = run_git(
            self.path, ["merge-base", "--end-of-options", self._commit(a), self._commit(b)], check=False
        )
        if result.returncode == 1:
            return None
        if result.returncode != 0:
            raise command_failed(git_command(self.path, ["merge-base"]), result)
        return _decode(result.stdout).strip()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor)."""
        args = [
            "merge-base",
            "--is-ancestor",
            "--end-of-options",
            self._commit(ancestor),
            self._commit(descendant),
        ]
        result = run_git(self.path, args, check=False)
        if result.returncode not in (0, 1):
            raise command_failed(git_command(self.path, args), result)
        return result.returncode == 0

    # ------------------------------------------------------------------------------------------------- writes

    @contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[TaxonomyRepository]:
        """Hold the repository's write lock (a file lock in the git dir, shared by every process)."""
        try:
            self._file_lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise RepositoryLocked(
                f"repository {self.path} is locked by another writer (waited {timeout:g} s)"
            ) from None
        try:
            yield self
        finally:
            self._file_lock.release()

    def _hash_files(self, files: list[Path]) -> list[str]:
        """Store files as blobs in one `git hash-object -w --stdin-paths`; return their ids in order."""
        if not files:
            return []
        request = b"".join(os.fsencode(str(path)) + b"\n" for path in files)
        out = self._git("hash-object", "-w", "--no-filters", "--stdin-paths", input=request)
        ids = _decode(out).split()
        if len(ids) != len(files):
            raise GitError(f"git hash-object returned {len(ids)} ids for {len(files)} files")
        return ids

    def _hash_contents(self, contents: list[bytes]) -> list[str]:
        with tempfile.TemporaryDirectory(prefix="labweb-blobs-") as scratch:
            files = []
            for index, data in enumerate(contents):
                file = Path(scratch) / str(index)
                file.write_bytes(data)
                files.append(file)
            return self._hash_files(files)

    def _load_tree(self, tree: str) -> dict[str, Entry]:
        entries = {}
        for record in self._git("ls-tree", "-z", "--end-of-options", tree).split(b"\0"):
            if record:
                meta, _, name = record.partition(b"\t")
                mode, kind, sha = meta.decode("ascii").split(" ")
                entries[_decode(name)] = Entry(mode, kind, sha)
        return entries

    def _write_tree(self, editor: TreeEditor) -> str:
        with MktreeSession(self.path) as session:
            return editor.write_trees(session.make_trees)

    @staticmethod
    def _check_commit_metadata(message: str, author: Author, committer: Author | None) -> None:
        if not isinstance(message, str) or not message.strip():
            raise ValueError("commit message must be a non-empty string")
        if "\x00" in message:
            raise ValueError("commit message contains NUL")
        if not isinstance(author, Author) or not (committer is None or isinstance(committer, Author)):
            raise TypeError("author and committer must be Author instances")

    def _commit_tree(
        self, tree: str, parent: str | None, message: str, author: Author, committer: Author
    ) -> str:
        now = f"{int(datetime.now(UTC).timestamp())} +0000"
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": now,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": now,
        }
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
        out = self._git(*args, input=(message.rstrip() + "\n").encode("utf-8"), env=env)
        return _decode(out).strip()

    def _cas(self, ref: str, new: str | None, expected_old: str | None, reason: str) -> None:
        """Compare-and-swap `ref` from expected_old (None: must not exist) to new (None: delete)."""
        if new is None:
            args = ["update-ref", "-m", reason, "-d", ref, expected_old]
        else:
            args = ["update-ref", "-m", reason, ref, new, expected_old or "0" * len(new)]
        result = run_git(self.path, args, check=False)
        if result.returncode != 0:
            actual = self._read_ref(ref)
            if actual != expected_old:
                raise RefConflict(ref, expected=expected_old, actual=actual)
            raise command_failed(git_command(self.path, args), result)

    def commit_files(
        self,
        *,
        ref: str,
        changes: Mapping[str, bytes | None],
        message: str,
        author: Author,
        committer: Author | None = None,
        expected_old: str | None | EllipsisType = ...,
        parent: str | None | EllipsisType = ...,
    ) -> str:
        """Commit `changes` (path -> new bytes, or None to delete) on top of `parent` and move `ref` to it.

        parent defaults to the ref's head as read under the lock (None starts a new root commit); expected_old
        defaults to that same value, and if given and stale raises RefConflict without touching the ref.
        """
        target = full_ref(ref)
        self._check_commit_metadata(message, author, committer)
        deletions, writes = [], {}
        for path, data in changes.items():
            validate_path(path)
            if data is None:
                deletions.append(path)
            elif isinstance(data, (bytes, bytearray, memoryview)):
                writes[path] = bytes(data)
            else:
                raise TypeError(f"content for {path!r} must be bytes or None, not {type(data).__name__}")
        self._reject_file_directory_clash(writes)
        if expected_old is not ... and expected_old is not None:
            expected_old = validate_object_id(expected_old, "expected_old")
        blob_ids = dict(zip(writes, self._hash_contents(list(writes.values())), strict=True))

        with self.lock(self.lock_timeout):
            current = self._read_ref(target)
            if expected_old is ...:
                expected_old = current
            elif expected_old != current:
                raise RefConflict(target, expected=expected_old, actual=current)
            base = expected_old if parent is ... else (None if parent is None else self._commit(parent))
            editor = TreeEditor(self._load_tree, self._rev_parse(f"{base}^{{tree}}") if base else None)
            for path in deletions:
                editor.delete(path)
            for path, blob in blob_ids.items():
                editor.write(path, blob)
            tree = self._write_tree(editor)
            new = self._commit_tree(tree, base, message, author, committer or author)
            self._cas(target, new, expected_old, f"labweb: commit {new[:12]}")
        return new

    @staticmethod
    def _reject_file_directory_clash(writes: Mapping[str, bytes]) -> None:
        for path in writes:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if directory in writes:
                    raise PathRejected(f"cannot write both {directory!r} as a file and {path!r} inside it")

    def create_branch(self, name: str, sha: str) -> None:
        """Create branch `name` at commit `sha`; RefConflict if it already exists."""
        target = full_ref(name)
        commit = self._commit(sha)
        with self.lock(self.lock_timeout):
            self._cas(target, commit, None, f"labweb: create {target}")

    def update_ref(self, ref: str, new: str, expected_old: str | None) -> None:
        """Move `ref` to commit `new` if it is at `expected_old` (None: must not exist); else RefConflict."""
        target = full_ref(ref)
        if expected_old is not None:
            expected_old = validate_object_id(expected_old, "expected_old")
        commit = self._commit(new)
        with self.lock(self.lock_timeout):
            self._cas(target, commit, expected_old, f"labweb: update {target}")

    def delete_branch(self, name: str, expected_old: str | None = None) -> None:
        """Delete branch `name`; with expected_old, only if it still points there (else RefConflict)."""
        target = full_ref(name)
        if expected_old is not None:
            expected_old = validate_object_id(expected_old, "expected_old")
        with self.lock(self.lock_timeout):
            current = self._read_ref(target)
            if current is None:
                raise RevisionNotFound(f"branch {name!r} does not exist")
            if expected_old is not None and expected_old != current:
                raise RefConflict(target, expected=expected_old, actual=current)
            self._cas(target, None, current, f"labweb: delete {target}")

    def import_directory(
        self,
        source_dir: Path,
        *,
        ref: str = "main",
        message: str,
        author: Author,
        include: Callable[[str], bool] = lambda relpath: True,
    ) -> str:
        """Commit the files under `source_dir` as the whole new tree of `ref` (parent: its current head).

        Only regular files are taken: symlinks, sockets and `.git` entries are skipped. `include` receives
        each repository-relative posix path and may exclude it.
        """
        target = full_ref(ref)
        self._check_commit_metadata(message, author, None)
        source = Path(source_dir).absolute()
        if not source.is_dir():
            raise FileNotFoundError(f"{source} is not a directory")
        relative_paths, files, executable = [], [], []
        for directory, subdirectories, names in os.walk(source):
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if name != ".git" and not os.path.islink(os.path.join(directory, name))
            )
            for name in sorted(names):
                full = os.path.join(directory, name)
                info = os.lstat(full)
                if name == ".git" or not stat.S_ISREG(info.st_mode):
                    continue
                relative = Path(os.path.relpath(full, source)).as_posix()
                if not include(relative):
                    continue
                relative_paths.append(validate_path(relative))
                files.append(Path(full))
                executable.append(bool(info.st_mode & stat.S_IXUSR))
        if not files:
            raise ValueError(f"{source} contains no files to import")
        blob_ids = self._hash_files(files)
        editor = TreeEditor(self._load_tree, None)
        for path, blob, is_executable in zip(relative_paths, blob_ids, executable, strict=True):
            editor.write(path, blob, executable=is_executable)
        tree = self._write_tree(editor)
        with self.lock(self.lock_timeout):
            parent = self._read_ref(target)
            new = self._commit_tree(tree, parent, message, author, author)
            self._cas(target, new, parent, f"labweb: import {source.name}")
        return new

    def fetch_into(
        self,
        url_or_path: str,
        *,
        source_ref: str | None = None,
        target_ref: str = "main",
        timeout_s: int = 300,
    ) -> str:
        """Fetch a repository (URL, local path or bundle file) and make its `source_ref` (default HEAD)
        the new history of `target_ref`, replacing what was there. Returns the new head commit.

        The fetch goes to a private temporary ref outside the lock (it may be slow); only the final
        compare-and-swap of target_ref happens under the lock.
        """
        target = full_ref(target_ref)
        source = os.fspath(url_or_path)
        if not source or source.startswith("-") or "\n" in source or "\x00" in source:
            raise ValueError(f"invalid repository location {source!r}")
        if source.lower().startswith(("ext::", "fd::")):
            raise ValueError(f"repository location {source!r} uses a forbidden transport")
        if os.path.exists(source):  # git would read a relative path against the bare repository
            source = os.path.abspath(source)
        wanted = "HEAD" if source_ref is None else source_ref
        if not is_plausible_revision(wanted) or any(char in wanted for char in "*^~?[\\"):
            raise RefNameRejected(f"invalid source ref {source_ref!r}")
        scratch = f"{IMPORT_REF_PREFIX}{uuid.uuid4().hex}"
        try:
            run_git(
                self.path,
                [
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--no-recurse-submodules",
                    "--end-of-options",
                    source,
                    f"+{wanted}:{scratch}",
                ],
                timeout=timeout_s,
            )
            new = self._commit(scratch)
            with self.lock(self.lock_timeout):
                current = self._read_ref(target)
                if current != new:
                    self._cas(target, new, current, f"labweb: import from {source}")
        finally:
            if self._read_ref(scratch) is not None:
                self._git("update-ref", "-d", scratch)
        return new

    def maintain(self, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Pack loose objects when git thinks it is worth it (`git gc --auto`); run it from a periodic job."""
        self._git("-c", "gc.autoDetach=false", "gc", "--auto", "--quiet", timeout=timeout_s)
