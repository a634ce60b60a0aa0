"""Factories for complete contributions (valid in strict mode) that tests then break one field at a time."""

from __future__ import annotations

import pytest

from taxonomy_app.qna import Attribution, ContributionData, DocumentRef, QuestionAnswer, Seed

FULL_SHA = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697"


@pytest.fixture
def make_skill():
    """make_skill(kind="freeform_skill", n=5) -> a skill contribution that passes strict validation."""

    def make(kind: str = "freeform_skill", n: int = 5) -> ContributionData:
        data = ContributionData(
            kind=kind,
            created_by="alice",
            task_description="Answer short questions about greetings in other languages.",
            attribution=Attribution(title="Greetings", link="-", license="CC-BY-4.0", creators="Alice"),
        )
        for i in range(1, n + 1):
            context = f"A conversation, part {i}:\nHello there.\n" if kind == "grounded_skill" else ""
            data.seeds.append(
                Seed(context=context, pairs=[QuestionAnswer(f"How do you greet someone, case {i}?",
                                                            f"You say hello, case {i}.")])
            )
        return data

    return make


@pytest.fixture
def make_knowledge():
    """make_knowledge(n=5) -> a knowledge contribution that passes strict validation."""

    def make(n: int = 5) -> ContributionData:
        data = ContributionData(
            kind="knowledge",
            created_by="alice",
            domain="birds",
            document_outline="Facts about the black-capped chickadee.",
            document=DocumentRef(repo="https://github.com/juliadenham/Summit_knowledge", commit=FULL_SHA,
                                 patterns=["chickadee.md"]),
            attribution=Attribution(title="Black-capped chickadee",
                                    link="https://en.wikipedia.org/wiki/Black-capped_chickadee",
                                    license="CC-BY-SA-4.0", creators="Wikipedia Authors"),
        )
        for i in range(1, n + 1):
            data.seeds.append(
                Seed(
                    context=f"Excerpt {i} of the article.\nThe chickadee is a small bird, fact {i}.\n",
                    pairs=[
                        QuestionAnswer(f"Question {j} about excerpt {i}?", f"Answer {j} about excerpt {i}.")
                        for j in range(1, 4)
                    ],
                )
            )
        return data

    return make
