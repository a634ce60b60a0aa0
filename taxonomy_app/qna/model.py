"""The structured data a contribution form holds, stored as JSON for drafts.

Every ``from_dict`` is tolerant: drafts may be half-filled, hand-edited or written by an older version of
the form, so unknown keys are ignored, wrong types become ``""`` / ``[]`` and nothing ever raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("freeform_skill", "grounded_skill", "knowledge")
"""The three kinds of contribution, named like ``LeafSummary.leaf_type`` and SDG's leaf types."""

ALLOWED_LICENSES: tuple[tuple[str, str], ...] = (
    ("CC0-1.0", "Creative Commons Zero, public domain dedication (CC0-1.0)"),
    ("CDLA-Permissive-2.0", "Community Data License Agreement, Permissive 2.0 (CDLA-Permissive-2.0)"),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0 (CC-BY-4.0)"),
    ("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 (CC-BY-SA-4.0)"),
    ("Apache-2.0", "Apache License 2.0 (Apache-2.0)"),
    ("MIT", "MIT License (MIT)"),
)
"""The licenses the upstream taxonomy accepts for third-party content (its CONTRIBUTING.md, "Legal"), as
(SPDX identifier, label in plain words) pairs, in the upstream order."""

SKILL_SEEDS = 5
KNOWLEDGE_SEEDS = 5
KNOWLEDGE_PAIRS = 3


def word_count(text: Any) -> int:
    """Words in ``text``, split on any whitespace (0 for empty or non-text).

    The upstream UI splits on ``/\\s+/``; this counts the same words without the empty pieces that
    JavaScript's split leaves for leading/trailing whitespace, and is what the validator's word limits
    (rule P3-word-limit) count.
    """
    return len(text.split()) if isinstance(text, str) else 0


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


@dataclass
class QuestionAnswer:
    question: str = ""
    answer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer}

    @classmethod
    def from_dict(cls, d: Any) -> QuestionAnswer:
        d = _mapping(d)
        return cls(question=_str(d.get("question")), answer=_str(d.get("answer")))


@dataclass
class Seed:
    """One seed example.

    Skills: one pair (question/answer); ``context`` only for grounded skills. Knowledge: ``context`` is the
    excerpt of the document and ``pairs`` its questions and answers (at least 3).
    """

    context: str = ""
    pairs: list[QuestionAnswer] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"context": self.context, "pairs": [pair.to_dict() for pair in self.pairs]}

    @classmethod
    def from_dict(cls, d: Any) -> Seed:
        d = _mapping(d)
        raw_pairs = d.get("pairs")
        if not isinstance(raw_pairs, list):
            # qna.yaml-shaped drafts: knowledge's list, or a skill seed's own question/answer
            raw_pairs = d.get("questions_and_answers")
            if not isinstance(raw_pairs, list):
                raw_pairs = [d] if ("question" in d or "answer" in d) else []
        return cls(context=_str(d.get("context")), pairs=[QuestionAnswer.from_dict(p) for p in raw_pairs])


@dataclass
class DocumentRef:
    """Where a knowledge contribution's source document lives (qna.yaml's ``document`` section)."""

    repo: str = ""
    commit: str = ""
    patterns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"repo": self.repo, "commit": self.commit, "patterns": list(self.patterns)}

    @classmethod
    def from_dict(cls, d: Any) -> DocumentRef:
        d = _mapping(d)
        patterns = d.get("patterns")
        if isinstance(patterns, str):
            patterns = [patterns]
        return cls(
            repo=_str(d.get("repo")),
            commit=_str(d.get("commit")),
            patterns=[p for p in _list(patterns) if isinstance(p, str)],
        )


@dataclass
class Attribution:
    """The content of attribution.txt: where the content comes from and under which license."""

    title: str = ""
    link: str = ""
    revision: str = ""
    license: str = ""
    creators: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "link": self.link,
            "revision": self.revision,
            "license": self.license,
            "creators": self.creators,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Attribution:
        d = _mapping(d)
        names = ("title", "link", "revision", "license", "creators")
        return cls(**{name: _str(d.get(name)) for name in names})

    def is_blank(self) -> bool:
        return not any(value.strip() for value in self.to_dict().values())


@dataclass
class ContributionData:
    """Everything a contribution form holds; ``to_qna_yaml``/``to_attribution_txt`` turn it into files.

    Fields a kind does not use are kept (so switching kind in a draft loses nothing) but not written:
    skills ignore ``domain``, ``document_outline`` and ``document``; knowledge ignores ``task_description``.
    """

    kind: str
    created_by: str = ""
    task_description: str = ""
    domain: str = ""
    document_outline: str = ""
    seeds: list[Seed] = field(default_factory=list)
    document: DocumentRef | None = None
    attribution: Attribution = field(default_factory=Attribution)

    @property
    def is_knowledge(self) -> bool:
        return self.kind == "knowledge"

    @classmethod
    def empty(cls, kind: str) -> ContributionData:
        """A fresh form: 5 empty seeds (knowledge: each with 3 empty pairs; skills: 1 pair each)."""
        if kind not in KINDS:
            raise ValueError(f"unknown contribution kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind == "knowledge":
            seeds = [
                Seed(pairs=[QuestionAnswer() for _ in range(KNOWLEDGE_PAIRS)]) for _ in range(KNOWLEDGE_SEEDS)
            ]
            return cls(kind=kind, seeds=seeds, document=DocumentRef())
        return cls(kind=kind, seeds=[Seed(pairs=[QuestionAnswer()]) for _ in range(SKILL_SEEDS)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "created_by": self.created_by,
            "task_description": self.task_description,
            "domain": self.domain,
            "document_outline": self.document_outline,
            "seeds": [seed.to_dict() for seed in self.seeds],
            "document": self.document.to_dict() if self.document is not None else None,
            "attribution": self.attribution.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Any) -> ContributionData:
        d = _mapping(d)
        raw_seeds = d.get("seeds")
        if not isinstance(raw_seeds, list):
            raw_seeds = _list(d.get("seed_examples"))
        seeds = [Seed.from_dict(seed) for seed in raw_seeds]
        document = d.get("document")
        data = cls(
            kind="freeform_skill",
            created_by=_str(d.get("created_by")),
            task_description=_str(d.get("task_description")),
            domain=_str(d.get("domain")),
            document_outline=_str(d.get("document_outline")),
            seeds=seeds,
            document=DocumentRef.from_dict(document) if isinstance(document, Mapping) else None,
            attribution=Attribution.from_dict(d.get("attribution")),
        )
        kind = d.get("kind")
        data.kind = kind if isinstance(kind, str) and kind in KINDS else _guess_kind(data)
        return data


def _guess_kind(data: ContributionData) -> str:
    """For a draft without a usable ``kind``: knowledge fields win, then any context means grounded."""
    if data.document is not None or data.domain.strip() or data.document_outline.strip():
        return "knowledge"
    if any(seed.context.strip() for seed in data.seeds):
        return "grounded_skill"
    return "freeform_skill"
