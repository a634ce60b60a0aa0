"""Choosing which files `manage.py taxonomy lint` checks: paths, a whole tree, a git diff, or LabWeb's main."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from taxonomy_app.git import TaxonomyRepository
from taxonomy_app.schema import (DocumentCheck, ValidationMode, ValidationResult, is_taxonomy_file, validate_file,
                                 validate_qna)

YAML_SUFFIXES = (".yaml", ".yml")
TAXONOMY_FOLDERS = ("compositional_skills", "knowledge")


class LintSelectionError(Exception):
    """The files to lint could not be determined (bad ref, not a git work tree, missing path)."""


def _under_taxonomy_folders(relpath: str) -> bool:
    return PurePosixPath(relpath).parts[:1] in [(f,) for f in TAXONOMY_FOLDERS]


def _wanted(relpath: str, mode: ValidationMode) -> bool:
    """ilab only checks files named exactly qna.yaml; the taxonomy CI also fails any other YAML under the roots."""
    if not _under_taxonomy_folders(relpath):
        return False
    if mode == ValidationMode.ILAB:
        return is_taxonomy_file(relpath)
    return relpath.endswith(YAML_SUFFIXES)


def files_in_tree(root: Path, mode: ValidationMode) -> list[Path]:
    found = []
    for folder in TAXONOMY_FOLDERS:
        base = root / folder
        if base.is_dir():
            found.extend(p for p in base.rglob("*") if p.is_file() and _wanted(p.relative_to(root).as_posix(), mode))
    return sorted(found)


def files_in_git_diff(root: Path, base_ref: str, mode: ValidationMode) -> list[Path]:
    """Like `ilab taxonomy diff`: files changed between base_ref and the work tree, plus untracked ones."""
    def git(*args: str) -> str:
        try:
            completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                                       timeout=120, check=True)
        except subprocess.CalledProcessError as exc:
            raise LintSelectionError(exc.stderr.strip() or f"git {' '.join(args)} failed") from exc
        return completed.stdout

    if git("rev-parse", "--is-inside-work-tree").strip() != "true":
        raise LintSelectionError(f"{root} is not a git work tree; --diff needs one.")
    try:
        git("rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}")
    except LintSelectionError:
        raise LintSelectionError(f'Couldn\'t find the git ref "{base_ref}" in {root}.') from None
    # -z: no quoting of unusual (e.g. non-ASCII) names; --full-name: untracked paths relative to the top of the
    # work tree like diff's, also when the taxonomy is a subdirectory of it.
    changed = git("diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base_ref, "--").split("\0")
    untracked = git("ls-files", "-z", "--others", "--exclude-standard", "--full-name").split("\0")
    top = Path(git("rev-parse", "--show-toplevel").strip())
    base = root.resolve()
    paths = {(top / rel) for rel in changed + untracked if rel}
    return sorted(p for p in paths
                  if p.is_file() and p.is_relative_to(base) and _wanted(p.relative_to(base).as_posix(), mode))


def lint_paths(paths: list[Path], *, taxonomy_root: Path | None, mode: ValidationMode,
               document_check: DocumentCheck | None = None) -> list[ValidationResult]:
    results = []
    for path in paths:
        if path.is_dir():
            root = taxonomy_root or path
            results.extend(validate_file(f, taxonomy_root=root, mode=mode, document_check=document_check) for f in files_in_tree(path, mode)
                           or sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()))
        elif path.exists():
            results.append(validate_file(path, taxonomy_root=taxonomy_root, mode=mode, document_check=document_check))
        else:
            raise LintSelectionError(f"{path} does not exist.")
    return results


def lint_repository(repo: TaxonomyRepository, *, ref: str, mode: ValidationMode, base_ref: str | None = None,
                    document_check: DocumentCheck | None = None) -> list[ValidationResult]:
    """Lint qna.yaml files on a branch of a bare repository (all of them, or those changed since base_ref)."""
    head = repo.resolve(ref)
    if head is None:
        raise LintSelectionError(f'The branch "{ref}" does not exist in {repo.path}.')
    if base_ref:
        base = repo.resolve(base_ref)
        if base is None:
            raise LintSelectionError(f'Couldn\'t find the git ref "{base_ref}" in {repo.path}.')
        candidates = [c.path for c in repo.changed_files(base, head) if c.status != "D"]
    else:
        candidates = [entry.path for entry in repo.walk_files(head)]
    selected = sorted(p for p in candidates if _wanted(p, mode))
    attribution_paths = [str(PurePosixPath(p).parent / "attribution.txt") for p in selected]
    existing = {e.path for e in repo.walk_files(head)} if selected else set()
    blobs = repo.read_blobs(head, selected + [a for a in attribution_paths if a in existing])
    return [
        validate_qna(blobs[p], path=p, mode=mode, attribution=blobs.get(a), attribution_present=a in existing,
                     document_check=document_check)
        for p, a in zip(selected, attribution_paths)
    ]
