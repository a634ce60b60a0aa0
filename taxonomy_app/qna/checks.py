"""Validating a form's data with the real validator and pinning every issue to the form field it concerns."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from taxonomy_app.schema import Issue, ValidationMode, validate_qna

from .attribution import to_attribution_txt
from .model import ALLOWED_LICENSES, ContributionData
from .yamlout import to_qna_yaml

Severity = Literal["error", "warning"]

ATTRIBUTION_FIELDS = ("title", "link", "revision", "license", "creators")
TAXONOMY_ROOTS = ("compositional_skills", "knowledge")

# Form-only rules (the validator sees files, not form fields)
RULE_ATTRIBUTION_FIELD = "F1-attribution-field"
RULE_LICENSE = "F2-attribution-license"
RULE_PATH_KIND = "F3-path-kind"

_ATTRIBUTION_PROMPTS = {
    "title": "Give the title of the work this content comes from (or a short name for your own work).",
    "link": "Give a link to the source document this knowledge comes from.",
    "license": "Choose the license of the work.",
    "creators": "Name the creators of the work (for your own work, your name).",
}


@dataclass(frozen=True)
class FieldIssue:
    """One problem, attached to a form field id (None: about the file as a whole)."""

    field_id: str | None
    message: str
    rule: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field_id": self.field_id,
            "message": self.message,
            "rule": self.rule,
            "severity": self.severity,
        }


_TOKEN = re.compile(r"\.([A-Za-z][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
_TOP_FIELDS = frozenset({"task_description", "domain", "document_outline", "created_by"})


def _parse_yaml_path(yaml_path: str) -> list[str | int] | None:
    """``.seed_examples[2].answer`` -> ["seed_examples", 2, "answer"]; None when it is not such a path."""
    if yaml_path == ".":
        return []
    parts: list[str | int] = []
    position = 0
    while position < len(yaml_path):
        match = _TOKEN.match(yaml_path, position)
        if match is None:
            return None
        name, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        elif name is not None:
            parts.append(name)
        else:
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        position = match.end()
    return parts


def _seed_field(seed: int, rest: list, kind: str) -> str:
    n = seed + 1
    if not rest:
        return f"seed-{n}"
    head = rest[0]
    if head == "context":
        return f"seed-{n}-context"
    if kind == "knowledge":
        if head == "questions_and_answers" and len(rest) >= 2 and isinstance(rest[1], int):
            m = rest[1] + 1
            if len(rest) >= 3 and rest[2] == "answer":
                return f"seed-{n}-pair-{m}-answer"
            # the question, or the pair as a whole (its first field)
            return f"seed-{n}-pair-{m}-question"
        return f"seed-{n}"
    if head in ("question", "answer"):
        return f"seed-{n}-pair-1-{head}"
    return f"seed-{n}"


def field_id_for_yaml_path(yaml_path: str | None, kind: str) -> str | None:
    """The form field an issue's ``yaml_path`` points at, or None for file-level places.

    ``.seed_examples[2].questions_and_answers[0].answer`` -> ``seed-3-pair-1-answer`` (knowledge);
    ``.seed_examples[4].answer`` -> ``seed-5-pair-1-answer`` (skills); ``.seed_examples[1]`` -> ``seed-2``;
    ``.seed_examples`` -> ``seeds``; ``.document.commit`` -> ``document-commit``; ``.document.patterns[0]``
    -> ``document-patterns``; ``.document`` -> ``document-repo`` (the section's first field); top-level
    text fields keep their names; ``.``, ``.version`` and unknown keys -> None. A pair as a whole maps to
    its question field.
    """
    if not yaml_path:
        return None
    parts = _parse_yaml_path(yaml_path)
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head in _TOP_FIELDS and not rest:
        return str(head)
    if head == "seed_examples":
        if not rest:
            return "seeds"
        if isinstance(rest[0], int):
            return _seed_field(rest[0], rest[1:], kind)
        return "seeds"
    if head == "document":
        if rest and rest[0] in ("repo", "commit", "patterns"):
            return f"document-{rest[0]}"
        return "document-repo"
    return None


def _field_for_issue(issue: Issue, kind: str) -> str | None:
    rule = issue.rule
    if rule.startswith("P8-") or rule == "R2-file-name":
        return "path"
    if rule.startswith(("R16-", "P9-")):
        return "attribution-title"
    return field_id_for_yaml_path(issue.yaml_path, kind)


# -- duplicates: flag every member of the group, not only the one the validator points at -----------------


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _stripped(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _seeds(contents: Mapping) -> list:
    seeds = contents.get("seed_examples")
    return seeds if isinstance(seeds, list) else []


def _pairs(seed: Any) -> list:
    pairs = seed.get("questions_and_answers") if isinstance(seed, Mapping) else None
    return pairs if isinstance(pairs, list) else []


def _group_of(items: list, index: int, key) -> list[int]:
    """Indexes of the items whose key equals item ``index``'s (just ``[index]`` when out of range)."""
    if not 0 <= index < len(items):
        return [index]
    target = key(items[index])
    return [i for i, item in enumerate(items) if key(item) == target]


def _blank(value: Any) -> bool:
    """True for a seed or pair whose every text is empty or whitespace."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    return value is None


_DUPLICATE_RULES = frozenset({"P2-duplicate-question", "P2-duplicate-context", "R14-duplicate"})


def _duplicate_fields(issue: Issue, contents: Mapping | None, kind: str) -> list[str] | None:
    """For duplicate rules, the field ids of every member of the group; None for other issues.

    Seeds and pairs that are entirely blank are left out: they are "identical" only because nothing has
    been typed yet, and each of their fields already has its own "is empty" error. An empty list means
    the issue concerned blank entries only and is dropped.
    """
    if contents is None or issue.rule not in _DUPLICATE_RULES:
        return None
    parts = _parse_yaml_path(issue.yaml_path or "")
    if not parts or parts[0] != "seed_examples":
        return None
    seeds = _seeds(contents)

    def seed_dict(i: int) -> Mapping:
        return seeds[i] if 0 <= i < len(seeds) and isinstance(seeds[i], Mapping) else {}

    if issue.rule == "R14-duplicate":
        if parts == ["seed_examples"]:
            groups: dict[str, list[int]] = {}
            for i, seed in enumerate(seeds):
                if not _blank(seed):
                    groups.setdefault(_key(seed), []).append(i)
            return [f"seed-{i + 1}" for group in groups.values() if len(group) > 1 for i in group]
        if len(parts) == 3 and isinstance(parts[1], int) and parts[2] == "questions_and_answers":
            pairs = _pairs(seed_dict(parts[1]))
            groups = {}
            for j, pair in enumerate(pairs):
                if not _blank(pair):
                    groups.setdefault(_key(pair), []).append(j)
            return [
                f"seed-{parts[1] + 1}-pair-{j + 1}-question"
                for group in groups.values()
                if len(group) > 1
                for j in group
            ]
        return None
    if len(parts) < 2 or not isinstance(parts[1], int):
        return None
    i = parts[1]
    if issue.rule == "P2-duplicate-context":
        group = _group_of(seeds, i, lambda s: _stripped(s.get("context")) if isinstance(s, Mapping) else None)
        return [f"seed-{k + 1}-context" for k in group]
    # P2-duplicate-question
    if kind == "knowledge":
        if len(parts) < 4 or not isinstance(parts[3], int):
            return None
        pairs = _pairs(seed_dict(i))
        group = _group_of(
            pairs, parts[3], lambda p: _stripped(p.get("question")) if isinstance(p, Mapping) else None
        )
        return [f"seed-{i + 1}-pair-{j + 1}-question" for j in group]

    def question_key(seed: Any) -> tuple[str, str] | None:
        if not isinstance(seed, Mapping):
            return None
        return _stripped(seed.get("context")), _stripped(seed.get("question"))

    group = _group_of(seeds, i, question_key)
    return [f"seed-{k + 1}-pair-1-question" for k in group]


# -- form-only checks ------------------------------------------------------------------------------------


def _license_ok(value: str) -> bool:
    wanted = value.strip().casefold()
    return any(wanted in (spdx.casefold(), label.casefold()) for spdx, label in ALLOWED_LICENSES)


def _attribution_issues(data: ContributionData, *, required: bool) -> list[FieldIssue]:
    attribution = data.attribution
    issues: list[FieldIssue] = []
    if required and not attribution.is_blank():
        needed = ["title", "license", "creators"] + (["link"] if data.kind == "knowledge" else [])
        for name in ATTRIBUTION_FIELDS:
            if name in needed and not getattr(attribution, name).strip():
                issues.append(
                    FieldIssue(f"attribution-{name}", _ATTRIBUTION_PROMPTS[name], RULE_ATTRIBUTION_FIELD)
                )
    license_text = attribution.license.strip()
    if license_text and not _license_ok(license_text):
        allowed = ", ".join(spdx for spdx, _ in ALLOWED_LICENSES)
        issues.append(
            FieldIssue(
                "attribution-license",
                f"The license '{license_text}' is not one the taxonomy accepts. Content must be in the "
                f"public domain or under an open license that allows commercial use and changes: {allowed}.",
                RULE_LICENSE,
            )
        )
    return issues


def _kind_root(kind: str) -> str:
    return "knowledge" if kind == "knowledge" else "compositional_skills"


def _path_for_kind(path: str, kind: str) -> tuple[str, FieldIssue | None]:
    """A path whose taxonomy root contradicts the kind gets one clear issue, and the content is checked as
    the kind the form says (otherwise every field would be reported against the other kind's schema)."""
    parts = path.split("/")
    roots = [i for i, part in enumerate(parts) if part in TAXONOMY_ROOTS]
    if not roots:
        return path, None
    last = roots[-1]
    wanted = _kind_root(kind)
    if parts[last] == wanted:
        return path, None
    what = "A knowledge contribution" if kind == "knowledge" else "A skill"
    issue = FieldIssue(
        "path",
        f"{what} belongs under {wanted}/, but this path is under {parts[last]}/.",
        RULE_PATH_KIND,
    )
    parts[last] = wanted
    return "/".join(parts), issue


def check_contribution(
    data: ContributionData, *, path: str, attribution_required: bool = True
) -> list[FieldIssue]:
    """Every problem with the form's content, each attached to its field.

    Builds the qna.yaml and attribution.txt exactly as they would be submitted, runs
    ``validate_qna(..., mode="strict")`` on them and maps each issue to a field id (see
    ``field_id_for_yaml_path``; P8 path rules and R2 go to ``"path"``, R16/P9 attribution rules to
    ``"attribution-title"``). Duplicate rules are reported on every member of the group. Messages are the
    validator's own. Form-only checks follow: required attribution fields (title, license, creators; link
    for knowledge) and the license allowlist (rules F1/F2), and a path whose root contradicts the kind
    (F3). Errors come first, then warnings, each in file order.
    """
    text = to_qna_yaml(data)
    issues: list[FieldIssue] = []
    check_path, path_issue = _path_for_kind(path, data.kind)
    if path_issue is not None:
        issues.append(path_issue)
    if attribution_required:
        blank = data.attribution.is_blank()
        result = validate_qna(
            text,
            path=check_path,
            mode=ValidationMode.STRICT,
            attribution=None if blank else to_attribution_txt(data.attribution),
            attribution_present=False if blank else True,
        )
    else:
        result = validate_qna(text, path=check_path, mode=ValidationMode.STRICT)
    for issue in result.errors + result.warnings:
        fields = _duplicate_fields(issue, result.contents, data.kind)
        if fields is None:
            fields = [_field_for_issue(issue, data.kind)]
        issues.extend(FieldIssue(field_id, issue.message, issue.rule, issue.severity) for field_id in fields)
    issues.extend(_attribution_issues(data, required=attribution_required))
    unique = list(dict.fromkeys(issues))
    return [i for i in unique if i.severity == "error"] + [i for i in unique if i.severity != "error"]
