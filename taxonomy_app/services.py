"""Writes to the taxonomy index and repository. Views, tasks and commands call these; nothing else writes."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import posixpath
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from labweb.markdown import render_markdown
from taxonomy_app.content import searchable_pieces, seed_cards
from taxonomy_app.git import Author, TaxonomyRepository
from taxonomy_app.models import IndexState, SearchItem, TaxonomyNode
from taxonomy_app.repositories import get_taxonomy_repository
from taxonomy_app.schema import ValidationMode, summarize_leaf, validate_qna

logger = logging.getLogger(__name__)

TAXONOMY_ROOTS = ("compositional_skills", "knowledge", "foundational_skills")
# Upstream tools validate only these two; foundational_skills is shown read-only without a verdict.
VALIDATED_ROOTS = ("compositional_skills", "knowledge")
LEAF_FILES = ("qna.yaml", "attribution.txt")
SYSTEM_AUTHOR = Author(name="LabWeb", email="labweb@localhost")


@dataclass
class IndexSyncResult:
    ref: str
    old_commit: str | None
    new_commit: str | None
    full_rebuild: bool = False
    leaves_added: list[str] = field(default_factory=list)
    leaves_updated: list[str] = field(default_factory=list)
    leaves_removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_commit != self.new_commit


def _is_under_roots(path: str) -> bool:
    return path.split("/", 1)[0] in TAXONOMY_ROOTS


def _ancestor_dirs(file_path: str) -> list[str]:
    """Directories containing file_path, outermost first (compositional_skills, compositional_skills/x, ...)."""
    parts = file_path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _json_safe(value):
    """YAML can hold dates, binary and sets; the index stores JSON, so those become strings and lists."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # PostgreSQL's jsonb has no Infinity or NaN
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _leaf_fields(leaf_dir: str, qna: bytes, attribution: bytes | None, commit: str, blob_sha: str) -> dict:
    result = validate_qna(
        qna,
        path=f"{leaf_dir}/qna.yaml",
        mode=ValidationMode.CI,
        attribution=attribution,
        attribution_present=attribution is not None,
    )
    contents = _json_safe(result.contents) if isinstance(result.contents, dict) else None
    summary = summarize_leaf(contents or {}, f"{leaf_dir}/qna.yaml")
    validated = leaf_dir.split("/", 1)[0] in VALIDATED_ROOTS
    return {
        "kind": TaxonomyNode.Kind.LEAF,
        "leaf_type": summary.leaf_type,
        "version": summary.version,
        "created_by": (summary.created_by or "")[:255],
        "task_description": summary.task_description or "",
        "domain": (summary.domain or "")[:512],
        "document_outline": summary.document_outline or "",
        "document": _json_safe(summary.document) if isinstance(summary.document, dict) else None,
        "contents": contents,
        # Markdown is rendered once here, not on every page view: it dominated the leaf page's latency.
        "rendered_contexts": {str(card.number): str(render_markdown(card.context))
                              for card in seed_cards(contents) if card.context},
        "qna_yaml": result.normalized_text if result.normalized_text is not None else qna.decode("utf-8", "replace"),
        "attribution": attribution.decode("utf-8", "replace") if attribution else "",
        "blob_sha": blob_sha,
        "is_valid": result.valid if validated else None,
        "validation": {
            "mode": "ci",
            "errors": [issue.to_dict() for issue in result.errors],
            "warnings": [issue.to_dict() for issue in result.warnings],
        },
        "indexed_commit": commit,
        "seed_count": summary.seed_count,
        "qna_pair_count": summary.qna_pair_count,
        "leaf_count": 1,
    }


PARALLEL_INDEX_MIN_LEAVES = 200


def _leaf_fields_job(job: tuple) -> dict:
    return _leaf_fields(*job)


def _leaf_fields_many(jobs: list[tuple]) -> list[dict]:
    """Validate and render many leaves; on big imports across processes, since yamllint dominates the time."""
    workers = min(os.cpu_count() or 1, 8)
    # Celery's prefork children are daemonic and may not start processes of their own.
    if len(jobs) < PARALLEL_INDEX_MIN_LEAVES or workers < 2 or multiprocessing.current_process().daemon:
        return [_leaf_fields(*job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_leaf_fields_job, jobs, chunksize=64))


_LEAF_ONLY_DEFAULTS = {
    "leaf_type": "", "version": None, "created_by": "", "task_description": "", "domain": "",
    "document_outline": "", "document": None, "contents": None, "rendered_contexts": {}, "qna_yaml": "", "attribution": "",
    "blob_sha": "", "is_valid": None, "validation": {},
}


def _search_items_for(node: TaxonomyNode) -> list[SearchItem]:
    return [
        SearchItem(node=node, field=field_name, seed_index=seed, text=text)
        for field_name, seed, text in searchable_pieces(node.contents)
    ]


