from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from labweb.markdown import render_markdown
from labweb.plots import horizontal_bar_chart
from labweb.roles import has_perm
from taxonomy_app import selectors, tasks
from taxonomy_app.content import seed_cards
from taxonomy_app.documents import document_links
from taxonomy_app.git import GitError, PathRejected
from taxonomy_app.models import TaxonomyNode
from taxonomy_app.repositories import get_documents_repository, get_taxonomy_repository

LEAF_TYPES = TaxonomyNode.LeafType
# A folder with hundreds of topics is shown in part in the tree; its own page lists them all.
TREE_FRAGMENT_LIMIT = 100


@require_GET
def tree(request):
    return render(request, "taxonomy/tree.html", {
        "overview": selectors.taxonomy_overview(),
        "nodes": selectors.tree_children(path=None),
    })


@require_GET
def tree_children(request):
    path = request.GET.get("path", "").strip("/")
    if not request.htmx:
        return redirect("taxonomy:node", path=path) if path else redirect("taxonomy:tree")
    parent = selectors.node_get(path=path) if path else None
    nodes = selectors.tree_children(path=path)
    return render(request, "taxonomy/tree.html#children", {
        "nodes": nodes[:TREE_FRAGMENT_LIMIT], "more": len(nodes) - TREE_FRAGMENT_LIMIT, "parent": parent,
    })


@require_GET
def node(request, path: str):
    current = selectors.node_get(path=path)
    context = {"node": current, "breadcrumbs": selectors.breadcrumbs(current)}
    if current.is_leaf:
        context.update({
            "cards": _cards_with_rendered_contexts(current),
            "documents": document_links(current.document),
            "attribution_lines": _attribution_lines(current.attribution),
            "tab": request.GET.get("tab", "content"),
        })
        return render(request, "taxonomy/leaf.html", context)
    context.update({
        "children": selectors.tree_children(path=current.path),
    })
    return render(request, "taxonomy/category.html", context)


def _cards_with_rendered_contexts(leaf: TaxonomyNode):
    cards = seed_cards(leaf.contents)
    for card in cards:
        card.context_html = leaf.rendered_contexts.get(str(card.number), "")
    return cards


def _attribution_lines(text: str) -> list[tuple[str, str]]:
    lines = []
    for raw in (text or "").splitlines():
        key, sep, value = raw.partition(":")
        if sep and key.strip() and len(key) < 40 and not key.strip().startswith("http"):
            lines.append((key.strip(), value.strip()))
        elif raw.strip():
            lines.append(("", raw.strip()))
    return lines


@require_GET
def history(request, path: str):
    current = selectors.node_get(path=path)
    try:
        commits = get_taxonomy_repository().file_history(current.path, ref=settings.TAXONOMY_MAIN_BRANCH,
                                                          max_count=20)
    except GitError:
        commits = []
    return render(request, "taxonomy/leaf.html#history", {"commits": commits, "node": current})


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    leaf_type = request.GET.get("type", "")
    if leaf_type not in LEAF_TYPES.values:
        leaf_type = ""
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    per_page = 25
    results = selectors.taxonomy_search(query=query, leaf_type=leaf_type, limit=per_page,
                                        offset=(page - 1) * per_page)
    context = {
        "results": results, "query": query, "leaf_type": leaf_type, "leaf_types": LEAF_TYPES.choices,
        "page": page, "has_next": results.total > page * per_page, "has_previous": page > 1,
    }
    template = "taxonomy/search.html#results" if request.htmx else "taxonomy/search.html"
    return render(request, template, context)


@require_GET
def coverage(request):
    rows = selectors.taxonomy_coverage(max_depth=2)
    by_root: dict[str, list] = {}
    for row in rows:
        if row.depth == 0:
            by_root.setdefault(row.path, [])
        elif row.depth == 1:
            by_root.setdefault(row.path.split("/")[0], []).append(row)
    charts = [
        {
            "root": root,
            "chart": horizontal_bar_chart([
                (row.path.split("/", 1)[1], row.seed_count, row.leaf_count, f"/taxonomy/node/{row.path}")
                for row in sorted(children, key=lambda r: (-r.seed_count, r.path))
            ]),
            "rows": children,
        }
        for root, children in sorted(by_root.items())
    ]
    return render(request, "taxonomy/coverage.html", {"charts": charts, "overview": selectors.taxonomy_overview()})


@require_POST
def reindex(request):
    if not has_perm(request.user, "manage_taxonomy"):
        raise PermissionDenied("Only admins can rebuild the taxonomy index.")
    full = request.POST.get("full") == "1"
    transaction.on_commit(lambda: tasks.index_sync.delay(full=full))
    messages.success(request, "The index is being refreshed from main in the background.")
    return redirect("taxonomy:tree")


_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@require_GET
def document(request, commit: str, doc_path: str):
    if not _COMMIT.match(commit):
        raise Http404("Not a commit id.")
    try:
        data = get_documents_repository().read_blob(commit, doc_path)
    except (GitError, PathRejected, ValueError):
        raise Http404("No such document at that commit.") from None
    if not doc_path.lower().endswith((".md", ".txt", ".markdown")):
        return HttpResponse(data, content_type="application/octet-stream",
                            headers={"Content-Disposition": "attachment"})
    return render(request, "taxonomy/document.html", {
        "commit": commit, "doc_path": doc_path, "html": render_markdown(data.decode("utf-8", "replace")),
    })
