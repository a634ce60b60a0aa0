"""A recorded contract of GitHub's REST API: a local HTTP server that replays GitHub's documented answers
(tests/forges/contract/*.json) and checks every request it receives against what the contract expects.

Tests queue the interactions they expect in order (`expect`), run the code, and the fixture fails the test
if a request differed (method, path, headers, JSON body field types) or an expected one never came.
Also provides `bare_remote`, a local bare repository standing in for the GitHub remote a branch is pushed to.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CONTRACT_DIR = Path(__file__).parent / "contract"
TOKEN = "ghp_contractTestToken0123456789"
REPO = "labweb-test/taxonomy"
_TYPES = {"string": str, "array": list, "object": dict, "boolean": bool, "integer": int}


def load_interaction(name: str) -> dict[str, Any]:
    return json.loads((CONTRACT_DIR / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Received:
    """One request the server got; header names in lower case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ContractServer:
    token: str = TOKEN
    expected: list[tuple[str, dict, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expect(self, name: str, *, delay: float = 0.0) -> dict[str, Any]:
        """Queue the next interaction (a file name in contract/ without .json); `delay` holds the answer."""
        interaction = load_interaction(name)
        self.expected.append((name, interaction, delay))
        return interaction

    def answer(self, method: str, path: str, headers: dict[str, str],
               raw: bytes) -> tuple[int, dict, bytes, float]:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        with self.lock:
            self.received.append(Received(method, path, {k.lower(): v for k, v in headers.items()}, body))
            if not self.expected:
                self.failures.append(f"unexpected request {method} {path}")
                return 500, {}, b'{"message": "no interaction expected"}', 0.0
            name, interaction, delay = self.expected.pop(0)
        problems = self._check(interaction["request"], method, path, headers, body)
        if problems:
            self.failures.extend(f"{name}: {problem}" for problem in problems)
            return 500, {}, json.dumps({"message": "; ".join(problems)}).encode(), 0.0
        response = interaction["response"]
        return response["status"], response.get("headers", {}), json.dumps(response["body"]).encode(), delay

    def _check(self, wanted: dict, method: str, path: str, headers: dict[str, str], body: Any) -> list[str]:
        problems = []
        if method != wanted["method"] or path != wanted["path"]:
            problems.append(f"expected {wanted['method']} {wanted['path']}, got {method} {path}")
        lowered = {key.lower(): value for key, value in headers.items()}
        for name, value in wanted.get("headers", {}).items():
            value = value.replace("{token}", self.token)
            if lowered.get(name.lower()) != value:
                problems.append(f"header {name}: expected {value!r}, got {lowered.get(name.lower())!r}")
        for name, type_name in wanted.get("json_types", {}).items():
            if not isinstance(body, dict) or not isinstance(body.get(name), _TYPES[type_name]):
                problems.append(f"JSON body field {name!r} must be a {type_name}")
        return problems


def _handler(server: ContractServer):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, body, delay = server.answer(self.command, self.path, dict(self.headers), raw)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout tests)
                pass

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def github_contract():
    """A running contract server; `github_contract.url` is the API URL to configure."""
    contract = ContractServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(contract))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    contract.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield contract
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not contract.failures, contract.failures
    missing = [name for name, _, _ in contract.expected]
    assert not missing, f"expected requests never came: {missing}"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                               "LC_ALL": "C"}).stdout.strip()


@pytest.fixture
def bare_remote(tmp_path) -> Path:
    """An empty bare repository playing the GitHub remote."""
    remote = tmp_path / "github-remote.git"
    git("init", "--bare", "--quiet", "--initial-branch=main", str(remote))
    return remote


def remote_head(remote: Path, branch: str) -> str | None:
    out = subprocess.run(["git", f"--git-dir={remote}", "rev-parse", "--verify", "--quiet",
                          f"refs/heads/{branch}"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or None
