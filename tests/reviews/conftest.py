"""Fixtures for the review services: people in every role and real submissions on the sample taxonomy."""

from __future__ import annotations

import pytest

from review_support import PARENT, revise_skill, skill_data, submit_skill  # noqa: F401 - used by tests


@pytest.fixture
def people(make_user):
    """One user per role, plus a second contributor and a second triager and maintainer."""
    users = {role: make_user(role, f"{role}-1") for role in ("contributor", "triager", "maintainer", "admin")}
    users["author"] = users["contributor"]
    users["author"].first_name, users["author"].last_name = "Casey", "Contributor"
    users["author"].save()
    users["other"] = make_user("contributor", "contributor-2")
    users["triager2"] = make_user("triager", "triager-2")
    users["maintainer2"] = make_user("maintainer", "maintainer-2")
    return users


@pytest.fixture
def submit(sample_taxonomy):
    """submit(owner, leaf_name=..., tag=...) -> (draft, submission): a real first submit on the sample taxonomy."""
    return submit_skill


@pytest.fixture
def submission(people, submit):
    return submit(people["author"])[1]


@pytest.fixture
def revise():
    """revise(draft, owner, tag) -> the submission after a new revision (contribution_update + submit)."""
    return revise_skill
