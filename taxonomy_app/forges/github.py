"""The GitHub forge: push the submission's branch to a remote, open a pull request with the taxonomy's
template filled in, label it `skill` or `knowledge`, and read its state back.

HTTP goes through urllib with a timeout on every call; git through the hardened runner of the git layer
(fixed environment, timeout, no shell). The token never appears on a command line or in a URL: git gets it
as an `http.<remote>.extraHeader` through GIT_CONFIG_* environment variables, scoped to the remote's URL.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from taxonomy_app.git import GitError
from taxonomy_app.git._process import run_git

from .base import ForgeError, ForgeState, PublishRequest, PublishResult
from .pull_request import render_body

API_VERSION = "2022-11-28"
USER_AGENT = "LabWeb-forge"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_OWNER = re.compile(r"^[A-Za-z0-9-]+$")
_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_PULL_URL = re.compile(r"/pull/(\d+)/?$")
_MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect (a renamed repository) is reported, not followed: the token must not travel elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def pull_number_from_url(url: str) -> str:
    """`https://github.com/o/r/pull/42` -> "42" ("" when the URL is not a pull request's)."""
    match = _PULL_URL.search(url or "")
    return match.group(1) if match else ""


class GitHubForge:
    name = "github"

    def __init__(self, *, remote_url: str, repo: str, token: str, api_url: str = "https://api.github.com",
                 base_branch: str = "main", head_owner: str = "", timeout: float = 30.0,
                 push_timeout: float = 300.0) -> None:
        if not remote_url or remote_url.startswith("-") or remote_url.lower().startswith(("ext::", "fd::")):
            raise ValueError(f"GitHub remote URL {remote_url!r} is not a usable git remote")
        if not _REPO.match(repo or ""):
            raise ValueError(f"GitHub repository {repo!r} must be written owner/name")
        if not token:
            raise ValueError("the GitHub forge needs a token")
        api = urlsplit(api_url)
        if api.scheme != "https" and not (api.scheme == "http" and _is_loopback(api.hostname or "")):
            raise ValueError(f"GitHub API URL {api_url!r} must use https (plain http only on this machine)")
        if head_owner and not _OWNER.match(head_owner):
            raise ValueError(f"GitHub head owner {head_owner!r} is not a GitHub account name")
        if not _BRANCH.match(base_branch or ""):
            raise ValueError(f"base branch {base_branch!r} is not a branch name")
        self.remote_url = remote_url
        self.repo = repo
        self.api_url = api_url.rstrip("/")
        self.base_branch = base_branch
        self.head_owner = head_owner
        self.timeout = timeout
        self.push_timeout = push_timeout
        self._token = token
        self._opener = urllib.request.build_opener(_NoRedirects)

    def __repr__(self) -> str:  # never the token
        return f"GitHubForge(repo={self.repo!r}, remote={_without_credentials(self.remote_url)!r})"

    # ------------------------------------------------------------------------------------------- publish

    def publish(self, submission: PublishRequest) -> PublishResult:
        """Push the branch; open and label the pull request the first time. Raises ForgeError."""
        pushed = self.push(submission)
        if submission.existing is not None and submission.existing.external_id:
            return PublishResult(external_url=submission.existing.external_url,
                                 external_id=submission.existing.external_id, pushed_commit=pushed)
        head = f"{self.head_owner}:{submission.branch}" if self.head_owner else submission.branch
        pull = self._request("POST", f"/repos/{self.repo}/pulls", {
            "title": " ".join(submission.title.split())[:256] or f"Submission #{submission.number}",
            "head": head,
            "base": self.base_branch,
            "body": render_body(submission),
            "maintainer_can_modify": True,
        }, expect=201)
        number, url = pull.get("number"), pull.get("html_url")
        if not isinstance(number, int) or not isinstance(url, str):
            raise ForgeError("GitHub created the pull request but its answer has no number or html_url.")
        warnings = []
        label = "skill" if submission.is_skill else "knowledge"
        try:
            self._request("POST", f"/repos/{self.repo}/issues/{number}/labels", {"labels": [label]},
                          expect=200)
        except ForgeError as exc:
            warnings.append(f"The label {label!r} could not be added: {exc}")
        return PublishResult(external_url=url, external_id=str(number), pushed_commit=pushed,
                             warnings=tuple(warnings))

    def push(self, submission: PublishRequest) -> str:
        """Push exactly the submission's head commit to its branch on the remote; return that commit.

        A revision moves a branch the remote already has: the push is forced only with a lease on the head
        LabWeb pushed last, so a commit someone else added to the remote branch is never overwritten.
        """
        branch, head = submission.branch, submission.head_commit
        if not _BRANCH.match(branch) or ".." in branch or branch.endswith((".lock", "/", ".")):
            raise ForgeError(f"{branch!r} is not a branch LabWeb pushes.")
        previous = submission.previous_head
        if not _SHA.match(head or "") or (previous and not _SHA.match(previous)):
            raise ForgeError("The submission's commit is not a full commit id.")
        target = f"refs/heads/{branch}"
        args = ["push", "--porcelain", "--no-verify"]
        if previous:
            args.append(f"--force-with-lease={target}:{previous}")
        args += [self.remote_url, f"{head}:{target}"]
        try:
            done = run_git(Path(submission.repository), args, timeout=self.push_timeout, check=False,
                           env=self._git_auth_env())
        except GitError as exc:
            raise ForgeError(self._redact(f"Pushing {branch} to {self.remote_url} failed: {exc}")) from None
        if done.returncode != 0:
            # --porcelain puts each ref's fate on stdout ("!<TAB>src:dst<TAB>[rejected] (stale info)").
            refused = [line.split("\t")[-1] for line in done.stdout.decode("utf-8", "replace").splitlines()
                       if line.startswith("!")]
            detail = "; ".join(refused) or done.stderr.strip() or f"exit {done.returncode}"
            raise ForgeError(self._redact(f"Pushing {branch} to {self.remote_url} failed: {detail}"))
        return head

    def _git_auth_env(self) -> dict[str, str]:
        if urlsplit(self.remote_url).scheme not in ("http", "https"):
            return {}  # ssh and local remotes authenticate themselves
        basic = base64.b64encode(f"x-access-token:{self._token}".encode()).decode("ascii")
        return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"http.{self.remote_url}.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}"}

    # ---------------------------------------------------------------------------------------------- sync

    def sync(self, external_id: str) -> ForgeState:
        if not str(external_id).isdigit():
            raise ForgeError(f"{external_id!r} is not a pull request number.")
        pull = self._request("GET", f"/repos/{self.repo}/pulls/{external_id}", None, expect=200)
        state = "merged" if pull.get("merged") else pull.get("state")
        if state not in ("open", "closed", "merged"):
            raise ForgeError(f"GitHub reports pull request #{external_id} in an unknown state {state!r}.")
        labels = tuple(label["name"] for label in pull.get("labels") or []
                       if isinstance(label, dict) and isinstance(label.get("name"), str))
        return ForgeState(state=state, labels=labels, url=str(pull.get("html_url") or ""))

    # ---------------------------------------------------------------------------------------------- HTTP

    def _request(self, method: str, path: str, payload: dict[str, Any] | None, *, expect: int) -> Any:
        url = self.api_url + quote(path, safe="/")
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        what = f"{method} {path}"
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, body = response.status, response.read(_MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise self._http_error(what, exc) from None
        except TimeoutError:
            raise ForgeError(f"GitHub did not answer {what} within {self.timeout:g} s.") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise ForgeError(f"GitHub did not answer {what} within {self.timeout:g} s.") from None
            raise ForgeError(f"GitHub could not be reached for {what}: {reason}") from None
        except OSError as exc:
            raise ForgeError(f"GitHub could not be reached for {what}: {exc}") from None
        if status != expect:
            raise ForgeError(f"GitHub answered {status} to {what}, expected {expect}.", status=status)
        if len(body) > _MAX_RESPONSE_BYTES:
            raise ForgeError(f"GitHub's answer to {what} is larger than {_MAX_RESPONSE_BYTES} bytes.")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ForgeError(f"GitHub's answer to {what} is not JSON.") from None

    def _http_error(self, what: str, exc: urllib.error.HTTPError) -> ForgeError:
        if 300 <= exc.code < 400:
            return ForgeError(f"GitHub redirected {what} to {exc.headers.get('Location', 'elsewhere')}; "
                              "the repository may have moved: check GITHUB_REPO.", status=exc.code)
        try:
            body = json.loads(exc.read(_MAX_RESPONSE_BYTES).decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            body = {}
        message = body.get("message") if isinstance(body, dict) else None
        details = [error.get("message") or error.get("code") for error in (body.get("errors") or [])
                   if isinstance(error, dict)] if isinstance(body, dict) else []
        text = message or exc.reason or "no message"
        if details:
            text += ": " + "; ".join(str(detail) for detail in details if detail)
        hint = {401: " (check GITHUB_TOKEN)", 403: " (the token lacks a permission, or a rate limit was hit)",
                404: " (check GITHUB_REPO, and that the token can see it)"}.get(exc.code, "")
        return ForgeError(self._redact(f"GitHub answered {exc.code} to {what}: {text}{hint}"),
                          status=exc.code)

    def _redact(self, text: str) -> str:
        text = text.replace(self.remote_url, _without_credentials(self.remote_url))
        return text.replace(self._token, "[token]")
