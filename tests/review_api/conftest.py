"""Fixtures for the review API: people in every role with API tokens, submissions as database rows (fast: no git)
and real submissions on the sample taxonomy (for merges)."""

from __future__ import annotations

import itertools

import pytest

from review_support import PARENT, submit_skill
QNA = "version: 3\ncreated_by: casey\ntask_description: Plain words.\nseed_examples:\n" + "".join(
    f"- question: Question {i}?\n  answer: Answer {i}.\n" for i in range(1, 6))
_shas = itertools.count(1)


@pytest.fixture
def people(make_user):
    """author (a contributor), other (another contributor), triager, triager2, maintainer, admin."""
    users = {"author": make_user("contributor", "casey"), "other": make_user("contributor", "dana"),
             "triager": make_user("triager", "tri"), "triager2": make_user("triager", "tri2"),
             "maintainer": make_user("maintainer", "maint"), "admin": make_user("admin", "boss")}
    users["author"].first_name, users["author"].last_name = "Casey", "Contributor"
    users["author"].save()
    return users


@pytest.fixture
def api(people):
    """api(who) -> an APIClient sending that person's token; api("anonymous") sends nothing."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client(who: str) -> APIClient:
        c = APIClient()
        if who != "anonymous":
            token, _ = Token.objects.get_or_create(user=people[who])
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return client


@pytest.fixture
def row(people):
    """row(author=people["author"], revisions=1, **fields) -> a Submission written directly as rows, with
    `revisions` revisions (the last one at head_commit) whose qna.yaml has five seed examples."""
    from taxonomy_app.models import Revision, Submission

    def make(author=None, *, revisions: int = 1, **fields):
        author = author or people["author"]
        values = {"title": "Plain English rewrites", "kind": "freeform_skill", "status": "open",
                  "taxonomy_path": f"{PARENT}/plain_english", **fields}
        submission = Submission.objects.create(author=author, **values)
        sha = ""
        for number in range(1, revisions + 1):
            sha = f"{next(_shas):040x}"
            Revision.objects.create(submission=submission, number=number, commit_sha=sha, base_commit="0" * 40,
                                    qna_yaml=QNA, created_by=author)
        if sha:
            submission.head_commit = sha
            submission.save(update_fields=["head_commit"])
        return submission

    return make


@pytest.fixture
def submit(sample_taxonomy, people):
    """submit(owner, leaf_name=..., tag=...) -> (draft, submission): a real submit on the sample taxonomy."""
    return submit_skill
