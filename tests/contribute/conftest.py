"""Fixtures for the contribution pages: a contributor who owns drafts, and drafts of each kind."""

from __future__ import annotations

import pytest


@pytest.fixture
def owner(make_user):
    return make_user("contributor", "owner")


@pytest.fixture
def start_draft(sample_taxonomy, owner):
    from taxonomy_app.contributions import contribution_start

    def start(kind: str = "freeform_skill", **kwargs):
        return contribution_start(owner=owner, kind=kind, **kwargs)

    return start
