"""Fixtures for the review pages: people in every role and real submissions on the sample taxonomy."""

from __future__ import annotations

import pytest

from review_support import PARENT, revise_skill, skill_data, submit_skill  # noqa: F401 - used by tests


@pytest.fixture
def people(make_user):
    users = {role: make_user(role, f"{role}-1") for role in ("contributor", "triager", "maintainer", "admin")}
    users["author"] = users["contributor"]
    users["author"].first_name, users["author"].last_name = "Casey", "Contributor"
    users["author"].save()
    users["other"] = make_user("contributor", "contributor-2")
    return users


@pytest.fixture
def submit(sample_taxonomy):
    """submit(owner, leaf_name=..., questions=...) -> (draft, submission): a real first submit."""
    return submit_skill


@pytest.fixture
def submission(people, submit):
    return submit(people["author"])[1]


@pytest.fixture
def revise():
    return revise_skill


@pytest.fixture(autouse=True)
def _default_canned_responses(canned_responses):
    """Reviewers are offered the default canned responses on every page here."""
