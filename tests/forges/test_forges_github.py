"""GitHubForge against a local bare remote and GitHub's recorded contract (tests/forges/contract/)."""

from __future__ import annotations

import pytest
from forge_fixtures import BRANCH, add_revision, publish_request
from github_contract import REPO, TOKEN, git, remote_head

from taxonomy_app.forges import ForgeError, ForgeState, GitHubForge, PublishResult, pull_number_from_url
from taxonomy_app.forges import github as github_module
from taxonomy_app.git._process import Completed

PULL_URL = "https://github.com/labweb-test/taxonomy/pull/1347"


def test_publish_pushes_opens_and_labels_the_pull_request(source_repo, make_forge, github_contract,
                                                          bare_remote):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    head = source_repo.resolve(BRANCH)

    result = make_forge().publish(publish_request(source_repo))

    assert result == PublishResult(external_url=PULL_URL, external_id="1347", pushed_commit=head)
    assert remote_head(bare_remote, BRANCH) == head
    assert remote_head(bare_remote, "main") is None  # only the submission's branch travels
    create, labels = github_contract.received
    assert create.method == "POST" and create.path == f"/repos/{REPO}/pulls"
    assert create.headers["authorization"] == f"Bearer {TOKEN}"
    assert create.headers["accept"] == "application/vnd.github+json"
    assert create.headers["x-github-api-version"] == "2022-11-28"
    assert create.body["title"] == "Explain idioms"
    assert create.body["head"] == BRANCH and create.body["base"] == "main"
    assert "**Contribution checklist**" in create.body["body"]
    assert "Teaches the model to explain English idioms\\." in create.body["body"]
    assert labels.path == f"/repos/{REPO}/issues/1347/labels" and labels.body == {"labels": ["skill"]}


def test_knowledge_gets_the_knowledge_label_and_a_fork_head(source_repo, make_forge, github_contract):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")

    forge = make_forge(head_owner="labweb-bot", base_branch="trunk")
    forge.publish(publish_request(source_repo, kind="knowledge"))

    create, labels = github_contract.received
    assert create.body["head"] == f"labweb-bot:{BRANCH}" and create.body["base"] == "trunk"
    assert labels.body == {"labels": ["knowledge"]}


def test_a_revision_is_pushed_with_a_lease_and_opens_nothing(source_repo, make_forge, github_contract,
                                                             bare_remote):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    forge = make_forge()
    first = forge.publish(publish_request(source_repo))
    second_head = add_revision(source_repo, b"version: 3\n# revised\n")

    again = forge.publish(publish_request(source_repo, previous_head=first.pushed_commit, existing=first))

    assert (again.external_url, again.external_id, again.pushed_commit) == (
        first.external_url, first.external_id, second_head)
    assert remote_head(bare_remote, BRANCH) == second_head
    assert len(github_contract.received) == 2  # no second pull request


def test_a_rewritten_branch_is_forced_only_over_the_head_labweb_pushed(source_repo, make_forge, bare_remote):
    forge = make_forge()
    existing = PublishResult(external_url=PULL_URL, external_id="1347")
    first = source_repo.resolve(BRANCH)
    forge.push(publish_request(source_repo))
    main = source_repo.resolve("main")
    rewritten = add_revision(source_repo, b"version: 3\n# rewritten\n", parent=main)  # not a descendant

    forge.publish(publish_request(source_repo, previous_head=first, existing=existing))
    assert remote_head(bare_remote, BRANCH) == rewritten

    # Someone adds a commit to the remote branch; LabWeb's next revision must not overwrite it.
    clone = bare_remote.parent / "clone"
    git("clone", "--quiet", "--branch", BRANCH, str(bare_remote), str(clone))
    git("-c", "user.name=Maintainer", "-c", "user.email=m@example.test", "commit", "--quiet", "--allow-empty",
        "-m", "Maintainer fix", cwd=clone)
    git("push", "--quiet", "origin", BRANCH, cwd=clone)
    theirs = remote_head(bare_remote, BRANCH)
    add_revision(source_repo, b"version: 3\n# third\n")

    with pytest.raises(ForgeError, match=r"Pushing contrib/1-idioms to .* failed: \[rejected\] \(stale info"):
        forge.publish(publish_request(source_repo, previous_head=rewritten, existing=existing))
    assert remote_head(bare_remote, BRANCH) == theirs


def test_a_first_push_never_forces(source_repo, make_forge, bare_remote):
    clone = bare_remote.parent / "clone"
    git("init", "--quiet", "--initial-branch", BRANCH, str(clone))
    git("-c", "user.name=Other", "-c", "user.email=o@example.test", "commit", "--quiet", "--allow-empty",
        "-m", "Someone else's branch", cwd=clone)
    git("push", "--quiet", str(bare_remote), BRANCH, cwd=clone)
    theirs = remote_head(bare_remote, BRANCH)

    with pytest.raises(ForgeError, match=r"failed: \[rejected\] \(fetch first\)"):
        make_forge().publish(publish_request(source_repo))
    assert remote_head(bare_remote, BRANCH) == theirs


def test_bad_credentials_become_a_forge_error_with_githubs_message(source_repo, make_forge, github_contract):
    github_contract.expect("create-pull-request-401")
    with pytest.raises(ForgeError) as caught:
        make_forge().publish(publish_request(source_repo))
    assert caught.value.status == 401
    assert str(caught.value) == (f"GitHub answered 401 to POST /repos/{REPO}/pulls: Bad credentials "
                                 "(check GITHUB_TOKEN)")
    assert TOKEN not in str(caught.value)


