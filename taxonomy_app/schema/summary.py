"""A short description of a leaf for the tree and the index, read tolerantly from parsed contents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .paths import taxonomy_relative


@dataclass
class LeafSummary:
    leaf_type: str  # "knowledge" | "freeform_skill" | "grounded_skill"
    version: int | None
    created_by: str | None
    task_description: str | None
    domain: str | None
    document_outline: str | None
    document: dict | None
    seed_count: int
    qna_pair_count: int
    contexts: list[str] = field(default_factory=list)
    questions_and_answers: list[tuple[str, str, str | None]] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _version(contents: Mapping) -> int | None:
    if "version" not in contents:
        return 1
    value = contents["version"]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _context(seed: Mapping) -> str | None:
    context = seed.get("context")
    return context if isinstance(context, str) and context.strip() else None


def summarize_leaf(contents: dict, path: str) -> LeafSummary:
    """Type, counts and main fields of a qna.yaml; never raises for a dict, however malformed.

    ``version`` is what the file declares (1 when the key is absent, None when it is not a number).
    Knowledge: ``qna_pair_count`` counts the pairs under ``questions_and_answers``. Skills: one pair per
    seed example with a question or an answer; a skill is grounded when any seed example has a context.
    """
    if not isinstance(contents, Mapping):
        contents = {}
    rel = taxonomy_relative(path)
    document = contents.get("document")
    is_knowledge = "document" in contents or (rel is not None and rel.parts[0] == "knowledge")
    raw_seeds = contents.get("seed_examples")
    seeds = raw_seeds if isinstance(raw_seeds, list) else []
    contexts: list[str] = []
    pairs: list[tuple[str, str, str | None]] = []
    for seed in seeds:
        if not isinstance(seed, Mapping):
            continue
        context = _context(seed)
        if context is not None:
            contexts.append(context)
        qna = seed.get("questions_and_answers")
        if isinstance(qna, list):
            for pair in qna:
                if isinstance(pair, Mapping):
                    pairs.append(
                        (_text(pair.get("question")) or "", _text(pair.get("answer")) or "", context)
                    )
        if not is_knowledge and ("question" in seed or "answer" in seed):
            pairs.append((_text(seed.get("question")) or "", _text(seed.get("answer")) or "", context))
    if is_knowledge:
        leaf_type = "knowledge"
    elif contexts:
        leaf_type = "grounded_skill"
    else:
        leaf_type = "freeform_skill"
    return LeafSummary(
        leaf_type=leaf_type,
        version=_version(contents),
        created_by=_text(contents.get("created_by")),
        task_description=_text(contents.get("task_description")),
        domain=_text(contents.get("domain")),
        document_outline=_text(contents.get("document_outline")),
        document=dict(document) if isinstance(document, Mapping) else None,
        seed_count=len(seeds),
        qna_pair_count=len(pairs),
        contexts=contexts,
        questions_and_answers=pairs,
    )
