"""Fixtures for the validator tests: the shared corpus and the reference validator (instructlab-schema).

Nothing here needs Django. The reference runs in threads (it spawns one ``yamllint`` process per linted
file), with its log messages captured per thread so that each file's messages can be compared with ours.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
TREES = ("taxonomy-2025", "taxonomy-2024")
CHECK_YAML_SCRIPT = CORPUS / "taxonomy-2025" / "scripts" / "check-yaml.py"
REFERENCE_LOGGER = "instructlab.schema.taxonomy"


def corpus_files() -> list[tuple[str, str]]:
    """(tree, taxonomy-relative path) of every qna.yaml in the corpus, or [] when it is absent."""
    found = []
    for tree in TREES:
        base = CORPUS / tree
        if base.is_dir():
            found.extend((tree, p.relative_to(base).as_posix()) for p in sorted(base.rglob("qna.yaml")))
    return found


def pytest_generate_tests(metafunc):
    """Tests taking ``corpus_entry`` run once per corpus qna.yaml (skipped when the corpus is absent)."""
    if "corpus_entry" in metafunc.fixturenames:
        entries = corpus_files()
        if not entries:
            print(f"SKIP: the shared corpus is not at {CORPUS}")
        metafunc.parametrize("corpus_entry", entries, ids=[f"{tree}/{rel}" for tree, rel in entries])


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        reason = f"the shared corpus is not at {CORPUS}"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return CORPUS


@pytest.fixture(scope="session")
def corpus_entries(corpus_dir) -> list[tuple[str, str]]:
    return corpus_files()


@pytest.fixture(scope="session")
def corpus_index(corpus_dir) -> dict[tuple[str, str], dict]:
    """The expected per-file values recorded next to the corpus, by (tree, taxonomy path)."""
    entries = {}
    for tree in TREES:
        path = corpus_dir / f"{tree}.index.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            entries.update({(tree, entry["path"]): entry for entry in data["files"]})
            entries[(tree, None)] = {"qna_count": data["qna_count"]}
    return entries


# -- the reference ----------------------------------------------------------------------------------------


@dataclass
class RefMessage:
    severity: str  # "error" | "warning"
    yaml_path: str
    text: str
    line: str
    column: str


@dataclass
class RefOutcome:
    raised: bool
    errors: int = 0
    warnings: int = 0
    messages: list[RefMessage] = field(default_factory=list)
    exception: str | None = None

    @property
    def valid(self) -> bool:
        return not self.raised and self.errors == 0


class _ThreadCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.local = threading.local()

    def begin(self) -> None:
        self.local.records = []

    def end(self) -> list[logging.LogRecord]:
        records = getattr(self.local, "records", None) or []
        self.local.records = None
        return records

    def emit(self, record: logging.LogRecord) -> None:
        records = getattr(self.local, "records", None)
        if records is not None:
            records.append(record)


def _parse_record(record: logging.LogRecord) -> RefMessage | None:
    """Undo the reference's ``"%s:%s:%s [%s] " + message`` logging call without %-formatting the message."""
    template = record.msg if isinstance(record.msg, str) else str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    with_path = "%s:%s:%s [%s] "
    without_path = "%s:%s:%s "
    if template.startswith(with_path) and len(args) >= 4:
        yaml_path, rest, body = str(args[3]), args[4:], template[len(with_path) :]
    elif template.startswith(without_path) and len(args) >= 3:
        yaml_path, rest, body = "", args[3:], template[len(without_path) :]
    else:
        return None  # e.g. "could not run yq command"
    text = body % rest if rest else body
    severity = "error" if record.levelno >= logging.ERROR else "warning"
    return RefMessage(
        severity=severity, yaml_path=yaml_path, text=text, line=str(args[1]), column=str(args[2])
    )


def _load_check_yaml():
    if not CHECK_YAML_SCRIPT.is_file():
        return None
    spec = importlib.util.spec_from_file_location("taxonomy_check_yaml", CHECK_YAML_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Reference:
    """Runs the reference verdicts: ``ilab`` (TaxonomyParser, version from file, strict lint) and ``ci``
    (the taxonomy repository's scripts/check-yaml.py: latest schema, non-strict lint, attribution.txt)."""

    def __init__(self) -> None:
        from instructlab.schema import taxonomy

        self.taxonomy = taxonomy
        self.check_yaml = _load_check_yaml()
        self.capture = _ThreadCapture()

    def _ci(self, path: Path) -> int:
        if self.check_yaml is not None:
            checker = self.check_yaml.CheckYaml(yaml_files=[path], message_format="logging")
            return checker.check()
        parser = self.taxonomy.TaxonomyParser(
            schema_version=None, yamllint_strict=False, message_format="logging"
        )
        result = parser.parse(path)
        if result.version > 1:
            attribution = path.with_name("attribution.txt")
            if not attribution.is_file():
                result.error('The "%s" file does not exist or is not a file', attribution.name)
            elif attribution.stat().st_size == 0:
                result.error('The "%s" file must be non-empty', result.path.with_name(attribution.name))
        return 1 if result.errors else 0

    def run(self, path: Path, mode: str) -> RefOutcome:
        self.capture.begin()
        try:
            if mode == "ilab":
                parser = self.taxonomy.TaxonomyParser(
                    schema_version=0, yamllint_strict=True, message_format="logging"
                )
                parser.parse(path)
            elif mode == "ci":
                self._ci(path)
            else:
                raise ValueError(mode)
        except self.taxonomy.TaxonomyReadingException as exc:
            self.capture.end()
            return RefOutcome(raised=True, exception=repr(exc.__cause__ or exc))
        messages = [m for m in map(_parse_record, self.capture.end()) if m is not None]
        errors = sum(1 for m in messages if m.severity == "error")
        return RefOutcome(raised=False, errors=errors, warnings=len(messages) - errors, messages=messages)

    def run_many(self, jobs: list[tuple[Path, str]]) -> dict[tuple[Path, str], RefOutcome]:
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(lambda job: self.run(*job), jobs))
        return dict(zip(jobs, outcomes, strict=True))


