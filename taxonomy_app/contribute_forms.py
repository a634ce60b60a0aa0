"""The contribution form's fields: reading a POST into ContributionData, row operations, what the page shows.

The form posts flat names (``seed-3-pair-2-question``, hidden counts ``seeds-count`` and ``seed-3-pairs``).
Browsers, stale tabs and hand-made requests send missing, extra, out-of-order or junk rows, so the parser
keeps whatever matches a known name in its numeric order, pads to the counts it was given, ignores everything
else and refuses only what would be unreasonable to store (more than ``MAX_SEEDS`` examples).

Field ids are those of ``taxonomy_app.qna.checks`` (``title``, ``seed-3``, ``seed-3-pair-1-answer``,
``document-commit``, ``attribution-license``...), so every issue lands next to the input that has that id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from taxonomy_app.models import Contribution, ContributionKind
from taxonomy_app.qna import (
    ALLOWED_LICENSES,
    Attribution,
    ContributionData,
    DocumentRef,
    FieldIssue,
    QuestionAnswer,
    Seed,
    word_count,
)
from taxonomy_app.schema.policy import MAX_CONTEXT_WORDS, MAX_QNA_WORDS, MAX_SEED_WORDS

MAX_SEEDS = 500
MAX_PAIRS = 50
KNOWLEDGE_PAIRS = 3
ATTRIBUTION_FIELDS = ("title", "link", "revision", "license", "creators")
TOP_TEXT_FIELDS = ("task_description", "domain", "document_outline")
_SEED_KEY = re.compile(r"^seed-(\d{1,6})-(?:(context)|(pairs)|pair-(\d{1,6})-(question|answer))$")
_COUNT = re.compile(r"^\s*\d{1,9}\s*$")
_OP = re.compile(r"^(add-seed|(?:remove|up|down)-seed-(\d{1,6})|add-pair-(\d{1,6})"
                 r"|remove-pair-(\d{1,6})-(\d{1,6}))$")


class FormRefused(Exception):
    """The POST cannot be stored as it is (too many rows, an unknown operation); the message says why."""


@dataclass
class ParsedForm:
    """What the POST said. None means "not in this POST": keep what is stored."""

    data: ContributionData
    title: str | None = None
    description: str | None = None
    parent_path: str | None = None
    leaf_name: str | None = None
    dco_signed_off: bool | None = None

    def update_kwargs(self) -> dict:
        return {"data": self.data, "title": self.title, "description": self.description,
                "parent_path": self.parent_path, "leaf_name": self.leaf_name,
                "dco_signed_off": self.dco_signed_off}


def _text(post: Mapping, name: str) -> str | None:
    value = post.get(name)
    return value if isinstance(value, str) else None


def _count(post: Mapping, name: str) -> int | None:
    value = post.get(name)
    if isinstance(value, str) and _COUNT.match(value):
        return int(value)
    return None


def _rows(numbers: set[int], count: int | None, cap: int, what: str) -> list[int | None]:
    """The row numbers present, in order, padded with None up to `count` (the browser's own count)."""
    if count is not None and count > cap or len(numbers) > cap:
        raise FormRefused(f"A contribution can have at most {cap} {what}; this form sent "
                          f"{max(count or 0, len(numbers))}. Remove some before saving.")
    rows: list[int | None] = sorted(numbers)
    rows.extend([None] * max(0, (count or 0) - len(rows)))
    return rows


def _parse_seeds(post: Mapping, kind: str) -> list[Seed] | None:
    found: dict[int, dict] = {}
    for key in post:
        match = _SEED_KEY.match(key) if isinstance(key, str) else None
        if not match:
            continue
        number, context, pairs_count, pair_number, part = match.groups()
        seed = found.setdefault(int(number), {"pairs": {}})
        if context:
            seed["context"] = _text(post, key) or ""
        elif pairs_count:
            seed["count"] = _count(post, key)
        else:
            seed["pairs"].setdefault(int(pair_number), {})[part] = _text(post, key) or ""
    seeds_count = _count(post, "seeds-count")
    if seeds_count is None and not found:
        return None
    seeds = []
    for number in _rows(set(found), seeds_count, MAX_SEEDS, "examples"):
        raw = found.get(number, {"pairs": {}}) if number is not None else {"pairs": {}}
        wanted = raw.get("count") if kind == ContributionKind.KNOWLEDGE else 1
        if number is None and kind == ContributionKind.KNOWLEDGE:
            wanted = KNOWLEDGE_PAIRS
        pair_rows = _rows(set(raw["pairs"]), wanted, MAX_PAIRS, "questions per example")
        if kind != ContributionKind.KNOWLEDGE:
            pair_rows = pair_rows[:1] or [None]
        pairs = [QuestionAnswer(**{"question": "", "answer": "", **(raw["pairs"].get(m) or {})})
                 for m in pair_rows]
        context = raw.get("context", "") if kind != ContributionKind.FREEFORM_SKILL else ""
        seeds.append(Seed(context=context, pairs=pairs))
    return seeds


def _patterns(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_contribution_post(post: Mapping, *, kind: str, previous: ContributionData) -> ParsedForm:
    """The form's POST as ContributionData (starting from `previous`, which keeps anything not posted)."""
    data = ContributionData.from_dict(previous.to_dict())
    data.kind = kind
    for name in TOP_TEXT_FIELDS:
        value = _text(post, name)
        if value is not None:
            setattr(data, name, value)
    seeds = _parse_seeds(post, kind)
    if seeds is not None:
        data.seeds = seeds
    document_names = ("repo", "commit", "patterns")
    if kind == ContributionKind.KNOWLEDGE and any(f"document-{n}" in post for n in document_names):
        document = data.document or DocumentRef()
        repo, commit, patterns = (_text(post, f"document-{n}") for n in ("repo", "commit", "patterns"))
        data.document = DocumentRef(
            repo=repo if repo is not None else document.repo,
            commit=commit if commit is not None else document.commit,
            patterns=_patterns(patterns) if patterns is not None else document.patterns,
        )
    attribution = data.attribution.to_dict()
    for name in ATTRIBUTION_FIELDS:
        value = _text(post, f"attribution-{name}")
        if value is not None:
            attribution[name] = value
    data.attribution = Attribution.from_dict(attribution)
    parsed = ParsedForm(data=data)
    for name in ("title", "description", "leaf_name"):
        setattr(parsed, name, _text(post, name))
    chosen = _text(post, "choose_parent")
    parsed.parent_path = chosen.strip("/") if chosen is not None else _text(post, "parent_path")
    if "dco-shown" in post:
        parsed.dco_signed_off = post.get("dco") in ("on", "1", "true", "yes")
    return parsed


def _empty_seed(kind: str) -> Seed:
    pairs = KNOWLEDGE_PAIRS if kind == ContributionKind.KNOWLEDGE else 1
    return Seed(pairs=[QuestionAnswer() for _ in range(pairs)])


def apply_row_operation(data: ContributionData, op: str) -> str:
    """Add, remove or move a row in place; returns the id of the control that should get the focus next."""
    match = _OP.match(op or "")
    if not match:
        raise FormRefused("That button is not one this form knows; reload the page and try again.")
    seeds = data.seeds
    if op == "add-seed":
        if len(seeds) >= MAX_SEEDS:
            raise FormRefused(f"A contribution can have at most {MAX_SEEDS} examples.")
        seeds.append(_empty_seed(data.kind))
        return _first_input(data, len(seeds))
    seed_number = int(match.group(2) or match.group(3) or match.group(4))
    if not 1 <= seed_number <= len(seeds):
        raise FormRefused(f"There is no example {seed_number} any more; the page was out of date and is "
                          "shown again as saved.")
    i = seed_number - 1
    if op.startswith("remove-seed"):
        del seeds[i]
        return f"seed-{min(seed_number, len(seeds))}-remove" if seeds else "add-seed"
    if op.startswith("up-seed"):
        if i > 0:
            seeds[i - 1], seeds[i] = seeds[i], seeds[i - 1]
            return f"seed-{seed_number - 1}-up" if seed_number - 1 > 1 else f"seed-{seed_number - 1}-down"
        return f"seed-{seed_number}-down"
    if op.startswith("down-seed"):
        if i < len(seeds) - 1:
            seeds[i], seeds[i + 1] = seeds[i + 1], seeds[i]
            moved = seed_number + 1
            return f"seed-{moved}-down" if moved < len(seeds) else f"seed-{moved}-up"
        return f"seed-{seed_number}-up"
    pairs = seeds[i].pairs
    if op.startswith("add-pair"):
        if len(pairs) >= MAX_PAIRS:
            raise FormRefused(f"An example can have at most {MAX_PAIRS} questions.")
        pairs.append(QuestionAnswer())
        return f"seed-{seed_number}-pair-{len(pairs)}-question"
    pair_number = int(match.group(5))
    if not 1 <= pair_number <= len(pairs):
        raise FormRefused(f"Example {seed_number} has no question {pair_number} any more; the page was out "
                          "of date and is shown again as saved.")
    del pairs[pair_number - 1]
    return f"seed-{seed_number}-add-pair"


def _first_input(data: ContributionData, seed_number: int) -> str:
    if data.kind == ContributionKind.FREEFORM_SKILL:
        return f"seed-{seed_number}-pair-1-question"
    return f"seed-{seed_number}-context"


# --- what the page shows ---------------------------------------------------------------------------------

# Validator messages that name a YAML key get the form's words instead (the message sits next to the field).
_KEY_WORDS = {
    "'task_description'": "The description of the skill",
    "'domain'": "The subject area",
    "'document_outline'": "The summary of the document",
    "'created_by'": "The author name",
}
_RULE_MESSAGES = {
    "R16-attribution-missing": "Say where this content comes from: fill in the title, license and creators "
                               "below (for examples you wrote yourself, press “I wrote these myself”).",
    "R16-attribution-empty": "Say where this content comes from: fill in the title, license and creators "
                             "below.",
}


_SEED_WORDS = re.compile(r"\b([Ss])eed example")


def plain_message(issue: FieldIssue) -> str:
    """The validator's message in the form's words: "example 3", not "seed example 3" or a YAML key."""
    if issue.rule in _RULE_MESSAGES:
        return _RULE_MESSAGES[issue.rule]
    message = issue.message
    for key, words in _KEY_WORDS.items():
        if message.startswith(key):
            message = words + message[len(key):]
            break
    return _SEED_WORDS.sub(lambda m: "Example" if m.group(1) == "S" else "example", message)


@dataclass
class Message:
    text: str
    severity: str
    rule: str
    quiet: bool  # about an empty field: shown once the person has been there, or after trying to submit


@dataclass
class WordCounter:
    id: str
    words: int
    limit: int
    label: str

    @property
    def over(self) -> bool:
        return self.words > self.limit

    @property
    def near(self) -> bool:
        return not self.over and self.words >= self.limit * 0.9


@dataclass
class PairView:
    number: int
    question: str
    answer: str
    question_id: str
    answer_id: str
    question_msgs: list[Message]
    answer_msgs: list[Message]


@dataclass
class SeedView:
    number: int
    id: str
    context: str
    context_id: str
    context_msgs: list[Message]
    msgs: list[Message]
    pairs: list[PairView]
    counters: list[WordCounter]
    pair_count: int
    is_first: bool = False
    is_last: bool = False

    @property
    def context_counter(self) -> WordCounter | None:
        return next((c for c in self.counters if c.id.endswith("-context")), None)

    @property
    def total_counters(self) -> list[WordCounter]:
        return [c for c in self.counters if not c.id.endswith("-context")]


@dataclass
class Blocker:
    text: str
    where: str
    anchor: str | None


@dataclass
class FormView:
    """Everything the form, its sections and its out-of-band updates render."""

    contribution: Contribution
    data: ContributionData
    kind: str
    msgs: dict[str, list[Message]]      # by field id with "-" as "_", for templates: msgs.attribution_title
    containers: list[tuple[str, list[Message]]]  # every message container on the page, for the OOB update
    seeds: list[SeedView]
    counters: list[WordCounter]
    blockers: list[Blocker]
    warnings: list[Blocker]
    general: list[Message]
    licenses: list[tuple[str, str]] = field(default_factory=list)
    license_known: bool = True

    @property
    def is_knowledge(self) -> bool:
        return self.kind == ContributionKind.KNOWLEDGE

    @property
    def has_context(self) -> bool:
        return self.kind != ContributionKind.FREEFORM_SKILL

    @property
    def root(self) -> str:
        return "knowledge" if self.is_knowledge else "compositional_skills"

    @property
    def other_containers(self) -> list[tuple[str, list[Message]]]:
        """The containers outside the examples section (which is re-rendered whole after a row change)."""
        return [(fid, msgs) for fid, msgs in self.containers
                if fid != "seeds" and not fid.startswith("seed-")]

    @property
    def patterns_text(self) -> str:
        return "\n".join(self.data.document.patterns) if self.data.document else ""


def seed_field_ids(data: ContributionData) -> list[str]:
    ids = ["seeds"]
    for n, seed in enumerate(data.seeds, start=1):
        ids.append(f"seed-{n}")
        if data.kind != ContributionKind.FREEFORM_SKILL:
            ids.append(f"seed-{n}-context")
        pairs = seed.pairs if data.kind == ContributionKind.KNOWLEDGE else seed.pairs[:1]
        for m in range(1, len(pairs) + 1):
            ids.extend((f"seed-{n}-pair-{m}-question", f"seed-{n}-pair-{m}-answer"))
    return ids


def field_ids(contribution: Contribution, data: ContributionData) -> list[str]:
    """Every message container of the form, in page order."""
    ids = ["path"] if contribution.edits_path else ["path", "leaf_name"]
    ids += ["title", "description"]
    ids += ["domain", "document_outline"] if data.kind == ContributionKind.KNOWLEDGE else ["task_description"]
    ids += seed_field_ids(data)
    if data.kind == ContributionKind.KNOWLEDGE:
        ids += ["document-repo", "document-commit", "document-patterns"]
    ids += [f"attribution-{name}" for name in ATTRIBUTION_FIELDS]
    ids += ["created_by", "dco"]
    return ids


def _value_of(field_id: str, contribution: Contribution, data: ContributionData) -> str | None:
    """The text a field holds (None for fields that are not one input, such as a whole example)."""
    if field_id == "path":
        return contribution.edits_path or contribution.parent_path
    if field_id in ("leaf_name", "title", "description"):
        return getattr(contribution, field_id)
    if field_id == "dco":
        return "yes" if contribution.dco_signed_off else ""
    if field_id in TOP_TEXT_FIELDS:
        return getattr(data, field_id)
    if field_id.startswith("attribution-"):
        return getattr(data.attribution, field_id.removeprefix("attribution-"), None)
    if field_id.startswith("document-"):
        document = data.document or DocumentRef()
        name = field_id.removeprefix("document-")
        return "\n".join(document.patterns) if name == "patterns" else getattr(document, name, None)
    match = re.match(r"^seed-(\d+)-(context|pair-(\d+)-(question|answer))$", field_id)
    if match:
        n = int(match.group(1)) - 1
        if not 0 <= n < len(data.seeds):
            return None
        seed = data.seeds[n]
        if match.group(2) == "context":
            return seed.context
        m = int(match.group(3)) - 1
        return getattr(seed.pairs[m], match.group(4)) if 0 <= m < len(seed.pairs) else None
    return None


def field_label(field_id: str | None, kind: str) -> str:
    """Where an issue is, in the words of the form."""
    labels = {
        "path": "Where it goes", "leaf_name": "Name of the new topic", "title": "Title",
        "description": "Short description", "task_description": "What the model should be able to do",
        "domain": "Subject area", "document_outline": "What the document covers", "seeds": "Examples",
        "document-repo": "Document: repository", "document-commit": "Document: commit",
        "document-patterns": "Document: files", "attribution-title": "Source: title",
        "attribution-link": "Source: link", "attribution-revision": "Source: revision",
        "attribution-license": "Source: license", "attribution-creators": "Source: creators",
        "dco": "Permission to contribute", "created_by": "Author",
    }
    if field_id is None:
        return "The whole contribution"
    if field_id in labels:
        return labels[field_id]
    match = re.match(r"^seed-(\d+)(?:-(context)|-pair-(\d+)-(question|answer))?$", field_id)
    if not match:
        return field_id
    number, context, pair, part = match.groups()
    if context:
        text = "excerpt" if kind == ContributionKind.KNOWLEDGE else "text to work on"
        return f"Example {number}: {text}"
    if pair:
        which = f"{part} {pair}" if kind == ContributionKind.KNOWLEDGE else part
        return f"Example {number}: {which}"
    return f"Example {number}"


def _counters(data: ContributionData) -> list[tuple[int, list[WordCounter]]]:
    result = []
    for n, seed in enumerate(data.seeds, start=1):
        pairs = seed.pairs if data.kind == ContributionKind.KNOWLEDGE else seed.pairs[:1]
        qna = sum(word_count(p.question) + word_count(p.answer) for p in pairs)
        counters = []
        if data.kind != ContributionKind.FREEFORM_SKILL:
            context = word_count(seed.context)
            counters.append(WordCounter(f"count-seed-{n}-context", context, MAX_CONTEXT_WORDS, "words"))
        label = "words in the questions and answers" if data.kind == ContributionKind.KNOWLEDGE \
            else "words in the question and answer"
        counters.append(WordCounter(f"count-seed-{n}-qna", qna, MAX_QNA_WORDS, label))
        if data.kind != ContributionKind.FREEFORM_SKILL:
            counters.append(WordCounter(f"count-seed-{n}-total", context + qna, MAX_SEED_WORDS,
                                        "words in this example altogether"))
        result.append((n, counters))
    return result


def build_form_view(contribution: Contribution, data: ContributionData, issues: list[FieldIssue]) -> FormView:
    kind = contribution.kind
    ids = field_ids(contribution, data)
    known = set(ids)
    by_field: dict[str, list[Message]] = {fid: [] for fid in ids}
    general: list[Message] = []
    blockers: list[Blocker] = []
    warnings: list[Blocker] = []
    for issue in issues:
        text = plain_message(issue)
        fid = issue.field_id if issue.field_id in known else None
        value = _value_of(fid, contribution, data) if fid else None
        message = Message(text=text, severity=issue.severity, rule=issue.rule,
                          quiet=value is not None and not value.strip())
        (by_field[fid] if fid else general).append(message)
        entry = Blocker(text=text, where=field_label(issue.field_id, kind), anchor=fid)
        (blockers if issue.severity == "error" else warnings).append(entry)
    # The lists read top to bottom like the page; problems without a field of their own come first.
    order = {fid: index for index, fid in enumerate(ids)}
    blockers.sort(key=lambda b: order.get(b.anchor, -1))
    warnings.sort(key=lambda b: order.get(b.anchor, -1))
    counters_by_seed = _counters(data)
    seeds = []
    for (n, counters), seed in zip(counters_by_seed, data.seeds, strict=True):
        pairs = seed.pairs if kind == ContributionKind.KNOWLEDGE else (seed.pairs[:1] or [QuestionAnswer()])
        pair_views = [
            PairView(number=m, question=p.question, answer=p.answer,
                     question_id=f"seed-{n}-pair-{m}-question", answer_id=f"seed-{n}-pair-{m}-answer",
                     question_msgs=by_field.get(f"seed-{n}-pair-{m}-question", []),
                     answer_msgs=by_field.get(f"seed-{n}-pair-{m}-answer", []))
            for m, p in enumerate(pairs, start=1)
        ]
        seeds.append(SeedView(number=n, id=f"seed-{n}", context=seed.context, context_id=f"seed-{n}-context",
                              context_msgs=by_field.get(f"seed-{n}-context", []),
                              msgs=by_field.get(f"seed-{n}", []), pairs=pair_views, counters=counters,
                              pair_count=len(pair_views), is_first=n == 1, is_last=n == len(data.seeds)))
    license_value = data.attribution.license.strip()
    return FormView(
        contribution=contribution, data=data, kind=kind,
        msgs={fid.replace("-", "_"): msgs for fid, msgs in by_field.items()},
        containers=list(by_field.items()),
        seeds=seeds,
        counters=[c for _, counters in counters_by_seed for c in counters],
        blockers=blockers, warnings=warnings, general=general,
        licenses=list(ALLOWED_LICENSES),
        license_known=not license_value or license_value in {spdx for spdx, _ in ALLOWED_LICENSES},
    )
