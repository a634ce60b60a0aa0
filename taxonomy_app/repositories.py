"""Where LabWeb's git repositories live, as configured in settings."""

from __future__ import annotations

from django.conf import settings

from taxonomy_app.git import TaxonomyRepository


def get_taxonomy_repository() -> TaxonomyRepository:
    return TaxonomyRepository.init_bare(settings.TAXONOMY_REPO, default_branch=settings.TAXONOMY_MAIN_BRANCH)


def get_documents_repository() -> TaxonomyRepository:
    return TaxonomyRepository.init_bare(settings.DOCUMENTS_REPO, default_branch="main")


def documents_repository_url() -> str:
    """The URL written into qna.yaml `document.repo` for documents LabWeb stores itself."""
    configured = getattr(settings, "DOCUMENTS_REPO_URL", "")
    return configured or settings.DOCUMENTS_REPO.resolve().as_uri()
