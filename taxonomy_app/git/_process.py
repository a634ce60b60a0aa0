"""Running git with a fixed environment, a timeout, and never through a shell."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GitError

DEFAULT_TIMEOUT_S = 120.0
# git answers each tree with one 41-byte line; keeping a round trip's answers well under the 64 KiB
# pipe buffer means git never blocks on output while we are still writing input.
_TREES_PER_ROUND_TRIP = 1000

# Variables an operator may legitimately set for network fetches; every other GIT_* variable is dropped so a
# GIT_DIR, GIT_INDEX_FILE or GIT_CONFIG_* inherited from a hook or a shell cannot redirect our commands.
_PASSTHROUGH = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_ASKPASS",
        "GIT_PROXY_COMMAND",
        "GIT_HTTP_USER_AGENT",
    }
)

# Command-line config wins over repository config: the ext:: transport (it runs arbitrary commands) stays
# off whatever the repository says, and non-ASCII paths in git's messages stay readable.
_CONFIG = ("-c", "protocol.ext.allow=never", "-c", "core.quotePath=false")


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("GIT_") or key in _PASSTHROUGH
    }
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_LITERAL_PATHSPECS": "1",
            "LC_ALL": "C",
            "LANG": "C",
            "LANGUAGE": "C",
        }
    )
    if "GIT_SSH" not in env and "GIT_SSH_COMMAND" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    if extra:
        env.update(extra)
    return env


def git_command(git_dir: Path | None, args: Sequence[str]) -> list[str]:
    prefix = ["git"] if git_dir is None else ["git", f"--git-dir={git_dir}"]
    return [*prefix, *_CONFIG, *args]


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: bytes
    stderr: str


def _kill_group(process: subprocess.Popen) -> None:
    # git spawns helpers (ssh, remote-https, pack-objects); killing the session reaches them too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def run_git(
    git_dir: Path | None,
    args: Sequence[str],
    *,
    input: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Completed:
    """Run one git command to completion. With check=True a non-zero exit raises GitError."""
    command = git_command(git_dir, args)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd or git_dir,
            env=git_environment(env),
            start_new_session=True,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}", command=command) from exc
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise GitError(f"git {args[0]} timed out after {timeout:g} s", command=command) from None
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    result = Completed(process.returncode, stdout, stderr.decode("utf-8", "replace"))
    if check and result.returncode != 0:
        raise command_failed(command, result)
    return result


def command_failed(command: Sequence[str], result: Completed) -> GitError:
    subcommand = next((part for part in command[1:] if not part.startswith("-") and "=" not in part), "")
    detail = result.stderr.strip() or "no message"
    return GitError(
        f"git {subcommand} failed (exit {result.returncode}): {detail}",
        command=command,
        returncode=result.returncode,
        stderr=result.stderr,
    )


class MktreeSession:
    """One `git mktree --batch -z` process that writes batches of trees, answering each with its id.

    Trees must be written children first, and a parent needs its children's ids, so the conversation is
    interactive: one process for a whole commit instead of one per directory.
    """

    def __init__(self, git_dir: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self._git_dir = git_dir
        self._timeout = timeout
        self._process: subprocess.Popen | None = None
        self._stderr = None
        self._timer: threading.Timer | None = None
        self._timed_out = False

    def __enter__(self) -> MktreeSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> subprocess.Popen:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._process = subprocess.Popen(
            git_command(self._git_dir, ["mktree", "--batch", "-z"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=self._git_dir,
            env=git_environment(),
            start_new_session=True,
        )
        self._timer = threading.Timer(self._timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self._process

    def _expire(self) -> None:
        self._timed_out = True
        if self._process is not None:
            _kill_group(self._process)

    def make_trees(self, trees: Sequence[Sequence[tuple[str, str, str, str]]]) -> list[str]:
        """Write trees given as rows of (mode, kind, object id, name); return their ids in order."""
        ids: list[str] = []
        for first in range(0, len(trees), _TREES_PER_ROUND_TRIP):
            chunk = trees[first : first + _TREES_PER_ROUND_TRIP]
            ids.extend(self._round_trip(chunk))
        return ids

    def _round_trip(self, trees: Sequence[Sequence[tuple[str, str, str, str]]]) -> list[str]:
        process = self._process or self._start()
        payload = b"".join(
            b"".join(
                f"{mode} {kind} {sha}\t".encode("ascii") + name.encode("utf-8", "surrogateescape") + b"\0"
                for mode, kind, sha, name in rows
            )
            + b"\0"
            for rows in trees
        )
        ids = []
        try:
            process.stdin.write(payload)
            process.stdin.flush()
            for _ in trees:
                line = process.stdout.readline()
                if not line.endswith(b"\n"):
                    raise self._failure()
                ids.append(line.decode("ascii").strip())
        except OSError:  # git died while we were writing
            raise self._failure() from None
        return ids

    def _failure(self) -> GitError:
        process = self._process
        process.kill()
        process.wait()
        if self._timed_out:
            return GitError(f"git mktree timed out after {self._timeout:g} s")
        self._stderr.seek(0)
        detail = self._stderr.read().decode("utf-8", "replace").strip() or "no message"
        return GitError(
            f"git mktree failed (exit {process.returncode}): {detail}",
            returncode=process.returncode,
            stderr=detail,
        )

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            try:
                self._process.wait(timeout=self._timeout)
            except subprocess.TimeoutExpired:
                _kill_group(self._process)
                self._process.wait()
            self._process.stdout.close()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
