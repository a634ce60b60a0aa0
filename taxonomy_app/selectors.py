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
# Ranking costs about a microsecond per matching piece on SQLite (bm25 reads each match's positions and size).
# A query broader than this ("the", a two-letter prefix typed on the way to a word) is listed in index order
# instead, which reads only one page of matches; the page says so and suggests adding a word.
SEARCH_RANK_MAX = 20_000


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


TREE_FIELDS = ("path", "parent", "name", "depth", "kind", "leaf_type", "leaf_count", "seed_count",
               "qna_pair_count", "is_valid")


def tree_children(*, path: str | None) -> list[TaxonomyNode]:
    # Only what the tree, the category page and the API show: a folder of 250 topics should not decode 250
    # documents and task descriptions it never displays.
    nodes = TaxonomyNode.objects.only(*TREE_FIELDS)
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
    ranked: bool = True  # False when the query matched too much to sort by relevance (SEARCH_RANK_MAX)

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
    snippet = "snippet(taxonomy_search_fts, 0, char(2), char(3), '…', 32)"
    # Counting and ranking read only the FTS table (unless filtering by type); the wide node rows are read
    # for the page's hits alone: a common word matches tens of thousands of pieces, and joining each one to
    # its node made a search several times slower. Ties in rank are broken by SearchItem id (the pieces of
    # one leaf are consecutive), a total order, so pages never overlap. Beyond SEARCH_RANK_MAX: index order.
    with connection.cursor() as cursor:
        if leaf_type:
            base = """FROM taxonomy_search_fts f
                      JOIN taxonomy_app_searchitem s ON s.id = f.rowid
                      JOIN taxonomy_app_taxonomynode n ON n.id = s.node_id
                      WHERE taxonomy_search_fts MATCH %s AND n.leaf_type = %s"""
            params = [match, leaf_type]
        else:
            base = "FROM taxonomy_search_fts f WHERE taxonomy_search_fts MATCH %s"
            params = [match]
        cursor.execute(f"SELECT count(*) {base}", params)
        total = cursor.fetchone()[0]
        by_rank = total <= SEARCH_RANK_MAX
        order = "bm25(taxonomy_search_fts), f.rowid" if by_rank else "f.rowid"
        cursor.execute(f"SELECT f.rowid, {snippet} {base} ORDER BY {order} LIMIT %s OFFSET %s",
                       params + [limit, offset])
        page_rows = cursor.fetchall()
    details = {
        item_id: (path, lt, field, seed)
        for item_id, path, lt, field, seed in SearchItem.objects.filter(id__in=[r[0] for r in page_rows])
        .values_list("id", "node__path", "node__leaf_type", "field", "seed_index")
    }
    hits = []
    for item_id, snippet_text in page_rows:
        if item_id in details:  # an item deleted between the two queries is skipped
            path, lt, field, seed = details[item_id]
            hits.append(SearchHit(path, lt, field, _FIELD_LABELS.get(field, field), seed,
                                  _highlight(snippet_text)))
    return SearchResults(query=query, hits=hits, total=total, backend="sqlite-fts5", ranked=by_rank)


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
        # The id breaks ties (the pieces of one leaf often rank alike): a total order, so pages never overlap.
        .order_by("-rank", "node__path", "id")
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
