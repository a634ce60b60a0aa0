"""The Django side of forges: settings, get_forge, submission_publish (idempotent, never undoing a
submission) and reading the pull request's state back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from github_contract import REPO, TOKEN, remote_head

from labweb.models import AuditEvent
from taxonomy_app import forge_service
from taxonomy_app.contributions import contribution_start, contribution_submit, contribution_update
from taxonomy_app.forges import BuiltinForge, ForgeState, GitHubForge
from taxonomy_app.models import Submission
from taxonomy_app.qna import Attribution, ContributionData, QuestionAnswer, Seed

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def github_settings(settings, github_contract, bare_remote):
    settings.LABWEB_FORGE = "github"
    settings.GITHUB_REMOTE_URL = str(bare_remote)
    settings.GITHUB_REPO = REPO
    settings.GITHUB_TOKEN = TOKEN
    settings.GITHUB_API_URL = github_contract.url
    return settings


@pytest.fixture
def submission(sample_taxonomy, make_user) -> Submission:
    owner = make_user("contributor", "casey")
    data = ContributionData(
        kind="freeform_skill", task_description="Rewrite formal sentences in plain English.",
        seeds=[Seed(pairs=[QuestionAnswer(f"How would you say sentence {i} plainly?",
                                          f"Sentence {i}, plainly.")]) for i in range(1, 6)],
        attribution=Attribution(title="Plain words", license="CC-BY-4.0", creators="Casey"))
    draft = contribution_start(owner=owner, kind="freeform_skill")
    contribution_update(contribution=draft, actor=owner, data=data, title="Plain English",
                        description="Plainly.", parent_path="compositional_skills/linguistics",
                        leaf_name="plain_english", dco_signed_off=True)
    return contribution_submit(contribution=draft, actor=owner)


def test_the_builtin_forge_is_the_default(settings):
    assert settings.LABWEB_FORGE == "builtin"
    assert isinstance(forge_service.get_forge(), BuiltinForge)


def test_a_github_forge_from_settings(github_settings):
    forge = forge_service.get_forge()
    assert isinstance(forge, GitHubForge) and forge.repo == REPO


def test_bad_github_settings_are_reported_as_configuration_errors(github_settings):
    github_settings.GITHUB_REPO = "no-slash"
    with pytest.raises(ImproperlyConfigured, match="LABWEB_FORGE=github: GitHub repository 'no-slash'"):
        forge_service.get_forge()


def test_publishing_twice_is_done_once(submission, github_settings, github_contract, bare_remote):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")

    result = forge_service.submission_publish(submission=submission)
    assert result.external_id == "1347"
    assert forge_service.submission_publish(submission=submission) is None  # a redelivered task
    assert len(github_contract.received) == 2
    assert remote_head(bare_remote, submission.branch) == submission.head_commit
    submission.refresh_from_db()
    assert (submission.forge, submission.external_url) == ("github", result.external_url)


def test_the_checklist_facts_come_from_what_was_committed(submission, github_settings, github_contract):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    forge_service.submission_publish(submission=submission)
    body = github_contract.received[0].body["body"]
    assert "(skill, 5 seed examples)" in body
    assert "```text\nHow would you say sentence 1 plainly?\n```" in body
    assert body.count("- [x]") == 4
    assert f"submission #{submission.pk} by casey" in body


def test_closed_submissions_are_not_published(submission, github_settings, github_contract):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.CLOSED)
    assert forge_service.submission_publish(submission=submission) is None
    assert github_contract.received == []


def test_the_pull_requests_state_is_read_back(submission, github_settings, github_contract):
    assert forge_service.submission_forge_state(submission=submission) is None  # not published yet
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    forge_service.submission_publish(submission=submission)
    github_contract.expect("get-pull-request-200-merged")

    submission.refresh_from_db()
    state = forge_service.submission_forge_state(submission=submission)
    assert state == ForgeState("merged", ("skill", "triage-approved"), "https://github.com/labweb-test/taxonomy/pull/1347")
    assert github_contract.received[-1].path == f"/repos/{REPO}/pulls/1347"


def test_the_builtin_forge_has_no_state(submission):
    assert forge_service.submission_forge_state(submission=submission) is None
    assert not AuditEvent.objects.filter(verb__startswith="submission.publish").exists()


def _settings_in_a_fresh_process(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "LABWEB_FORGE"))}
    clean.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(tmp_path), **env)
    script = ("import django; django.setup(); from django.conf import settings; "
              "print(settings.LABWEB_FORGE, settings.GITHUB_TOKEN)")
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=clean, capture_output=True,
                          text=True, timeout=60, check=False)


def test_forge_settings_are_strict(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("ghp_fromafile\n")
    good = _settings_in_a_fresh_process(tmp_path, LABWEB_FORGE="GitHub", GITHUB_REPO="o/r",
                                        GITHUB_REMOTE_URL="https://github.com/o/r.git",
                                        GITHUB_TOKEN_FILE=str(token_file))
    assert good.returncode == 0, good.stderr
    assert good.stdout.split() == ["github", "ghp_fromafile"]

    missing = _settings_in_a_fresh_process(tmp_path, LABWEB_FORGE="github", GITHUB_REPO="o/r")
    last_line = missing.stderr.strip().splitlines()[-1]
    assert "LABWEB_FORGE=github needs GITHUB_REMOTE_URL, GITHUB_TOKEN." in last_line

    unknown = _settings_in_a_fresh_process(tmp_path, LABWEB_FORGE="gitlab")
    assert "LABWEB_FORGE='gitlab' must be one of builtin, github." in unknown.stderr.strip().splitlines()[-1]


def test_periodic_sync_records_a_changed_state_once_and_the_page_shows_it(
        submission, github_settings, github_contract, client):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    forge_service.submission_publish(submission=submission)
    submission.refresh_from_db()

    github_contract.expect("get-pull-request-200-merged")
    assert forge_service.submissions_forge_sync() == {"checked": 1, "changed": 1, "failed": 0}
    github_contract.expect("get-pull-request-200-merged")
    assert forge_service.submissions_forge_sync() == {"checked": 1, "changed": 0, "failed": 0}
    status = forge_service.submission_forge_status(submission=submission)
    assert status["state"] == "merged" and status["labels"] == ["skill", "triage-approved"]
    # The forge's state is shown, never obeyed: the submission itself stays open in LabWeb.
    submission.refresh_from_db()
    assert submission.status == Submission.Status.OPEN

    client.force_login(submission.author)
    page = client.get(f"/contribute/submissions/{submission.pk}/").content.decode()
    assert "https://github.com/labweb-test/taxonomy/pull/1347" in page
    assert "(merged on github: skill, triage-approved, checked" in page


def test_periodic_sync_survives_an_unreachable_forge(submission, github_settings, github_contract):
    github_contract.expect("create-pull-request-201")
    github_contract.expect("add-labels-200")
    forge_service.submission_publish(submission=submission)
    # The pull request was deleted on GitHub: the recorded 404 answer, for this submission's number.
    github_contract.expect("get-pull-request-404")["request"]["path"] = f"/repos/{REPO}/pulls/1347"
    assert forge_service.submissions_forge_sync() == {"checked": 1, "changed": 0, "failed": 1}


def test_periodic_sync_does_nothing_with_the_builtin_forge(submission):
    assert forge_service.submissions_forge_sync() == {"checked": 0, "changed": 0, "failed": 0}
