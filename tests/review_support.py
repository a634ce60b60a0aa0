"""Real submissions for the review tests (services, pages and API): a valid freeform skill, submitted and revised
through the contribution services on the sample taxonomy. Imported by name from the three conftest files."""

from __future__ import annotations

PARENT = "compositional_skills/linguistics"


def skill_data(tag: str = "", *, questions: list[str] | None = None):
    """A freeform skill that passes strict validation (`tag` makes its text unique per draft)."""
    from taxonomy_app.qna import Attribution, ContributionData, QuestionAnswer, Seed

    questions = questions or [f"How would you say sentence {i}{tag} in plain words?" for i in range(1, 6)]
    return ContributionData(
        kind="freeform_skill",
        task_description=f"Rewrite formal sentences in plain English for a general reader{tag}.",
        seeds=[Seed(pairs=[QuestionAnswer(question, f"Here is sentence {i}{tag}, said plainly.")])
               for i, question in enumerate(questions, start=1)],
        attribution=Attribution(title="Plain words", license="CC-BY-4.0", creators="Casey Contributor"),
    )


def submit_skill(owner, *, leaf_name: str = "plain_english", tag: str = "", questions: list[str] | None = None):
    """(draft, submission): a real first submit of a new topic under PARENT."""
    from taxonomy_app.contributions import contribution_start, contribution_submit, contribution_update

    draft = contribution_start(owner=owner, kind="freeform_skill")
    contribution_update(contribution=draft, actor=owner, data=skill_data(tag or f" ({leaf_name})", questions=questions),
                        title=f"Plain English rewrites {leaf_name}", description="Formal sentences, said plainly.",
                        parent_path=PARENT, leaf_name=leaf_name, dco_signed_off=True)
    return draft, contribution_submit(contribution=draft, actor=owner)


def revise_skill(draft, owner, tag: str = " (revised)"):
    """The submission after a new revision of `draft` with text tagged `tag`."""
    from taxonomy_app.contributions import contribution_submit, contribution_update

    contribution_update(contribution=draft, actor=owner, data=skill_data(tag))
    return contribution_submit(contribution=draft, actor=owner)