def _path_with_venv_bin() -> str:
    """The venv's bin first: the reference runs the ``yamllint`` executable and silently skips lint without it."""
    venv_bin = str(Path(sys.executable).parent)
    return os.pathsep.join([venv_bin] + [d for d in os.environ.get("PATH", "").split(os.pathsep) if d != venv_bin])


@pytest.fixture(scope="session")
def reference():
    """The reference validator with its logger captured; skips when instructlab-schema is missing."""
    pytest.importorskip("instructlab.schema.taxonomy")
    ref = Reference()
    logger = logging.getLogger(REFERENCE_LOGGER)
    saved = (logger.level, logger.propagate, os.environ.get("PATH"))
    os.environ["PATH"] = _path_with_venv_bin()
    # The reference calls ``yq`` once per schema error only to find a line number; a ``yq`` that is not
    # mikefarah's fails every time. Verdicts do not depend on it, so the reference is told it has none.
    parser_class = ref.taxonomy.TaxonomyParser
    original_init = parser_class.__init__

    def init_without_yq(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.yq_available = False

    parser_class.__init__ = init_without_yq
    logger.addHandler(ref.capture)
    logger.setLevel(logging.DEBUG)
    logger.propagate = (
        False  # the reference builds format strings from messages; keep them from other handlers
    )
    try:
        yield ref
    finally:
        parser_class.__init__ = original_init
        logger.removeHandler(ref.capture)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        if saved[2] is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = saved[2]


# -- comparing ------------------------------------------------------------------------------------------

_LINT_TEXT_END = (")",)


def _parent_path(yaml_path: str) -> str:
    """The reference reports unexpected keys at the mapping that holds them."""
    if yaml_path.endswith("]"):
        cut = yaml_path.rfind("[")
    else:
        cut = yaml_path.rfind(".")
    parent = yaml_path[:cut]
    return parent or "."


def our_comparable(result) -> Counter:
    items: Counter = Counter()
    seen_r10 = set()
    for issue in result.errors + result.warnings:
        if issue.detail is None or issue.rule == "internal":
            continue  # LabWeb-only issues (normalisation, policy) carry no upstream wording
        yaml_path = issue.yaml_path or ""
        position = (str(issue.line), str(issue.column)) if issue.rule.startswith("lint-") else None
        if issue.rule == "R10-unknown-key":
            yaml_path = _parent_path(yaml_path)
        if issue.rule in ("R7-deprecated-version", "R7-unknown-version"):
            yaml_path = ""  # the reference reports these for the whole file
        key = (issue.severity, yaml_path, _normalise(issue.detail)[-200:], position)
        if issue.rule == "R10-unknown-key":
            if key in seen_r10:
                continue
            seen_r10.add(key)
        items[key] += 1
    return items


def _normalise(text: str) -> str:
    if text.startswith("Cannot load schema file"):
        return "Cannot load schema file"
    return text


def reference_comparable(outcome: RefOutcome) -> Counter:
    items: Counter = Counter()
    for message in outcome.messages:
        is_lint = (
            not message.yaml_path
            and message.text.rstrip().endswith(_LINT_TEXT_END)
            and (message.text.rsplit("(", 1)[-1].rstrip(")").replace("-", "").isalpha())
        )
        position = (message.line, message.column) if is_lint else None
        items[(message.severity, message.yaml_path, _normalise(message.text), position)] += 1
    return items


def assert_parity(ours, ref: RefOutcome, label: str) -> None:
    assert not [i for i in ours.errors if i.rule == "internal"], f"{label}: internal error {ours.errors}"
    assert ours.valid == ref.valid, (
        f"{label}: ours valid={ours.valid}, reference valid={ref.valid}\n"
        f"ours: {[(i.rule, i.detail or i.message) for i in ours.errors]}\n"
        f"reference: {ref.exception or [(m.yaml_path, m.text) for m in ref.messages]}"
    )
    if ref.raised:
        # the reference raises TaxonomyReadingException for undecodable/unparsable files and (a bug) for
        # an infinite version number; ours reports those as errors
        assert any(i.rule.startswith(("R3-", "R4-", "limit-", "R7-unknown-version")) for i in ours.errors), (
            f"{label}: the reference could not read the file ({ref.exception}); ours said {ours.errors}"
        )
        return
    mine, theirs = our_comparable(ours), reference_comparable(ref)
    assert mine == theirs, (
        f"{label}: messages differ\nonly ours: {sorted((mine - theirs).elements())}\n"
        f"only reference: {sorted((theirs - mine).elements())}"
    )


@pytest.fixture(scope="session")
def parity():
    return assert_parity