def _refresh_search_vectors(node_ids: list[int] | None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's FTS5 table follows SearchItem through triggers.
    items = SearchItem.objects.all() if node_ids is None else SearchItem.objects.filter(node_id__in=node_ids)
    items.update(search_vector=SearchVector("text", config="english"))


def index_sync(*, repository: TaxonomyRepository | None = None, ref: str | None = None,
               full: bool = False) -> IndexSyncResult:
    """Bring the index in step with `ref` (main by default).

    Incremental: only directories touched by the diff between the indexed commit and the new head are
    re-read. A full rebuild happens on the first sync, when asked, or when the old commit is gone.
    """
    repo = repository or get_taxonomy_repository()
    ref = ref or settings.TAXONOMY_MAIN_BRANCH
    with transaction.atomic():
        state, _ = IndexState.objects.select_for_update().get_or_create(ref=ref)
        old = state.commit_sha or None
        new = repo.resolve(ref)
        result = IndexSyncResult(ref=ref, old_commit=old, new_commit=new)
        if new == old and not full:
            return result
        if new is None:
            result.leaves_removed = list(TaxonomyNode.objects.filter(kind=TaxonomyNode.Kind.LEAF)
                                         .values_list("path", flat=True))
            TaxonomyNode.objects.all().delete()
        elif full or old is None or repo.resolve(old) is None:
            result.full_rebuild = True
            _rebuild(repo, new, result)
        else:
            _apply_diff(repo, old, new, result)
        state.commit_sha = new or ""
        state.save()
    logger.info("index %s: %s -> %s (+%d ~%d -%d%s)", ref, (old or "none")[:12], (new or "none")[:12],
                len(result.leaves_added), len(result.leaves_updated), len(result.leaves_removed),
                ", full rebuild" if result.full_rebuild else "")
    return result


def _rebuild(repo: TaxonomyRepository, commit: str, result: IndexSyncResult) -> None:
    previous = set(TaxonomyNode.objects.filter(kind=TaxonomyNode.Kind.LEAF).values_list("path", flat=True))
    TaxonomyNode.objects.all().delete()

    dirs: set[str] = set()
    blob_shas: dict[str, str] = {}
    for entry in repo.walk_files(commit):
        if not _is_under_roots(entry.path):
            continue
        dirs.update(_ancestor_dirs(entry.path))
        if posixpath.basename(entry.path) in LEAF_FILES:
            blob_shas[entry.path] = entry.sha
    leaf_dirs = sorted(posixpath.dirname(p) for p in blob_shas if p.endswith("/qna.yaml"))
    blobs = repo.read_blobs(commit, sorted(blob_shas))

    jobs = [(leaf_dir, blobs[f"{leaf_dir}/qna.yaml"], blobs.get(f"{leaf_dir}/attribution.txt"), commit,
             blob_shas[f"{leaf_dir}/qna.yaml"]) for leaf_dir in leaf_dirs]
    fields_by_dir = dict(zip(leaf_dirs, _leaf_fields_many(jobs)))
    totals: dict[str, list[int]] = {d: [0, 0, 0] for d in dirs}
    for leaf_dir, fields in fields_by_dir.items():
        for ancestor in _ancestor_dirs(leaf_dir + "/qna.yaml"):
            bucket = totals[ancestor]
            bucket[0] += 1
            bucket[1] += fields["seed_count"]
            bucket[2] += fields["qna_pair_count"]

    ids: dict[str, int] = {}
    for depth in sorted({d.count("/") for d in dirs}):
        batch = []
        for directory in sorted(d for d in dirs if d.count("/") == depth):
            leaf_count, seed_count, qna_count = totals[directory]
            values = fields_by_dir.get(directory) or {
                "kind": TaxonomyNode.Kind.ROOT if depth == 0 else TaxonomyNode.Kind.CATEGORY,
                "indexed_commit": commit,
            }
            values = {**values, "leaf_count": leaf_count, "seed_count": seed_count, "qna_pair_count": qna_count}
            batch.append(TaxonomyNode(
                path=directory, name=posixpath.basename(directory), depth=depth,
                parent_id=ids.get(posixpath.dirname(directory)), **values,
            ))
        for node in TaxonomyNode.objects.bulk_create(batch, batch_size=500):
            ids[node.path] = node.pk
    leaves = list(TaxonomyNode.objects.filter(kind=TaxonomyNode.Kind.LEAF).only("id", "contents"))
    SearchItem.objects.bulk_create([item for node in leaves for item in _search_items_for(node)], batch_size=1000)
    _refresh_search_vectors(None)

    current = set(leaf_dirs)
    result.leaves_added = sorted(current - previous)
    result.leaves_updated = sorted(current & previous)
    result.leaves_removed = sorted(previous - current)


def _apply_diff(repo: TaxonomyRepository, old: str, new: str, result: IndexSyncResult) -> None:
    touched_files: set[str] = set()
    for change in repo.changed_files(old, new):
        for path in (change.path, change.old_path):
            if path and _is_under_roots(path):
                touched_files.add(path)
    if not touched_files:
        return

    touched_dirs = sorted({d for f in touched_files for d in _ancestor_dirs(f)}, key=lambda d: (d.count("/"), d))
    leaf_dirs = sorted({posixpath.dirname(f) for f in touched_files if posixpath.basename(f) in LEAF_FILES})
    existing = {n.path: n for n in TaxonomyNode.objects.filter(path__in=touched_dirs)}

    # Directories: create the ones that appeared (outermost first), drop the ones that vanished.
    for directory in touched_dirs:
        present = repo.exists(new, directory)
        node = existing.get(directory)
        if present and node is None:
            parent_path = posixpath.dirname(directory)
            depth = directory.count("/")
            existing[directory] = TaxonomyNode.objects.create(
                path=directory, name=posixpath.basename(directory), depth=depth,
                parent=existing.get(parent_path) if parent_path else None,
                kind=TaxonomyNode.Kind.ROOT if depth == 0 else TaxonomyNode.Kind.CATEGORY,
                indexed_commit=new,
            )
        elif not present and node is not None:
            # startswith is case-insensitive on SQLite (LIKE); git paths are not, so check again in Python.
            result.leaves_removed.extend(
                path for path in TaxonomyNode.objects.filter(kind=TaxonomyNode.Kind.LEAF)
                .filter(path__startswith=directory + "/").values_list("path", flat=True)
                if path.startswith(directory + "/"))
            if node.kind == TaxonomyNode.Kind.LEAF:
                result.leaves_removed.append(directory)
            node.delete()
            for gone in [p for p in existing if p == directory or p.startswith(directory + "/")]:
                existing.pop(gone)

    changed_node_ids = []
    for leaf_dir in leaf_dirs:
        node = existing.get(leaf_dir)
        if node is None:
            continue
        qna_path = f"{leaf_dir}/qna.yaml"
        entries = {e.name: e for e in repo.list_tree(new, leaf_dir)}
        if "qna.yaml" in entries:
            wanted = [qna_path] + ([f"{leaf_dir}/attribution.txt"] if "attribution.txt" in entries else [])
            blobs = repo.read_blobs(new, wanted)
            fields = _leaf_fields(leaf_dir, blobs[qna_path], blobs.get(f"{leaf_dir}/attribution.txt"),
                                  new, entries["qna.yaml"].sha)
            (result.leaves_updated if node.kind == TaxonomyNode.Kind.LEAF else result.leaves_added).append(leaf_dir)
        elif node.kind == TaxonomyNode.Kind.LEAF:
            result.leaves_removed.append(leaf_dir)
            fields = {**_LEAF_ONLY_DEFAULTS, "kind": TaxonomyNode.Kind.CATEGORY, "indexed_commit": new}
        else:
            continue
        for name, value in fields.items():
            setattr(node, name, value)
        node.save()
        node.search_items.all().delete()
        SearchItem.objects.bulk_create(_search_items_for(node))
        changed_node_ids.append(node.pk)
    _refresh_search_vectors(changed_node_ids)

    for directory in sorted(existing, key=lambda d: -d.count("/")):
        _recount(existing[directory])


def _recount(node: TaxonomyNode) -> None:
    """Subtree totals of a category from its direct children.

    Callers recount the deepest touched directories first, so every child's totals are already right. (A
    path__startswith query over all leaves would also match case-variant siblings on SQLite, where LIKE
    ignores case, and it reads the whole subtree for a root.)
    """
    from django.db.models import Sum

    if node.kind == TaxonomyNode.Kind.LEAF:
        return
    totals = TaxonomyNode.objects.filter(parent=node).aggregate(
        leaves=Sum("leaf_count"), seeds=Sum("seed_count"), pairs=Sum("qna_pair_count"))
    node.leaf_count = totals["leaves"] or 0
    node.seed_count = totals["seeds"] or 0
    node.qna_pair_count = totals["pairs"] or 0
    node.save(update_fields=["leaf_count", "seed_count", "qna_pair_count", "updated_at"])


def taxonomy_import(*, source: str, repository: TaxonomyRepository | None = None,
                    message: str | None = None) -> IndexSyncResult:
    """Load an existing taxonomy (a plain directory, or anything git can clone) as main, then sync the index.

    A plain directory becomes one new commit on top of main, so the index update is an ordinary diff.
    A git source replaces main with that repository's history.
    """
    repo = repository or get_taxonomy_repository()
    main = settings.TAXONOMY_MAIN_BRANCH
    source_path = Path(source).expanduser()
    if source_path.is_dir() and not (source_path / ".git").exists() and not _looks_like_bare_repo(source_path):
        repo.import_directory(
            source_path.resolve(), ref=main, author=SYSTEM_AUTHOR,
            message=message or f"Import taxonomy from {source_path.name}",
            include=lambda rel: not rel.startswith(".git/") and rel != ".git",
        )
    else:
        repo.fetch_into(str(source_path.resolve()) if source_path.exists() else source, target_ref=main)
    # An import writes thousands of loose objects at once; let git pack them now rather than on a request.
    repo.maintain()
    return index_sync(repository=repo, ref=main)


def _looks_like_bare_repo(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