def test_validation_failed_carries_githubs_detail(source_repo, make_forge, github_contract):
    github_contract.expect("create-pull-request-422")
    with pytest.raises(ForgeError) as caught:
        make_forge().publish(publish_request(source_repo))
    assert caught.value.status == 422
    assert str(caught.value) == (f"GitHub answered 422 to POST /repos/{REPO}/pulls: Validation Failed: "
                                 "A pull request already exists for labweb-test:contrib/1-idioms.")


def test_a_silent_github_times_out(source_repo, make_forge, github_contract):
    github_contract.expect("create-pull-request-201", delay=1.5)
    with pytest.raises(ForgeError, match=rf"GitHub did not answer POST /repos/{REPO}/pulls within 0.3 s\."):
        make_forge(timeout=0.3).publish(publish_request(source_repo))


def test_an_unreachable_github_is_reported(source_repo, bare_remote, github_contract):
    forge = GitHubForge(remote_url=str(bare_remote), api_url="http://127.0.0.1:9", repo=REPO, token=TOKEN,
                        timeout=2)
    with pytest.raises(ForgeError, match=rf"GitHub could not be reached for POST /repos/{REPO}/pulls"):
        forge.publish(publish_request(source_repo))


def test_a_label_refused_keeps_the_pull_request(source_repo, make_forge, github_contract):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-403")
    result = make_forge().publish(publish_request(source_repo))
    assert result.external_id == "1347"
    assert result.warnings == (
        "The label 'skill' could not be added: "
        f"GitHub answered 403 to POST /repos/{REPO}/issues/1347/labels: "
        "Resource not accessible by personal access token "
        "(the token lacks a permission, or a rate limit was hit)",)


@pytest.mark.parametrize(("fixture", "expected"), [
    ("get-pull-request-200-open", ForgeState("open", ("skill", "triage-needed"), PULL_URL)),
    ("get-pull-request-200-merged", ForgeState("merged", ("skill", "triage-approved"), PULL_URL)),
])
def test_sync_reads_state_merged_and_labels(make_forge, github_contract, fixture, expected):
    github_contract.expect(fixture)
    assert make_forge().sync("1347") == expected
    assert github_contract.received[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_sync_of_a_missing_pull_request(make_forge, github_contract):
    github_contract.expect("get-pull-request-404")
    with pytest.raises(ForgeError, match=r"answered 404 to GET /repos/labweb-test/taxonomy/pulls/999999: "
                                         r"Not Found \(check GITHUB_REPO"):
        make_forge().sync("999999")
    with pytest.raises(ForgeError, match="not a pull request number"):
        make_forge().sync("../../user")


def test_https_remotes_get_the_token_in_the_environment_never_on_the_command_line(source_repo, monkeypatch,
                                                                                   github_contract):
    calls = []

    def run_git(git_dir, args, **kwargs):
        calls.append((args, kwargs))
        return Completed(0, b"", "")

    monkeypatch.setattr(github_module, "run_git", run_git)
    remote = "https://github.com/labweb-bot/taxonomy.git"
    forge = GitHubForge(remote_url=remote, api_url=github_contract.url, repo=REPO, token=TOKEN)
    forge.push(publish_request(source_repo))

    (args, kwargs), = calls
    assert not any(TOKEN in arg for arg in args) and remote in args
    env = kwargs["env"]
    assert env["GIT_CONFIG_KEY_0"] == f"http.{remote}.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")
    assert TOKEN not in repr(forge)


def test_push_errors_hide_credentials_written_into_the_remote_url(source_repo, github_contract, tmp_path):
    remote = f"file://user:{TOKEN}@{tmp_path}/missing.git"
    forge = GitHubForge(remote_url=remote, api_url=github_contract.url, repo=REPO, token=TOKEN)
    with pytest.raises(ForgeError) as caught:
        forge.push(publish_request(source_repo))
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"repo": "not-a-repo"}, "owner/name"),
    ({"token": ""}, "needs a token"),
    ({"api_url": "http://api.example.test"}, "must use https"),
    ({"remote_url": "--upload-pack=evil"}, "not a usable git remote"),
    ({"remote_url": "ext::sh -c evil"}, "not a usable git remote"),
    ({"head_owner": "a/b"}, "not a GitHub account name"),
])
def test_configuration_is_checked(kwargs, message):
    values = dict(remote_url="https://github.com/o/r.git", repo="o/r", token="t", api_url="https://api.github.com")
    values.update(kwargs)
    with pytest.raises(ValueError, match=message):
        GitHubForge(**values)


def test_unsafe_branch_or_commit_is_refused_before_git_runs(source_repo, make_forge):
    with pytest.raises(ForgeError, match="not a branch"):
        make_forge().push(publish_request(source_repo, branch="-delete"))
    with pytest.raises(ForgeError, match="full commit id"):
        make_forge().push(publish_request(source_repo, head_commit="HEAD~1"))


def test_pull_number_from_url():
    assert pull_number_from_url("https://github.com/o/r/pull/42") == "42"
    assert pull_number_from_url("https://github.com/o/r/issues/42") == ""
    assert pull_number_from_url("") == ""
