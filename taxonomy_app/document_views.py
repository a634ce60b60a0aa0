"""The knowledge-document panel of the contribution form: upload, check a named repository, pick contexts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from taxonomy_app.knowledge_documents import (
    MAX_DOCUMENT_BYTES,
    DocumentRejected,
    document_check_request,
    document_text,
    document_upload,
)
from taxonomy_app.models import Contribution, ContributionKind
from taxonomy_app.qna import ContributionData
from taxonomy_app.repositories import documents_repository_url


def _own_knowledge_contribution(request, pk: int) -> Contribution:
    contribution = get_object_or_404(Contribution, pk=pk, kind=ContributionKind.KNOWLEDGE)
    if contribution.owner_id != request.user.pk:
        raise PermissionDenied("This is someone else's contribution.")
    return contribution


def _panel(request, contribution: Contribution, *, error: str = "", status: int = 200):
    data = ContributionData.from_dict(contribution.data)
    document = data.document
    uploaded = bool(document and document.repo == documents_repository_url())
    return render(request, "contribute/_documents.html#panel", {
        "contribution": contribution, "document": document, "uploaded": uploaded,
        "check": contribution.document_check or {}, "error": error,
        "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024), "excerpts": range(1, len(data.seeds) + 1),
    }, status=status)


@login_required
@require_GET
def panel(request, pk: int):
    return _panel(request, _own_knowledge_contribution(request, pk))


@login_required
@require_POST
def upload(request, pk: int):
    contribution = _own_knowledge_contribution(request, pk)
    uploaded = request.FILES.get("document")
    if uploaded is None:
        return _panel(request, contribution, error="Choose a file to upload first.", status=400)
    if uploaded.size > MAX_DOCUMENT_BYTES:
        return _panel(request, contribution, status=400,
                      error=f"The document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    try:
        document_upload(contribution=contribution, actor=request.user, filename=uploaded.name,
                        content=uploaded.read())
    except DocumentRejected as exc:
        return _panel(request, contribution, error=str(exc), status=400)
    contribution.refresh_from_db()
    return _panel(request, contribution)


@login_required
@require_POST
def check(request, pk: int):
    contribution = _own_knowledge_contribution(request, pk)
    try:
        document_check_request(contribution=contribution, actor=request.user)
    except DocumentRejected as exc:
        return _panel(request, contribution, error=str(exc), status=400)
    return _panel(request, contribution)


@login_required
@require_GET
def text(request, pk: int):
    contribution = _own_knowledge_contribution(request, pk)
    path = request.GET.get("path", "")
    try:
        body = document_text(contribution=contribution, path=path)
    except DocumentRejected as exc:
        return _panel(request, contribution, error=str(exc), status=404)
    data = ContributionData.from_dict(contribution.data)
    return render(request, "contribute/_documents.html#reader", {
        "contribution": contribution, "path": path, "body": body, "excerpts": range(1, len(data.seeds) + 1),
    })
