"""Data for the review API tests (imported by name; conftest.py is not importable when several folders have one)."""

from __future__ import annotations


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
