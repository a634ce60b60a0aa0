"""Reading a parsed qna.yaml for people: seed cards and the searchable pieces.

Tolerant of malformed contents (the index also holds files that fail validation), so every accessor
checks types instead of trusting the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class QuestionAnswer:
    question: str
    answer: str


@dataclass
class SeedCard:
    number: int
    context: str = ""
    context_html: str = ""
    pairs: list[QuestionAnswer] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def seed_cards(contents: dict | None) -> list[SeedCard]:
    if not isinstance(contents, dict) or not isinstance(contents.get("seed_examples"), list):
        return []
    cards = []
    for number, seed in enumerate(contents["seed_examples"], start=1):
        if not isinstance(seed, dict):
            cards.append(SeedCard(number=number, pairs=[QuestionAnswer(_text(seed), "")]))
            continue
        card = SeedCard(number=number, context=_text(seed.get("context")).strip())
        if isinstance(seed.get("questions_and_answers"), list):
            for pair in seed["questions_and_answers"]:
                if isinstance(pair, dict):
                    card.pairs.append(QuestionAnswer(_text(pair.get("question")), _text(pair.get("answer"))))
        if "question" in seed or "answer" in seed:
            card.pairs.append(QuestionAnswer(_text(seed.get("question")), _text(seed.get("answer"))))
        cards.append(card)
    return cards


def searchable_pieces(contents: dict | None) -> list[tuple[str, int | None, str]]:
    """(field, 1-based seed number or None, text) for everything search should find."""
    if not isinstance(contents, dict):
        return []
    pieces: list[tuple[str, int | None, str]] = []
    for key in ("task_description", "domain", "document_outline"):
        text = _text(contents.get(key)).strip()
        if text:
            pieces.append((key, None, text))
    for card in seed_cards(contents):
        if card.context:
            pieces.append(("context", card.number, card.context))
        for pair in card.pairs:
            if pair.question.strip():
                pieces.append(("question", card.number, pair.question.strip()))
            if pair.answer.strip():
                pieces.append(("answer", card.number, pair.answer.strip()))
    return pieces
