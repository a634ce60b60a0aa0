"""A source repository with a submission branch, and publish requests for it (shared by the forge tests)."""

from __future__ import annotations

import pytest
from github_contract import REPO, TOKEN

from taxonomy_app.forges import GitHubForge, PublishRequest
from taxonomy_app.git import Author, TaxonomyRepository

AUTHOR = Author("Ada Contributor", "ada@example.test")
BRANCH = "contrib/1-idioms"
LEAF = "compositional_skills/linguistics/idioms"


@pytest.fixture
def source_repo(tmp_path) -> TaxonomyRepository:
    """LabWeb's bare repository: main with one file, and a submission branch with one commit on top."""
    repo = TaxonomyRepository.init_bare(tmp_path / "taxonomy.git")
    main = repo.commit_files(ref="main", changes={"README.md": b"taxonomy\n"}, message="Start", author=AUTHOR)
    repo.commit_files(ref=BRANCH, parent=main, expected_old=None, author=AUTHOR, message="Explain idioms",
                      changes={f"{LEAF}/qna.yaml": b"version: 3\n", f"{LEAF}/attribution.txt": b"Title: x\n"})
    return repo


def add_revision(repo: TaxonomyRepository, text: bytes, *, parent: str | None = None) -> str:
    """A new commit on the submission branch (on top of `parent` instead of the head: a rewritten branch)."""
    extra = {} if parent is None else {"parent": parent, "expected_old": repo.resolve(BRANCH)}
    return repo.commit_files(ref=BRANCH, changes={f"{LEAF}/qna.yaml": text}, message="Revise", author=AUTHOR,
                             **extra)


def publish_request(repo: TaxonomyRepository, **overrides) -> PublishRequest:
    values = dict(repository=repo.path, branch=BRANCH, head_commit=repo.resolve(BRANCH), number=1,
                  title="Explain idioms", description="Teaches the model to explain English idioms.",
                  kind="freeform_skill", taxonomy_path=LEAF, author_name="Ada Contributor", seed_count=5,
                  dco_signed_off=True, validated=True, has_attribution=True,
                  sample_question="What does 'break the ice' mean?")
    values.update(overrides)
    return PublishRequest(**values)


@pytest.fixture
def make_forge(github_contract, bare_remote):
    """make_forge(**overrides) -> a GitHubForge using the contract server and pushing to the bare remote."""

    def make(**overrides) -> GitHubForge:
        values = dict(remote_url=str(bare_remote), api_url=github_contract.url, repo=REPO, token=TOKEN,
                      timeout=5.0)
        values.update(overrides)
        return GitHubForge(**values)

    return make
