"""Data for the submission tests: complete contributions that pass strict validation (imported by the tests;
conftest.py is not importable by name when several test folders have one)."""

from __future__ import annotations

from taxonomy_app.qna import Attribution, ContributionData, DocumentRef, QuestionAnswer, Seed

PARENT = "compositional_skills/linguistics"


def skill_data(n: int = 5, *, questions: list[str] | None = None, tag: str = "") -> ContributionData:
    """A freeform skill that passes strict validation (`tag` makes its text unique per draft)."""
    questions = questions or [f"How would you say sentence {i}{tag} in plain words?" for i in range(1, n + 1)]
    return ContributionData(
        kind="freeform_skill",
        task_description=f"Rewrite formal sentences in plain English for a general reader{tag}.",
        seeds=[Seed(pairs=[QuestionAnswer(question, f"Here is sentence {i}{tag}, said plainly.")])
               for i, question in enumerate(questions, start=1)],
        attribution=Attribution(title="Plain words", license="CC-BY-4.0", creators="Casey Contributor"),
    )


def knowledge_data() -> ContributionData:
    """A knowledge contribution that passes strict validation."""
    return ContributionData(
        kind="knowledge",
        domain="birds",
        document_outline="Facts about the black-capped chickadee.",
        document=DocumentRef(repo="https://github.com/juliadenham/Summit_knowledge",
                             commit="5f7158a5ce83c4ff493bfe341fe31ecad64ff697", patterns=["chickadee.md"]),
        seeds=[Seed(context=f"Excerpt {i} of the article.\nThe chickadee is a small bird, fact {i}.\n",
                    pairs=[QuestionAnswer(f"Question {j} about excerpt {i}?", f"Answer {j} about excerpt {i}.")
                           for j in range(1, 4)])
               for i in range(1, 6)],
        attribution=Attribution(title="Black-capped chickadee", link="https://en.wikipedia.org/wiki/Chickadee",
                                license="CC-BY-SA-4.0", creators="Wikipedia Authors"),
    )
