"""Reads of the taxonomy index. Pages and the API call these; they never read git for the tree."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet
from django.http import Http404

from taxonomy_app.models import IndexState, SearchItem, TaxonomyNode

# Control characters mark highlights inside the database's snippet; they are swapped for <mark> only
# after the text has been HTML-escaped, so user text can never inject markup.
_HL_START, _HL_END = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_MAX_TERMS = 12


def taxonomy_overview() -> dict:
    roots = list(TaxonomyNode.objects.filter(depth=0).order_by("path"))
    state = IndexState.objects.filter(ref=settings.TAXONOMY_MAIN_BRANCH).first()
    return {
        "roots": roots,
        "leaf_count": sum(r.leaf_count for r in roots),
        "seed_count": sum(r.seed_count for r in roots),
        "commit": state.commit_sha if state else "",
        "indexed_at": state.updated_at if state else None,
    }


def tree_children(*, path: str | None) -> list[TaxonomyNode]:
    nodes = TaxonomyNode.objects.defer("contents", "qna_yaml", "attribution", "validation", "document_outline")
    if path:
        nodes = nodes.filter(parent__path=path)
    else:
        nodes = nodes.filter(depth=0)
    # Categories before leaves, then alphabetical, like a file browser.
    return sorted(nodes, key=lambda n: (n.kind == TaxonomyNode.Kind.LEAF, n.name.lower()))


def node_get(*, path: str) -> TaxonomyNode:
    path = path.strip("/")
    try:
        return TaxonomyNode.objects.get(path=path)
    except TaxonomyNode.DoesNotExist:
        raise Http404(f"No taxonomy node at {path!r}.") from None


def breadcrumbs(node: TaxonomyNode) -> list[tuple[str, str]]:
    parts = node.path.split("/")
    return [(parts[i], "/".join(parts[: i + 1])) for i in range(len(parts))]


def leaves_under(*, node: TaxonomyNode) -> QuerySet[TaxonomyNode]:
    return TaxonomyNode.objects.filter(kind=TaxonomyNode.Kind.LEAF, path__startswith=node.path + "/").only(
        "path", "name", "leaf_type", "seed_count", "qna_pair_count", "is_valid")


@dataclass
class SearchHit:
    path: str
    leaf_type: str
    field: str
    field_label: str
    seed_index: int | None
    snippet_html: str


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    backend: str

    @property
    def leaf_count(self) -> int:
        return len({hit.path for hit in self.hits})


def _highlight(raw: str) -> str:
    escaped = html.escape(raw)
    return escaped.replace(_HL_START, "<mark>").replace(_HL_END, "</mark>")


def search_terms(query: str) -> list[str]:
    return _WORD.findall(query or "")[:SEARCH_MAX_TERMS]


def taxonomy_search(*, query: str, limit: int = 50, offset: int = 0, leaf_type: str = "") -> SearchResults:
    """Full-text search over task descriptions, questions, answers and contexts of indexed leaves."""
    terms = search_terms(query)
    backend = "postgresql" if connection.vendor == "postgresql" else "sqlite-fts5"
    if not terms:
        return SearchResults(query=query, hits=[], total=0, backend=backend)
    if connection.vendor == "postgresql":
        return _search_postgres(query, terms, limit, offset, leaf_type)
    return _search_sqlite(query, terms, limit, offset, leaf_type)


_FIELD_LABELS = dict(SearchItem.Field.choices)


def _search_sqlite(query: str, terms: list[str], limit: int, offset: int, leaf_type: str) -> SearchResults:
    # Every term must match; the last one also as a prefix so results appear while the user types.
    match = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
    type_clause = "AND n.leaf_type = %s" if leaf_type else ""
    params: list = [match] + ([leaf_type] if leaf_type else [])
    base = f"""
        FROM taxonomy_search_fts f
        JOIN taxonomy_app_searchitem s ON s.id = f.rowid
        JOIN taxonomy_app_taxonomynode n ON n.id = s.node_id
        WHERE taxonomy_search_fts MATCH %s {type_clause}
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"""SELECT n.path, n.leaf_type, s.field, s.seed_index,
                       snippet(taxonomy_search_fts, 0, char(2), char(3), '…', 32)
                {base} ORDER BY bm25(taxonomy_search_fts), n.path LIMIT %s OFFSET %s""",
            params + [limit, offset],
        )
        rows = cursor.fetchall()
    hits = [SearchHit(path, lt, field, _FIELD_LABELS.get(field, field), seed, _highlight(snippet))
            for path, lt, field, seed, snippet in rows]
    return SearchResults(query=query, hits=hits, total=total, backend="sqlite-fts5")


def _search_postgres(query: str, terms: list[str], limit: int, offset: int, leaf_type: str) -> SearchResults:
    raw = " & ".join(f"{t}:*" if i == len(terms) - 1 else t for i, t in enumerate(terms))
    search_query = SearchQuery(raw, search_type="raw", config="english")
    items = SearchItem.objects.filter(search_vector=search_query)
    if leaf_type:
        items = items.filter(node__leaf_type=leaf_type)
    total = items.count()
    rows = (
        items.annotate(
            rank=SearchRank(F("search_vector"), search_query),
            snippet=SearchHeadline("text", search_query, config="english", start_sel=_HL_START,
                                   stop_sel=_HL_END, max_words=40, min_words=15, fragment_delimiter="…"),
        )
        .order_by("-rank", "node__path")
        .values_list("node__path", "node__leaf_type", "field", "seed_index", "snippet")[offset: offset + limit]
    )
    hits = [SearchHit(path, lt, field, _FIELD_LABELS.get(field, field), seed, _highlight(snippet))
            for path, lt, field, seed, snippet in rows]
    return SearchResults(query=query, hits=hits, total=total, backend="postgresql")


@dataclass
class CoverageRow:
    path: str
    depth: int
    leaf_count: int
    seed_count: int
    qna_pair_count: int


def taxonomy_coverage(*, max_depth: int = 2) -> list[CoverageRow]:
    """Categories down to max_depth with their subtree totals, for the coverage plot."""
    nodes = (TaxonomyNode.objects.filter(depth__lte=max_depth).order_by("path").values_list("path", "depth", "leaf_count", "seed_count", "qna_pair_count"))
    return [CoverageRow(*row) for row in nodes]
