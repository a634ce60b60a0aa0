"""validate_qna: the reference's checks, step by step, with positions, plain messages and safety limits.

Order of the steps follows ``instructlab.schema.taxonomy.TaxonomyParser.parse`` (0.4.2): file name, UTF-8,
YAML, empty, mapping, version selection, yamllint (only when the version is above 1), JSON schema; then the
taxonomy CI's attribution.txt rule, LabWeb's policy (strict mode) and the optional document check.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from . import lint as lint_module
from . import messages, paths, policy, schemas
from .limits import Limits
from .types import DocumentCheck, Issue, ValidationMode, ValidationResult
from .yamlload import NodeIndex, ReadRefused, check_size, construct, decode, parse

logger = logging.getLogger(__name__)

ATTRIBUTION_NAME = "attribution.txt"


class _Run:
    def __init__(self, path: str, mode: ValidationMode, limits: Limits) -> None:
        self.path = path
        self.mode = mode
        self.limits = limits
        self.result = ValidationResult(path=path, mode=mode)
        rel = paths.taxonomy_relative(path)
        self.result.taxonomy_path = str(rel) if rel is not None else None
        self.index: NodeIndex | None = None

    # -- recording ---------------------------------------------------------------------------------
    def add(self, issue: Issue) -> None:
        (self.result.errors if issue.severity == "error" else self.result.warnings).append(issue)

    def error(self, rule: str, message: str, **kwargs: Any) -> None:
        self.add(Issue(rule=rule, message=message, severity="error", **kwargs))

    def warning(self, rule: str, message: str, **kwargs: Any) -> None:
        self.add(Issue(rule=rule, message=message, severity="warning", **kwargs))

    def refused(self, refusal: ReadRefused) -> None:
        self.error(
            refusal.rule, refusal.message, line=refusal.line, column=refusal.column, detail=refusal.detail
        )

    # -- the steps ---------------------------------------------------------------------------------
    def execute(
        self,
        data: bytes | str,
        attribution: bytes | str | None,
        attribution_present: bool | None,
        document_check: DocumentCheck | None,
    ) -> None:
        strict = self.mode is ValidationMode.STRICT
        if strict:
            for issue in paths.path_policy_issues(self.path):
                self.add(issue)
        elif self.result.taxonomy_path is None:
            self.warning(
                "R1-outside-taxonomy",
                "This file is not inside compositional_skills/ or knowledge/, so ilab and the taxonomy "
                "checks ignore it.",
            )

        name = PurePosixPath(self.path.replace("\\", "/")).name if self.path else ""
        if name != paths.QNA_NAME:
            self.error(
                "R2-file-name",
                f"The file must be named qna.yaml, but it is named '{name}'. Rename it to qna.yaml.",
                detail=f'Taxonomy file must be named "{paths.QNA_NAME}"; "{name}" is not a valid name',
            )
            return

        try:
            check_size(data, self.limits.max_bytes)
            decoded = decode(data)
        except ReadRefused as refusal:
            self.refused(refusal)
            return
        text = decoded.text
        self.result.normalized_text = text
        if decoded.had_bom:
            self.warning(
                "N2-byte-order-mark",
                "The file starts with an invisible byte-order mark (BOM); it was removed.",
                line=1,
                column=1,
            )
        if decoded.had_cr:
            self.warning(
                "N1-line-endings",
                "The file uses Windows (CRLF) or old Mac (CR) line breaks; they were converted to "
                "plain line breaks (LF).",
                line=_first_cr_line(data),
            )

        try:
            loader, root = parse(text, self.limits)
            contents = construct(loader, root) if root is not None else None
        except ReadRefused as refusal:
            self.refused(refusal)
            return

        if not contents:
            message = "The file is empty: it holds no version, examples or other content."
            if strict:
                self.error("R5-empty", message, detail="The file is empty")
            else:
                self.warning("R5-empty", message, detail="The file is empty")
            return
        if not isinstance(contents, Mapping):
            mark = root.start_mark
            self.error(
                "R6-not-mapping",
                "The file must be a set of named fields (such as 'version: 3' and 'created_by: ...'), "
                f"but its top level is {messages.describe_value(contents, None)}.",
                line=mark.line + 1,
                column=mark.column + 1,
                detail="The file is not valid. The top-level element is not an object with key-value pairs.",
            )
            return

        self.index = NodeIndex(loader, root)
        self.result.contents = contents if isinstance(contents, dict) else dict(contents)
        self.result.declared_version = contents.get("version")
        version = self._select_version(contents)
        if version is _UNUSABLE:
            return
        self.result.version = version if type(version) is int else None

        if version > 1:
            for issue in lint_module.lint_issues(text, strict=self.mode is ValidationMode.ILAB):
                self.add(issue)

        kind = paths.schema_kind(self.path, contents)
        self.result.schema_kind = kind
        schema_flagged_version = self._schema_validate(contents, version, kind)

        if self.mode is not ValidationMode.ILAB:
            self._attribution(attribution, attribution_present, strict=strict)

        if strict:
            for issue in paths.path_kind_issues(self.path, contents):
                self.add(issue)
            for issue in policy.policy_issues(
                contents, index=self.index, kind=kind, schema_flagged_version=schema_flagged_version
            ):
                self.add(issue)

        if (
            document_check is not None
            and not self.result.errors
            and isinstance(contents.get("document"), dict)
        ):
            self._document_check(document_check, contents["document"])

    def _select_version(self, contents: Mapping) -> Any:
        if self.mode is not ValidationMode.ILAB:
            return schemas.latest_version()
        declared = contents.get("version", 1)
        if isinstance(declared, int):
            return declared
        try:
            return int(declared)
        except (ValueError, TypeError):
            return 1
        except Exception as exc:  # noqa: BLE001 - e.g. OverflowError for .inf: the reference fails here too
            assert self.index is not None
            line, column = self.index.position(["version"])
            shown = self.index.scalar_source(["version"]) or repr(declared)
            self.error(
                "R7-unknown-version",
                f"The version {shown} cannot be used; write 'version: 3'.",
                line=line,
                column=column,
                yaml_path=".version",
                detail=f"{type(exc).__name__}: {exc}",
            )
            return _UNUSABLE

    def _schema_validate(self, contents: Mapping, version: Any, kind: str) -> bool:
        """Run the JSON schema; returns True when an issue concerned the ``version`` key."""
        assert self.index is not None
        if not schemas.is_known_version(version):
            line, column = self.index.position(["version"], prefer="value")
            if "version" not in contents:
                line, column = None, None
            source = self.index.scalar_source(["version"])
            shown = source if source is not None else repr(version)
            latest = schemas.latest_version()
            location = schemas.schema_location(version, kind)
            self.error(
                "R7-unknown-version",
                f"Version {shown} is not a known qna.yaml version; use version {latest}.",
                line=line,
                column=column,
                yaml_path=".version" if "version" in contents else None,
                detail=f"Cannot load schema file {location}. {location}",
            )
            return True
        schema = schemas.load_schema(version, kind)
        if schema is None:
            location = schemas.schema_location(version, kind)
            self.error(
                "R7-unknown-version",
                f"There is no version {version} format for {kind} files.",
                detail=f"Cannot load schema file {location}. {location}",
            )
            return True
        if schema.get("deprecated"):
            line, column = (
                self.index.position(["version"], prefer="value") if "version" in contents else (None, None)
            )
            description = schema.get("description") or f"{kind} schema version {version} is deprecated"
            self.error(
                "R7-deprecated-version",
                f"Version {version} {_kind_word(kind)} files are no longer supported; update the file to "
                "version 3 (each seed example has a context and at least 3 questions with answers, "
                "plus a document_outline; no task_description).",
                line=line,
                column=column,
                yaml_path=".version" if "version" in contents else None,
                detail=description,
            )
            return True
        validator = schemas.get_validator(version, kind)
        flagged = False
        for error in validator.iter_errors(contents):
            issues = messages.schema_issues(error, index=self.index, version=version, kind=kind)
            for issue in issues:
                self.add(issue)
            if list(error.absolute_path)[:1] == ["version"] or (
                error.validator == "required" and "'version'" in error.message
            ):
                flagged = True
        return flagged

    def _attribution(self, attribution: bytes | str | None, present: bool | None, *, strict: bool) -> None:
        if attribution is None and present is None:
            return
        rel = self.result.taxonomy_path or self.path
        if attribution is None and present is False:
            self.error(
                "R16-attribution-missing",
                "The attribution.txt file is missing. Add an attribution.txt next to qna.yaml that says "
                "where the content comes from and under which license.",
                detail=f'The "{ATTRIBUTION_NAME}" file does not exist or is not a file',
            )
            return
        if attribution is None:
            return
        if len(attribution) == 0:
            self.error(
                "R16-attribution-empty",
                "The attribution.txt file is empty. Write where the content comes from (title, link, "
                "license and creators).",
                detail=f'The "{PurePosixPath(rel).with_name(ATTRIBUTION_NAME)}" file must be non-empty',
            )
            return
        if strict:
            text = attribution.decode("utf-8", "replace") if isinstance(attribution, bytes) else attribution
            if not text.strip():
                self.error(
                    "P9-attribution-blank",
                    "The attribution.txt file holds only spaces or blank lines. Write where the content "
                    "comes from (title, link, license and creators).",
                )

    def _document_check(self, check: DocumentCheck, document: dict) -> None:
        try:
            found = check(document)
        except Exception as exc:  # noqa: BLE001 - a failing checker must not break validation
            logger.exception("document check failed for %s", self.path)
            self.error(
                "R17-documents", f"The knowledge documents could not be checked: {exc}", yaml_path=".document"
            )
            return
        for issue in found or []:
            self.add(issue)


class _Unusable:
    pass


_UNUSABLE = _Unusable()


def _kind_word(kind: str) -> str:
    return "knowledge" if kind == "knowledge" else "skill"


def _first_cr_line(data: bytes | str) -> int:
    cr = b"\r" if isinstance(data, bytes) else "\r"
    newline = b"\n" if isinstance(data, bytes) else "\n"
    position = data.find(cr)
    return data.count(newline, 0, position) + 1 if position >= 0 else 1


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda issue: (issue.line or 0, issue.column or 0))


def validate_qna(
    data: bytes | str,
    *,
    path: str,
    mode: ValidationMode | str = ValidationMode.CI,
    attribution: bytes | str | None = None,
    attribution_present: bool | None = None,
    document_check: DocumentCheck | None = None,
    limits: Limits | None = None,
) -> ValidationResult:
    """Validate one qna.yaml given as bytes (or already-decoded text).

    ``path`` is the taxonomy path (``compositional_skills/.../qna.yaml``; an absolute path works too: the
    part from the last ``compositional_skills``/``knowledge`` folder is used). ``attribution`` is the
    attribution.txt content when known; ``attribution_present=False`` says there is none; leaving both
    None skips the attribution rule. ``limits`` overrides the safety limits of ``limits.py``.
    Never raises for bad input: every problem is an Issue in the result.
    """
    mode = ValidationMode(mode)
    path = os.fspath(path) if not isinstance(path, str) else path
    run = _Run(path, mode, limits or Limits.default())
    try:
        run.execute(data, attribution, attribution_present, document_check)
    except RecursionError:
        logger.exception("validation of %s recursed too deeply", path)
        run.error("internal", "The file is too deeply nested to be checked.")
    except Exception as exc:  # noqa: BLE001 - an unexpected failure becomes an issue, not a crash
        logger.exception("validation of %s failed unexpectedly", path)
        run.error(
            "internal",
            f"The check stopped because of an unexpected problem: {type(exc).__name__}: {exc}",
            detail=repr(exc),
        )
    run.result.errors = _sorted(run.result.errors)
    run.result.warnings = _sorted(run.result.warnings)
    return run.result


def _read_limited(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def validate_file(
    qna_path: Path,
    *,
    taxonomy_root: Path | None = None,
    mode: ValidationMode | str = ValidationMode.CI,
    document_check: DocumentCheck | None = None,
    limits: Limits | None = None,
) -> ValidationResult:
    """Validate a file on disk, reading the attribution.txt beside it.

    The reported path is relative to ``taxonomy_root`` when the file is inside it.
    """
    qna_path = Path(qna_path)
    limits = limits or Limits.default()
    shown = str(qna_path)
    if taxonomy_root is not None:
        try:
            shown = qna_path.resolve().relative_to(Path(taxonomy_root).resolve()).as_posix()
        except ValueError:
            shown = str(qna_path)
    mode = ValidationMode(mode)
    if not qna_path.is_file():
        result = ValidationResult(path=shown, mode=mode)
        rel = paths.taxonomy_relative(shown)
        result.taxonomy_path = str(rel) if rel is not None else None
        result.errors.append(
            Issue(
                rule="io-not-a-file",
                message=f"The file {shown} does not exist or is not a regular file.",
                detail=f'The file "{qna_path.resolve()}" does not exist or is not a file',
            )
        )
        return result
    try:
        data = _read_limited(qna_path, limits.max_bytes)
        attribution_path = qna_path.with_name(ATTRIBUTION_NAME)
        attribution: bytes | None = None
        present = attribution_path.is_file()
        if present:
            attribution = _read_limited(attribution_path, limits.max_bytes)
    except OSError as exc:
        result = ValidationResult(path=shown, mode=mode)
        result.errors.append(
            Issue(rule="io-read-error", message=f"The file could not be read: {exc}", detail=str(exc))
        )
        return result
    return validate_qna(
        data,
        path=shown,
        mode=mode,
        attribution=attribution,
        attribution_present=present,
        document_check=document_check,
        limits=limits,
    )


def tree_files(root: Path) -> list[Path]:
    """Every .yaml/.yml file under ``compositional_skills/`` and ``knowledge/``, like the taxonomy CI."""
    root = Path(root)
    found: list[Path] = []
    for folder in paths.TAXONOMY_FOLDERS:
        base = root / folder
        if base.is_dir():
            found.extend(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return sorted(found)


def validate_tree(
    root: Path,
    mode: ValidationMode | str = ValidationMode.CI,
    *,
    document_check: DocumentCheck | None = None,
    limits: Limits | None = None,
) -> list[ValidationResult]:
    """Validate every YAML file under the taxonomy folders (misnamed ones get R2, as in the CI)."""
    root = Path(root)
    return [
        validate_file(p, taxonomy_root=root, mode=mode, document_check=document_check, limits=limits)
        for p in tree_files(root)
    ]
