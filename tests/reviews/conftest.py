"""Fixtures for the review services: people in every role and real submissions on the sample taxonomy."""

from __future__ import annotations

import pytest

PARENT = "compositional_skills/linguistics"


def skill_data(tag: str = ""):
    """A freeform skill that passes strict validation (`tag` makes its text unique per draft)."""
    from taxonomy_app.qna import Attribution, ContributionData, QuestionAnswer, Seed

    return ContributionData(
        kind="freeform_skill",
        task_description=f"Rewrite formal sentences in plain English for a general reader{tag}.",
        seeds=[Seed(pairs=[QuestionAnswer(f"How would you say sentence {i}{tag} in plain words?",
                                          f"Here is sentence {i}{tag}, said plainly.")])
               for i in range(1, 6)],
        attribution=Attribution(title="Plain words", license="CC-BY-4.0", creators="Casey Contributor"),
    )


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
    from taxonomy_app.contributions import contribution_start, contribution_submit, contribution_update

    def make(owner, *, leaf_name: str = "plain_english", tag: str = ""):
        draft = contribution_start(owner=owner, kind="freeform_skill")
        contribution_update(contribution=draft, actor=owner, data=skill_data(tag or f" ({leaf_name})"),
                            title=f"Plain English rewrites {leaf_name}", description="Formal sentences, said plainly.",
                            parent_path=PARENT, leaf_name=leaf_name, dco_signed_off=True)
        return draft, contribution_submit(contribution=draft, actor=owner)

    return make


@pytest.fixture
def submission(people, submit):
    return submit(people["author"])[1]


@pytest.fixture
def revise():
    """revise(draft, owner, tag) -> the submission after a new revision (contribution_update + submit)."""
    from taxonomy_app.contributions import contribution_submit, contribution_update

    def make(draft, owner, tag: str = " (revised)"):
        contribution_update(contribution=draft, actor=owner, data=skill_data(tag))
        return contribution_submit(contribution=draft, actor=owner)

    return make
