"""Prefilling a contribution form from an uploaded or pasted qna.yaml."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from taxonomy_app.schema import Issue, ValidationMode, taxonomy_relative, validate_qna

from .model import KNOWLEDGE_PAIRS, ContributionData, DocumentRef, QuestionAnswer, Seed

_SCALARS = (str, bool, int, float, datetime.date)


def _text(value: Any) -> str | None:
    """A readable string: text as it is, other scalars with ``str()``; None for null and collections."""
    if isinstance(value, str):
        return value
    if isinstance(value, _SCALARS):
        return str(value)
    return None


def _field(contents: Mapping, key: str) -> str:
    return _text(contents.get(key)) or ""


def kind_from_path(path: str) -> str:
    """The kind a path suggests: knowledge/..., compositional_skills/grounded/... or another skill."""
    rel = taxonomy_relative(path or "")
    if rel is not None and rel.parts[0] == "knowledge":
        return "knowledge"
    if rel is not None and len(rel.parts) > 1 and rel.parts[1] == "grounded":
        return "grounded_skill"
    return "freeform_skill"


def _seed_mappings(contents: Mapping) -> list[Mapping]:
    seeds = contents.get("seed_examples")
    return [seed for seed in seeds if isinstance(seed, Mapping)] if isinstance(seeds, list) else []


def _has_context(seed: Mapping) -> bool:
    context = _text(seed.get("context"))
    return bool(context and context.strip())


def infer_kind(contents: Mapping, path: str) -> str:
    """document / document_outline / questions_and_answers mean knowledge; a skill with any context is
    grounded. Only when the content shows neither a skill nor knowledge does the path decide."""
    seeds = _seed_mappings(contents)
    if (
        "document" in contents
        or "document_outline" in contents
        or any("questions_and_answers" in seed for seed in seeds)
    ):
        return "knowledge"
    if any(_has_context(seed) for seed in seeds):
        return "grounded_skill"
    looks_like_skill = "task_description" in contents or any(
        "question" in seed or "answer" in seed for seed in seeds
    )
    if not looks_like_skill and kind_from_path(path) == "knowledge":
        return "knowledge"
    return "freeform_skill"


def _pair(mapping: Any) -> QuestionAnswer | None:
    """A pair when at least one of question/answer is readable text, else None (dropped)."""
    if not isinstance(mapping, Mapping):
        return None
    question, answer = _text(mapping.get("question")), _text(mapping.get("answer"))
    if question is None and answer is None:
        return None
    return QuestionAnswer(question=question or "", answer=answer or "")


def _knowledge_seeds(seeds: list[Mapping]) -> list[Seed]:
    """v3 seeds as they are; v1/v2 seeds (question/answer, maybe a context) are regrouped into v3 shape:
    seeds sharing a context become one seed with those pairs, seeds without a context are put together in
    groups of 3 pairs (what a v3 seed needs) with an empty context for the contributor to fill in."""
    result: list[Seed] = []
    by_context: dict[str, Seed] = {}
    loose: Seed | None = None
    for seed in seeds:
        context = _text(seed.get("context"))
        qna = seed.get("questions_and_answers")
        if isinstance(qna, list):
            pairs = [p for p in map(_pair, qna) if p is not None]
            if context is not None or pairs:
                result.append(Seed(context=context or "", pairs=pairs))
            continue
        pair = _pair(seed)
        if pair is None:
            if context is not None:
                result.append(Seed(context=context, pairs=[]))
            continue
        if context is not None and context.strip():
            target = by_context.get(context)
            if target is None:
                target = by_context[context] = Seed(context=context, pairs=[])
                result.append(target)
            target.pairs.append(pair)
            continue
        if loose is None or len(loose.pairs) >= KNOWLEDGE_PAIRS:
            loose = Seed(context=context or "", pairs=[])
            result.append(loose)
        loose.pairs.append(pair)
    return result


def _skill_seeds(seeds: list[Mapping], *, grounded: bool) -> list[Seed]:
    result: list[Seed] = []
    for seed in seeds:
        pair = _pair(seed)
        context = _text(seed.get("context"))
        if pair is None and not (grounded and context is not None):
            continue
        result.append(Seed(context=(context or "") if grounded else "", pairs=[pair or QuestionAnswer()]))
    return result


def contribution_from_contents(contents: Mapping, path: str) -> ContributionData:
    """ContributionData from a parsed qna.yaml mapping of any version, however malformed."""
    kind = infer_kind(contents, path)
    seeds = _seed_mappings(contents)
    data = ContributionData(kind=kind, created_by=_field(contents, "created_by"))
    if kind == "knowledge":
        data.domain = _field(contents, "domain")
        # v1/v2 knowledge described the document with task_description; v3 uses document_outline
        data.document_outline = _field(contents, "document_outline") or _field(contents, "task_description")
        data.seeds = _knowledge_seeds(seeds)
        document = contents.get("document")
        document = document if isinstance(document, Mapping) else {}
        patterns = document.get("patterns")
        if not isinstance(patterns, list):
            patterns = [patterns]
        data.document = DocumentRef(
            repo=_field(document, "repo"),
            commit=_field(document, "commit"),
            patterns=[text for text in map(_text, patterns) if text is not None],
        )
    else:
        data.task_description = _field(contents, "task_description")
        data.seeds = _skill_seeds(seeds, grounded=kind == "grounded_skill")
    return data


def from_qna_yaml(text: str | bytes, *, path: str) -> tuple[ContributionData, list[Issue]]:
    """(form data, issues) for an uploaded or pasted qna.yaml.

    The issues are those of ``validate_qna(text, path=path, mode="strict")`` (no attribution check), with
    their lines and columns in the given text. The form data holds whatever could be read, even from an
    invalid file: every seed and pair with readable text is kept (other scalars converted with ``str()``,
    nulls and nested lists dropped), v1/v2 files are converted to the v3 shape, and the kind is inferred
    from the content. Seeds are not padded to five: the form shows what the file has. A file that cannot
    be read as a mapping at all (not UTF-8, not YAML, empty, a list, wrongly named...) gives
    ``ContributionData.empty(kind suggested by the path)`` with the issue that says why.
    """
    result = validate_qna(text, path=path, mode=ValidationMode.STRICT)
    issues = result.issues
    if not isinstance(result.contents, Mapping):
        return ContributionData.empty(kind_from_path(path)), issues
    return contribution_from_contents(result.contents, path), issues
